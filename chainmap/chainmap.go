// Package chainmap turns one industry chain (产业链) and what the zone knows about it into
// the chain recruitment map (产业链招商地图) the zone's plan asks for (seed 三(四)2): which
// links (环节) local enterprises already cover, which are thin (补链) or missing (缺链),
// whether the pipeline is filling the gaps, and whom to approach next.
//
// Everything here is a pure function of its input: the API layer loads a chain, its nodes,
// the enterprises linked to those nodes and the projects the caller may see, calls Build,
// and hands the resulting *Map to encoding/json, RenderSVG or WriteTargetsXLSX. There is
// no database, no clock and no global state, so the same input always gives byte-identical
// output.
package chainmap

import (
	"math"
	"slices"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Status grades a node by how many local enterprises (区内企业) cover it.
type Status string

const (
	StatusStrong  Status = "strong"  // 强链: enough local enterprises
	StatusWeak    Status = "weak"    // 补链: covered, but thinly
	StatusMissing Status = "missing" // 缺链: no local enterprise (below the weak threshold)
)

// Label is the status as the zone writes it on the map.
func (s Status) Label() string {
	switch s {
	case StatusStrong:
		return "强链"
	case StatusWeak:
		return "补链"
	case StatusMissing:
		return "缺链"
	}
	return ""
}

// ShortLabel is the one-word form used in table cells (强 / 补链 / 缺链).
func (s Status) ShortLabel() string {
	if s == StatusStrong {
		return "强"
	}
	return s.Label()
}

// Thresholds decide a node's status from its count of local enterprises: at least Strong →
// strong, at least Weak → weak, otherwise missing. They come from configuration so a zone
// can be stricter than the defaults.
type Thresholds struct {
	Strong int `json:"strong"`
	Weak   int `json:"weak"`
}

// DefaultThresholds are the zone's defaults: 2 or more local enterprises make a link strong,
// one makes it weak, none leaves it missing.
func DefaultThresholds() Thresholds { return Thresholds{Strong: 2, Weak: 1} }

// normalized repairs thresholds that would make no sense: a node with no local enterprise
// is always missing (Weak ≥ 1), and strong never asks for less than weak.
func (t Thresholds) normalized() Thresholds {
	if t.Weak < 1 {
		t.Weak = 1
	}
	if t.Strong < t.Weak {
		t.Strong = t.Weak
	}
	return t
}

// Status grades a count of local enterprises.
func (t Thresholds) Status(localCount int) Status {
	t = t.normalized()
	switch {
	case localCount >= t.Strong:
		return StatusStrong
	case localCount >= t.Weak:
		return StatusWeak
	}
	return StatusMissing
}

// Input is everything Build looks at. The caller has already applied the user's scope:
// Projects holds only what the caller may see, so the map never leaks a project.
type Input struct {
	Chain *domain.Chain
	Nodes []*domain.ChainNode
	// Enterprises linked to the chain's nodes (NodeIDs; links to other chains' nodes are
	// ignored). Kind local counts towards a node's status; every other kind is a potential
	// target. Chain masters and the enterprises named in Referrals must be included even
	// when they have no node of this chain, or they cannot be named.
	Enterprises []*domain.Enterprise
	// Projects linked to the chain's nodes, already scoped to the caller.
	Projects []*domain.Project
	// Referrals maps a local chain-master enterprise's id to the ids of enterprises it can
	// introduce (以商招商). Optional; keys that are not local chain masters of this chain
	// are ignored.
	Referrals map[int64][]int64
	// Today is the day the map is drawn for; it is printed on the SVG and carried as as_of.
	Today domain.Date
}

// Map is a chain's recruitment map. Its JSON is the body of GET /api/v1/chains/{code}/map.
type Map struct {
	Chain      *domain.Chain `json:"chain"`
	AsOf       domain.Date   `json:"as_of"`
	Thresholds Thresholds    `json:"thresholds"`
	// Nodes in display order: segment (upstream, midstream, downstream), then the node tree
	// depth first, siblings by sort_order then id.
	Nodes    []*Node          `json:"nodes"`
	Segments []SegmentSummary `json:"segments"`
	Summary  Summary          `json:"summary"`

	byID map[int64]*Node
	recs map[int64]*GapRecommendation
}

// Node is one link of the chain with what covers it and what is coming.
type Node struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	Segment      domain.Segment `json:"segment"`
	SegmentLabel string         `json:"segment_label"`
	ParentID     *int64         `json:"parent_id"`
	ChildIDs     []int64        `json:"child_ids"`
	Depth        int            `json:"depth"`
	SortOrder    int            `json:"sort_order"`
	Description  string         `json:"description,omitempty"`
	Status       Status         `json:"status"`
	StatusLabel  string         `json:"status_label"`
	// Enterprises are the local enterprises (区内企业) on this link, chain masters first.
	Enterprises []EnterpriseRef `json:"enterprises"`
	// Targets are non-local enterprises linked to this link that no pipeline project has as
	// its investor: the people still to approach.
	Targets []EnterpriseRef `json:"targets"`
	// Projects are the pipeline projects on this link (dropped ones are left out), by stage
	// then id.
	Projects            []ProjectRef         `json:"projects"`
	ProjectCountByStage map[domain.Stage]int `json:"project_count_by_stage"`
	EnterpriseCount     int                  `json:"enterprise_count"`
	TargetCount         int                  `json:"target_count"`
	ProjectCount        int                  `json:"project_count"`
	// GapFilled marks a missing link with at least one project in the pipeline.
	GapFilled bool `json:"gap_filled"`
}

// EnterpriseRef is how the map shows an enterprise.
type EnterpriseRef struct {
	ID          int64                 `json:"id"`
	Name        string                `json:"name"`
	CreditCode  string                `json:"credit_code"`
	Kind        domain.EnterpriseKind `json:"kind"`
	ChainMaster bool                  `json:"chain_master"`
	Sample      bool                  `json:"sample,omitempty"`
}

// ProjectRef is how the map shows a pipeline project.
type ProjectRef struct {
	ID                int64          `json:"id"`
	Name              string         `json:"name"`
	Investor          string         `json:"investor"`
	Stage             domain.Stage   `json:"stage"`
	StageLabel        string         `json:"stage_label"`
	Channel           domain.Channel `json:"channel"`
	ChannelLabel      string         `json:"channel_label"`
	PlannedInvestment domain.Money   `json:"planned_investment_wan"`
	Sample            bool           `json:"sample,omitempty"`
}

// NodeRef names a node in the summary lists.
type NodeRef struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	Segment      domain.Segment `json:"segment"`
	ProjectCount int            `json:"project_count"`
}

// SegmentSummary counts one segment's nodes by status.
type SegmentSummary struct {
	Segment      domain.Segment `json:"segment"`
	Label        string         `json:"label"`
	NodeCount    int            `json:"node_count"`
	StrongCount  int            `json:"strong_count"`
	WeakCount    int            `json:"weak_count"`
	MissingCount int            `json:"missing_count"`
}

// Summary is the chain-level reading of the map.
type Summary struct {
	NodeCount    int `json:"node_count"`
	StrongCount  int `json:"strong_count"`
	WeakCount    int `json:"weak_count"`
	MissingCount int `json:"missing_count"`
	// Coverage is the share of nodes that are not missing, 0..1 to four decimals;
	// CoveragePct is the same in per cent with one decimal (56.3).
	Coverage    float64 `json:"coverage"`
	CoveragePct float64 `json:"coverage_pct"`
	// Counts of distinct enterprises and pipeline projects over the whole chain.
	LocalEnterpriseCount int                  `json:"local_enterprise_count"`
	TargetCount          int                  `json:"target_count"`
	ProjectCount         int                  `json:"project_count"`
	ProjectCountByStage  map[domain.Stage]int `json:"project_count_by_stage"`
	PlannedInvestment    domain.Money         `json:"planned_investment_wan"`
	// Gaps are missing nodes with nothing in the pipeline; GapsBeingFilled are missing
	// nodes with at least one pipeline project.
	Gaps            []NodeRef       `json:"gaps"`
	GapsBeingFilled []NodeRef       `json:"gaps_being_filled"`
	ChainMasters    []EnterpriseRef `json:"chain_masters"`
	// Recommendations list, for each missing node, whom to approach and why.
	Recommendations []GapRecommendation `json:"recommendations"`
}

// GapRecommendation is the list of enterprises worth approaching for one missing node.
type GapRecommendation struct {
	NodeID      int64            `json:"node_id"`
	NodeName    string           `json:"node_name"`
	Segment     domain.Segment   `json:"segment"`
	GapFilled   bool             `json:"gap_filled"`
	Enterprises []Recommendation `json:"enterprises"`
	// Total counts every candidate, including the segment-wide introductions left out
	// beyond MaxSegmentReferrals.
	Total int `json:"total"`
}

// MaxSegmentReferrals caps, per gap, the enterprises recommended only because a chain
// master knows them and they work somewhere in the gap's segment: the weakest reason, and
// with many referrals the one that would drown the list. Enterprises on the node itself are
// always listed.
const MaxSegmentReferrals = 10

// Recommendation sources, strongest first: an introduction by a chain master to an
// enterprise on the very node, an enterprise known to work on the node, and an introduction
// to an enterprise elsewhere in the node's segment.
const (
	SourceReferralNode    = "referral_node"
	SourceNode            = "node"
	SourceReferralSegment = "referral_segment"
)

// Recommendation is one enterprise to approach for a gap, with the reason in Chinese.
type Recommendation struct {
	EnterpriseRef
	Reason  string   `json:"reason"`
	Sources []string `json:"sources"`
	// ReferredBy names the chain masters who can introduce the enterprise (以商招商).
	ReferredBy []string `json:"referred_by,omitempty"`
	rank       int
}

// Node returns the node with the given id, or nil.
func (m *Map) Node(id int64) *Node {
	if m == nil {
		return nil
	}
	return m.byID[id]
}

// RecommendationsFor returns the recommendations for a missing node, or nil.
func (m *Map) RecommendationsFor(nodeID int64) []Recommendation {
	if m == nil || m.recs[nodeID] == nil {
		return nil
	}
	return m.recs[nodeID].Enterprises
}

// segmentRank orders segments upstream → midstream → downstream; unknown segments last.
func segmentRank(s domain.Segment) int {
	if i := slices.Index(domain.Segments, s); i >= 0 {
		return i
	}
	return len(domain.Segments)
}

// stageRank orders pipeline stages as the work system runs them.
func stageRank(s domain.Stage) int {
	if i := slices.Index(domain.Stages, s); i >= 0 {
		return i
	}
	return len(domain.Stages)
}

// pipelineStages are the stages a project counts in: every stage but dropped. A signed
// project in follow-up still fills a gap until its enterprise is local.
var pipelineStages = domain.Stages[:len(domain.Stages)-1]

func inPipeline(p *domain.Project) bool {
	return p != nil && p.Stage != domain.StageDropped && p.Stage.Valid() && p.DeletedAt == nil
}

func stageCounts() map[domain.Stage]int {
	m := make(map[domain.Stage]int, len(pipelineStages))
	for _, s := range pipelineStages {
		m[s] = 0
	}
	return m
}

// Build draws the map. Thresholds that make no sense are repaired (Weak at least 1,
// Strong at least Weak). Nil entries, nodes of other chains and links to unknown nodes are
// ignored, so a partly inconsistent load still gives a usable map.
func Build(in Input, th Thresholds) *Map {
	th = th.normalized()
	m := &Map{
		Chain:      in.Chain,
		AsOf:       in.Today,
		Thresholds: th,
		Nodes:      []*Node{},
		byID:       map[int64]*Node{},
		recs:       map[int64]*GapRecommendation{},
	}
	chainCode, masterNames := "", map[string]bool{}
	if in.Chain != nil {
		chainCode = in.Chain.Code
		for _, n := range in.Chain.Masters {
			masterNames[strings.TrimSpace(n)] = true
		}
	}

	// Nodes: index, then order as a tree per segment.
	raw := make([]*domain.ChainNode, 0, len(in.Nodes))
	for _, n := range in.Nodes {
		if n == nil || m.byID[n.ID] != nil {
			continue
		}
		if in.Chain != nil && n.ChainID != 0 && in.Chain.ID != 0 && n.ChainID != in.Chain.ID {
			continue
		}
		node := &Node{
			ID: n.ID, Name: n.Name, Segment: n.Segment, SegmentLabel: n.Segment.Label(),
			SortOrder: n.SortOrder, Description: n.Description,
			ChildIDs: []int64{}, Enterprises: []EnterpriseRef{}, Targets: []EnterpriseRef{},
			Projects: []ProjectRef{}, ProjectCountByStage: stageCounts(),
		}
		m.byID[n.ID] = node
		raw = append(raw, n)
	}
	m.Nodes = orderTree(raw, m.byID)

	// Enterprises.
	ents := make(map[int64]*domain.Enterprise, len(in.Enterprises))
	isMaster := func(e *domain.Enterprise) bool {
		return (chainCode != "" && slices.Contains(e.ChainMaster, chainCode)) || masterNames[strings.TrimSpace(e.Name)]
	}
	ref := func(e *domain.Enterprise) EnterpriseRef {
		return EnterpriseRef{ID: e.ID, Name: e.Name, CreditCode: e.CreditCode, Kind: e.Kind, ChainMaster: isMaster(e), Sample: e.Sample}
	}
	for _, e := range in.Enterprises {
		if e != nil && ents[e.ID] == nil {
			ents[e.ID] = e
		}
	}

	// Projects: who is in the pipeline, and what sits on each node.
	investorIDs, investorNames := map[int64]bool{}, map[string]bool{}
	droppedIDs, droppedNames := map[int64]bool{}, map[string]bool{}
	seenProject := map[int64]bool{}
	m.Summary.ProjectCountByStage = stageCounts()
	for _, p := range in.Projects {
		if p == nil || seenProject[p.ID] {
			continue
		}
		seenProject[p.ID] = true
		if !inPipeline(p) {
			if p.Stage == domain.StageDropped && p.DeletedAt == nil {
				if p.InvestorID != 0 {
					droppedIDs[p.InvestorID] = true
				}
				if name := strings.TrimSpace(p.Investor); name != "" {
					droppedNames[name] = true
				}
			}
			continue
		}
		if p.InvestorID != 0 {
			investorIDs[p.InvestorID] = true
		}
		if name := strings.TrimSpace(p.Investor); name != "" {
			investorNames[name] = true
		}
		onChain := false
		for _, id := range uniq(p.NodeIDs) {
			node := m.byID[id]
			if node == nil {
				continue
			}
			onChain = true
			node.Projects = append(node.Projects, ProjectRef{
				ID: p.ID, Name: p.Name, Investor: p.Investor,
				Stage: p.Stage, StageLabel: p.Stage.Label(),
				Channel: p.Channel, ChannelLabel: p.Channel.Label(),
				PlannedInvestment: p.PlannedInvestment, Sample: p.Sample,
			})
			node.ProjectCountByStage[p.Stage]++
		}
		if onChain {
			m.Summary.ProjectCount++
			m.Summary.ProjectCountByStage[p.Stage]++
			m.Summary.PlannedInvestment += domain.ClampMoney(p.PlannedInvestment)
		}
	}
	inPipe := func(e *domain.Enterprise) bool {
		return investorIDs[e.ID] || investorNames[strings.TrimSpace(e.Name)]
	}
	wasDropped := func(e *domain.Enterprise) bool {
		return droppedIDs[e.ID] || droppedNames[strings.TrimSpace(e.Name)]
	}

	// Enterprises onto nodes, in id order so every list is deterministic.
	entIDs := make([]int64, 0, len(ents))
	for id := range ents {
		entIDs = append(entIDs, id)
	}
	slices.Sort(entIDs)
	for _, id := range entIDs {
		e := ents[id]
		r := ref(e)
		local := e.Kind == domain.EnterpriseLocal
		target := !local && !inPipe(e)
		counted := false
		for _, nid := range uniq(e.NodeIDs) {
			node := m.byID[nid]
			if node == nil {
				continue
			}
			switch {
			case local:
				node.Enterprises = append(node.Enterprises, r)
			case target:
				node.Targets = append(node.Targets, r)
			default:
				continue
			}
			counted = true
		}
		if counted && local {
			m.Summary.LocalEnterpriseCount++
		} else if counted {
			m.Summary.TargetCount++
		}
		if r.ChainMaster {
			m.Summary.ChainMasters = append(m.Summary.ChainMasters, r)
		}
	}

	// Status and per-node tidy-up.
	segs := map[domain.Segment]*SegmentSummary{}
	for _, s := range domain.Segments {
		segs[s] = &SegmentSummary{Segment: s, Label: s.Label()}
	}
	for _, node := range m.Nodes {
		slices.SortStableFunc(node.Enterprises, func(a, b EnterpriseRef) int {
			if a.ChainMaster != b.ChainMaster {
				if a.ChainMaster {
					return -1
				}
				return 1
			}
			return cmpInt64(a.ID, b.ID)
		})
		slices.SortFunc(node.Projects, func(a, b ProjectRef) int {
			if d := stageRank(a.Stage) - stageRank(b.Stage); d != 0 {
				return d
			}
			return cmpInt64(a.ID, b.ID)
		})
		node.EnterpriseCount, node.TargetCount, node.ProjectCount = len(node.Enterprises), len(node.Targets), len(node.Projects)
		node.Status = th.Status(node.EnterpriseCount)
		node.StatusLabel = node.Status.Label()
		node.GapFilled = node.Status == StatusMissing && node.ProjectCount > 0

		s := segs[node.Segment]
		if s == nil { // a segment the domain does not know: count it, list it last
			s = &SegmentSummary{Segment: node.Segment, Label: node.Segment.Label()}
			segs[node.Segment] = s
		}
		s.NodeCount++
		m.Summary.NodeCount++
		switch node.Status {
		case StatusStrong:
			s.StrongCount++
			m.Summary.StrongCount++
		case StatusWeak:
			s.WeakCount++
			m.Summary.WeakCount++
		default:
			s.MissingCount++
			m.Summary.MissingCount++
			r := NodeRef{ID: node.ID, Name: node.Name, Segment: node.Segment, ProjectCount: node.ProjectCount}
			if node.GapFilled {
				m.Summary.GapsBeingFilled = append(m.Summary.GapsBeingFilled, r)
			} else {
				m.Summary.Gaps = append(m.Summary.Gaps, r)
			}
		}
	}
	for _, s := range domain.Segments {
		m.Segments = append(m.Segments, *segs[s])
	}
	var extra []domain.Segment
	for s := range segs {
		if segmentRank(s) == len(domain.Segments) {
			extra = append(extra, s)
		}
	}
	slices.Sort(extra)
	for _, s := range extra {
		m.Segments = append(m.Segments, *segs[s])
	}
	if n := m.Summary.NodeCount; n > 0 {
		covered := float64(n - m.Summary.MissingCount)
		m.Summary.Coverage = math.Round(covered/float64(n)*10000) / 10000
		m.Summary.CoveragePct = math.Round(covered/float64(n)*1000) / 10
	}
	if m.Summary.Gaps == nil {
		m.Summary.Gaps = []NodeRef{}
	}
	if m.Summary.GapsBeingFilled == nil {
		m.Summary.GapsBeingFilled = []NodeRef{}
	}
	if m.Summary.ChainMasters == nil {
		m.Summary.ChainMasters = []EnterpriseRef{}
	}

	m.Summary.Recommendations = recommend(m, in, ents, entIDs, isMaster, ref, inPipe, wasDropped)
	for i := range m.Summary.Recommendations {
		m.recs[m.Summary.Recommendations[i].NodeID] = &m.Summary.Recommendations[i]
	}
	return m
}

// recommend lists, for every missing node, the enterprises linked to it that are not in the
// pipeline, and the enterprises chain masters can introduce on the node or in its segment.
func recommend(m *Map, in Input, ents map[int64]*domain.Enterprise, entIDs []int64,
	isMaster func(*domain.Enterprise) bool, ref func(*domain.Enterprise) EnterpriseRef,
	inPipe, wasDropped func(*domain.Enterprise) bool) []GapRecommendation {

	// Which enterprises are introduced by which local chain masters of this chain.
	referredBy := map[int64][]*domain.Enterprise{}
	masterIDs := make([]int64, 0, len(in.Referrals))
	for id := range in.Referrals {
		masterIDs = append(masterIDs, id)
	}
	slices.Sort(masterIDs)
	for _, mid := range masterIDs {
		master := ents[mid]
		if master == nil || master.Kind != domain.EnterpriseLocal || !isMaster(master) {
			continue
		}
		for _, rid := range uniq(in.Referrals[mid]) {
			if rid != mid && !slices.Contains(referredBy[rid], master) {
				referredBy[rid] = append(referredBy[rid], master)
			}
		}
	}
	// Candidates: enterprises outside the zone and outside the pipeline, indexed by the nodes
	// they work on and, for those a chain master can introduce, by the segments they work in.
	onNode := map[int64][]int64{}
	inSegment := map[domain.Segment][]int64{}
	for _, id := range entIDs {
		e := ents[id]
		if e.Kind == domain.EnterpriseLocal || inPipe(e) {
			continue
		}
		var segs [4]bool // by segmentRank
		for _, nid := range uniq(e.NodeIDs) {
			if n := m.byID[nid]; n != nil {
				if n.Status == StatusMissing {
					onNode[nid] = append(onNode[nid], id)
				}
				segs[segmentRank(n.Segment)] = true
			}
		}
		if len(referredBy[id]) > 0 {
			for i, s := range domain.Segments {
				if segs[i] {
					inSegment[s] = append(inSegment[s], id)
				}
			}
		}
	}

	out := []GapRecommendation{}
	for _, node := range m.Nodes {
		if node.Status != StatusMissing {
			continue
		}
		gr := GapRecommendation{NodeID: node.ID, NodeName: node.Name, Segment: node.Segment, GapFilled: node.GapFilled, Enterprises: []Recommendation{}}
		direct := onNode[node.ID]
		ids := slices.Clone(direct)
		segOnly := 0
		for _, id := range inSegment[node.Segment] {
			if !slices.Contains(direct, id) {
				segOnly++
				if segOnly <= MaxSegmentReferrals {
					ids = append(ids, id)
				}
			}
		}
		gr.Total = len(direct) + segOnly
		for _, id := range ids {
			e := ents[id]
			on := slices.Contains(direct, id)
			masters := referredBy[id]
			r := Recommendation{EnterpriseRef: ref(e), rank: 3}
			var why []string
			if len(masters) > 0 && on {
				r.rank = 0
				r.Sources = append(r.Sources, SourceReferralNode)
			}
			if on {
				r.rank = min(r.rank, 1)
				r.Sources = append(r.Sources, SourceNode)
				w := "缺链环节“" + node.Name + "”的关联企业，尚未对接"
				if wasDropped(e) {
					w = "缺链环节“" + node.Name + "”的关联企业，原对接项目已终止，可重新接洽"
				}
				why = append(why, w)
			}
			if len(masters) > 0 {
				names := make([]string, len(masters))
				for i, ms := range masters {
					names[i] = ms.Name
				}
				r.ReferredBy = names
				joined := "“" + strings.Join(names, "”、“") + "”"
				if on {
					why = append(why, "可通过链主企业"+joined+"以商招商")
				} else {
					r.rank = 2
					r.Sources = append(r.Sources, SourceReferralSegment)
					why = append(why, "链主企业"+joined+"的关联企业，属"+node.Segment.Label()+"环节，可以商招商补“"+node.Name+"”")
				}
			}
			r.Reason = strings.Join(why, "；")
			gr.Enterprises = append(gr.Enterprises, r)
		}
		slices.SortStableFunc(gr.Enterprises, func(a, b Recommendation) int {
			if a.rank != b.rank {
				return a.rank - b.rank
			}
			return cmpInt64(a.ID, b.ID)
		})
		out = append(out, gr)
	}
	return out
}

// orderTree lays the nodes out segment by segment, each segment's trees depth first with
// siblings by sort_order then id, and sets Depth, ChildIDs and a ParentID that points only
// at a node on the map. A node whose parent sits in another segment starts a tree in its
// own segment; a cycle is broken at the node reached first.
func orderTree(raw []*domain.ChainNode, byID map[int64]*Node) []*Node {
	less := func(a, b *domain.ChainNode) int {
		if d := segmentRank(a.Segment) - segmentRank(b.Segment); d != 0 {
			return d
		}
		if a.Segment != b.Segment {
			return strings.Compare(string(a.Segment), string(b.Segment))
		}
		if a.SortOrder != b.SortOrder {
			return cmpInt(a.SortOrder, b.SortOrder)
		}
		return cmpInt64(a.ID, b.ID)
	}
	sorted := slices.Clone(raw)
	slices.SortFunc(sorted, less)

	children := map[int64][]*domain.ChainNode{}
	for _, n := range sorted {
		if n.ParentID != nil && byID[*n.ParentID] != nil && *n.ParentID != n.ID {
			children[*n.ParentID] = append(children[*n.ParentID], n) // already in order
		}
	}
	for _, n := range sorted {
		if n.ParentID != nil && byID[*n.ParentID] != nil && *n.ParentID != n.ID {
			pid := *n.ParentID
			byID[n.ID].ParentID = &pid
		}
	}
	// Break cycles: walk up from each node; on coming back to a node of the walk, make the
	// loop's first node in display order a root.
	pos := make(map[int64]int, len(sorted))
	for i, n := range sorted {
		pos[n.ID] = i
	}
	for _, n := range sorted {
		seen := map[int64]bool{n.ID: true}
		for cur := byID[n.ID]; cur.ParentID != nil; cur = byID[*cur.ParentID] {
			if !seen[*cur.ParentID] {
				seen[*cur.ParentID] = true
				continue
			}
			first := cur
			for x := byID[*cur.ParentID]; x != cur; x = byID[*x.ParentID] {
				if pos[x.ID] < pos[first.ID] {
					first = x
				}
			}
			pid, cid := *first.ParentID, first.ID
			children[pid] = slices.DeleteFunc(children[pid], func(c *domain.ChainNode) bool { return c.ID == cid })
			first.ParentID = nil
			break
		}
	}
	depth := map[int64]int{}
	var depthOf func(node *Node) int
	depthOf = func(node *Node) int {
		if node.ParentID == nil {
			return 0
		}
		if d, ok := depth[node.ID]; ok {
			return d
		}
		d := depthOf(byID[*node.ParentID]) + 1
		depth[node.ID] = d
		return d
	}
	for _, n := range sorted {
		node := byID[n.ID]
		node.Depth = depthOf(node)
		for _, c := range children[n.ID] {
			node.ChildIDs = append(node.ChildIDs, c.ID)
		}
	}

	out := make([]*Node, 0, len(sorted))
	placed := map[int64]bool{}
	var walk func(n *domain.ChainNode)
	walk = func(n *domain.ChainNode) {
		if placed[n.ID] {
			return
		}
		placed[n.ID] = true
		out = append(out, byID[n.ID])
		for _, c := range children[n.ID] {
			if c.Segment == n.Segment {
				walk(c)
			}
		}
	}
	for _, n := range sorted {
		node := byID[n.ID]
		if node.ParentID == nil || byID[*node.ParentID].Segment != n.Segment {
			walk(n)
		}
	}
	return out
}

func uniq(ids []int64) []int64 {
	if len(ids) < 2 {
		return ids
	}
	for i := 1; i < len(ids); i++ {
		if slices.Contains(ids[:i], ids[i]) {
			out := slices.Clone(ids)
			slices.Sort(out)
			return slices.Compact(out)
		}
	}
	return ids
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

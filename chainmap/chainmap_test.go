package chainmap

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
)

func TestThresholdsStatus(t *testing.T) {
	tests := []struct {
		name  string
		th    Thresholds
		count int
		want  Status
	}{
		{"default none", DefaultThresholds(), 0, StatusMissing},
		{"default one", DefaultThresholds(), 1, StatusWeak},
		{"default two", DefaultThresholds(), 2, StatusStrong},
		{"default many", DefaultThresholds(), 7, StatusStrong},
		{"custom 3/2 one", Thresholds{Strong: 3, Weak: 2}, 1, StatusMissing},
		{"custom 3/2 two", Thresholds{Strong: 3, Weak: 2}, 2, StatusWeak},
		{"custom 3/2 three", Thresholds{Strong: 3, Weak: 2}, 3, StatusStrong},
		{"zero thresholds never make an empty node covered", Thresholds{}, 0, StatusMissing},
		{"zero thresholds: one is strong", Thresholds{}, 1, StatusStrong},
		{"strong below weak is raised to weak", Thresholds{Strong: 1, Weak: 3}, 3, StatusStrong},
		{"strong below weak: two is missing", Thresholds{Strong: 1, Weak: 3}, 2, StatusMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.th.Status(tt.count); got != tt.want {
				t.Errorf("Status(%d) with %+v = %s, want %s", tt.count, tt.th, got, tt.want)
			}
		})
	}
}

func TestBuildNodeStatus(t *testing.T) {
	tests := []struct {
		name   string
		locals int
		others int
		dup    bool // the enterprises list the node twice
		th     Thresholds
		want   Status
	}{
		{"no enterprises", 0, 0, false, DefaultThresholds(), StatusMissing},
		{"only targets", 0, 3, false, DefaultThresholds(), StatusMissing},
		{"one local", 1, 2, false, DefaultThresholds(), StatusWeak},
		{"one local linked twice", 1, 0, true, DefaultThresholds(), StatusWeak},
		{"two locals", 2, 0, false, DefaultThresholds(), StatusStrong},
		{"five locals", 5, 0, false, DefaultThresholds(), StatusStrong},
		{"two locals, strict zone", 2, 0, false, Thresholds{Strong: 4, Weak: 2}, StatusWeak},
		{"one local, strict zone", 1, 0, false, Thresholds{Strong: 4, Weak: 2}, StatusMissing},
		{"four locals, strict zone", 4, 0, false, Thresholds{Strong: 4, Weak: 2}, StatusStrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			f.node("外延片", domain.SegmentMidstream, "", 0)
			for i := 0; i < tt.locals; i++ {
				e := f.ent("本地"+string(rune('A'+i)), domain.EnterpriseLocal, "外延片")
				if tt.dup {
					e.NodeIDs = append(e.NodeIDs, e.NodeIDs[0])
				}
			}
			for i := 0; i < tt.others; i++ {
				f.ent("外地"+string(rune('A'+i)), domain.EnterpriseTarget, "外延片")
			}
			m := Build(f.input(), tt.th)
			n := m.Nodes[0]
			if n.Status != tt.want {
				t.Errorf("status = %s, want %s", n.Status, tt.want)
			}
			if n.EnterpriseCount != tt.locals || len(n.Enterprises) != tt.locals {
				t.Errorf("enterprises = %d (%d listed), want %d", n.EnterpriseCount, len(n.Enterprises), tt.locals)
			}
			if n.StatusLabel != n.Status.Label() {
				t.Errorf("status_label = %q", n.StatusLabel)
			}
		})
	}
}

func TestGapFilled(t *testing.T) {
	tests := []struct {
		name     string
		local    bool
		stages   []domain.Stage
		filled   bool
		inGaps   bool
		projects int
	}{
		{"missing, nothing in the pipeline", false, nil, false, true, 0},
		{"missing, a lead", false, []domain.Stage{domain.StageLead}, true, false, 1},
		{"missing, a decision pending", false, []domain.Stage{domain.StageDecision}, true, false, 1},
		{"missing, signed and in follow-up", false, []domain.Stage{domain.StageFollowUp}, true, false, 1},
		{"missing, only a dropped project", false, []domain.Stage{domain.StageDropped}, false, true, 0},
		{"missing, one dropped one live", false, []domain.Stage{domain.StageDropped, domain.StageRisk}, true, false, 1},
		{"weak node with a project is no gap", true, []domain.Stage{domain.StageLead}, false, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			f.node("外延片", domain.SegmentMidstream, "", 0)
			if tt.local {
				f.ent("本地外延", domain.EnterpriseLocal, "外延片")
			}
			for i, s := range tt.stages {
				inv := f.ent("投资方"+string(rune('A'+i)), domain.EnterpriseInvestor)
				f.project("项目"+string(rune('A'+i)), inv.Name, s, "外延片")
			}
			m := Build(f.input(), DefaultThresholds())
			n := m.Nodes[0]
			if n.GapFilled != tt.filled {
				t.Errorf("gap_filled = %v, want %v", n.GapFilled, tt.filled)
			}
			if n.ProjectCount != tt.projects {
				t.Errorf("project_count = %d, want %d", n.ProjectCount, tt.projects)
			}
			if got := len(m.Summary.Gaps) == 1; got != tt.inGaps {
				t.Errorf("in gaps = %v, want %v (%+v)", got, tt.inGaps, m.Summary.Gaps)
			}
			if got := len(m.Summary.GapsBeingFilled) == 1; got != tt.filled {
				t.Errorf("in gaps_being_filled = %v, want %v", got, tt.filled)
			}
		})
	}
}

func TestTargetsExcludePipelineInvestors(t *testing.T) {
	f := newFixture()
	f.node("外延片", domain.SegmentMidstream, "", 0)
	f.ent("瀚天外延", domain.EnterpriseTarget, "外延片")          // never approached
	f.ent("天域外延", domain.EnterpriseInvestor, "外延片")        // live project
	f.ent("老对接外延", domain.EnterpriseInvestor, "外延片")       // only a dropped project
	noID := f.ent("无编号外延", domain.EnterpriseTarget, "外延片") // project names it, without an id
	f.ent("德龙集团", domain.EnterpriseFriendly, "外延片")        // friendly, not in pipeline
	f.ent("本地外延", domain.EnterpriseLocal, "外延片")           // local: never a target
	f.ent("别处企业", domain.EnterpriseTarget)                 // not on this node
	f.project("天域外延片项目", "天域外延", domain.StageIdentification, "外延片")
	f.project("老项目", "老对接外延", domain.StageDropped, "外延片")
	p := f.project("无编号项目", "无编号外延", domain.StageLead)
	p.InvestorID = 0 // an imported project that names its investor only
	_ = noID

	m := Build(f.input(), DefaultThresholds())
	var got []string
	for _, e := range m.Nodes[0].Targets {
		got = append(got, e.Name)
	}
	want := []string{"瀚天外延", "老对接外延", "德龙集团"}
	if !slices.Equal(got, want) {
		t.Errorf("targets = %v, want %v", got, want)
	}
	if m.Nodes[0].TargetCount != len(want) || m.Summary.TargetCount != len(want) {
		t.Errorf("target counts = %d / %d", m.Nodes[0].TargetCount, m.Summary.TargetCount)
	}
}

func TestDroppedProjectsExcluded(t *testing.T) {
	f := newFixture()
	f.node("外延片", domain.SegmentMidstream, "", 0)
	f.node("功率器件", domain.SegmentMidstream, "", 1)
	f.ent("甲", domain.EnterpriseInvestor)
	f.project("P-lead", "甲", domain.StageLead, "外延片", "功率器件")
	f.project("P-risk", "甲", domain.StageRisk, "外延片")
	f.project("P-follow", "甲", domain.StageFollowUp, "外延片")
	f.project("P-dropped", "甲", domain.StageDropped, "外延片", "功率器件")
	deleted := f.project("P-deleted", "甲", domain.StageLead, "外延片")
	deleted.DeletedAt = new(deleted.CreatedAt)
	f.project("P-elsewhere", "甲", domain.StageLead, "某个别的链环节")
	f.project("P-unknown-stage", "甲", domain.Stage("archived"), "外延片")

	m := Build(f.input(), DefaultThresholds())
	epi := m.Nodes[0]
	var names []string
	for _, p := range epi.Projects {
		names = append(names, p.Name)
		if p.Stage == domain.StageDropped {
			t.Errorf("dropped project %s on the map", p.Name)
		}
	}
	if want := []string{"P-lead", "P-risk", "P-follow"}; !slices.Equal(names, want) {
		t.Errorf("projects = %v, want %v (by stage)", names, want)
	}
	wantStages := map[domain.Stage]int{domain.StageLead: 1, domain.StageIdentification: 0, domain.StageRisk: 1, domain.StageDecision: 0, domain.StageFollowUp: 1}
	if !mapsEqual(epi.ProjectCountByStage, wantStages) {
		t.Errorf("by stage = %v, want %v", epi.ProjectCountByStage, wantStages)
	}
	if _, ok := epi.ProjectCountByStage[domain.StageDropped]; ok {
		t.Error("dropped has a count")
	}
	if m.Summary.ProjectCount != 3 {
		t.Errorf("summary project_count = %d, want 3 (distinct, on this chain, not dropped)", m.Summary.ProjectCount)
	}
	if m.Summary.PlannedInvestment != 3*1000*10000 {
		t.Errorf("planned = %s 万元", m.Summary.PlannedInvestment.Wan())
	}
	p := epi.Projects[0]
	if p.StageLabel != "洽谈对接" || p.ChannelLabel != "自主招商" || p.Investor != "甲" {
		t.Errorf("project ref = %+v", p)
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestRecommendations(t *testing.T) {
	f := newFixture()
	f.node("碳化硅单晶衬底", domain.SegmentMidstream, "", 0)
	f.node("外延片", domain.SegmentMidstream, "", 1)
	f.node("功率器件", domain.SegmentMidstream, "", 2)
	f.node("晶体生长设备", domain.SegmentUpstream, "", 0)
	f.node("光伏逆变器", domain.SegmentDownstream, "", 0)
	f.master("同光晶体", "碳化硅单晶衬底")
	f.ent("同光二厂", domain.EnterpriseLocal, "碳化硅单晶衬底")
	notLocalMaster := f.ent("外地链主", domain.EnterpriseFriendly, "光伏逆变器")
	notLocalMaster.ChainMaster = []string{"semiconductor"}
	f.ent("瀚天外延", domain.EnterpriseTarget, "外延片")     // on the gap, no introduction
	f.ent("天科外延", domain.EnterpriseTarget, "外延片")     // on the gap and introduced by 同光
	f.ent("华芯器件", domain.EnterpriseTarget, "功率器件")    // introduced, same segment as 外延片
	f.ent("在谈外延", domain.EnterpriseInvestor, "外延片")   // in the pipeline: no
	f.ent("本地设备", domain.EnterpriseLocal, "晶体生长设备")   // local: never recommended
	f.ent("晶盛装备", domain.EnterpriseReferrer, "光伏逆变器") // introduced, but another segment
	f.ent("逆变器甲", domain.EnterpriseTarget, "光伏逆变器")   // introduced only by a non-local master
	f.ent("终止外延", domain.EnterpriseInvestor, "外延片")   // its project was dropped
	f.project("在谈外延项目", "在谈外延", domain.StageLead, "外延片")
	f.project("终止外延项目", "终止外延", domain.StageDropped, "外延片")
	f.refer("同光晶体", "天科外延", "华芯器件", "晶盛装备", "在谈外延", "本地设备")
	f.refer("外地链主", "逆变器甲")
	f.refer("瀚天外延", "华芯器件") // not a chain master: ignored

	m := Build(f.input(), DefaultThresholds())
	byNode := map[string][]Recommendation{}
	for _, gr := range m.Summary.Recommendations {
		byNode[gr.NodeName] = gr.Enterprises
	}
	if _, ok := byNode["碳化硅单晶衬底"]; ok {
		t.Error("a strong node has recommendations")
	}
	if got := len(m.Summary.Recommendations); got != 3 {
		t.Errorf("recommendation groups = %d, want one per missing node (3)", got)
	}

	type want struct {
		name    string
		sources []string
		reason  string
	}
	tests := []struct {
		node string
		want []want
	}{
		{"外延片", []want{
			{"天科外延", []string{SourceReferralNode, SourceNode}, "缺链环节“外延片”的关联企业，尚未对接；可通过链主企业“同光晶体”以商招商"},
			{"瀚天外延", []string{SourceNode}, "缺链环节“外延片”的关联企业，尚未对接"},
			{"终止外延", []string{SourceNode}, "缺链环节“外延片”的关联企业，原对接项目已终止，可重新接洽"},
			{"华芯器件", []string{SourceReferralSegment}, "链主企业“同光晶体”的关联企业，属中游环节，可以商招商补“外延片”"},
		}},
		{"功率器件", []want{
			{"华芯器件", []string{SourceReferralNode, SourceNode}, "缺链环节“功率器件”的关联企业，尚未对接；可通过链主企业“同光晶体”以商招商"},
			{"天科外延", []string{SourceReferralSegment}, "链主企业“同光晶体”的关联企业，属中游环节，可以商招商补“功率器件”"},
		}},
		{"晶体生长设备", nil}, // 本地设备 is local; its node is weak anyway
		{"光伏逆变器", []want{
			{"晶盛装备", []string{SourceReferralNode, SourceNode}, "缺链环节“光伏逆变器”的关联企业，尚未对接；可通过链主企业“同光晶体”以商招商"},
			{"外地链主", []string{SourceNode}, "缺链环节“光伏逆变器”的关联企业，尚未对接"},
			{"逆变器甲", []string{SourceNode}, "缺链环节“光伏逆变器”的关联企业，尚未对接"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.node, func(t *testing.T) {
			recs, ok := byNode[tt.node]
			if tt.want == nil {
				if ok {
					t.Fatalf("recommendations for a covered node: %+v", recs)
				}
				return
			}
			if len(recs) != len(tt.want) {
				var names []string
				for _, r := range recs {
					names = append(names, r.Name)
				}
				t.Fatalf("got %v, want %d", names, len(tt.want))
			}
			for i, w := range tt.want {
				r := recs[i]
				if r.Name != w.name || !slices.Equal(r.Sources, w.sources) || r.Reason != w.reason {
					t.Errorf("#%d = %s %v %q\nwant  %s %v %q", i, r.Name, r.Sources, r.Reason, w.name, w.sources, w.reason)
				}
			}
			if got := m.RecommendationsFor(f.id("node:" + tt.node)); len(got) != len(recs) {
				t.Errorf("RecommendationsFor = %d entries", len(got))
			}
		})
	}
	if got := byNode["外延片"][0].ReferredBy; !slices.Equal(got, []string{"同光晶体"}) {
		t.Errorf("referred_by = %v", got)
	}
	masters := m.Summary.ChainMasters
	if len(masters) != 2 || masters[0].Name != "同光晶体" || !masters[0].ChainMaster {
		t.Errorf("chain masters = %+v", masters)
	}
}

func TestChainMastersByName(t *testing.T) {
	f := newFixture()
	f.chain.Masters = []string{"同光晶体"}
	f.node("衬底", domain.SegmentMidstream, "", 0)
	f.ent("同光晶体", domain.EnterpriseLocal, "衬底")
	f.ent("同光二厂", domain.EnterpriseLocal, "衬底")
	m := Build(f.input(), DefaultThresholds())
	if es := m.Nodes[0].Enterprises; !es[0].ChainMaster || es[1].ChainMaster {
		t.Errorf("enterprises = %+v", es)
	}
	if len(m.Summary.ChainMasters) != 1 {
		t.Errorf("chain masters = %+v", m.Summary.ChainMasters)
	}
}

func TestNodeOrderAndDepth(t *testing.T) {
	f := newFixture()
	// Given in a scrambled order on purpose.
	f.node("电驱", domain.SegmentDownstream, "", 1)
	f.node("外延片", domain.SegmentMidstream, "", 2)
	f.node("切磨抛", domain.SegmentMidstream, "衬底", 5)
	f.node("衬底", domain.SegmentMidstream, "", 1)
	f.node("粉料", domain.SegmentUpstream, "", 0)
	f.node("抛光液", domain.SegmentMidstream, "切磨抛", 0)
	f.node("逆变器", domain.SegmentDownstream, "粉料", 0) // parent in another segment
	f.node("孤儿", domain.SegmentUpstream, "不存在", 3)   // parent not on the map
	f.node("清洗", domain.SegmentMidstream, "衬底", 1)
	a := f.node("环甲", domain.SegmentUpstream, "环乙", 9) // a cycle
	f.node("环乙", domain.SegmentUpstream, "环甲", 9)
	_ = a

	m := Build(f.input(), DefaultThresholds())
	var got []string
	for _, n := range m.Nodes {
		got = append(got, n.Name)
	}
	want := []string{"粉料", "孤儿", "环甲", "环乙", "衬底", "清洗", "切磨抛", "抛光液", "外延片", "逆变器", "电驱"}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %v\nwant    %v", got, want)
	}
	depth := map[string]int{"粉料": 0, "孤儿": 0, "衬底": 0, "清洗": 1, "切磨抛": 1, "抛光液": 2, "逆变器": 1, "电驱": 0}
	for _, n := range m.Nodes {
		if d, ok := depth[n.Name]; ok && n.Depth != d {
			t.Errorf("%s depth = %d, want %d", n.Name, n.Depth, d)
		}
	}
	if n := m.Node(f.id("node:孤儿")); n.ParentID != nil {
		t.Errorf("dangling parent kept: %v", *n.ParentID)
	}
	if n := m.Node(f.id("node:衬底")); !slices.Equal(n.ChildIDs, []int64{f.id("node:清洗"), f.id("node:切磨抛")}) {
		t.Errorf("child ids = %v", n.ChildIDs)
	}
	if n := m.Node(f.id("node:粉料")); !slices.Equal(n.ChildIDs, []int64{f.id("node:逆变器")}) {
		t.Errorf("cross-segment child ids = %v", n.ChildIDs)
	}
	// The cycle is cut once: exactly one of the pair keeps its parent.
	ja, yi := m.Node(f.id("node:环甲")), m.Node(f.id("node:环乙"))
	if (ja.ParentID == nil) == (yi.ParentID == nil) {
		t.Errorf("cycle not cut once: %v %v", ja.ParentID, yi.ParentID)
	}
	if m.Segments[0].NodeCount != 4 || m.Segments[1].NodeCount != 5 || m.Segments[2].NodeCount != 2 {
		t.Errorf("segments = %+v", m.Segments)
	}
}

func TestCoverage(t *testing.T) {
	tests := []struct {
		locals   []int
		fraction float64
		pct      float64
	}{
		{nil, 0, 0},
		{[]int{0}, 0, 0},
		{[]int{1, 2, 0}, 0.6667, 66.7},
		{[]int{1, 0, 0, 0, 0, 0, 0, 0}, 0.125, 12.5},
		{[]int{3, 3}, 1, 100},
	}
	for _, tt := range tests {
		f := newFixture()
		for i, n := range tt.locals {
			name := "环节" + string(rune('A'+i))
			f.node(name, domain.SegmentMidstream, "", i)
			for k := 0; k < n; k++ {
				f.ent(name+"企业"+string(rune('a'+k)), domain.EnterpriseLocal, name)
			}
		}
		s := Build(f.input(), DefaultThresholds()).Summary
		if s.Coverage != tt.fraction || s.CoveragePct != tt.pct {
			t.Errorf("%v: coverage = %v (%v%%), want %v (%v%%)", tt.locals, s.Coverage, s.CoveragePct, tt.fraction, tt.pct)
		}
		if s.NodeCount != len(tt.locals) || s.StrongCount+s.WeakCount+s.MissingCount != s.NodeCount {
			t.Errorf("%v: counts %+v", tt.locals, s)
		}
	}
}

func TestOtherChainsAndNilsIgnored(t *testing.T) {
	f := newFixture()
	f.node("外延片", domain.SegmentMidstream, "", 0)
	f.nodes = append(f.nodes, nil, &domain.ChainNode{ID: 999, ChainID: 77, Name: "别的链", Segment: domain.SegmentUpstream})
	f.ents = append(f.ents, nil)
	f.projs = append(f.projs, nil)
	m := Build(f.input(), DefaultThresholds())
	if len(m.Nodes) != 1 || m.Nodes[0].Name != "外延片" {
		t.Errorf("nodes = %+v", m.Nodes)
	}
	// And a map with nothing at all still marshals to the contract shape.
	empty := Build(Input{}, DefaultThresholds())
	b, err := json.Marshal(empty)
	if err != nil || !bytes.Contains(b, []byte(`"nodes":[]`)) {
		t.Errorf("empty map: %s %v", b, err)
	}
}

func TestDeterministicJSON(t *testing.T) {
	in := synthetic(120, 600, 300)
	want, err := json.Marshal(Build(in, DefaultThresholds()))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5; i++ {
		shuffled := in
		shuffled.Nodes = slices.Clone(in.Nodes)
		shuffled.Enterprises = slices.Clone(in.Enterprises)
		shuffled.Projects = slices.Clone(in.Projects)
		r.Shuffle(len(shuffled.Nodes), func(i, j int) { shuffled.Nodes[i], shuffled.Nodes[j] = shuffled.Nodes[j], shuffled.Nodes[i] })
		r.Shuffle(len(shuffled.Enterprises), func(i, j int) {
			shuffled.Enterprises[i], shuffled.Enterprises[j] = shuffled.Enterprises[j], shuffled.Enterprises[i]
		})
		r.Shuffle(len(shuffled.Projects), func(i, j int) {
			shuffled.Projects[i], shuffled.Projects[j] = shuffled.Projects[j], shuffled.Projects[i]
		})
		got, err := json.Marshal(Build(shuffled, DefaultThresholds()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("JSON differs after shuffling the input (run %d)", i)
		}
		if svg1, svg2 := RenderSVG(Build(shuffled, DefaultThresholds()), SVGOptions{}), RenderSVG(Build(in, DefaultThresholds()), SVGOptions{}); !bytes.Equal(svg1, svg2) {
			t.Fatalf("SVG differs after shuffling the input (run %d)", i)
		}
	}
}

func TestContractJSONKeys(t *testing.T) {
	m := Build(semiconductorFixture().input(), DefaultThresholds())
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	requireKeys(t, "map", doc, "chain", "nodes", "summary", "segments", "as_of", "thresholds")
	requireKeys(t, "chain", doc["chain"].(map[string]any), "id", "code", "name", "chief", "chain_masters")
	nodes := doc["nodes"].([]any)
	if len(nodes) != len(DemoNodes["semiconductor"]) {
		t.Fatalf("nodes = %d", len(nodes))
	}
	seenEnt, seenProj, seenParent := false, false, false
	for _, raw := range nodes {
		n := raw.(map[string]any)
		requireKeys(t, "node", n, "id", "name", "segment", "parent_id", "status", "enterprises", "projects",
			"targets", "project_count_by_stage", "gap_filled", "depth", "sort_order")
		if seg := n["segment"]; seg != "upstream" && seg != "midstream" && seg != "downstream" {
			t.Errorf("segment = %v", seg)
		}
		if st := n["status"]; st != "strong" && st != "weak" && st != "missing" {
			t.Errorf("status = %v", st)
		}
		if n["parent_id"] != nil {
			seenParent = true
		}
		for _, e := range n["enterprises"].([]any) {
			requireKeys(t, "enterprise", e.(map[string]any), "id", "name", "credit_code", "kind", "chain_master")
			seenEnt = true
		}
		for _, e := range n["targets"].([]any) {
			requireKeys(t, "target", e.(map[string]any), "id", "name", "credit_code", "kind", "chain_master")
		}
		for _, p := range n["projects"].([]any) {
			requireKeys(t, "project", p.(map[string]any), "id", "name", "investor", "stage", "channel", "planned_investment_wan")
			if _, ok := p.(map[string]any)["planned_investment_wan"].(float64); !ok {
				t.Errorf("planned_investment_wan is not a number: %v", p)
			}
			seenProj = true
		}
	}
	if !seenEnt || !seenProj || !seenParent {
		t.Errorf("fixture too thin: enterprises %v projects %v parents %v", seenEnt, seenProj, seenParent)
	}
	s := doc["summary"].(map[string]any)
	requireKeys(t, "summary", s, "node_count", "strong_count", "weak_count", "missing_count", "coverage", "coverage_pct",
		"gaps", "gaps_being_filled", "chain_masters", "recommendations", "project_count_by_stage")
	for _, r := range s["recommendations"].([]any) {
		gr := r.(map[string]any)
		requireKeys(t, "recommendation group", gr, "node_id", "node_name", "segment", "enterprises")
		for _, e := range gr["enterprises"].([]any) {
			requireKeys(t, "recommendation", e.(map[string]any), "id", "name", "kind", "reason", "sources")
		}
	}
	if !strings.Contains(string(b), "缺链环节“外延片”的关联企业，尚未对接") {
		t.Error("the demo chain recommends nobody for 外延片")
	}
}

func requireKeys(t *testing.T, what string, obj map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s has no %q: %v", what, k, obj)
		}
	}
}

func TestDemoChainsMakeMeaningfulMaps(t *testing.T) {
	m := Build(semiconductorFixture().input(), DefaultThresholds())
	status := map[string]Status{}
	for _, n := range m.Nodes {
		status[n.Name] = n.Status
	}
	if status["碳化硅单晶衬底"] != StatusStrong || status["光伏组件"] != StatusWeak || status["外延片"] != StatusMissing {
		t.Errorf("statuses = %v", status)
	}
	if !m.Node(m.Summary.GapsBeingFilled[0].ID).GapFilled {
		t.Error("gaps being filled are not marked")
	}
	for _, s := range m.Segments[:3] {
		if s.NodeCount == 0 {
			t.Errorf("segment %s empty", s.Segment)
		}
	}
}

// plainNode has Node's fields and tags but not its MarshalJSON.
type plainNode Node

func TestNodeJSONMatchesStructTags(t *testing.T) {
	f := newFixture()
	f.node("A&B <外延> \"片\"\\ \n\t\x01 \u2028 bad\xff", domain.SegmentMidstream, "", 3)
	child := f.node("子", domain.SegmentMidstream, "A&B <外延> \"片\"\\ \n\t\x01 \u2028 bad\xff", 1)
	child.Description = "说明"
	e := f.ent("同光", domain.EnterpriseLocal, "子")
	e.CreditCode, e.Sample = "91130630MA0CU0XX1X", true
	f.ent("目标", domain.EnterpriseTarget, "子")
	p := f.project("项目", "投资方", domain.StageRisk, "子")
	p.PlannedInvestment, p.Sample = 12345678, true
	m := Build(f.input(), DefaultThresholds())
	nodes := append(m.Nodes, &Node{ID: 9}) // nil slices and maps too
	for _, n := range nodes {
		fast, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := json.Marshal((*plainNode)(n))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast, slow) {
			t.Errorf("node JSON differs from its struct tags:\nfast %s\nslow %s", fast, slow)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "外延片", "a\"b\\c", "<&>", "\x00\x1f\u2028\u2029", "bad\xff\xfe", "\u007f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// plainMap has Map's fields and tags but not its MarshalJSON.
type plainMap Map

func TestMapJSONMatchesStructTags(t *testing.T) {
	for name, m := range map[string]*Map{
		"demo":  Build(semiconductorFixture().input(), DefaultThresholds()),
		"empty": Build(Input{}, DefaultThresholds()),
		"zero":  {},
		"big":   Build(synthetic(60, 400, 150), Thresholds{Strong: 3, Weak: 2}),
	} {
		t.Run(name, func(t *testing.T) {
			fast, err := m.JSON()
			if err != nil {
				t.Fatal(err)
			}
			slow, err := json.Marshal((*plainMap)(m))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fast, slow) {
				t.Errorf("map JSON differs from its struct tags:\nfast %.400s\nslow %.400s", fast, slow)
			}
			viaMarshal, _ := json.Marshal(m)
			if !bytes.Equal(viaMarshal, fast) {
				t.Error("json.Marshal(m) differs from m.JSON()")
			}
		})
	}
}

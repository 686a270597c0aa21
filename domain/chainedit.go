package domain

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Editing a chain's map (issue 5): administrators, and a chain's chief for their own chain,
// shape the node tree and say who covers which link. Every change is one transaction and
// one or more lines in the chain's history, so the map's evolution can be read back.

// Limits of a chain node.
const (
	MaxNodeName        = 100  // characters of a node's name (chain_nodes.name is varchar(100))
	MaxNodeDescription = 2000 // characters of its description
	MaxNodeSortOrder   = 1_000_000
	MaxNodesPerChain   = 1000 // a map stays legible and fast well past the 500 the benchmarks use
)

// ChainNodeInput creates a node. ParentID nil or 0 makes a top-level node; an empty
// Segment is taken from the parent. SortOrder nil puts the node after every other one.
type ChainNodeInput struct {
	Name        string  `json:"name"`
	Segment     Segment `json:"segment"`
	ParentID    *int64  `json:"parent_id"`
	SortOrder   *int    `json:"sort_order"`
	Description string  `json:"description"`
}

// Normalize trims the text fields.
func (in *ChainNodeInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Segment = Segment(strings.TrimSpace(string(in.Segment)))
}

// Validate checks the fields that need no database; Segment may still be empty here.
func (in *ChainNodeInput) Validate() error {
	fe := FieldErrors{}
	checkNodeName(fe, in.Name)
	if in.Segment != "" && !in.Segment.Valid() {
		fe.Add("segment", "环节位置应为 upstream（上游）、midstream（中游）或 downstream（下游）(invalid segment)")
	}
	if in.ParentID != nil && *in.ParentID < 0 {
		fe.Add("parent_id", "上级环节编号无效 (invalid parent)")
	}
	if in.SortOrder != nil {
		checkSortOrder(fe, *in.SortOrder)
	}
	checkNodeDescription(fe, in.Description)
	CheckLimits(fe, in)
	return fe.Err()
}

// ChainNodeUpdate renames, moves or reorders a node; nil fields stay as they are.
// ParentID 0 (or JSON null) moves the node to the top level.
type ChainNodeUpdate struct {
	Name        *string  `json:"name"`
	Segment     *Segment `json:"segment"`
	ParentID    *int64   `json:"parent_id"`
	SortOrder   *int     `json:"sort_order"`
	Description *string  `json:"description"`
}

// Normalize trims the text fields.
func (u *ChainNodeUpdate) Normalize() {
	if u.Name != nil {
		v := strings.TrimSpace(*u.Name)
		u.Name = &v
	}
	if u.Description != nil {
		v := strings.TrimSpace(*u.Description)
		u.Description = &v
	}
	if u.Segment != nil {
		v := Segment(strings.TrimSpace(string(*u.Segment)))
		u.Segment = &v
	}
}

// Validate checks the fields that need no database.
func (u *ChainNodeUpdate) Validate() error {
	fe := FieldErrors{}
	if u.Name != nil {
		checkNodeName(fe, *u.Name)
	}
	if u.Segment != nil && !u.Segment.Valid() {
		fe.Add("segment", "环节位置应为 upstream（上游）、midstream（中游）或 downstream（下游）(invalid segment)")
	}
	if u.ParentID != nil && *u.ParentID < 0 {
		fe.Add("parent_id", "上级环节编号无效 (invalid parent)")
	}
	if u.SortOrder != nil {
		checkSortOrder(fe, *u.SortOrder)
	}
	if u.Description != nil {
		checkNodeDescription(fe, *u.Description)
	}
	CheckLimits(fe, u)
	return fe.Err()
}

// Empty reports whether the update changes nothing at all.
func (u *ChainNodeUpdate) Empty() bool {
	return u.Name == nil && u.Segment == nil && u.ParentID == nil && u.SortOrder == nil && u.Description == nil
}

func checkNodeName(fe FieldErrors, name string) {
	switch {
	case name == "":
		fe.Add("name", "请填写环节名称 (required)")
	case utf8.RuneCountInString(name) > MaxNodeName:
		fe.Add("name", "环节名称最多 100 个字 (at most 100 characters)")
	case strings.ContainsFunc(name, unicode.IsControl):
		fe.Add("name", "环节名称不能含控制字符 (no control characters)")
	}
}

func checkNodeDescription(fe FieldErrors, d string) {
	if utf8.RuneCountInString(d) > MaxNodeDescription {
		fe.Add("description", "说明最多 2000 个字 (at most 2000 characters)")
	}
}

func checkSortOrder(fe FieldErrors, n int) {
	if n < 0 || n > MaxNodeSortOrder {
		fe.Add("sort_order", "排序号应在 0 到 1000000 之间 (0..1000000)")
	}
}

// ChainHistoryEntry is one line of a chain's append-only editing history. Object is what
// changed ("node/12", "enterprise/5"), Subject what it was linked to or unlinked from
// ("enterprise/5", "project/7", "node/3" for a new node's parent); the names are kept as
// they were, so the line still reads after a node is renamed or deleted. For node_updated,
// Field is the JSON field (name, segment, parent_id, sort_order, description) and From/To
// its values (parent_id as the parent's name, "" for the top level).
type ChainHistoryEntry struct {
	ID          int64     `json:"id"`
	Chain       string    `json:"chain"` // the chain's code; "" for a zone-level line (a referral of a non-master)
	At          time.Time `json:"at"`
	Actor       string    `json:"actor"`
	Action      string    `json:"action"`
	Object      string    `json:"object"`
	ObjectName  string    `json:"object_name"`
	Subject     string    `json:"subject,omitempty"`
	SubjectName string    `json:"subject_name,omitempty"`
	Field       string    `json:"field,omitempty"`
	From        string    `json:"from,omitempty"`
	To          string    `json:"to,omitempty"`
}

// Chain history actions.
const (
	ChainNodeCreated       = "node_created"
	ChainNodeUpdated       = "node_updated"
	ChainNodeDeleted       = "node_deleted"
	ChainMasterAdded       = "master_added"
	ChainMasterRemoved     = "master_removed"
	ChainEnterpriseLinked  = "enterprise_linked"
	ChainEnterpriseRemoved = "enterprise_unlinked"
	ChainProjectLinked     = "project_linked"
	ChainProjectRemoved    = "project_unlinked"
	ChainReferralAdded     = "referral_added"
	ChainReferralRemoved   = "referral_removed"
)

// LinkResult answers a link or unlink command: what the link is now (Linked) and whether
// the command changed anything (an idempotent repeat does not, and writes no history).
// ProjectVersion is the project's version after a project link changed it.
type LinkResult struct {
	Chain          string `json:"chain,omitempty"`
	NodeID         int64  `json:"node_id,omitempty"`
	EnterpriseID   int64  `json:"enterprise_id,omitempty"`
	ProjectID      int64  `json:"project_id,omitempty"`
	FromID         int64  `json:"from_id,omitempty"`
	ToID           int64  `json:"to_id,omitempty"`
	Linked         bool   `json:"linked"`
	Changed        bool   `json:"changed"`
	ProjectVersion int64  `json:"project_version,omitempty"`
}

// Referral is an enterprise a chain master can introduce (以商招商), with the codes of the
// chains it is linked to a node of.
type Referral struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Kind       EnterpriseKind `json:"kind"`
	CreditCode string         `json:"credit_code"`
	Chains     []string       `json:"chains"`
}

// ChainEditService edits chain maps. Chains are named by code. Callers: administrators for
// every chain of the zone, a chain chief for their own chains (CanEditChain); another
// chief's chain is ENOTFOUND, as are nodes, enterprises and projects the caller cannot
// see. Bad input is EINVALID with fields, a refused rule ERULE (deleting a node that still
// has children or links, a project of another chain, a non-local chain master), a stale
// project ECONFLICT. Every change is one transaction, its history included.
type ChainEditService interface {
	CreateNode(ctx context.Context, chain string, in ChainNodeInput) (*ChainNode, error)
	// UpdateNode renames, moves (same chain, no cycles) or reorders a node.
	UpdateNode(ctx context.Context, chain string, id int64, upd ChainNodeUpdate) (*ChainNode, error)
	// DeleteNode removes a node that has no children, enterprises or projects.
	DeleteNode(ctx context.Context, chain string, id int64) error
	// SetChainMaster marks (on) or unmarks a local enterprise as the chain's master (链主).
	SetChainMaster(ctx context.Context, chain string, enterpriseID int64, on bool) (*LinkResult, error)
	// LinkEnterprise links an enterprise to a node (on) or unlinks it.
	LinkEnterprise(ctx context.Context, chain string, nodeID, enterpriseID int64, on bool) (*LinkResult, error)
	// LinkProject links a visible project to a node or unlinks it, bumping the project's
	// version and writing its history. A project without a chain joins the node's chain.
	LinkProject(ctx context.Context, chain string, nodeID, projectID int64, on bool) (*LinkResult, error)
	// SetReferral records (on) or removes that fromID can introduce toID (以商招商). A chain
	// chief may do so only for a master enterprise of their chain.
	SetReferral(ctx context.Context, fromID, toID int64, on bool) (*LinkResult, error)
	// Referrals lists the enterprises fromID can introduce, by name. Zone-wide readers see
	// any enterprise's; a chain chief only those of a master of their chain (else
	// ENOTFOUND, like an enterprise outside the zone).
	Referrals(ctx context.Context, fromID int64) ([]*Referral, error)
	// ChainHistory lists a visible chain's history, newest first, with the total.
	ChainHistory(ctx context.Context, chain string, p Page) ([]*ChainHistoryEntry, int, error)
}

// CanEditChain: administrators edit every chain's map; a chain chief edits the chains they
// chief. Nobody else, the director included, edits maps.
func CanEditChain(a *Actor, chainID int64) bool {
	if a == nil || a.User == nil || a.User.Disabled {
		return false
	}
	return a.User.HasRole(RoleAdmin) || chiefOf(a.User, &chainID)
}

// CanSeeChain: zone-wide roles see every chain's map, a chain chief their own chains.
func CanSeeChain(a *Actor, chainID int64) bool {
	s := ScopeOf(a)
	if s.Empty() {
		return false
	}
	if s.All {
		return true
	}
	for _, id := range s.ChainIDs {
		if id == chainID {
			return true
		}
	}
	return false
}

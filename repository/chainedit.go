package repository

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ChainEditService implements domain.ChainEditService: the node tree, chain masters, the
// links from enterprises and projects to nodes, and referral relations, each change in one
// transaction with its lines in chain_history (and, for projects, in the project's history).
//
// Every chain command first locks the chain's row (SELECT … FOR UPDATE on MySQL; SQLite
// transactions are immediate and so already one at a time). Edits of one chain therefore
// run one after another, which is what keeps two concurrent moves from building a cycle
// and a delete from racing a new child or link.
type ChainEditService struct {
	db       *DB
	projects *ProjectService
}

// NewChainEditService returns the chain editing service on db.
func NewChainEditService(db *DB) *ChainEditService {
	return &ChainEditService{db: db, projects: NewProjectService(db)}
}

var _ domain.ChainEditService = (*ChainEditService)(nil)

type chainHistoryRow struct {
	ID          int64
	ZoneID      int64
	ChainID     *int64
	At          time.Time
	ActorID     int64
	Actor       string
	Action      string
	Object      string
	ObjectName  string
	Subject     string
	SubjectName string
	Field       string
	FromValue   string
	ToValue     string
}

func (chainHistoryRow) TableName() string { return "chain_history" }

// clipName keeps a name within chain_history's 200 characters.
func clipName(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:200])
	}
	return s
}

// chainEvent is one history line before it is stamped.
type chainEvent struct {
	action, object, objectName, subject, subjectName, field, from, to string
}

func (s *ChainEditService) record(ctx context.Context, a *domain.Actor, zoneID int64, chainID *int64, ev chainEvent) error {
	row := &chainHistoryRow{ZoneID: zoneID, ChainID: chainID, At: s.db.now(), ActorID: a.User.ID, Actor: a.User.Username,
		Action: ev.action, Object: ev.object, ObjectName: clipName(ev.objectName), Subject: ev.subject,
		SubjectName: clipName(ev.subjectName), Field: ev.field, FromValue: ev.from, ToValue: ev.to}
	return s.db.conn(ctx).Create(row).Error
}

// editableChain locks and returns the chain the caller may edit: another chief's chain is
// ENOTFOUND (it is outside what they see), a chain the caller sees but may not edit
// EFORBIDDEN.
func (s *ChainEditService) editableChain(ctx context.Context, a *domain.Actor, code string) (*chainRow, error) {
	var rows []chainRow
	err := s.db.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("zone_id = ? AND code = ?", a.User.ZoneID, code).Limit(1).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || !domain.CanSeeChain(a, rows[0].ID) {
		return nil, domain.NotFound("产业链")
	}
	if !domain.CanEditChain(a, rows[0].ID) {
		return nil, forbidden("修改该产业链的招商地图")
	}
	return &rows[0], nil
}

func (s *ChainEditService) node(ctx context.Context, chain *chainRow, id int64) (*chainNodeRow, error) {
	var rows []chainNodeRow
	err := s.db.conn(ctx).Where("id = ? AND chain_id = ? AND zone_id = ?", id, chain.ID, chain.ZoneID).Limit(1).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("环节")
	}
	return &rows[0], nil
}

// enterprise finds an enterprise the caller may reach in the chain editor (chainEditScope:
// a chief does not see the investors of other chains' projects, nor reach an enterprise
// that belongs only to other chains).
func (s *ChainEditService) enterprise(ctx context.Context, zoneID, id int64) (*enterpriseRow, error) {
	var rows []enterpriseRow
	err := s.db.conn(ctx).Where("id = ? AND zone_id = ?", id, zoneID).Scopes(s.db.chainEditScope(ctx)).Limit(1).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("企业")
	}
	return &rows[0], nil
}

func nodeOf(r *chainNodeRow) *domain.ChainNode {
	return &domain.ChainNode{ID: r.ID, ZoneID: r.ZoneID, ChainID: r.ChainID, ParentID: r.ParentID, Name: r.Name,
		Segment: domain.Segment(r.Segment), SortOrder: r.SortOrder, Description: r.Description}
}

// sameName reports whether another node of the chain has this name; names are unique
// within a chain so that a history line or a spreadsheet row names one node.
func (s *ChainEditService) sameName(ctx context.Context, chain *chainRow, name string, except int64) (bool, error) {
	var n int64
	err := s.db.conn(ctx).Model(&chainNodeRow{}).Where("chain_id = ? AND name = ? AND id <> ?", chain.ID, name, except).Count(&n).Error
	return n > 0, err
}

func duplicateName(name string) error {
	return &domain.Error{Code: domain.ECONFLICT, Message: fmt.Sprintf("本产业链已有名为“%s”的环节 (duplicate node name)", name),
		Fields: map[string]string{"name": "本产业链已有同名环节 (duplicate name in this chain)"}}
}

const badParent = "上级环节不存在或不属于该产业链 (parent must be a node of this chain)"

// CreateNode adds a node to the chain.
func (s *ChainEditService) CreateNode(ctx context.Context, code string, in domain.ChainNodeInput) (*domain.ChainNode, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	in.Normalize()
	fe := domain.FieldErrors{}
	for k, v := range domain.ErrorFields(in.Validate()) {
		fe[k] = v
	}
	var out *domain.ChainNode
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		chain, err := s.editableChain(ctx, a, code)
		if err != nil {
			return err
		}
		q := s.db.conn(ctx)
		var parent *chainNodeRow
		if in.ParentID != nil && *in.ParentID > 0 {
			if parent, err = s.node(ctx, chain, *in.ParentID); domain.ErrorCode(err) == domain.ENOTFOUND {
				fe.Add("parent_id", badParent)
			} else if err != nil {
				return err
			}
		}
		if in.Segment == "" {
			if parent != nil {
				in.Segment = domain.Segment(parent.Segment)
			} else {
				fe.Add("segment", "请选择环节位置：upstream（上游）、midstream（中游）或 downstream（下游）(required)")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		var stats struct {
			N       int64
			MaxSort *int
		}
		if err := q.Model(&chainNodeRow{}).Select("COUNT(*) AS n, MAX(sort_order) AS max_sort").
			Where("chain_id = ?", chain.ID).Scan(&stats).Error; err != nil {
			return err
		}
		if stats.N >= domain.MaxNodesPerChain {
			return domain.Errorf(domain.ERULE, "产业链“%s”已有 %d 个环节，达到上限 (too many nodes)", chain.Name, stats.N)
		}
		if dup, err := s.sameName(ctx, chain, in.Name, 0); err != nil {
			return err
		} else if dup {
			return duplicateName(in.Name)
		}
		row := &chainNodeRow{ZoneID: chain.ZoneID, ChainID: chain.ID, Name: in.Name, Segment: string(in.Segment),
			Description: in.Description, CreatedAt: s.db.now()}
		switch {
		case in.SortOrder != nil:
			row.SortOrder = *in.SortOrder
		case stats.MaxSort != nil:
			row.SortOrder = min(*stats.MaxSort+1, domain.MaxNodeSortOrder)
		default:
			row.SortOrder = 1
		}
		ev := chainEvent{action: domain.ChainNodeCreated, field: "segment", to: row.Segment}
		if parent != nil {
			row.ParentID = &parent.ID
			ev.subject, ev.subjectName = fmt.Sprintf("node/%d", parent.ID), parent.Name
		}
		if err := q.Create(row).Error; err != nil {
			return err
		}
		ev.object, ev.objectName = fmt.Sprintf("node/%d", row.ID), row.Name
		out = nodeOf(row)
		return s.record(ctx, a, chain.ZoneID, &chain.ID, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateNode renames, moves or reorders a node. A new parent must be a node of the same
// chain and not the node itself or one of its descendants. A node keeps its own segment
// when it moves; its children keep theirs when it changes segment (the map draws a child
// whose parent sits in another segment as the start of a tree in its own segment).
func (s *ChainEditService) UpdateNode(ctx context.Context, code string, id int64, upd domain.ChainNodeUpdate) (*domain.ChainNode, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	upd.Normalize()
	fe := domain.FieldErrors{}
	for k, v := range domain.ErrorFields(upd.Validate()) {
		fe[k] = v
	}
	var out *domain.ChainNode
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		chain, err := s.editableChain(ctx, a, code)
		if err != nil {
			return err
		}
		n, err := s.node(ctx, chain, id)
		if err != nil {
			return err
		}
		q := s.db.conn(ctx)
		cols := map[string]any{}
		var events []chainEvent
		change := func(field string, value any, from, to string) {
			cols[field] = value
			events = append(events, chainEvent{action: domain.ChainNodeUpdated, field: field, from: from, to: to})
		}
		if upd.ParentID != nil {
			want := *upd.ParentID
			var cur int64
			if n.ParentID != nil {
				cur = *n.ParentID
			}
			if want != cur {
				if err := s.checkMove(ctx, chain, n, want, fe); err != nil {
					return err
				}
				from, to := "", ""
				if cur != 0 {
					if p, err := s.node(ctx, chain, cur); err == nil {
						from = p.Name
					}
				}
				var parent *int64
				if want != 0 {
					if p, err := s.node(ctx, chain, want); err == nil {
						to, parent = p.Name, &p.ID
					}
				}
				change("parent_id", parent, from, to)
			}
		}
		if upd.Name != nil && *upd.Name != n.Name && fe["name"] == "" {
			if dup, err := s.sameName(ctx, chain, *upd.Name, n.ID); err != nil {
				return err
			} else if dup {
				if err := fe.Err(); err != nil {
					return err
				}
				return duplicateName(*upd.Name)
			}
			change("name", *upd.Name, n.Name, *upd.Name)
		}
		if upd.Segment != nil && string(*upd.Segment) != n.Segment {
			change("segment", string(*upd.Segment), n.Segment, string(*upd.Segment))
		}
		if upd.SortOrder != nil && *upd.SortOrder != n.SortOrder {
			change("sort_order", *upd.SortOrder, fmt.Sprint(n.SortOrder), fmt.Sprint(*upd.SortOrder))
		}
		if upd.Description != nil && *upd.Description != n.Description {
			change("description", *upd.Description, n.Description, *upd.Description)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if len(cols) > 0 {
			if err := q.Model(&chainNodeRow{}).Where("id = ?", n.ID).Updates(cols).Error; err != nil {
				return err
			}
		}
		name := n.Name
		if v, ok := cols["name"]; ok {
			name = v.(string)
		}
		for _, ev := range events {
			ev.object, ev.objectName = fmt.Sprintf("node/%d", n.ID), name
			if err := s.record(ctx, a, chain.ZoneID, &chain.ID, ev); err != nil {
				return err
			}
		}
		if n, err = s.node(ctx, chain, id); err != nil {
			return err
		}
		out = nodeOf(n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkMove validates a new parent (0: the top level): a node of this chain, neither the
// node itself nor below it.
func (s *ChainEditService) checkMove(ctx context.Context, chain *chainRow, n *chainNodeRow, parent int64, fe domain.FieldErrors) error {
	if parent == 0 {
		return nil
	}
	if parent == n.ID {
		fe.Add("parent_id", "不能把环节设为自己的上级 (a node cannot be its own parent)")
		return nil
	}
	var links []struct {
		ID       int64
		ParentID *int64
	}
	if err := s.db.conn(ctx).Model(&chainNodeRow{}).Select("id, parent_id").Where("chain_id = ?", chain.ID).Scan(&links).Error; err != nil {
		return err
	}
	parentOf := make(map[int64]*int64, len(links))
	for _, l := range links {
		parentOf[l.ID] = l.ParentID
	}
	if _, ok := parentOf[parent]; !ok {
		fe.Add("parent_id", badParent)
		return nil
	}
	seen := map[int64]bool{}
	for at := &parent; at != nil && !seen[*at]; at = parentOf[*at] {
		if *at == n.ID {
			fe.Add("parent_id", "不能把环节移到它自己的下级环节之下 (the move would make a cycle)")
			return nil
		}
		seen[*at] = true
	}
	return nil
}

// DeleteNode removes a node with no children, enterprises or projects; otherwise ERULE
// names what is still linked.
func (s *ChainEditService) DeleteNode(ctx context.Context, code string, id int64) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		chain, err := s.editableChain(ctx, a, code)
		if err != nil {
			return err
		}
		n, err := s.node(ctx, chain, id)
		if err != nil {
			return err
		}
		q := s.db.conn(ctx)
		var children, ents []string
		if err := q.Model(&chainNodeRow{}).Where("parent_id = ?", n.ID).Order("sort_order, id").Pluck("name", &children).Error; err != nil {
			return err
		}
		if err := q.Table("enterprise_nodes AS en").Joins("JOIN enterprises e ON e.id = en.enterprise_id").
			Where("en.node_id = ?", n.ID).Order("e.id").Pluck("e.name", &ents).Error; err != nil {
			return err
		}
		var projs []struct {
			Name      string
			DeletedAt *time.Time
		}
		if err := q.Table("project_nodes AS pn").Select("p.name, p.deleted_at").Joins("JOIN projects p ON p.id = pn.project_id").
			Where("pn.node_id = ?", n.ID).Order("p.id").Scan(&projs).Error; err != nil {
			return err
		}
		if len(children)+len(ents)+len(projs) > 0 {
			var parts []string
			if len(children) > 0 {
				parts = append(parts, fmt.Sprintf("仍有下级环节 %d 个（%s）", len(children), nameList(children)))
			}
			if len(ents) > 0 {
				parts = append(parts, fmt.Sprintf("关联企业 %d 家（%s）", len(ents), nameList(ents)))
			}
			if len(projs) > 0 {
				names := make([]string, len(projs))
				for i, p := range projs {
					names[i] = p.Name
					if p.DeletedAt != nil {
						names[i] += "〔已删除〕"
					}
				}
				parts = append(parts, fmt.Sprintf("关联项目 %d 个（%s）", len(projs), nameList(names)))
			}
			return domain.Errorf(domain.ERULE, "环节“%s”不能删除：%s。请先移走下级环节、解除关联后再删除（已删除的项目由管理员解除关联）(node still has children or links)",
				n.Name, strings.Join(parts, "；"))
		}
		if err := q.Where("id = ?", n.ID).Delete(&chainNodeRow{}).Error; err != nil {
			return err
		}
		return s.record(ctx, a, chain.ZoneID, &chain.ID, chainEvent{action: domain.ChainNodeDeleted,
			object: fmt.Sprintf("node/%d", n.ID), objectName: n.Name, field: "name", from: n.Name})
	})
}

// nameList names up to three items, then says how many more there are.
func nameList(names []string) string {
	const show = 3
	if len(names) <= show {
		return strings.Join(names, "、")
	}
	return strings.Join(names[:show], "、") + fmt.Sprintf(" 等 %d 个", len(names))
}

// insertOnce inserts row unless its primary key exists; it reports whether it inserted.
func insertOnce(q *gorm.DB, row any) (bool, error) {
	res := q.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	return res.RowsAffected == 1, res.Error
}

// SetChainMaster marks or unmarks a local enterprise as the chain's master (链主).
func (s *ChainEditService) SetChainMaster(ctx context.Context, code string, enterpriseID int64, on bool) (*domain.LinkResult, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	out := &domain.LinkResult{Chain: code, EnterpriseID: enterpriseID, Linked: on}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		chain, err := s.editableChain(ctx, a, code)
		if err != nil {
			return err
		}
		e, err := s.enterprise(ctx, chain.ZoneID, enterpriseID)
		if err != nil {
			return err
		}
		q := s.db.conn(ctx)
		link := &chainMasterRow{ChainID: chain.ID, EnterpriseID: e.ID}
		ev := chainEvent{object: fmt.Sprintf("enterprise/%d", e.ID), objectName: e.Name}
		if on {
			if e.Kind != string(domain.EnterpriseLocal) {
				return domain.Errorf(domain.ERULE, "只有区内企业才能设为链主，“%s”是%s (only local enterprises can be chain masters)",
					e.Name, kindLabel(e.Kind))
			}
			if out.Changed, err = insertOnce(q, link); err != nil {
				return err
			}
			ev.action = domain.ChainMasterAdded
		} else {
			res := q.Where("chain_id = ? AND enterprise_id = ?", chain.ID, e.ID).Delete(&chainMasterRow{})
			if res.Error != nil {
				return res.Error
			}
			out.Changed = res.RowsAffected > 0
			ev.action = domain.ChainMasterRemoved
		}
		if !out.Changed {
			return nil
		}
		return s.record(ctx, a, chain.ZoneID, &chain.ID, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func kindLabel(kind string) string {
	switch domain.EnterpriseKind(kind) {
	case domain.EnterpriseInvestor:
		return "投资方"
	case domain.EnterpriseReferrer:
		return "推荐企业"
	case domain.EnterpriseFriendly:
		return "友好合作企业"
	case domain.EnterpriseTarget:
		return "目标企业"
	case domain.EnterpriseLocal:
		return "区内企业"
	}
	return kind
}

// LinkEnterprise links an enterprise of the zone to a node of the chain, or unlinks it.
func (s *ChainEditService) LinkEnterprise(ctx context.Context, code string, nodeID, enterpriseID int64, on bool) (*domain.LinkResult, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	out := &domain.LinkResult{Chain: code, NodeID: nodeID, EnterpriseID: enterpriseID, Linked: on}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		chain, err := s.editableChain(ctx, a, code)
		if err != nil {
			return err
		}
		n, err := s.node(ctx, chain, nodeID)
		if err != nil {
			return err
		}
		e, err := s.enterprise(ctx, chain.ZoneID, enterpriseID)
		if err != nil {
			return err
		}
		q := s.db.conn(ctx)
		ev := chainEvent{action: domain.ChainEnterpriseLinked, object: fmt.Sprintf("node/%d", n.ID), objectName: n.Name,
			subject: fmt.Sprintf("enterprise/%d", e.ID), subjectName: e.Name}
		if on {
			if out.Changed, err = insertOnce(q, &enterpriseNodeRow{EnterpriseID: e.ID, NodeID: n.ID}); err != nil {
				return err
			}
		} else {
			res := q.Where("enterprise_id = ? AND node_id = ?", e.ID, n.ID).Delete(&enterpriseNodeRow{})
			if res.Error != nil {
				return res.Error
			}
			out.Changed = res.RowsAffected > 0
			ev.action = domain.ChainEnterpriseRemoved
		}
		if !out.Changed {
			return nil
		}
		if err := q.Model(&enterpriseRow{}).Where("id = ?", e.ID).Update("updated_at", s.db.now()).Error; err != nil {
			return err
		}
		return s.record(ctx, a, chain.ZoneID, &chain.ID, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LinkProject links a project the caller can see to a node of the chain, or unlinks it
// (administrators also a soft-deleted one). The project must be of the node's chain; one
// without a chain joins it. Either way the project's version goes up by one and its
// history records chain_node_ids (and chain).
func (s *ChainEditService) LinkProject(ctx context.Context, code string, nodeID, projectID int64, on bool) (*domain.LinkResult, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	out := &domain.LinkResult{Chain: code, NodeID: nodeID, ProjectID: projectID, Linked: on}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		chain, err := s.editableChain(ctx, a, code)
		if err != nil {
			return err
		}
		n, err := s.node(ctx, chain, nodeID)
		if err != nil {
			return err
		}
		// An administrator may also unlink a soft-deleted project, so that a node it still
		// holds can be deleted.
		p, err := s.projects.load(ctx, projectID, !on && domain.IsAdmin(a))
		if err != nil {
			return err
		}
		if p.ChainID != nil && *p.ChainID != chain.ID {
			other := ""
			if p.Chain != nil {
				other = *p.Chain
			}
			var names []string
			s.db.conn(ctx).Model(&chainRow{}).Where("id = ?", *p.ChainID).Pluck("name", &names)
			if len(names) > 0 {
				other = names[0]
			}
			return domain.Errorf(domain.ERULE, "项目“%s”属于“%s”产业链，不能关联到“%s”产业链的环节 (the project belongs to another chain)",
				p.Name, other, chain.Name)
		}
		linked := false
		want := make([]int64, 0, len(p.NodeIDs)+1)
		for _, id := range p.NodeIDs {
			if id == n.ID {
				linked = true
				continue
			}
			want = append(want, id)
		}
		if linked == on {
			out.ProjectVersion = p.Version
			return nil // nothing to do
		}
		q := s.db.conn(ctx)
		ev := chainEvent{action: domain.ChainProjectLinked, object: fmt.Sprintf("node/%d", n.ID), objectName: n.Name,
			subject: fmt.Sprintf("project/%d", p.ID), subjectName: p.Name}
		if on {
			want = dedupe(append(want, n.ID))
			if err := q.Create(&projectNodeRow{ProjectID: p.ID, NodeID: n.ID}).Error; err != nil {
				return err
			}
		} else {
			if err := q.Where("project_id = ? AND node_id = ?", p.ID, n.ID).Delete(&projectNodeRow{}).Error; err != nil {
				return err
			}
			ev.action = domain.ChainProjectRemoved
		}
		now := s.db.now()
		cols := map[string]any{"version": p.Version + 1, "updated_at": now}
		if p.ChainID == nil {
			cols["chain_id"] = chain.ID
		}
		res := q.Model(&projectRow{}).Where("id = ? AND version = ?", p.ID, p.Version).Updates(cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		if p.ChainID == nil {
			if err := s.db.history(ctx, a, p.ZoneID, p.ID, "updated", "chain", "", chain.Code); err != nil {
				return err
			}
		}
		if err := s.db.history(ctx, a, p.ZoneID, p.ID, "updated", "chain_node_ids", idsString(p.NodeIDs), idsString(want)); err != nil {
			return err
		}
		out.Changed, out.ProjectVersion = true, p.Version+1
		return s.record(ctx, a, chain.ZoneID, &chain.ID, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetReferral records or removes that fromID can introduce toID (以商招商). The relation
// feeds the recommendations of every chain fromID is a master of, and each of those chains'
// histories gets a line (or the zone gets one when fromID is no chain's master). Only an
// administrator, or a chief of a chain fromID is master of, may change it.
func (s *ChainEditService) SetReferral(ctx context.Context, fromID, toID int64, on bool) (*domain.LinkResult, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	out := &domain.LinkResult{FromID: fromID, ToID: toID, Linked: on}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		zoneID := a.User.ZoneID
		from, err := s.enterprise(ctx, zoneID, fromID)
		if err != nil {
			return err
		}
		to, err := s.enterprise(ctx, zoneID, toID)
		if err != nil {
			return err
		}
		if from.ID == to.ID {
			return &domain.Error{Code: domain.EINVALID, Message: "企业不能推荐自己 (an enterprise cannot refer itself)",
				Fields: map[string]string{"to_id": "应为另一家企业 (must be another enterprise)"}}
		}
		q := s.db.conn(ctx)
		var chains []int64
		if err := q.Model(&chainMasterRow{}).Where("enterprise_id = ?", from.ID).Order("chain_id").Pluck("chain_id", &chains).Error; err != nil {
			return err
		}
		allowed := domain.IsAdmin(a)
		for _, id := range chains {
			allowed = allowed || domain.CanEditChain(a, id)
		}
		if !allowed {
			return forbidden("修改该企业的以商招商关系（链长只能修改本产业链链主企业的）")
		}
		ev := chainEvent{action: domain.ChainReferralAdded, object: fmt.Sprintf("enterprise/%d", from.ID), objectName: from.Name,
			subject: fmt.Sprintf("enterprise/%d", to.ID), subjectName: to.Name}
		if on {
			if out.Changed, err = insertOnce(q, &enterpriseRelationRow{FromID: from.ID, ToID: to.ID, Kind: "referral"}); err != nil {
				return err
			}
		} else {
			res := q.Where("from_id = ? AND to_id = ?", from.ID, to.ID).Delete(&enterpriseRelationRow{})
			if res.Error != nil {
				return res.Error
			}
			out.Changed = res.RowsAffected > 0
			ev.action = domain.ChainReferralRemoved
		}
		if !out.Changed {
			return nil
		}
		if len(chains) == 0 {
			return s.record(ctx, a, zoneID, nil, ev)
		}
		for _, id := range chains {
			if err := s.record(ctx, a, zoneID, &id, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Referrals lists the enterprises fromID can introduce (以商招商), by name (code point
// order), each with the codes of the chains it is linked to a node of. Reading mirrors
// SetReferral's rule, with ENOTFOUND where the edit is EFORBIDDEN: zone-wide readers see
// the referrals of any enterprise of their zone; a chain chief only those of a master of
// one of their chains.
// The list holds the enterprises the caller sees (enterpriseScope: a chief does not see
// the investors of other chains' projects, and could not remove such a referral either).
func (s *ChainEditService) Referrals(ctx context.Context, fromID int64) ([]*domain.Referral, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	from, err := s.enterprise(ctx, a.User.ZoneID, fromID)
	if err != nil {
		return nil, err
	}
	q := s.db.conn(ctx)
	if !domain.ScopeOf(a).All {
		var chains []int64
		if err := q.Model(&chainMasterRow{}).Where("enterprise_id = ?", from.ID).Pluck("chain_id", &chains).Error; err != nil {
			return nil, err
		}
		seen := false
		for _, id := range chains {
			seen = seen || domain.CanSeeChain(a, id)
		}
		if !seen {
			return nil, domain.NotFound("企业")
		}
	}
	targets := q.Model(&enterpriseRelationRow{}).Select("to_id").Where("from_id = ?", from.ID)
	var rows []enterpriseRow
	if err := q.Model(&enterpriseRow{}).Where("enterprises.id IN (?)", targets).Scopes(s.db.enterpriseScope(ctx)).
		Find(&rows).Error; err != nil {
		return nil, err
	}
	// by name in code point order, the same on SQLite and MariaDB (whose collation puts
	// punctuation such as 【 before letters)
	slices.SortFunc(rows, func(a, b enterpriseRow) int { return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	var links []struct {
		EnterpriseID int64
		Code         string
		SortOrder    int
		ChainID      int64
	}
	if err := q.Table("enterprise_nodes AS en").Distinct("en.enterprise_id, c.code, c.sort_order, c.id AS chain_id").
		Joins("JOIN chain_nodes n ON n.id = en.node_id").Joins("JOIN chains c ON c.id = n.chain_id").
		Where("en.enterprise_id IN (?)", targets).Order("c.sort_order, c.id").Scan(&links).Error; err != nil {
		return nil, err
	}
	chains := map[int64][]string{}
	for _, l := range links {
		chains[l.EnterpriseID] = append(chains[l.EnterpriseID], l.Code)
	}
	out := make([]*domain.Referral, len(rows))
	for i, r := range rows {
		ref := &domain.Referral{ID: r.ID, Name: r.Name, Kind: domain.EnterpriseKind(r.Kind), Chains: chains[r.ID]}
		if r.CreditCode != nil {
			ref.CreditCode = *r.CreditCode
		}
		if ref.Chains == nil {
			ref.Chains = []string{}
		}
		out[i] = ref
	}
	return out, nil
}

// ChainHistory lists the history of a chain the caller can see, newest first.
func (s *ChainEditService) ChainHistory(ctx context.Context, code string, p domain.Page) ([]*domain.ChainHistoryEntry, int, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	p = p.Normalize()
	var chains []chainRow
	if err := s.db.conn(ctx).Where("zone_id = ? AND code = ?", a.User.ZoneID, code).Limit(1).Find(&chains).Error; err != nil {
		return nil, 0, err
	}
	if len(chains) == 0 || !domain.CanSeeChain(a, chains[0].ID) {
		return nil, 0, domain.NotFound("产业链")
	}
	q := s.db.conn(ctx).Model(&chainHistoryRow{}).Where("chain_id = ?", chains[0].ID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []chainHistoryRow
	if err := q.Order("at DESC, id DESC").Limit(p.PageSize).Offset(p.Offset()).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]*domain.ChainHistoryEntry, len(rows))
	for i, r := range rows {
		out[i] = &domain.ChainHistoryEntry{ID: r.ID, Chain: code, At: r.At.UTC(), Actor: r.Actor, Action: r.Action,
			Object: r.Object, ObjectName: r.ObjectName, Subject: r.Subject, SubjectName: r.SubjectName,
			Field: r.Field, From: r.FromValue, To: r.ToValue}
	}
	return out, int(total), nil
}

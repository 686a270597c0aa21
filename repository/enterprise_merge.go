package repository

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Merge folds enterprise id into into, in one transaction: every row that named id names
// into — projects as investor or referrer (and an agency of id's name), contacts (and so
// the activities that met them), chain-node links, chain-master marks, referral relations
// both ways, attachments — without making a second link row where into has one already.
// into keeps its profile and takes id's values where its own are empty (credit code,
// ownership, industry, region, address, website, notes), the union of the tags, and kind
// local when id was a local enterprise (a chain master must be one). id is then retired:
// merged_into_id and deleted_at are set, its credit code cleared; every list leaves it out
// and reading it is 404 naming into. Both enterprises' histories, every moved project's
// history and the audit log record it. The writes touch enterprises, projects and the
// chain tables, so the chain maps' change generation moves after the commit.
func (s *EnterpriseService) Merge(ctx context.Context, id, into int64) (*domain.MergeResult, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if !domain.CanMergeEnterprises(a) {
		return nil, forbidden("合并企业")
	}
	if into <= 0 {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "请指定合并到哪家企业 (into is required)", Fields: map[string]string{"into": "必填 (required)"}}
	}
	if id == into {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "不能把企业合并到它自己 (cannot merge an enterprise into itself)", Fields: map[string]string{"into": "应为另一家企业 (must be another enterprise)"}}
	}
	res := &domain.MergeResult{ID: id, Into: into}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		// lock both in id order, so that two merges of the same pair cannot deadlock
		first, second := min(id, into), max(id, into)
		rows := map[int64]*enterpriseRow{}
		for _, x := range []int64{first, second} {
			r, err := s.visible(ctx, x, true)
			if domain.ErrorCode(err) == domain.ENOTFOUND && x == into {
				return &domain.Error{Code: domain.EINVALID, Message: "要合并到的企业不存在或已被合并 (into: no such enterprise)",
					Fields: map[string]string{"into": "企业不存在或已被合并 (no such enterprise)"}}
			} else if err != nil {
				return err
			}
			rows[x] = r
		}
		from, to := rows[id], rows[into]
		q := s.db.conn(ctx)
		now := s.db.now()
		zoneID := to.ZoneID

		// projects: investor, referrer, agency by name; each project's version moves and
		// its history says so
		type moved struct {
			ID, Version int64
			InvestorID  int64
			ReferrerID  *int64
			Agency      string
		}
		var projs []moved
		if err := q.Model(&projectRow{}).Select("id, version, investor_id, referrer_id, agency").
			Where("zone_id = ? AND (investor_id = ? OR referrer_id = ? OR agency = ?)", zoneID, from.ID, from.ID, from.Name).
			Clauses(clause.Locking{Strength: "UPDATE"}).Order("id").Find(&projs).Error; err != nil {
			return err
		}
		for _, p := range projs {
			cols := map[string]any{"version": p.Version + 1, "updated_at": now}
			var lines [][3]string
			if p.InvestorID == from.ID {
				cols["investor_id"] = to.ID
				lines = append(lines, [3]string{"investor", from.Name, to.Name})
			}
			if p.ReferrerID != nil && *p.ReferrerID == from.ID {
				cols["referrer_id"] = to.ID
				lines = append(lines, [3]string{"referrer", from.Name, to.Name})
			}
			if p.Agency == from.Name {
				cols["agency"] = to.Name
				lines = append(lines, [3]string{"agency", from.Name, to.Name})
			}
			if err := q.Model(&projectRow{}).Where("id = ? AND version = ?", p.ID, p.Version).Updates(cols).Error; err != nil {
				return err
			}
			for _, l := range lines {
				if err := s.db.history(ctx, a, zoneID, p.ID, "enterprise_merged", l[0], l[1], l[2]); err != nil {
					return err
				}
			}
		}
		res.Projects = len(projs)

		// contacts keep their ids, so the activities that met them follow
		r := q.Model(&contactRow{}).Where("enterprise_id = ?", from.ID).Updates(map[string]any{"enterprise_id": to.ID, "updated_at": now})
		if r.Error != nil {
			return r.Error
		}
		res.Contacts = int(r.RowsAffected)

		// chain-node links and chain-master marks: into's own stay, id's are added once
		var nodes []int64
		if err := q.Model(&enterpriseNodeRow{}).Where("enterprise_id = ?", from.ID).Pluck("node_id", &nodes).Error; err != nil {
			return err
		}
		for _, n := range nodes {
			if _, err := insertOnce(q, &enterpriseNodeRow{EnterpriseID: to.ID, NodeID: n}); err != nil {
				return err
			}
		}
		if err := q.Where("enterprise_id = ?", from.ID).Delete(&enterpriseNodeRow{}).Error; err != nil {
			return err
		}
		res.Nodes = len(nodes)
		var chains []int64
		if err := q.Model(&chainMasterRow{}).Where("enterprise_id = ?", from.ID).Pluck("chain_id", &chains).Error; err != nil {
			return err
		}
		for _, c := range chains {
			if _, err := insertOnce(q, &chainMasterRow{ChainID: c, EnterpriseID: to.ID}); err != nil {
				return err
			}
			cid := c
			if err := (&ChainEditService{db: s.db}).record(ctx, a, zoneID, &cid, chainEvent{action: domain.ChainMasterAdded,
				object: fmt.Sprintf("enterprise/%d", to.ID), objectName: to.Name, subject: fmt.Sprintf("enterprise/%d", from.ID),
				subjectName: from.Name, field: "merged_from", from: from.Name, to: to.Name}); err != nil {
				return err
			}
		}
		if err := q.Where("enterprise_id = ?", from.ID).Delete(&chainMasterRow{}).Error; err != nil {
			return err
		}
		res.Masters = len(chains)

		// referral relations both ways; one between the two disappears
		var rels []enterpriseRelationRow
		if err := q.Where("from_id = ? OR to_id = ?", from.ID, from.ID).Find(&rels).Error; err != nil {
			return err
		}
		for _, rel := range rels {
			f, t := rel.FromID, rel.ToID
			if f == from.ID {
				f = to.ID
			}
			if t == from.ID {
				t = to.ID
			}
			if f != t {
				if _, err := insertOnce(q, &enterpriseRelationRow{FromID: f, ToID: t, Kind: rel.Kind}); err != nil {
					return err
				}
			}
		}
		if err := q.Where("from_id = ? OR to_id = ?", from.ID, from.ID).Delete(&enterpriseRelationRow{}).Error; err != nil {
			return err
		}
		res.Referrals = len(rels)

		r = q.Model(&attachmentRow{}).Where("enterprise_id = ?", from.ID).Update("enterprise_id", to.ID)
		if r.Error != nil {
			return r.Error
		}
		res.Attachments = int(r.RowsAffected)

		// retire id first (its credit code and name may pass to into)
		r = q.Model(&enterpriseRow{}).Where("id = ? AND version = ?", from.ID, from.Version).Updates(map[string]any{
			"merged_into_id": to.ID, "deleted_at": now, "credit_code": nil, "version": max(from.Version, 1) + 1, "updated_at": now})
		if r.Error != nil {
			return r.Error
		}
		if r.RowsAffected != 1 {
			return domain.Errorf(domain.ECONFLICT, "企业“%s”正被他人修改，请稍后重试 (version conflict)", from.Name)
		}
		// into takes what it lacks
		cols := map[string]any{}
		var lines [][3]string
		fill := func(col, cur, other string) {
			if strings.TrimSpace(cur) == "" && strings.TrimSpace(other) != "" {
				cols[col] = other
				lines = append(lines, [3]string{col, cur, other})
			}
		}
		if to.CreditCode == nil && from.CreditCode != nil {
			cols["credit_code"] = *from.CreditCode
			lines = append(lines, [3]string{"credit_code", "", *from.CreditCode})
		}
		fill("ownership", to.Ownership, from.Ownership)
		fill("industry", to.Industry, from.Industry)
		fill("region", to.Region, from.Region)
		fill("address", to.Address, from.Address)
		fill("website", to.Website, from.Website)
		if strings.TrimSpace(from.Notes) != "" && !strings.Contains(to.Notes, from.Notes) {
			notes := strings.TrimSpace(to.Notes + "\n【合并自“" + from.Name + "”】" + from.Notes)
			cols["notes"] = notes
			lines = append(lines, [3]string{"notes", to.Notes, notes})
		}
		tags := tagsOf(to.Tags)
		for _, t := range tagsOf(from.Tags) {
			if !containsString(tags, t) && len(tags) < domain.MaxTags {
				tags = append(tags, t)
			}
		}
		if tj := tagsJSON(tags); tj != to.Tags && tj != "" {
			cols["tags"] = tj
			lines = append(lines, [3]string{"tags", strings.Join(tagsOf(to.Tags), "、"), strings.Join(tags, "、")})
		}
		if from.Kind == string(domain.EnterpriseLocal) && to.Kind != from.Kind {
			cols["kind"] = from.Kind
			lines = append(lines, [3]string{"kind", to.Kind, from.Kind})
		}
		cols["version"], cols["updated_at"] = max(to.Version, 1)+1, now
		r = q.Model(&enterpriseRow{}).Where("id = ? AND version = ?", to.ID, to.Version).Updates(cols)
		if r.Error != nil {
			return r.Error
		}
		if r.RowsAffected != 1 {
			return domain.Errorf(domain.ECONFLICT, "企业“%s”正被他人修改，请稍后重试 (version conflict)", to.Name)
		}
		// the retired one's code went to into: both get their grams again (names.go)
		if err := reindexRows(q, nameKindEnterprise, []int64{from.ID, to.ID}); err != nil {
			return err
		}

		// the record of it
		detail := fmt.Sprintf("projects=%d contacts=%d nodes=%d masters=%d referrals=%d attachments=%d",
			res.Projects, res.Contacts, res.Nodes, res.Masters, res.Referrals, res.Attachments)
		if err := s.db.enterpriseHistory(ctx, zoneID, to.ID, domain.EnterpriseMergedFrom, fmt.Sprintf("enterprise/%d", from.ID),
			"name", from.Name, to.Name); err != nil {
			return err
		}
		for _, l := range lines {
			if err := s.db.enterpriseHistory(ctx, zoneID, to.ID, domain.EnterpriseUpdated, fmt.Sprintf("enterprise/%d", from.ID), l[0], l[1], l[2]); err != nil {
				return err
			}
		}
		if err := s.db.enterpriseHistory(ctx, zoneID, from.ID, domain.EnterpriseMergedInto, fmt.Sprintf("enterprise/%d", to.ID),
			"merged_into_id", "", fmt.Sprint(to.ID)); err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: "enterprise_merged", Object: fmt.Sprintf("enterprise/%d", from.ID),
			Detail: auditDetail(map[string]any{"from": from.ID, "from_name": from.Name, "into": to.ID, "into_name": to.Name, "moved": detail})})
	})
	if err != nil {
		return nil, err
	}
	res.Enterprise, err = s.EnterprisePage(ctx, into, domain.Page{})
	return res, err
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

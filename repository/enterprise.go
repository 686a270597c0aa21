package repository

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// EnterpriseService implements domain.EnterpriseService. Enterprises are zone data every
// logged-in user may read (enterpriseScope: a chain chief does not see the investors of
// other chains' projects); the projects and timeline on an enterprise's page stay behind
// the project scope. Every edit is one transaction with its lines in enterprise_history.
type EnterpriseService struct{ db *DB }

// NewEnterpriseService returns the enterprise service on db.
func NewEnterpriseService(db *DB) *EnterpriseService { return &EnterpriseService{db: db} }

var _ domain.EnterpriseService = (*EnterpriseService)(nil)

// FindEnterprises lists the zone's enterprises by name.
func (s *EnterpriseService) FindEnterprises(ctx context.Context, f domain.EnterpriseFilter) ([]*domain.Enterprise, int, error) {
	zoneID := zoneOf(ctx)
	ctx = s.db.withStamp(ctx)
	f.Page = f.Page.Normalize()
	var conds []func(*gorm.DB) *gorm.DB
	where := func(c string, args ...any) {
		conds = append(conds, func(q *gorm.DB) *gorm.DB { return q.Where(c, args...) })
	}
	if zoneID == 0 {
		where("1 = 0")
	}
	if f.Q != nil && strings.TrimSpace(*f.Q) != "" {
		term := strings.TrimSpace(*f.Q)
		like := "%" + escapeLike(term) + "%"
		// the name grams (names.go) narrow the rows the LIKE reads, when they can
		cands, ok, err := s.db.nameCandidates(ctx, s.db.conn(ctx), nameKindEnterprise, zoneID, term)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			where("enterprises.id IN (" + idList(cands) + ")")
		}
		where("(name LIKE ? ESCAPE '!' OR credit_code LIKE ? ESCAPE '!')", like, like)
	}
	if f.Kind != nil {
		where("kind = ?", string(*f.Kind))
	}
	if f.NodeID != nil {
		where("id IN (SELECT enterprise_id FROM enterprise_nodes WHERE node_id = ?)", *f.NodeID)
	}
	build := func(tx *gorm.DB) *gorm.DB {
		q := tx.Model(&enterpriseRow{}).Where("zone_id = ?", zoneID).Scopes(s.db.enterpriseScope(ctx))
		for _, c := range conds {
			q = c(q)
		}
		return q
	}
	// the total through the cache (listcache.go); the page's ids first, in index order
	total, err := s.db.cachedCount(ctx, build)
	if err != nil {
		return nil, 0, err
	}
	rows := []enterpriseRow{}
	if total > 0 && f.Offset() < int(total) {
		// a deep page starts after the nearest anchor (the id of every anchorChunk-th row,
		// one window pass cached for the change stamp): a keyset read that skips fewer
		// than anchorChunk index entries (ix_enterprises_list_live, migration 24)
		page, skip := build(s.db.conn(ctx)), f.Offset()
		var ids []int64
		if f.Q != nil && total <= smallList {
			// a search's matches are read whole once for the change stamp (the LIKE on
			// the gram candidates runs once), and its pages are slices
			all, err := cachedValue(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
				var ids []int64
				return build(tx).Order("enterprises.id").Select("enterprises.id").Find(&ids)
			}, func() ([]int64, error) {
				var ids []int64
				err := build(s.db.conn(ctx)).Order("enterprises.id").Pluck("enterprises.id", &ids).Error
				return ids, err
			})
			if err != nil {
				return nil, 0, err
			}
			from := min(skip, len(all))
			ids = all[from:min(from+f.PageSize, len(all))]
		} else if skip >= 2*anchorChunk {
			anchors, err := s.anchors(ctx, build)
			if err != nil {
				return nil, 0, err
			}
			if k := min(skip/anchorChunk, len(anchors)); k > 0 {
				page = page.Where("enterprises.id > ?", anchors[k-1])
				skip -= k * anchorChunk
			}
		}
		if ids == nil {
			if err := page.Order("enterprises.id").Limit(f.PageSize).Offset(skip).Pluck("enterprises.id", &ids).Error; err != nil {
				return nil, 0, err
			}
		}
		if len(ids) > 0 {
			if err := s.db.conn(ctx).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
				return nil, 0, err
			}
		}
	}
	out, err := s.toDomain(ctx, rows)
	return out, int(total), err
}

// anchors returns the id of every anchorChunk-th enterprise of the list build selects, in
// id order, cached like the totals (listcache.go).
func (s *EnterpriseService) anchors(ctx context.Context, build func(*gorm.DB) *gorm.DB) ([]int64, error) {
	q := func(tx *gorm.DB) *gorm.DB {
		sub := build(tx.Session(&gorm.Session{NewDB: true})).
			Select("enterprises.id AS id, ROW_NUMBER() OVER (ORDER BY enterprises.id) AS rn")
		return tx.Table("(?) AS t", sub).Select("t.id").Where("t.rn % " + strconv.Itoa(anchorChunk) + " = 0").Order("t.rn")
	}
	return cachedValue(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		var ids []int64
		return q(tx).Find(&ids)
	}, func() ([]int64, error) {
		var ids []int64
		err := q(s.db.conn(ctx)).Pluck("t.id", &ids).Error
		return ids, err
	})
}

// FindEnterpriseByID returns one enterprise of the caller's zone or ENOTFOUND (also for one
// merged into another).
func (s *EnterpriseService) FindEnterpriseByID(ctx context.Context, id int64) (*domain.Enterprise, error) {
	row, err := s.visible(ctx, id, false)
	if err != nil {
		return nil, err
	}
	out, err := s.toDomain(ctx, []enterpriseRow{*row})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// visible returns an enterprise the caller sees, locked for update when lock is set.
func (s *EnterpriseService) visible(ctx context.Context, id int64, lock bool) (*enterpriseRow, error) {
	q := s.db.conn(ctx).Where("enterprises.id = ? AND enterprises.zone_id = ?", id, zoneOf(ctx)).Scopes(s.db.enterpriseScope(ctx))
	if lock && s.db.Driver == DriverMySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []enterpriseRow
	if err := q.Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, s.notFound(ctx, id)
	}
	return &rows[0], nil
}

// notFound is ENOTFOUND; for an enterprise merged into one the caller sees, the message
// names where it went.
func (s *EnterpriseService) notFound(ctx context.Context, id int64) error {
	var rows []enterpriseRow
	s.db.conn(ctx).Select("id, merged_into_id").Where("id = ? AND zone_id = ? AND merged_into_id IS NOT NULL", id, zoneOf(ctx)).Limit(1).Find(&rows)
	if len(rows) == 1 {
		into, err := s.survivor(ctx, *rows[0].MergedIntoID)
		if err == nil {
			var vis []enterpriseRow
			s.db.conn(ctx).Where("enterprises.id = ?", into).Scopes(s.db.enterpriseScope(ctx)).Limit(1).Find(&vis)
			if len(vis) == 1 {
				return domain.Errorf(domain.ENOTFOUND, "该企业已合并到“%s”（编号 %d）(merged into enterprise %d)", vis[0].Name, vis[0].ID, vis[0].ID)
			}
		}
	}
	return domain.NotFound("企业")
}

// survivor follows merged_into_id to the enterprise that holds a merged one's records now.
func (s *EnterpriseService) survivor(ctx context.Context, id int64) (int64, error) {
	for range 16 {
		var rows []enterpriseRow
		if err := s.db.conn(ctx).Select("id, merged_into_id").Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
			return 0, err
		}
		if len(rows) == 0 || rows[0].MergedIntoID == nil {
			return id, nil
		}
		id = *rows[0].MergedIntoID
	}
	return id, nil
}

// FindAllEnterprises returns every live enterprise of the caller's zone with node links (for maps).
func (s *EnterpriseService) FindAllEnterprises(ctx context.Context) ([]*domain.Enterprise, error) {
	var rows []enterpriseRow
	if err := s.db.conn(ctx).Where("zone_id = ? AND merged_into_id IS NULL", zoneOf(ctx)).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.toDomain(ctx, rows)
}

func (s *EnterpriseService) toDomain(ctx context.Context, rows []enterpriseRow) ([]*domain.Enterprise, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	nodes := map[int64][]int64{}
	masters := map[int64][]string{}
	if len(ids) > 0 {
		for start := 0; start < len(ids); start += 1000 {
			end := min(start+1000, len(ids))
			var links []enterpriseNodeRow
			if err := s.db.conn(ctx).Where("enterprise_id IN ?", ids[start:end]).Order("node_id").Find(&links).Error; err != nil {
				return nil, err
			}
			for _, l := range links {
				nodes[l.EnterpriseID] = append(nodes[l.EnterpriseID], l.NodeID)
			}
			var ms []struct {
				EnterpriseID int64
				Code         string
			}
			if err := s.db.conn(ctx).Table("chain_masters AS m").Select("m.enterprise_id, c.code").
				Joins("JOIN chains c ON c.id = m.chain_id").Where("m.enterprise_id IN ?", ids[start:end]).
				Scan(&ms).Error; err != nil {
				return nil, err
			}
			for _, m := range ms {
				masters[m.EnterpriseID] = append(masters[m.EnterpriseID], m.Code)
			}
		}
	}
	out := make([]*domain.Enterprise, len(rows))
	for i, r := range rows {
		e := enterpriseOf(&r)
		e.NodeIDs, e.ChainMaster = nodes[r.ID], masters[r.ID]
		if e.NodeIDs == nil {
			e.NodeIDs = []int64{}
		}
		if e.ChainMaster == nil {
			e.ChainMaster = []string{}
		}
		out[i] = e
	}
	return out, nil
}

func enterpriseOf(r *enterpriseRow) *domain.Enterprise {
	e := &domain.Enterprise{ID: r.ID, ZoneID: r.ZoneID, Name: r.Name, Kind: domain.EnterpriseKind(r.Kind),
		Ownership: domain.Ownership(r.Ownership), Region: r.Region, Industry: r.Industry, Address: r.Address,
		Website: r.Website, Tags: tagsOf(r.Tags), Notes: r.Notes, Sample: r.Sample, Version: max(r.Version, 1),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), NodeIDs: []int64{}, ChainMaster: []string{}}
	if r.CreditCode != nil {
		e.CreditCode = *r.CreditCode
	}
	return e
}

func tagsOf(s string) []string {
	var out []string
	if s != "" {
		_ = json.Unmarshal([]byte(s), &out)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func tagsJSON(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	b, _ := json.Marshal(tags)
	return string(b)
}

// enterpriseHistory appends a line to an enterprise's history.
func (db *DB) enterpriseHistory(ctx context.Context, zoneID, enterpriseID int64, action, object, field, from, to string) error {
	h := &enterpriseHistoryRow{ZoneID: zoneID, EnterpriseID: enterpriseID, At: db.now(), Action: action, Object: object,
		Field: field, FromValue: from, ToValue: to, Actor: "system"}
	if a := domain.ActorFrom(ctx); a != nil && a.User != nil {
		h.ActorID, h.Actor = a.User.ID, a.User.Username
	}
	return db.conn(ctx).Create(h).Error
}

// duplicates returns the live enterprises (survivors of merged ones) of the zone whose name
// equals name exactly or once normalised, except except.
func (db *DB) duplicatesOf(ctx context.Context, zoneID int64, name string, except int64) (exact bool, cands []domain.Candidate, err error) {
	norm := domain.NormalizeEnterpriseName(name)
	var rows []enterpriseRow
	if err := db.conn(ctx).Select("id, name, merged_into_id").
		Where("zone_id = ? AND (name = ? OR norm_name = ?) AND id <> ?", zoneID, name, norm, except).
		Order("id").Limit(50).Find(&rows).Error; err != nil {
		return false, nil, err
	}
	seen := map[int64]bool{}
	svc := &EnterpriseService{db: db}
	for _, r := range rows {
		if r.Name == name {
			exact = true
		}
		id, nm := r.ID, r.Name
		if r.MergedIntoID != nil {
			if id, err = svc.survivor(ctx, *r.MergedIntoID); err != nil {
				return false, nil, err
			}
			var live []enterpriseRow
			if err := db.conn(ctx).Select("id, name").Where("id = ?", id).Limit(1).Find(&live).Error; err != nil || len(live) == 0 {
				continue
			}
			nm = live[0].Name
		}
		if id == except || seen[id] {
			continue
		}
		seen[id] = true
		cands = append(cands, domain.Candidate{ID: id, Name: nm})
	}
	return exact, cands, nil
}

// codeOwner returns the enterprise holding a credit code, if any.
func (db *DB) codeOwner(ctx context.Context, zoneID int64, code string, except int64) (*domain.Candidate, error) {
	if code == "" {
		return nil, nil
	}
	var rows []enterpriseRow
	if err := db.conn(ctx).Select("id, name").Where("zone_id = ? AND credit_code = ? AND id <> ?", zoneID, code, except).
		Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	return &domain.Candidate{ID: rows[0].ID, Name: rows[0].Name}, nil
}

const (
	dupNameMsg  = "已有名称相同或相近的企业，请确认是否为同一家；确需新建请勾选“仍然新建” (a likely duplicate exists; confirm_new creates it anyway)"
	sameNameMsg = "已有同名企业 (an enterprise of this name exists)"
	dupCodeMsg  = "该统一社会信用代码已属于另一家企业 (credit code belongs to another enterprise)"
)

// CreateEnterprise stores a new enterprise in the caller's zone after the duplicate checks.
func (s *EnterpriseService) CreateEnterprise(ctx context.Context, in domain.EnterpriseInput) (*domain.Enterprise, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var legacy *domain.ContactInput
	if in.Contact != "" {
		if c, ok := domain.ParseLegacyContact(in.Contact); ok {
			legacy = &c
		} else {
			in.Notes = strings.TrimSpace(in.Notes + "\n联系方式：" + in.Contact)
		}
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		zoneID := a.User.ZoneID
		q := s.db.conn(ctx)
		if c, err := s.db.codeOwner(ctx, zoneID, in.CreditCode, 0); err != nil {
			return err
		} else if c != nil {
			return domain.Duplicate("credit_code", dupCodeMsg, []domain.Candidate{*c})
		}
		exact, cands, err := s.db.duplicatesOf(ctx, zoneID, in.Name, 0)
		if err != nil {
			return err
		}
		if exact {
			return domain.Duplicate("name", sameNameMsg, cands)
		}
		if len(cands) > 0 && !in.ConfirmNew {
			return domain.Duplicate("name", dupNameMsg, cands)
		}
		nodeIDs := dedupe(in.NodeIDs)
		if len(nodeIDs) > 0 {
			var n int64
			q.Model(&chainNodeRow{}).Where("zone_id = ? AND id IN ?", zoneID, nodeIDs).Count(&n)
			if int(n) != len(nodeIDs) {
				return &domain.Error{Code: domain.EINVALID, Message: "环节不存在", Fields: map[string]string{"chain_node_ids": "环节不存在 (unknown node)"}}
			}
		}
		now := s.db.now()
		row := &enterpriseRow{ZoneID: zoneID, Name: in.Name, NormName: domain.NormalizeEnterpriseName(in.Name), Kind: string(in.Kind),
			Ownership: string(in.Ownership), Region: in.Region, Industry: in.Industry, Address: in.Address, Website: in.Website,
			Tags: tagsJSON(in.Tags), Notes: in.Notes, Sample: in.Sample, Version: 1, CreatedAt: now, UpdatedAt: now}
		if in.CreditCode != "" {
			code := in.CreditCode
			row.CreditCode = &code
		}
		if err := q.Create(row).Error; err != nil {
			if e := translate(err, "name", sameNameMsg); domain.ErrorCode(e) == domain.ECONFLICT {
				return domain.Duplicate("name", sameNameMsg+"或信用代码已登记 (duplicate)", nil)
			}
			return err
		}
		id = row.ID
		for _, nid := range nodeIDs {
			if err := q.Create(&enterpriseNodeRow{EnterpriseID: row.ID, NodeID: nid}).Error; err != nil {
				return err
			}
		}
		if err := s.db.enterpriseHistory(ctx, zoneID, id, domain.EnterpriseCreated, "", "name", "", in.Name); err != nil {
			return err
		}
		if legacy != nil {
			if _, err := (&ContactService{db: s.db}).insert(ctx, row, *legacy); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.FindEnterpriseByID(ctx, id)
}

// UpdateEnterprise applies upd if its version is current, recording each changed field.
func (s *EnterpriseService) UpdateEnterprise(ctx context.Context, id int64, upd domain.EnterpriseUpdate) (*domain.Enterprise, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.visible(ctx, id, true)
		if err != nil {
			return err
		}
		if !domain.CanEditEnterprise(a) {
			return forbidden("修改企业信息")
		}
		if max(r.Version, 1) != upd.Version {
			return domain.Errorf(domain.ECONFLICT, "企业信息已被他人修改（当前版本 %d），请刷新后重试 (version conflict)", max(r.Version, 1))
		}
		cols := map[string]any{}
		var changes [][3]string
		str := func(field string, from string, to *string) {
			if to != nil && *to != from {
				cols[field] = *to
				changes = append(changes, [3]string{field, from, *to})
			}
		}
		if upd.Name != nil && *upd.Name != r.Name {
			exact, cands, err := s.db.duplicatesOf(ctx, r.ZoneID, *upd.Name, r.ID)
			if err != nil {
				return err
			}
			if exact {
				return domain.Duplicate("name", sameNameMsg, cands)
			}
			if len(cands) > 0 && !upd.ConfirmNew {
				return domain.Duplicate("name", dupNameMsg, cands)
			}
			str("name", r.Name, upd.Name)
			cols["norm_name"] = domain.NormalizeEnterpriseName(*upd.Name)
		}
		if upd.CreditCode != nil {
			from := ""
			if r.CreditCode != nil {
				from = *r.CreditCode
			}
			if *upd.CreditCode != from {
				if c, err := s.db.codeOwner(ctx, r.ZoneID, *upd.CreditCode, r.ID); err != nil {
					return err
				} else if c != nil {
					return domain.Duplicate("credit_code", dupCodeMsg, []domain.Candidate{*c})
				}
				var v any
				if *upd.CreditCode != "" {
					v = *upd.CreditCode
				}
				cols["credit_code"] = v
				changes = append(changes, [3]string{"credit_code", from, *upd.CreditCode})
			}
		}
		if upd.Kind != nil && string(*upd.Kind) != r.Kind {
			if r.Kind == string(domain.EnterpriseLocal) {
				var masters int64
				s.db.conn(ctx).Model(&chainMasterRow{}).Where("enterprise_id = ?", r.ID).Count(&masters)
				if masters > 0 {
					return domain.Errorf(domain.ERULE, "“%s”是链主企业，须先在产业链中取消链主，才能改为非区内企业 (a chain master must stay local)", r.Name)
				}
			}
			k := string(*upd.Kind)
			str("kind", r.Kind, &k)
		}
		if upd.Ownership != nil {
			o := string(*upd.Ownership)
			str("ownership", r.Ownership, &o)
		}
		str("industry", r.Industry, upd.Industry)
		str("region", r.Region, upd.Region)
		str("address", r.Address, upd.Address)
		str("website", r.Website, upd.Website)
		str("notes", r.Notes, upd.Notes)
		if upd.Tags != nil {
			to := tagsJSON(*upd.Tags)
			if to != r.Tags {
				cols["tags"] = to
				changes = append(changes, [3]string{"tags", strings.Join(tagsOf(r.Tags), "、"), strings.Join(*upd.Tags, "、")})
			}
		}
		if len(cols) == 0 {
			return nil
		}
		cols["version"] = max(r.Version, 1) + 1
		cols["updated_at"] = s.db.now()
		res := s.db.conn(ctx).Model(&enterpriseRow{}).Where("id = ? AND version = ?", r.ID, r.Version).Updates(cols)
		if res.Error != nil {
			return translate(res.Error, "name", sameNameMsg)
		}
		if res.RowsAffected != 1 {
			return domain.Errorf(domain.ECONFLICT, "企业信息已被他人修改，请刷新后重试 (version conflict)")
		}
		_, renamed := cols["name"]
		_, recoded := cols["credit_code"]
		if renamed || recoded {
			if err := reindexRows(s.db.conn(ctx), nameKindEnterprise, []int64{r.ID}); err != nil {
				return err
			}
		}
		for _, c := range changes {
			if err := s.db.enterpriseHistory(ctx, r.ZoneID, r.ID, domain.EnterpriseUpdated, "", c[0], c[1], c[2]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.FindEnterpriseByID(ctx, id)
}

// Duplicates lists the groups of live enterprises that share a normalised name, largest
// group first; admin and director (casbin).
func (s *EnterpriseService) Duplicates(ctx context.Context) ([][]domain.Candidate, error) {
	zoneID := zoneOf(ctx)
	live := func(q *gorm.DB) *gorm.DB {
		return q.Where("zone_id = ? AND merged_into_id IS NULL AND deleted_at IS NULL AND norm_name <> ''", zoneID)
	}
	var keys []string
	if err := live(s.db.conn(ctx).Model(&enterpriseRow{})).Select("norm_name").Group("norm_name").
		Having("COUNT(*) > 1").Order("norm_name").Limit(500).Pluck("norm_name", &keys).Error; err != nil {
		return nil, err
	}
	out := [][]domain.Candidate{}
	err := inBatches(keys, func(batch []string) error {
		var rows []enterpriseRow
		if err := live(s.db.conn(ctx)).Select("id, name, norm_name").Where("norm_name IN ?", batch).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		groups := map[string][]domain.Candidate{}
		for _, r := range rows {
			groups[r.NormName] = append(groups[r.NormName], domain.Candidate{ID: r.ID, Name: r.Name})
		}
		for _, k := range batch {
			if len(groups[k]) > 1 {
				out = append(out, groups[k])
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b []domain.Candidate) int { return len(b) - len(a) })
	return out, err
}

// History lists every change of a visible enterprise, oldest first.
func (s *EnterpriseService) History(ctx context.Context, id int64) ([]*domain.EnterpriseHistoryEntry, error) {
	r, err := s.visible(ctx, id, false)
	if err != nil {
		return nil, err
	}
	var rows []enterpriseHistoryRow
	if err := s.db.conn(ctx).Where("enterprise_id = ?", r.ID).Order("at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.EnterpriseHistoryEntry, len(rows))
	for i, h := range rows {
		out[i] = &domain.EnterpriseHistoryEntry{ID: h.ID, At: h.At.UTC(), Actor: h.Actor, Action: h.Action, Object: h.Object,
			Field: h.Field, From: h.FromValue, To: h.ToValue}
	}
	return out, nil
}

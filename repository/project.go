package repository

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ProjectService implements domain.ProjectService.
type ProjectService struct{ db *DB }

// NewProjectService returns the project service on db.
func NewProjectService(db *DB) *ProjectService { return &ProjectService{db: db} }

var _ domain.ProjectService = (*ProjectService)(nil)

// projectView is a project row with the names other tables hold.
type projectView struct {
	Row          projectRow `gorm:"embedded"`
	InvestorName string
	OwnerName    string
	OwnerDisplay string
	CreatorName  string
	ChainCode    *string
	ReferrerName *string
}

const projectSelect = `p.*, e.name AS investor_name, u.username AS owner_name, u.display_name AS owner_display, c.username AS creator_name,
	ch.code AS chain_code, r.name AS referrer_name`

func (s *ProjectService) base(ctx context.Context) *gorm.DB {
	return s.db.conn(ctx).Table("projects AS p").Select(projectSelect).
		Joins("JOIN enterprises e ON e.id = p.investor_id").
		Joins("JOIN users u ON u.id = p.owner_id").
		Joins("JOIN users c ON c.id = p.created_by_id").
		Joins("LEFT JOIN chains ch ON ch.id = p.chain_id").
		Joins("LEFT JOIN enterprises r ON r.id = p.referrer_id")
}

// FindProjects lists the caller's visible projects in f.Sort's order (newest docking first
// by default).
func (s *ProjectService) FindProjects(ctx context.Context, f domain.ProjectFilter) ([]*domain.Project, int, error) {
	if !f.Sort.Valid() {
		return nil, 0, sortError()
	}
	ctx = s.db.withStamp(ctx)
	a := domain.ActorFrom(ctx)
	scope := domain.ScopeOf(a)
	f.Page = f.Page.Normalize()
	where, plain, err := s.filterPlain(ctx, scope, f, domain.IsAdmin(a))
	if err != nil {
		return nil, 0, err
	}
	if f.Stale != nil || f.CleanupDue {
		return s.findPage(ctx, f, where, plain)
	}
	// A built page is kept like the board (listcache.go): for the change stamp, so any
	// write is seen at once, and a window of boardFresh (cachedWindow), since its days in stage and stale
	// colours move with the clock. Keyed by the count's SQL (filters, scope and role),
	// the order and the page.
	type builtPage struct {
		items []*domain.Project
		total int
	}
	key := fmt.Sprintf("project page %q %d %d %s", f.Sort, f.Page.Page, f.Page.PageSize,
		s.db.conn(ctx).ToSQL(func(tx *gorm.DB) *gorm.DB {
			var n int64
			return where(tx.Table("projects AS p")).Count(&n)
		}))
	r, err := cachedWindow(ctx, s.db, key, boardFresh, func(ctx context.Context) (*builtPage, error) {
		items, total, err := s.findPage(ctx, f, where, plain)
		return &builtPage{items, total}, err
	})
	if err != nil {
		return nil, 0, err
	}
	return r.items, r.total, nil
}

// findPage is FindProjects without the cache of built pages.
func (s *ProjectService) findPage(ctx context.Context, f domain.ProjectFilter, where func(*gorm.DB) *gorm.DB, plain bool) ([]*domain.Project, int, error) {
	total, err := s.db.cachedCount(ctx, func(tx *gorm.DB) *gorm.DB { return where(tx.Table("projects AS p")) })
	if err != nil {
		return nil, 0, err
	}
	if total == 0 || f.Offset() >= int(total) {
		return []*domain.Project{}, int(total), nil
	}
	ord := orderOf(f.Sort)
	// The page's ids first, from projects alone: an index range in list order (migrations
	// 12 and 24) that skips the offset inside the index; then the 20 rows with their joins.
	// A short list (a search's candidates, two filters at once), and a list in another
	// order than the default that no index holds in that order (a filter or a chain
	// chief's scope with ?sort=), is read whole, its keys only, once for the change stamp:
	// its pages are slices of it.
	if total <= smallList || (!f.Sort.Default() && !plain) {
		keys, err := s.sortedKeys(ctx, where, ord)
		if err != nil {
			return nil, 0, err
		}
		from := min(f.Offset(), len(keys))
		out, err := s.byIDs(ctx, keys[from:min(from+f.PageSize, len(keys))])
		return out, int(total), err
	}
	// A deep page starts from the nearest anchor above it (a keyset), so that it skips at
	// most anchorChunk index entries.
	page := where(s.db.conn(ctx).Table("projects AS p"))
	skip := f.Offset()
	if skip >= 2*anchorChunk && f.Stale == nil && !f.CleanupDue {
		anchors, err := s.anchors(ctx, where, ord)
		if err != nil {
			return nil, 0, err
		}
		if k := min(skip/anchorChunk, len(anchors)); k > 0 {
			cond, args := ord.after(anchors[k-1])
			page = page.Where(cond, args...)
			skip -= k * anchorChunk
		}
	}
	// the page's ids are kept for the change stamp too (a few ids per page read), so a
	// page read again before the next write costs only its 20 rows; the stale colours and
	// the clean-up filter move with the clock and are always read afresh
	pageIDs := func(tx *gorm.DB) *gorm.DB {
		return page.Session(&gorm.Session{}).Order(ord.sql()).Limit(f.PageSize).Offset(skip)
	}
	var ids []int64
	if f.Stale == nil && !f.CleanupDue {
		ids, err = cachedValue(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
			var ids []int64
			return pageIDs(tx).Session(&gorm.Session{DryRun: true}).Select("p.id").Find(&ids)
		}, func() ([]int64, error) {
			var ids []int64
			err := pageIDs(nil).Pluck("p.id", &ids).Error
			return ids, err
		})
	} else {
		err = pageIDs(nil).Pluck("p.id", &ids).Error
	}
	if err != nil {
		return nil, 0, err
	}
	out, err := s.byIDs(ctx, ids)
	return out, int(total), err
}

// sortError is the answer to an unknown ?sort= value.
func sortError() error {
	names := make([]string, len(domain.ProjectSorts))
	for i, v := range domain.ProjectSorts {
		names[i] = string(v)
	}
	return &domain.Error{Code: domain.EINVALID, Message: "排序方式无效 (unknown sort)",
		Fields: map[string]string{"sort": "未知的排序字段，可选：" + strings.Join(names, "、") + " (unknown sort)"}}
}

// listOrder is a project list's order: a column of projects, then the id, both in one
// direction, so that the order is total and an index (zone, filter, deleted_at, column,
// id) is read in it forwards or backwards.
type listOrder struct {
	col  string
	desc bool
}

func orderOf(s domain.ProjectSort) listOrder {
	col, desc := s.Column()
	return listOrder{col, desc}
}

func (o listOrder) dir() string {
	if o.desc {
		return "DESC"
	}
	return "ASC"
}

// sql is the ORDER BY of o.
func (o listOrder) sql() string {
	return "p." + o.col + " " + o.dir() + ", p.id " + o.dir()
}

// after is the keyset condition: the rows that come after anchor a in order o.
func (o listOrder) after(a listAnchor) (string, []any) {
	var v any = a.D
	if o.col == "planned_investment" { // bound as the integer it is
		if n, err := strconv.ParseInt(a.D, 10, 64); err == nil {
			v = n
		}
	}
	c := "p." + o.col
	if o.desc {
		return c + " <= ? AND (" + c + " < ? OR p.id < ?)", []any{v, v, a.ID}
	}
	return c + " >= ? AND (" + c + " > ? OR p.id > ?)", []any{v, v, a.ID}
}

// smallList is the longest list read whole (sortedKeys) rather than by index ranges.
const smallList = 2000

// sortedKeys returns the ids of the list where selects, in order ord, cached for the change
// stamp. The default order is sorted here from the keys read without ORDER BY (so no
// planner can choose an ordered scan of the zone filtered row by row); any other order is
// the database's own, so that names sort by its collation exactly as the index paths do.
func (s *ProjectService) sortedKeys(ctx context.Context, where func(*gorm.DB) *gorm.DB, ord listOrder) ([]int64, error) {
	def := ord == listOrder{"docked_at", true}
	build := func(tx *gorm.DB) *gorm.DB {
		q := where(tx.Table("projects AS p"))
		if def {
			return q.Select("CAST(p.docked_at AS CHAR) AS d, p.id AS id")
		}
		return q.Select("p.id AS id").Order(ord.sql())
	}
	return cachedValue(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		var rows []listAnchor
		return build(tx).Find(&rows)
	}, func() ([]int64, error) {
		var rows []listAnchor
		if err := build(s.db.conn(ctx)).Scan(&rows).Error; err != nil {
			return nil, err
		}
		if def {
			sort.Slice(rows, func(i, j int) bool {
				if rows[i].D != rows[j].D {
					return rows[i].D > rows[j].D
				}
				return rows[i].ID > rows[j].ID
			})
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		return ids, nil
	})
}

// anchorChunk is the distance between two anchors of a list.
const anchorChunk = 500

// listAnchor is the sort key of the (n × anchorChunk)-th row of a list, the order column
// as the database renders it as text (bound back unchanged, or as an integer for amounts).
type listAnchor struct {
	D  string
	ID int64
}

// anchors returns the sort keys of every anchorChunk-th row of the list where selects, in
// order ord: one window-function pass over the list's index, cached like the totals (for
// one change stamp, listcache.go).
func (s *ProjectService) anchors(ctx context.Context, where func(*gorm.DB) *gorm.DB, ord listOrder) ([]listAnchor, error) {
	build := func(tx *gorm.DB) *gorm.DB {
		sub := where(tx.Session(&gorm.Session{NewDB: true}).Table("projects AS p")).
			Select("CAST(p." + ord.col + " AS CHAR) AS d, p.id AS id, ROW_NUMBER() OVER (ORDER BY " + ord.sql() + ") AS rn")
		return tx.Table("(?) AS t", sub).Select("t.d AS d, t.id AS id").
			Where("t.rn % " + strconv.Itoa(anchorChunk) + " = 0").Order("t.rn")
	}
	return cachedScan[listAnchor](ctx, s.db, build)
}

// filter turns f into a reusable WHERE on "projects AS p". Codes and usernames are
// resolved first so that the count needs no joins.
func (s *ProjectService) filter(ctx context.Context, scope domain.Scope, f domain.ProjectFilter, admin bool) (func(*gorm.DB) *gorm.DB, error) {
	where, _, err := s.filterPlain(ctx, scope, f, admin)
	return where, err
}

// filterPlain is filter, and whether the WHERE is the zone's live projects and nothing else
// (the whole zone in scope, no filter): the list the sort indexes of migration 24 hold.
func (s *ProjectService) filterPlain(ctx context.Context, scope domain.Scope, f domain.ProjectFilter, admin bool) (func(*gorm.DB) *gorm.DB, bool, error) {
	var conds []func(*gorm.DB) *gorm.DB
	add := func(c func(*gorm.DB) *gorm.DB) { conds = append(conds, c) }
	none := false
	if f.Chain != nil {
		if *f.Chain == "none" {
			add(func(q *gorm.DB) *gorm.DB { return q.Where("p.chain_id IS NULL") })
		} else {
			// through the cache: chains are among the stamp's sources (changes.go)
			id, err := cachedByKey(ctx, s.db, fmt.Sprintf("chain id %d %q", scope.ZoneID, *f.Chain), func() (int64, error) {
				return chainIDByCode(s.db.conn(ctx), scope.ZoneID, *f.Chain)
			})
			if err != nil {
				return nil, false, err
			}
			if id == 0 {
				none = true
			}
			add(func(q *gorm.DB) *gorm.DB { return q.Where("p.chain_id = ?", id) })
		}
	}
	if f.Owner != nil {
		var id int64
		s.db.conn(ctx).Model(&userRow{}).Where("zone_id = ? AND username = ?", scope.ZoneID, *f.Owner).Pluck("id", &id)
		if id == 0 {
			none = true
		}
		add(func(q *gorm.DB) *gorm.DB { return q.Where("p.owner_id = ?", id) })
	}
	if f.Channel != nil {
		add(func(q *gorm.DB) *gorm.DB { return q.Where("p.channel = ?", string(*f.Channel)) })
	}
	if f.Stage != nil {
		add(func(q *gorm.DB) *gorm.DB { return q.Where("p.stage = ?", string(*f.Stage)) })
	}
	if f.AssetType != nil {
		add(func(q *gorm.DB) *gorm.DB { return q.Where("p.asset_type = ?", string(*f.AssetType)) })
	}
	if f.CampaignID != nil {
		add(func(q *gorm.DB) *gorm.DB { return q.Where("p.campaign_id = ?", *f.CampaignID) })
	}
	if f.NodeID != nil {
		add(func(q *gorm.DB) *gorm.DB {
			return q.Where("p.id IN (SELECT project_id FROM project_nodes WHERE node_id = ?)", *f.NodeID)
		})
	}
	if f.Q != nil && strings.TrimSpace(*f.Q) != "" {
		c, err := s.searchCond(ctx, scope.ZoneID, strings.TrimSpace(*f.Q))
		if err != nil {
			return nil, false, err
		}
		add(c)
	}
	dateCond := func(col, op string, d *domain.Date) {
		if d != nil && !d.IsZero() {
			v := *d
			add(func(q *gorm.DB) *gorm.DB { return q.Where("p."+col+" "+op+" ?", v) })
		}
	}
	dateCond("docked_at", ">=", f.DockedFrom)
	dateCond("docked_at", "<=", f.DockedTo)
	dateCond("signed_at", ">=", f.SignedFrom)
	dateCond("signed_at", "<=", f.SignedTo)
	if f.Stale != nil {
		now := s.db.now()
		yellow := now.AddDate(0, 0, -s.db.Opts.StaleYellowDays)
		red := now.AddDate(0, 0, -s.db.Opts.StaleRedDays)
		open := []string{"lead", "identification", "risk", "decision"}
		switch *f.Stale {
		case domain.StaleGreen:
			add(func(q *gorm.DB) *gorm.DB { return q.Where("p.stage IN ? AND p.last_progress_at > ?", open, yellow) })
		case domain.StaleYellow:
			add(func(q *gorm.DB) *gorm.DB {
				return q.Where("p.stage IN ? AND p.last_progress_at <= ? AND p.last_progress_at > ?", open, yellow, red)
			})
		case domain.StaleRed:
			add(func(q *gorm.DB) *gorm.DB { return q.Where("p.stage IN ? AND p.last_progress_at <= ?", open, red) })
		}
	}
	if f.CleanupDue {
		cutoff := s.db.now().AddDate(0, 0, -s.db.Opts.CleanupDays)
		open := []string{"lead", "identification", "risk", "decision"}
		add(func(q *gorm.DB) *gorm.DB { return q.Where("p.stage IN ? AND p.last_progress_at <= ?", open, cutoff) })
	}
	deleted := f.IncludeDeleted && admin
	plain := scope.All && !none && !deleted && len(conds) == 0
	return func(q *gorm.DB) *gorm.DB {
		q = q.Scopes(projectScope(scope))
		if none {
			return q.Where("1 = 0")
		}
		if !deleted {
			q = q.Where("p.deleted_at IS NULL")
		}
		for _, c := range conds {
			q = c(q)
		}
		return q
	}, plain, nil
}

// searchCond is the q filter: the project's name or its investor's name contains term.
// When the name grams narrow the candidates (names.go), the LIKE runs on those rows only.
func (s *ProjectService) searchCond(ctx context.Context, zoneID int64, term string) (func(*gorm.DB) *gorm.DB, error) {
	like := "%" + escapeLike(term) + "%"
	plain := func(q *gorm.DB) *gorm.DB {
		return q.Where(`(p.name LIKE ? ESCAPE '!' OR p.investor_id IN (SELECT id FROM enterprises WHERE zone_id = ? AND name LIKE ? ESCAPE '!'))`, like, zoneID, like)
	}
	// The candidates (names and investors holding the term's grams) through the cache of
	// list values (listcache.go): a search paged or repeated costs no look-ups until the
	// next write.
	type found struct {
		plain            bool
		cands, investors []int64
	}
	r, err := cachedByKey(ctx, s.db, fmt.Sprintf("project search %d %q", zoneID, term), func() (found, error) {
		conn := s.db.conn(ctx)
		byName, ok, err := s.db.nameCandidates(ctx, conn, nameKindProject, zoneID, term)
		if err != nil || !ok {
			return found{plain: true}, err
		}
		ents, ok, err := s.db.nameCandidates(ctx, conn, nameKindEnterprise, zoneID, term)
		if err != nil || !ok {
			return found{plain: true}, err
		}
		var investors []int64
		if len(ents) > 0 {
			if err := conn.Session(&gorm.Session{NewDB: true}).Table("enterprises").
				Where("id IN ("+idList(ents)+") AND zone_id = ? AND name LIKE ? ESCAPE '!'", zoneID, like).
				Pluck("id", &investors).Error; err != nil {
				return found{}, err
			}
		}
		var byInvestor []int64
		if len(investors) > 0 {
			if err := conn.Session(&gorm.Session{NewDB: true}).Table("projects").
				Where("investor_id IN ("+idList(investors)+") AND zone_id = ?", zoneID).Limit(candidateCap+1).
				Pluck("id", &byInvestor).Error; err != nil {
				return found{}, err
			}
			if len(byInvestor) > candidateCap {
				return found{plain: true}, nil
			}
		}
		return found{cands: dedupe(append(byName, byInvestor...)), investors: investors}, nil
	})
	if err != nil || r.plain {
		return plain, err
	}
	cands, inv := idList(r.cands), idList(r.investors)
	return func(q *gorm.DB) *gorm.DB {
		return q.Where("p.id IN ("+cands+")").
			Where("(p.name LIKE ? ESCAPE '!' OR p.investor_id IN ("+inv+"))", like)
	}, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

func chainIDByCode(q *gorm.DB, zoneID int64, code string) (int64, error) {
	var ids []int64
	if err := q.Model(&chainRow{}).Where("zone_id = ? AND code = ?", zoneID, code).Pluck("id", &ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// FindProjectByID returns a visible project or ENOTFOUND.
func (s *ProjectService) FindProjectByID(ctx context.Context, id int64) (*domain.Project, error) {
	return s.load(ctx, id, false)
}

func (s *ProjectService) load(ctx context.Context, id int64, includeDeleted bool) (*domain.Project, error) {
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	q := s.base(ctx).Scopes(projectScope(scope)).Where("p.id = ?", id)
	if !includeDeleted {
		q = q.Where("p.deleted_at IS NULL")
	}
	var rows []projectView
	if err := q.Limit(1).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("项目")
	}
	out, err := s.toDomain(ctx, rows)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func (s *ProjectService) toDomain(ctx context.Context, rows []projectView) ([]*domain.Project, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Row.ID
	}
	nodes := map[int64][]int64{}
	if len(ids) > 0 {
		var links []projectNodeRow
		if err := s.db.conn(ctx).Where("project_id IN ?", ids).Order("node_id").Find(&links).Error; err != nil {
			return nil, err
		}
		for _, l := range links {
			nodes[l.ProjectID] = append(nodes[l.ProjectID], l.NodeID)
		}
	}
	now := s.db.now()
	out := make([]*domain.Project, len(rows))
	for i, v := range rows {
		r := v.Row
		p := &domain.Project{
			ID: r.ID, ZoneID: r.ZoneID, Name: r.Name, InvestorID: r.InvestorID, Investor: v.InvestorName,
			Channel: domain.Channel(r.Channel), ChainID: r.ChainID, Chain: v.ChainCode, NodeIDs: nodes[r.ID],
			AssetType: domain.AssetType(r.AssetType), PlannedInvestment: domain.Money(r.PlannedInvestment),
			LandArea: domain.Area(r.LandArea), Stage: domain.Stage(r.Stage), PrevStage: domain.Stage(r.PrevStage),
			StageEnteredAt: r.StageEnteredAt.UTC(), LastProgressAt: r.LastProgressAt.UTC(),
			OwnerID: r.OwnerID, Owner: v.OwnerName, OwnerName: v.OwnerDisplay, CreatedByID: r.CreatedByID, CreatedBy: v.CreatorName,
			DockedAt: r.DockedAt, SignedAt: r.SignedAt, CampaignID: r.CampaignID, ReferrerID: r.ReferrerID,
			Agency: r.Agency, Industry: r.Industry, Notes: r.Notes, DropReason: r.DropReason, Sample: r.Sample,
			Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), DeletedAt: r.DeletedAt,
			DecisionOutcome: r.DecisionOutcome, HasRiskAssessment: r.HasRiskAssessment,
			RealisedInvestment: domain.Money(r.RealisedInvestment),
			Milestones: domain.Milestones{
				LandListingPlanned: r.LandListingPlanned, LandListingActual: r.LandListingActual,
				ConstructionPlanned: r.ConstructionPlanned, ConstructionActual: r.ConstructionActual,
				ProductionPlanned: r.ProductionPlanned, ProductionActual: r.ProductionActual,
			},
		}
		if p.NodeIDs == nil {
			p.NodeIDs = []int64{}
		}
		if v.ReferrerName != nil {
			p.Referrer = *v.ReferrerName
		}
		p.DaysInStage = int(now.Sub(p.StageEnteredAt).Hours() / 24)
		p.Stale = s.staleColour(p, now)
		p.CleanupDue = p.Stage.Open() && int(now.Sub(p.LastProgressAt).Hours()/24) >= s.db.Opts.CleanupDays
		out[i] = p
	}
	return out, nil
}

// staleColour grades an open project by days since its last progress (a stage move or an
// activity): green, yellow from StaleYellowDays, red from StaleRedDays. Closed projects are
// green.
func (s *ProjectService) staleColour(p *domain.Project, now time.Time) domain.StaleColour {
	if !p.Stage.Open() {
		return domain.StaleGreen
	}
	days := int(now.Sub(p.LastProgressAt).Hours() / 24)
	switch {
	case days >= s.db.Opts.StaleRedDays:
		return domain.StaleRed
	case days >= s.db.Opts.StaleYellowDays:
		return domain.StaleYellow
	}
	return domain.StaleGreen
}

// CreateProject validates in and stores a new project in lead (or, for imports, the stage
// the file names) with version 1.
func (s *ProjectService) CreateProject(ctx context.Context, in domain.ProjectInput) (*domain.Project, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if a.User.HasRole(domain.RoleAgent) && !a.User.HasRole(domain.RoleRecruiter) && !domain.CanAssignOwner(a) {
		in.Channel = domain.ChannelEntrusted
		in.Agency = a.User.Agency
		in.Owner = ""
	}
	in.Normalize()
	// Field errors from validation and from resolving names are reported together.
	fe := domain.FieldErrors{}
	for k, v := range domain.ErrorFields(in.Validate()) {
		fe[k] = v
	}
	// A new project is a lead, which has no signing date: a signing comes only through
	// /transition (issue 12). (An import names its rows' stages and may bring the zone's
	// earlier signings; it does not come here.)
	if !in.SignedAt.IsZero() {
		fe.Add("signed_at", "新建的项目处于洽谈对接阶段，没有签约日期；签约请通过阶段流转办理 (a new project is a lead: sign it through /transition)")
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		row, nodeIDs, err := s.resolveInput(ctx, a, in, fe)
		if err != nil {
			return err
		}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		id = row.ID
		if err := s.setNodes(ctx, id, nodeIDs); err != nil {
			return err
		}
		return s.db.history(ctx, a, row.ZoneID, id, "created", "name", "", row.Name)
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, id, false)
}

// resolveInput turns names into ids and builds the row for a new project.
func (s *ProjectService) resolveInput(ctx context.Context, a *domain.Actor, in domain.ProjectInput, fe domain.FieldErrors) (*projectRow, []int64, error) {
	zoneID := a.User.ZoneID
	var chainID *int64
	if in.Chain != nil {
		id, err := chainIDByCode(s.db.conn(ctx), zoneID, *in.Chain)
		if err != nil {
			return nil, nil, err
		}
		if id == 0 {
			fe.Add("chain", "未知的产业链 (unknown chain)")
		} else {
			chainID = &id
		}
	}
	ownerID := a.User.ID
	if in.Owner != "" && in.Owner != a.User.Username {
		uid, err := s.userIDByName(ctx, zoneID, in.Owner)
		if err != nil {
			return nil, nil, err
		}
		if uid == 0 {
			fe.Add("owner", "没有这个用户 (unknown user)")
		} else if !domain.CanAssignOwner(a) {
			return nil, nil, forbidden("将项目指派给他人")
		} else {
			ownerID = uid
		}
	}
	if err := s.checkNodes(ctx, zoneID, chainID, in.NodeIDs, fe); err != nil {
		return nil, nil, err
	}
	if in.CampaignID != nil {
		var n int64
		s.db.conn(ctx).Model(&campaignRow{}).Where("id = ? AND zone_id = ?", *in.CampaignID, zoneID).Count(&n)
		if n == 0 {
			fe.Add("campaign_id", "没有这个招商活动 (unknown campaign)")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, nil, err
	}
	investorID, err := s.db.findOrCreateEnterprise(ctx, zoneID, in.Investor, in.InvestorCreditCode, domain.EnterpriseInvestor)
	if err != nil {
		return nil, nil, err
	}
	var referrerID *int64
	if in.Referrer != "" {
		rid, err := s.db.findOrCreateEnterprise(ctx, zoneID, in.Referrer, "", domain.EnterpriseReferrer)
		if err != nil {
			return nil, nil, err
		}
		referrerID = &rid
	}
	now := s.db.now()
	stage := in.Stage
	if stage == "" {
		stage = domain.StageLead
	}
	row := &projectRow{
		ZoneID: zoneID, Name: in.Name, InvestorID: investorID, Channel: string(in.Channel), ChainID: chainID,
		AssetType: string(in.AssetType), PlannedInvestment: int64(in.PlannedInvestment), LandArea: int64(in.LandArea),
		Stage: string(stage), StageEnteredAt: now, LastProgressAt: now, OwnerID: ownerID, CreatedByID: a.User.ID,
		DockedAt: in.DockedAt, SignedAt: in.SignedAt, CampaignID: in.CampaignID, ReferrerID: referrerID,
		Agency: in.Agency, Industry: in.Industry, Notes: in.Notes, Sample: in.Sample, Version: 1,
		CreatedAt: now, UpdatedAt: now,
	}
	if stage == domain.StageDropped {
		row.PrevStage = string(domain.StageLead)
	}
	return row, dedupe(in.NodeIDs), nil
}

func (s *ProjectService) userIDByName(ctx context.Context, zoneID int64, username string) (int64, error) {
	var ids []int64
	err := s.db.conn(ctx).Model(&userRow{}).Where("zone_id = ? AND username = ?", zoneID, username).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// checkNodes requires every node to exist in the zone and, when the project has a chain,
// to belong to it.
func (s *ProjectService) checkNodes(ctx context.Context, zoneID int64, chainID *int64, ids []int64, fe domain.FieldErrors) error {
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil
	}
	if chainID == nil {
		fe.Add("chain_node_ids", "未指定产业链的项目不能关联环节 (nodes need a chain)")
		return nil
	}
	var n int64
	err := s.db.conn(ctx).Model(&chainNodeRow{}).Where("zone_id = ? AND chain_id = ? AND id IN ?", zoneID, *chainID, ids).Count(&n).Error
	if err != nil {
		return err
	}
	if int(n) != len(ids) {
		fe.Add("chain_node_ids", "环节不存在或不属于该产业链 (nodes must belong to the chain)")
	}
	return nil
}

func (s *ProjectService) setNodes(ctx context.Context, projectID int64, ids []int64) error {
	q := s.db.conn(ctx)
	if err := q.Where("project_id = ?", projectID).Delete(&projectNodeRow{}).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	links := make([]projectNodeRow, len(ids))
	for i, id := range ids {
		links[i] = projectNodeRow{ProjectID: projectID, NodeID: id}
	}
	return q.Create(&links).Error
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// findOrCreateEnterprise returns the zone's enterprise of that name — the same name, the
// enterprise a merged one of that name went into, or else one whose name is equal once
// normalised (同光晶体（河北）有限公司 finds 河北同光晶体有限公司) — creating it (with the
// credit code when given) if there is none; a known code on another name is a conflict.
// Two commands creating the same new investor at once both get the one row: the insert
// ignores a concurrent duplicate and the row is read again with a locking read.
func (db *DB) findOrCreateEnterprise(ctx context.Context, zoneID int64, name, code string, kind domain.EnterpriseKind) (int64, error) {
	q := db.conn(ctx)
	norm := domain.NormalizeEnterpriseName(name)
	find := func(latest bool) (*enterpriseRow, error) {
		r := q.Where("zone_id = ? AND name = ?", zoneID, name)
		if latest && db.Driver == DriverMySQL {
			r = r.Clauses(clause.Locking{Strength: "UPDATE"}) // see rows committed since the snapshot
		}
		var rows []enterpriseRow
		if err := r.Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
			if err != nil || norm == "" {
				return nil, err
			}
			// the same enterprise under another spelling
			if err := q.Where("zone_id = ? AND norm_name = ? AND merged_into_id IS NULL", zoneID, norm).
				Order("id").Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
				return nil, err
			}
		}
		if rows[0].MergedIntoID != nil {
			id, err := (&EnterpriseService{db: db}).survivor(ctx, *rows[0].MergedIntoID)
			if err != nil {
				return nil, err
			}
			if err := q.Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
				return nil, err
			}
		}
		return &rows[0], nil
	}
	e, err := find(false)
	if err != nil {
		return 0, err
	}
	if e == nil {
		now := db.now()
		row := &enterpriseRow{ZoneID: zoneID, Name: name, NormName: norm, Kind: string(kind), Version: 1, CreatedAt: now, UpdatedAt: now}
		if code != "" {
			row.CreditCode = &code
		}
		res := q.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
		if res.Error != nil {
			return 0, res.Error
		}
		if res.RowsAffected == 1 && row.ID != 0 {
			return row.ID, db.enterpriseHistory(ctx, zoneID, row.ID, domain.EnterpriseCreated, "", "name", "", name)
		}
		if e, err = find(true); err != nil {
			return 0, err
		}
		if e == nil { // the conflict was on the credit code, not the name
			msg := "该统一社会信用代码已属于另一家企业 (credit code belongs to another enterprise)"
			return 0, &domain.Error{Code: domain.ECONFLICT, Message: msg, Fields: map[string]string{"credit_code": msg}}
		}
	}
	if code != "" && e.CreditCode == nil {
		if err := q.Model(&enterpriseRow{}).Where("id = ?", e.ID).Update("credit_code", code).Error; err != nil {
			return 0, translate(err, "credit_code", "该统一社会信用代码已属于另一家企业 (credit code belongs to another enterprise)")
		}
		if err := reindexRows(q, nameKindEnterprise, []int64{e.ID}); err != nil {
			return 0, err
		}
	} else if code != "" && *e.CreditCode != code {
		return 0, &domain.Error{Code: domain.EINVALID, Message: "统一社会信用代码与已登记的不一致", Fields: map[string]string{"credit_code": "与已登记的企业信用代码不一致 (differs from the registered code)"}}
	}
	return e.ID, nil
}

// translate turns a unique-key violation into ECONFLICT on field.
func translate(err error, field, msg string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint") || strings.Contains(err.Error(), "Duplicate entry") {
		return &domain.Error{Code: domain.ECONFLICT, Message: msg, Fields: map[string]string{field: msg}}
	}
	return err
}

// UpdateProject applies upd if its version is current, recording each changed field.
func (s *ProjectService) UpdateProject(ctx context.Context, id int64, upd domain.ProjectUpdate) (*domain.Project, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.load(ctx, id, false)
		if err != nil {
			return err
		}
		if !domain.CanEditProject(a, p) {
			return forbidden("修改该项目")
		}
		if p.Version != upd.Version {
			return staleVersion(p.Version)
		}
		ch, err := s.changes(ctx, a, p, upd)
		if err != nil {
			return err
		}
		if len(ch.cols) == 0 && ch.nodes == nil {
			return nil
		}
		ch.cols["version"] = p.Version + 1
		ch.cols["updated_at"] = s.db.now()
		res := s.db.conn(ctx).Model(&projectRow{}).Where("id = ? AND version = ?", id, p.Version).Updates(ch.cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		if _, renamed := ch.cols["name"]; renamed {
			if err := reindexRows(s.db.conn(ctx), nameKindProject, []int64{id}); err != nil {
				return err
			}
		}
		if ch.nodes != nil {
			if err := s.setNodes(ctx, id, *ch.nodes); err != nil {
				return err
			}
		}
		for _, h := range ch.history {
			if err := s.db.history(ctx, a, p.ZoneID, id, "updated", h[0], h[1], h[2]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, id, false)
}

func staleVersion(current int64) error {
	return domain.Errorf(domain.ECONFLICT, "项目已被他人修改（当前版本 %d），请刷新后重试 (version conflict)", current)
}

type changeSet struct {
	cols    map[string]any
	nodes   *[]int64
	history [][3]string // field, from, to
}

// changes compares upd with p and resolves names; only real differences are kept.
func (s *ProjectService) changes(ctx context.Context, a *domain.Actor, p *domain.Project, upd domain.ProjectUpdate) (*changeSet, error) {
	c := &changeSet{cols: map[string]any{}}
	fe := domain.FieldErrors{}
	str := func(field, col string, from string, to *string) {
		if to != nil && *to != from {
			c.cols[col] = *to
			c.history = append(c.history, [3]string{field, from, *to})
		}
	}
	str("name", "name", p.Name, upd.Name)
	str("agency", "agency", p.Agency, upd.Agency)
	str("industry", "industry", p.Industry, upd.Industry)
	str("notes", "notes", p.Notes, upd.Notes)
	if upd.Channel != nil && *upd.Channel != p.Channel {
		if a.User.HasRole(domain.RoleAgent) && !domain.CanAssignOwner(a) {
			return nil, forbidden("修改招商渠道")
		}
		c.cols["channel"] = string(*upd.Channel)
		c.history = append(c.history, [3]string{"channel", string(p.Channel), string(*upd.Channel)})
	}
	if upd.AssetType != nil && *upd.AssetType != p.AssetType {
		c.cols["asset_type"] = string(*upd.AssetType)
		c.history = append(c.history, [3]string{"asset_type", string(p.AssetType), string(*upd.AssetType)})
	}
	if upd.PlannedInvestment != nil && *upd.PlannedInvestment != p.PlannedInvestment {
		c.cols["planned_investment"] = int64(*upd.PlannedInvestment)
		c.history = append(c.history, [3]string{"planned_investment_wan", p.PlannedInvestment.Wan(), upd.PlannedInvestment.Wan()})
	}
	if upd.LandArea != nil && *upd.LandArea != p.LandArea {
		c.cols["land_area"] = int64(*upd.LandArea)
		c.history = append(c.history, [3]string{"land_area_mu", p.LandArea.Mu(), upd.LandArea.Mu()})
	}
	date := func(field string, from domain.Date, to *domain.Date) {
		if to != nil && *to != from {
			c.cols[field] = *to
			c.history = append(c.history, [3]string{field, from.String(), to.String()})
		}
	}
	date("docked_at", p.DockedAt, upd.DockedAt)
	date("signed_at", p.SignedAt, upd.SignedAt)
	if m := upd.Milestones; m != nil {
		before := len(c.cols)
		date("land_listing_planned", p.Milestones.LandListingPlanned, &m.LandListingPlanned)
		date("land_listing_actual", p.Milestones.LandListingActual, &m.LandListingActual)
		date("construction_planned", p.Milestones.ConstructionPlanned, &m.ConstructionPlanned)
		date("construction_actual", p.Milestones.ConstructionActual, &m.ConstructionActual)
		date("production_planned", p.Milestones.ProductionPlanned, &m.ProductionPlanned)
		date("production_actual", p.Milestones.ProductionActual, &m.ProductionActual)
		if len(c.cols) > before { // the same rules as PUT .../milestones
			if p.Stage != domain.StageFollowUp {
				return nil, domain.Errorf(domain.ERULE, "只有处于跟踪服务阶段的项目才能维护里程碑（当前：%s）(milestones are for follow-up projects)", p.Stage.Label())
			}
			for k, v := range domain.ErrorFields(m.Validate(s.db.today())) {
				fe.Add(k, v)
			}
		}
	}
	docked, signed := p.DockedAt, p.SignedAt
	if upd.DockedAt != nil {
		docked = *upd.DockedAt
	}
	if upd.SignedAt != nil {
		signed = *upd.SignedAt
	}
	if !signed.IsZero() && signed.Before(docked) {
		fe.Add("signed_at", "签约日期不能早于对接日期 (before docked_at)")
	}
	if upd.Investor != nil && *upd.Investor != p.Investor {
		id, err := s.db.findOrCreateEnterprise(ctx, p.ZoneID, *upd.Investor, "", domain.EnterpriseInvestor)
		if err != nil {
			return nil, err
		}
		c.cols["investor_id"] = id
		c.history = append(c.history, [3]string{"investor", p.Investor, *upd.Investor})
	}
	if upd.Referrer != nil && *upd.Referrer != p.Referrer {
		var rid *int64
		if strings.TrimSpace(*upd.Referrer) != "" {
			id, err := s.db.findOrCreateEnterprise(ctx, p.ZoneID, strings.TrimSpace(*upd.Referrer), "", domain.EnterpriseReferrer)
			if err != nil {
				return nil, err
			}
			rid = &id
		}
		c.cols["referrer_id"] = rid
		c.history = append(c.history, [3]string{"referrer", p.Referrer, *upd.Referrer})
	}
	if upd.CampaignID != nil && (p.CampaignID == nil || *p.CampaignID != *upd.CampaignID) {
		var n int64
		s.db.conn(ctx).Model(&campaignRow{}).Where("id = ? AND zone_id = ?", *upd.CampaignID, p.ZoneID).Count(&n)
		if n == 0 {
			fe.Add("campaign_id", "没有这个招商活动 (unknown campaign)")
		}
		c.cols["campaign_id"] = *upd.CampaignID
		c.history = append(c.history, [3]string{"campaign_id", idString(p.CampaignID), fmt.Sprint(*upd.CampaignID)})
	}
	chainID := p.ChainID
	if upd.Chain != nil {
		from := ""
		if p.Chain != nil {
			from = *p.Chain
		}
		if *upd.Chain != from {
			if *upd.Chain == "" {
				chainID = nil
			} else {
				id, err := chainIDByCode(s.db.conn(ctx), p.ZoneID, *upd.Chain)
				if err != nil {
					return nil, err
				}
				if id == 0 {
					fe.Add("chain", "未知的产业链 (unknown chain)")
				}
				chainID = &id
			}
			if !chainAllowed(a, chainID) {
				return nil, forbidden("将项目移到该产业链")
			}
			c.cols["chain_id"] = chainID
			c.history = append(c.history, [3]string{"chain", from, *upd.Chain})
			if upd.NodeIDs == nil && len(p.NodeIDs) > 0 { // links of the old chain go
				empty := []int64{}
				upd.NodeIDs = &empty
			}
		}
	}
	if upd.NodeIDs != nil {
		want := dedupe(*upd.NodeIDs)
		if fmt.Sprint(want) != fmt.Sprint(dedupe(p.NodeIDs)) {
			if err := s.checkNodes(ctx, p.ZoneID, chainID, want, fe); err != nil {
				return nil, err
			}
			c.nodes = &want
			c.history = append(c.history, [3]string{"chain_node_ids", idsString(p.NodeIDs), idsString(want)})
		}
	}
	if upd.Owner != nil && *upd.Owner != p.Owner {
		id, err := s.userIDByName(ctx, p.ZoneID, *upd.Owner)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			fe.Add("owner", "没有这个用户 (unknown user)")
		} else if !domain.CanAssignOwner(a) {
			return nil, forbidden("更换项目负责人")
		}
		c.cols["owner_id"] = id
		c.history = append(c.history, [3]string{"owner", p.Owner, *upd.Owner})
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// chainAllowed: zone-wide editors may use any chain; anyone else only chains in their scope.
func chainAllowed(a *domain.Actor, chainID *int64) bool {
	s := domain.ScopeOf(a)
	if s.All {
		return true
	}
	if chainID == nil {
		return false
	}
	for _, id := range s.ChainIDs {
		if id == *chainID {
			return true
		}
	}
	return false
}

func idString(id *int64) string {
	if id == nil {
		return ""
	}
	return fmt.Sprint(*id)
}

func idsString(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ",")
}

// DeleteProject soft-deletes a project the caller may edit.
func (s *ProjectService) DeleteProject(ctx context.Context, id int64) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.load(ctx, id, false)
		if err != nil {
			return err
		}
		if !domain.CanEditProject(a, p) {
			return forbidden("删除该项目")
		}
		now := s.db.now()
		res := s.db.conn(ctx).Model(&projectRow{}).Where("id = ? AND version = ?", id, p.Version).
			Updates(map[string]any{"deleted_at": now, "version": p.Version + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		return s.db.history(ctx, a, p.ZoneID, id, "deleted", "deleted_at", "", now.Format(time.RFC3339))
	})
}

// RestoreProject brings back a soft-deleted project; administrators only.
func (s *ProjectService) RestoreProject(ctx context.Context, id int64) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.load(ctx, id, true)
		if err != nil {
			return err
		}
		if !domain.IsAdmin(a) {
			return forbidden("恢复已删除的项目")
		}
		if p.DeletedAt == nil {
			return domain.Errorf(domain.ERULE, "项目未被删除，无需恢复 (not deleted)")
		}
		now := s.db.now()
		res := s.db.conn(ctx).Model(&projectRow{}).Where("id = ? AND version = ?", id, p.Version).
			Updates(map[string]any{"deleted_at": nil, "version": p.Version + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		return s.db.history(ctx, a, p.ZoneID, id, "restored", "deleted_at", p.DeletedAt.UTC().Format(time.RFC3339), "")
	})
}

// EachProject calls fn for every visible project matching f, newest docking first, reading
// in batches of 1000 so that memory stays flat for any number of rows.
func (s *ProjectService) EachProject(ctx context.Context, f domain.ProjectFilter, fn func(*domain.Project) error) error {
	a := domain.ActorFrom(ctx)
	where, err := s.filter(ctx, domain.ScopeOf(a), f, domain.IsAdmin(a))
	if err != nil {
		return err
	}
	const batch = 1000
	var afterID int64 = -1
	for {
		q := where(s.base(ctx)).Order("p.id")
		if afterID >= 0 {
			q = q.Where("p.id > ?", afterID)
		}
		var rows []projectView
		if err := q.Limit(batch).Scan(&rows).Error; err != nil {
			return err
		}
		ps, err := s.toDomain(ctx, rows)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := fn(p); err != nil {
				return err
			}
		}
		if len(rows) < batch {
			return nil
		}
		afterID = rows[len(rows)-1].Row.ID
	}
}

package repository

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ImportService implements domain.ProjectImporter: the spreadsheet import, all or nothing.
//
// It works in two passes inside one transaction. The first resolves every row — validates
// it, finds its chain, owner, investor and the project it updates, applies the same rules
// as CreateProject and UpdateProject — and collects every problem by row without writing
// anything. Only when no row is wrong does the second pass write, in batches: new
// investors, new projects, changed projects (each with a version bump), and the history of
// all of it. A file of 50 000 rows thus costs a few hundred statements, not a few hundred
// thousand, on either database.
type ImportService struct{ db *DB }

// NewImportService returns the import service on db.
func NewImportService(db *DB) *ImportService { return &ImportService{db: db} }

var _ domain.ProjectImporter = (*ImportService)(nil)

// importBatch values go into one IN list.
const importBatch = 500

// insertRows is how many rows of cols columns one INSERT carries: up to 1000, and under
// 30 000 bound variables (SQLite allows 32 766, MySQL 65 535).
func insertRows(cols int) int { return max(1, min(1000, 30000/cols)) }

// ImportProjects applies rows; see domain.ProjectImporter.
func (s *ImportService) ImportProjects(ctx context.Context, rows []domain.ImportRow, opts domain.ImportOptions) (*domain.ImportResult, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	res := &domain.ImportResult{Errors: []domain.ImportError{}}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p := &importPlan{s: s, a: a, scope: domain.ScopeOf(a), opts: opts, res: res, now: s.db.now()}
		if err := p.resolve(ctx, rows); err != nil {
			return err
		}
		if len(res.Errors) > 0 || opts.DryRun {
			return nil // nothing has been written
		}
		return p.write(ctx)
	})
	if err != nil {
		return nil, err
	}
	if !opts.DryRun && len(res.Errors) == 0 && res.Created+res.Updated >= refreshAfter {
		s.db.refreshStats(ctx, "projects", "enterprises", "project_history")
	}
	if len(res.Errors) > 0 {
		res.Created, res.Updated, res.Unchanged = 0, 0, 0
		sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].Row < res.Errors[j].Row })
	}
	return res, nil
}

// refreshAfter rows written, an import refreshes the tables' index statistics: MariaDB's
// sampled statistics lag behind a bulk load, and with stale ones it plans the project
// list and the exports from the users table, sorting every project for each page.
const refreshAfter = 1000

// refreshStats recomputes the index statistics of tables on MySQL/MariaDB (SQLite plans
// well without them); a failure only costs speed, so it is logged, not returned.
func (db *DB) refreshStats(ctx context.Context, tables ...string) {
	if db.Driver != DriverMySQL {
		return
	}
	rows, err := db.gorm.WithContext(ctx).Raw("ANALYZE TABLE " + strings.Join(tables, ", ")).Rows()
	if err != nil {
		slog.WarnContext(ctx, "analyze table", "tables", tables, "err", err)
		return
	}
	rows.Close()
}

type importPlan struct {
	s     *ImportService
	a     *domain.Actor
	scope domain.Scope
	opts  domain.ImportOptions
	res   *domain.ImportResult
	now   time.Time

	chains    map[string]int64 // code → id
	chainCode map[int64]string
	users     map[string]int64 // username → id
	userName  map[int64]string
	ents      map[string]*enterpriseRow // by name
	canon     map[string]string         // investor name in the file → the name it is known by
	entByCode map[string]*enterpriseRow
	existing  map[string]*existingProject // name \x00 investor → live project
	deleted   map[string]bool             // … → a soft-deleted project only

	newEnts  []string          // investor names to create, in first-seen order
	newCodes map[string]string // investor name → credit code for a new or code-less enterprise
	creates  []*importCreate
	updates  []*importUpdate
}

// existingProject is what an update compares: the columns an import can change.
type existingProject struct {
	ID, ZoneID, Version         int64
	Name, InvestorName          string
	Channel, AssetType, Stage   string
	Notes                       string
	ChainID                     *int64
	PlannedInvestment, LandArea int64
	OwnerID, CreatedByID        int64
	DockedAt, SignedAt          domain.Date
	DeletedAt                   *time.Time
}

const existingSelect = "p.id, p.zone_id, p.version, p.name, e.name AS investor_name, p.channel, p.asset_type, p.stage, " +
	"p.notes, p.chain_id, p.planned_investment, p.land_area, p.owner_id, p.created_by_id, p.docked_at, p.signed_at, p.deleted_at"

type importCreate struct {
	row      *projectRow
	investor string
}

type importUpdate struct {
	id, zoneID, version int64
	cols                map[string]any
	history             [][3]string // field, from, to
	clearNodes          bool
}

func (p *importPlan) fail(row int, field, msg string) {
	p.res.Errors = append(p.res.Errors, domain.ImportError{Row: row, Field: field, Message: msg})
}

func (p *importPlan) has(field string) bool { return p.opts.Columns == nil || p.opts.Columns[field] }

func key(name, investor string) string { return name + "\x00" + investor }

// resolve checks every row and plans the writes.
func (p *importPlan) resolve(ctx context.Context, rows []domain.ImportRow) error {
	zoneID := p.a.User.ZoneID
	if err := p.load(ctx, zoneID, rows); err != nil {
		return err
	}
	seen := map[string]int{}
	codeOwner := map[string]struct {
		name string
		row  int
	}{}
	investorCode := map[string]struct {
		code string
		row  int
	}{}
	for _, r := range rows {
		in := r.Input
		in.Normalize()
		if c, ok := p.canon[in.Investor]; ok {
			in.Investor = c // the same enterprise under another spelling
		}
		bad := false
		for field, why := range domain.ErrorFields(in.Validate()) {
			p.fail(r.Row, field, why)
			bad = true
		}
		if in.Stage == "" {
			in.Stage = domain.StageLead
		}
		if in.Name == "" || in.Investor == "" {
			continue
		}
		k := key(in.Name, in.Investor)
		if first, ok := seen[k]; ok {
			p.fail(r.Row, "name", fmt.Sprintf("与第 %d 行重复：项目名称和投资主体都相同 (duplicate of row %d)", first, first))
			continue
		}
		seen[k] = r.Row

		// the chain
		var chainID *int64
		if in.Chain != nil {
			id, ok := p.chains[*in.Chain]
			if !ok {
				p.fail(r.Row, "chain", "未知的产业链 (unknown chain)")
				bad = true
			} else {
				chainID = &id
			}
		}
		// the owner
		ownerID := p.a.User.ID
		if in.Owner != "" {
			id, ok := p.users[in.Owner]
			switch {
			case !ok:
				p.fail(r.Row, "owner", "没有这个用户 (unknown user)")
				bad = true
			case id != p.a.User.ID && !domain.CanAssignOwner(p.a):
				p.fail(r.Row, "owner", "无权将项目指派给他人 (you may not assign projects to others)")
				bad = true
			default:
				ownerID = id
			}
		}
		// the investor and its credit code
		if code := in.InvestorCreditCode; code != "" {
			ent := p.ents[in.Investor]
			if other, ok := p.entByCode[code]; ok && other.Name != in.Investor {
				p.fail(r.Row, "credit_code", fmt.Sprintf("该统一社会信用代码已属于另一家企业「%s」(credit code belongs to another enterprise)", other.Name))
				bad = true
			} else if ent != nil && ent.CreditCode != nil && *ent.CreditCode != code {
				p.fail(r.Row, "credit_code", "与已登记的企业信用代码不一致 (differs from the registered code)")
				bad = true
			} else if o, ok := codeOwner[code]; ok && o.name != in.Investor {
				p.fail(r.Row, "credit_code", fmt.Sprintf("与第 %d 行的投资主体「%s」信用代码相同 (same code as row %d's investor)", o.row, o.name, o.row))
				bad = true
			} else if c, ok := investorCode[in.Investor]; ok && c.code != code {
				p.fail(r.Row, "credit_code", fmt.Sprintf("同一投资主体在第 %d 行填写了不同的信用代码 (row %d gives this investor another code)", c.row, c.row))
				bad = true
			} else {
				codeOwner[code] = struct {
					name string
					row  int
				}{in.Investor, r.Row}
				investorCode[in.Investor] = struct {
					code string
					row  int
				}{code, r.Row}
			}
		}

		ex := p.existing[k]
		if ex == nil && p.deleted[k] {
			p.fail(r.Row, "name", "同名同投资主体的项目已被删除，请管理员恢复后再导入 (a deleted project has this name and investor; restore it first)")
			continue
		}
		if ex == nil {
			if in.Stage == domain.StageFollowUp && in.SignedAt.IsZero() {
				p.fail(r.Row, "signed_at", "跟踪服务阶段的项目须填写签约日期 (a follow-up project needs signed_at)")
				bad = true
			}
			if bad {
				continue
			}
			p.planCreate(in, zoneID, chainID, ownerID)
			continue
		}
		if bad {
			continue
		}
		p.planUpdate(r.Row, in, ex, chainID, ownerID)
	}
	return nil
}

// load reads, in batches, everything the rows refer to.
func (p *importPlan) load(ctx context.Context, zoneID int64, rows []domain.ImportRow) error {
	q := p.s.db.conn(ctx)
	var chains []chainRow
	if err := q.Where("zone_id = ?", zoneID).Find(&chains).Error; err != nil {
		return err
	}
	p.chains, p.chainCode = map[string]int64{}, map[int64]string{}
	for _, c := range chains {
		p.chains[c.Code], p.chainCode[c.ID] = c.ID, c.Code
	}
	var users []userRow
	if err := q.Select("id, username").Where("zone_id = ?", zoneID).Find(&users).Error; err != nil {
		return err
	}
	p.users, p.userName = map[string]int64{}, map[int64]string{}
	for _, u := range users {
		p.users[u.Username], p.userName[u.ID] = u.ID, u.Username
	}

	names, investors, codes := set(), set(), set()
	for _, r := range rows {
		in := r.Input
		in.Normalize()
		names.add(in.Name)
		investors.add(in.Investor)
		codes.add(in.InvestorCreditCode)
	}
	p.ents, p.entByCode = map[string]*enterpriseRow{}, map[string]*enterpriseRow{}
	err := inBatches(investors.list, func(batch []string) error {
		var es []enterpriseRow
		if err := q.Where("zone_id = ? AND name IN ?", zoneID, batch).Find(&es).Error; err != nil {
			return err
		}
		for i := range es {
			p.ents[es[i].Name] = &es[i]
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := p.canonicalInvestors(ctx, zoneID, investors.list); err != nil {
		return err
	}
	err = inBatches(codes.list, func(batch []string) error {
		var es []enterpriseRow
		if err := q.Where("zone_id = ? AND credit_code IN ?", zoneID, batch).Find(&es).Error; err != nil {
			return err
		}
		for i := range es {
			p.entByCode[*es[i].CreditCode] = &es[i]
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.existing, p.deleted = map[string]*existingProject{}, map[string]bool{}
	return inBatches(names.list, func(batch []string) error {
		var ps []existingProject
		err := q.Table("projects AS p").Select(existingSelect).
			Joins("JOIN enterprises e ON e.id = p.investor_id").Scopes(projectScope(p.scope)).
			Where("p.name IN ?", batch).Order("p.id").Scan(&ps).Error
		if err != nil {
			return err
		}
		for i := range ps {
			k := key(ps[i].Name, ps[i].InvestorName)
			if ps[i].DeletedAt != nil {
				p.deleted[k] = true
			} else if p.existing[k] == nil {
				p.existing[k] = &ps[i]
			}
		}
		return nil
	})
}

// canonicalInvestors decides the name each investor of the file is known by: an existing
// enterprise of that name (or the one a merged enterprise of that name went into), else one
// whose name is equal once normalised, else the first spelling of it in the file — so that
// 同光晶体（河北）有限公司 and 河北同光晶体有限公司 are one investor.
func (p *importPlan) canonicalInvestors(ctx context.Context, zoneID int64, names []string) error {
	q := p.s.db.conn(ctx)
	svc := &EnterpriseService{db: p.s.db}
	for name, e := range p.ents {
		if e.MergedIntoID != nil {
			id, err := svc.survivor(ctx, *e.MergedIntoID)
			if err != nil {
				return err
			}
			var rows []enterpriseRow
			if err := q.Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 1 {
				p.ents[name] = &rows[0]
			}
		}
	}
	normOf := map[string]string{}
	norms := set()
	for _, name := range names {
		if p.ents[name] == nil {
			normOf[name] = domain.NormalizeEnterpriseName(name)
			norms.add(normOf[name])
		}
	}
	byNorm := map[string]*enterpriseRow{}
	err := inBatches(norms.list, func(batch []string) error {
		var es []enterpriseRow
		if err := q.Where("zone_id = ? AND norm_name IN ? AND merged_into_id IS NULL", zoneID, batch).Order("id").Find(&es).Error; err != nil {
			return err
		}
		for i := range es {
			if byNorm[es[i].NormName] == nil {
				byNorm[es[i].NormName] = &es[i]
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.canon = map[string]string{}
	first := map[string]string{}
	for _, name := range names {
		e := p.ents[name]
		if e == nil {
			e = byNorm[normOf[name]]
		}
		if e != nil {
			p.canon[name] = e.Name
			p.ents[e.Name] = e
			continue
		}
		if f, ok := first[normOf[name]]; ok {
			p.canon[name] = f
		} else {
			first[normOf[name]] = name
		}
	}
	return nil
}

type stringSet struct {
	seen map[string]bool
	list []string
}

func set() *stringSet { return &stringSet{seen: map[string]bool{}} }

func (s *stringSet) add(v string) {
	if v != "" && !s.seen[v] {
		s.seen[v] = true
		s.list = append(s.list, v)
	}
}

func inBatches[T any](all []T, fn func([]T) error) error {
	for i := 0; i < len(all); i += importBatch {
		if err := fn(all[i:min(i+importBatch, len(all))]); err != nil {
			return err
		}
	}
	return nil
}

// noteInvestor records that the investor must exist (and carry the code) before writing.
func (p *importPlan) noteInvestor(name, code string) {
	if p.newCodes == nil {
		p.newCodes = map[string]string{}
	}
	ent := p.ents[name]
	if ent == nil {
		if _, planned := p.newCodes[name]; !planned {
			p.newEnts = append(p.newEnts, name)
			p.newCodes[name] = ""
		}
	}
	if code != "" && (ent == nil || ent.CreditCode == nil) {
		p.newCodes[name] = code
	}
}

func (p *importPlan) planCreate(in domain.ProjectInput, zoneID int64, chainID *int64, ownerID int64) {
	p.noteInvestor(in.Investor, in.InvestorCreditCode)
	row := &projectRow{
		ZoneID: zoneID, Name: in.Name, Channel: string(in.Channel), ChainID: chainID,
		AssetType: string(in.AssetType), PlannedInvestment: int64(in.PlannedInvestment), LandArea: int64(in.LandArea),
		Stage: string(in.Stage), StageEnteredAt: p.now, LastProgressAt: p.now, OwnerID: ownerID, CreatedByID: p.a.User.ID,
		DockedAt: in.DockedAt, SignedAt: in.SignedAt, Notes: in.Notes, Version: 1, CreatedAt: p.now, UpdatedAt: p.now,
	}
	if in.Stage == domain.StageDropped {
		row.PrevStage, row.DropReason = string(domain.StageLead), importDropReason
	}
	p.creates = append(p.creates, &importCreate{row: row, investor: in.Investor})
	p.res.Created++
}

const importDropReason = "导入文件标记为已终止 (dropped in an imported file)"

// planUpdate compares the row with the project it matches and keeps the real differences
// of the columns the file has, under UpdateProject's rules.
func (p *importPlan) planUpdate(rowNum int, in domain.ProjectInput, ex *existingProject, chainID *int64, ownerID int64) {
	r := ex
	proj := &domain.Project{ID: r.ID, OwnerID: r.OwnerID, CreatedByID: r.CreatedByID, ChainID: r.ChainID}
	if !domain.CanEditProject(p.a, proj) {
		p.fail(rowNum, "name", "该项目已存在，您无权修改 (the project exists and you may not edit it)")
		return
	}
	if in.InvestorCreditCode != "" {
		p.noteInvestor(in.Investor, in.InvestorCreditCode)
	}
	u := &importUpdate{id: r.ID, zoneID: r.ZoneID, version: r.Version, cols: map[string]any{}}
	change := func(field, col string, value any, from, to string) {
		u.cols[col] = value
		u.history = append(u.history, [3]string{field, from, to})
	}
	if p.has("channel") && string(in.Channel) != r.Channel {
		change("channel", "channel", string(in.Channel), r.Channel, string(in.Channel))
	}
	if p.has("chain") && !sameID(chainID, r.ChainID) {
		if !chainAllowed(p.a, chainID) {
			p.fail(rowNum, "chain", "无权将项目移到该产业链 (you may not use this chain)")
			return
		}
		change("chain", "chain_id", chainID, p.codeOf(r.ChainID), p.codeOf(chainID))
		u.clearNodes = true
	}
	if p.has("asset_type") && string(in.AssetType) != r.AssetType {
		change("asset_type", "asset_type", string(in.AssetType), r.AssetType, string(in.AssetType))
	}
	if p.has("planned_investment_wan") && int64(in.PlannedInvestment) != r.PlannedInvestment {
		change("planned_investment_wan", "planned_investment", int64(in.PlannedInvestment),
			domain.Money(r.PlannedInvestment).Wan(), in.PlannedInvestment.Wan())
	}
	if p.has("land_area_mu") && int64(in.LandArea) != r.LandArea {
		change("land_area_mu", "land_area", int64(in.LandArea), domain.Area(r.LandArea).Mu(), in.LandArea.Mu())
	}
	docked, signed := r.DockedAt, r.SignedAt
	if p.has("docked_at") && in.DockedAt != r.DockedAt {
		docked = in.DockedAt
		change("docked_at", "docked_at", in.DockedAt, r.DockedAt.String(), in.DockedAt.String())
	}
	// signed_at and the stage of an existing project change only through /transition
	// (issue 12): a file cannot sign a project without a decision.
	if p.has("signed_at") && in.SignedAt != r.SignedAt {
		p.fail(rowNum, "signed_at", fmt.Sprintf("已有项目的签约日期只能通过阶段流转修改（现为「%s」）(signed_at of an existing project changes only through /transition)", r.SignedAt.String()))
		return
	}
	if p.has("notes") && in.Notes != r.Notes {
		change("notes", "notes", in.Notes, r.Notes, in.Notes)
	}
	if p.has("owner") && in.Owner != "" && ownerID != r.OwnerID {
		if !domain.CanAssignOwner(p.a) {
			p.fail(rowNum, "owner", "无权更换项目负责人 (you may not change the owner)")
			return
		}
		change("owner", "owner_id", ownerID, p.userName[r.OwnerID], in.Owner)
	}
	stage := domain.Stage(r.Stage)
	if p.has("stage") && in.Stage != stage {
		// The ledger may move a project between the stages before signing; signing (and
		// undoing one) takes the decision and /transition (issue 12).
		if in.Stage == domain.StageFollowUp || stage == domain.StageFollowUp {
			p.fail(rowNum, "stage", fmt.Sprintf("导入不能签约或撤销签约（现为「%s」），请通过阶段流转办理 (an import cannot sign or unsign a project: use /transition)", stage.Label()))
			return
		}
		change("stage", "stage", string(in.Stage), r.Stage, string(in.Stage))
		u.cols["stage_entered_at"], u.cols["last_progress_at"] = p.now, p.now
		switch {
		case in.Stage == domain.StageDropped:
			u.cols["prev_stage"], u.cols["drop_reason"] = r.Stage, importDropReason
		case stage == domain.StageDropped:
			u.cols["prev_stage"] = ""
		}
		stage = in.Stage
	}
	if !signed.IsZero() && signed.Before(docked) {
		p.fail(rowNum, "signed_at", "签约日期不能早于对接日期 (before docked_at)")
		return
	}
	if stage == domain.StageFollowUp && signed.IsZero() {
		p.fail(rowNum, "signed_at", "跟踪服务阶段的项目须填写签约日期 (a follow-up project needs signed_at)")
		return
	}
	if len(u.cols) == 0 {
		p.res.Unchanged++
		return
	}
	u.cols["version"], u.cols["updated_at"] = r.Version+1, p.now
	p.updates = append(p.updates, u)
	p.res.Updated++
}

func sameID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func (p *importPlan) codeOf(id *int64) string {
	if id == nil {
		return ""
	}
	return p.chainCode[*id]
}

// write applies the plan: investors, new projects, changed projects, history.
func (p *importPlan) write(ctx context.Context) error {
	q := p.s.db.conn(ctx)
	zoneID := p.a.User.ZoneID
	dup := func(err error) error {
		return translate(err, "credit_code", "该统一社会信用代码已属于另一家企业 (credit code belongs to another enterprise)")
	}
	// new investors, then codes for known investors that had none
	if len(p.newEnts) > 0 {
		ids, err := p.bulk(ctx, q, "enterprises", []string{"zone_id", "name", "norm_name", "credit_code", "kind", "region", "industry",
			"notes", "sample", "version", "created_at", "updated_at"}, len(p.newEnts), func(i int, v []any) []any {
			name := p.newEnts[i]
			var code *string
			if c := p.newCodes[name]; c != "" {
				code = &c
			}
			return append(v, zoneID, name, domain.NormalizeEnterpriseName(name), code, string(domain.EnterpriseInvestor), "", "", "", false, 1, p.now, p.now)
		})
		if err != nil {
			return dup(err)
		}
		for i, id := range ids {
			p.ents[p.newEnts[i]] = &enterpriseRow{ID: id, Name: p.newEnts[i]}
		}
		if ids == nil { // read back by name
			err := inBatches(p.newEnts, func(batch []string) error {
				var es []enterpriseRow
				if err := q.Select("id, name").Where("zone_id = ? AND name IN ?", zoneID, batch).Find(&es).Error; err != nil {
					return err
				}
				for i := range es {
					p.ents[es[i].Name] = &es[i]
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		for _, name := range p.newEnts {
			p.ents[name].CreditCode = nil // created with its code, if any: nothing left to set
			delete(p.newCodes, name)
		}
	}
	for name, code := range p.newCodes {
		ent := p.ents[name]
		if code == "" || ent == nil || ent.CreditCode != nil {
			continue
		}
		if err := q.Model(&enterpriseRow{}).Where("id = ? AND credit_code IS NULL", ent.ID).
			Updates(map[string]any{"credit_code": code, "updated_at": p.now}).Error; err != nil {
			return dup(err)
		}
	}

	type line struct {
		projectID       int64
		field, from, to string
	}
	var history []line
	hist := func(projectID int64, field, from, to string) {
		history = append(history, line{projectID, field, from, to})
	}

	// new projects
	if len(p.creates) > 0 {
		var before int64
		if err := q.Model(&projectRow{}).Select("COALESCE(MAX(id), 0)").Scan(&before).Error; err != nil {
			return err
		}
		for _, c := range p.creates {
			c.row.InvestorID = p.ents[c.investor].ID
		}
		ids, err := p.bulk(ctx, q, "projects", []string{"zone_id", "name", "investor_id", "channel", "chain_id", "asset_type",
			"planned_investment", "land_area", "stage", "prev_stage", "stage_entered_at", "last_progress_at",
			"has_risk_assessment", "decision_outcome", "owner_id", "created_by_id", "docked_at", "signed_at", "agency",
			"industry", "notes", "drop_reason", "sample", "version", "created_at", "updated_at"}, len(p.creates), func(i int, v []any) []any {
			r := p.creates[i].row
			return append(v, r.ZoneID, r.Name, r.InvestorID, r.Channel, r.ChainID, r.AssetType, r.PlannedInvestment, r.LandArea,
				r.Stage, r.PrevStage, r.StageEnteredAt, r.LastProgressAt, false, "", r.OwnerID, r.CreatedByID, r.DockedAt,
				r.SignedAt, "", "", r.Notes, r.DropReason, false, r.Version, r.CreatedAt, r.UpdatedAt)
		})
		if err != nil {
			return err
		}
		for i, id := range ids {
			p.creates[i].row.ID = id
		}
		if ids == nil {
			if err := p.readBack(q, before); err != nil {
				return err
			}
		}
		for _, c := range p.creates {
			r := c.row
			if r.ID == 0 {
				return fmt.Errorf("import: created project %q not found again", r.Name)
			}
			hist(r.ID, "", "", r.Name)
			if r.Stage != string(domain.StageLead) {
				hist(r.ID, "stage", "", r.Stage)
			}
		}
	}

	// changed projects, each guarded by its version like UpdateProject
	var clear []int64
	for _, u := range p.updates {
		res := q.Model(&projectRow{}).Where("id = ? AND version = ?", u.id, u.version).Updates(u.cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(u.version)
		}
		for _, h := range u.history {
			hist(u.id, h[0], h[1], h[2])
		}
		if u.clearNodes {
			clear = append(clear, u.id)
		}
	}
	if err := p.clearNodes(q, clear, hist); err != nil {
		return err
	}
	if err := p.reindexNames(q); err != nil {
		return err
	}
	_, err := p.bulk(ctx, q, "project_history", []string{"zone_id", "project_id", "at", "actor_id", "actor", "action",
		"field", "from_value", "to_value"}, len(history), func(i int, v []any) []any {
		h := history[i]
		return append(v, zoneID, h.projectID, p.now, p.a.User.ID, p.a.User.Username, "imported", h.field, h.from, h.to)
	})
	return err
}

// reindexNames keeps the name grams (names.go) in step with the rows written above: the
// new investors and those that got a credit code, the new projects and the renamed ones.
func (p *importPlan) reindexNames(q *gorm.DB) error {
	var ents, projects []int64
	for _, name := range p.newEnts {
		if e := p.ents[name]; e != nil && e.ID != 0 {
			ents = append(ents, e.ID)
		}
	}
	for name := range p.newCodes {
		if e := p.ents[name]; e != nil && e.ID != 0 {
			ents = append(ents, e.ID)
		}
	}
	for _, c := range p.creates {
		projects = append(projects, c.row.ID)
	}
	for _, u := range p.updates {
		if _, ok := u.cols["name"]; ok {
			projects = append(projects, u.id)
		}
	}
	if err := reindexRows(q, nameKindEnterprise, dedupe(ents)); err != nil {
		return err
	}
	return reindexRows(q, nameKindProject, dedupe(projects))
}

// readBack finds the ids of the new projects: the zone's rows above the largest id before
// the insert, read in one primary-key range, matched by (name, investor) — no visible live
// project had that pair (else the row would have been an update), and a multi-row
// insert's ids need not be consecutive.
func (p *importPlan) readBack(q *gorm.DB, before int64) error {
	byKey := make(map[string]*projectRow, len(p.creates))
	for _, c := range p.creates {
		byKey[fmt.Sprint(c.row.Name, "\x00", c.row.InvestorID)] = c.row
	}
	rows, err := q.Model(&projectRow{}).Select("id, name, investor_id").
		Where("id > ? AND zone_id = ?", before, p.a.User.ZoneID).Order("id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, investor int64
		var name string
		if err := rows.Scan(&id, &name, &investor); err != nil {
			return err
		}
		if r, ok := byKey[fmt.Sprint(name, "\x00", investor)]; ok && r.ID == 0 {
			r.ID = id
		}
	}
	return rows.Err()
}

// bulk inserts n rows into table; row appends the i-th row's values, in the order of cols,
// to v. On SQLite it runs one prepared single-row INSERT per row — the pure-Go driver binds
// parameters in quadratic time, so short statements are fastest — and returns the ids in
// order. On MySQL it sends multi-row INSERTs of up to 1000 rows and returns nil: the caller
// reads the ids back. Values are made one statement at a time, so memory stays flat.
func (p *importPlan) bulk(ctx context.Context, q *gorm.DB, table string, cols []string, n int, row func(i int, v []any) []any) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	// these statements bypass GORM, whose callbacks note changes: note them here, so the
	// cached maps and list totals (changes.go, listcache.go) are dropped after the commit
	p.s.db.noteChange(ctx, "INSERT INTO "+table)
	pool := q.Statement.ConnPool
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	if p.s.db.Driver == DriverSQLite {
		stmt, err := pool.PrepareContext(ctx, head+one)
		if err != nil {
			return nil, err
		}
		defer stmt.Close()
		ids := make([]int64, n)
		v := make([]any, 0, len(cols))
		for i := range n {
			res, err := stmt.ExecContext(ctx, row(i, v[:0])...)
			if err != nil {
				return nil, err
			}
			if ids[i], err = res.LastInsertId(); err != nil {
				return nil, err
			}
		}
		return ids, nil
	}
	per := insertRows(len(cols))
	args := make([]any, 0, per*len(cols))
	for i := 0; i < n; i += per {
		k := min(per, n-i)
		args = args[:0]
		for j := range k {
			args = row(i+j, args)
		}
		if _, err := pool.ExecContext(ctx, head+strings.TrimSuffix(strings.Repeat(one+", ", k), ", "), args...); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// clearNodes drops the chain-node links of projects that moved to another chain, as
// UpdateProject does, recording the old links.
func (p *importPlan) clearNodes(q *gorm.DB, ids []int64, hist func(int64, string, string, string)) error {
	return inBatches(ids, func(batch []int64) error {
		var links []projectNodeRow
		if err := q.Where("project_id IN ?", batch).Order("project_id, node_id").Find(&links).Error; err != nil {
			return err
		}
		if len(links) == 0 {
			return nil
		}
		old := map[int64][]int64{}
		for _, l := range links {
			old[l.ProjectID] = append(old[l.ProjectID], l.NodeID)
		}
		for _, id := range batch {
			if len(old[id]) > 0 {
				hist(id, "chain_node_ids", idsString(old[id]), "")
			}
		}
		return q.Where("project_id IN ?", batch).Delete(&projectNodeRow{}).Error
	})
}

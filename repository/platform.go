package repository

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The provincial platform (issue 19): zones made on the command line with their
// administrator, province users granted zones (table zone_grants, schema 19), and the
// figures a province user compares across their zones.
//
// Province users live in the platform's own row of zones (kind "platform", code
// domain.PlatformZoneCode), made when the first of them is: their roles are casbin grouping
// rules in that domain like every other user's, their sessions the same sessions, and no
// zone's administrator lists, edits or resets them. Their scope in every zone route is
// empty (domain.ScopeOf knows no province role), so what they read comes only from the
// platform's routes, over the zones granted to them.

// CreateZone adds a development zone with its administrator "admin", whose password is
// password when given (it must pass the policy) or else generated; either way it must be
// changed at the first log-in, as the first-run administrator's (docs/security.md). The
// zone gets the chains of chains (templates, ResolveChainTemplates) with their node trees,
// in the same transaction as the zone. The caller adds the zone's default policy.
func (db *DB) CreateZone(ctx context.Context, in domain.ZoneInput, password string, roles RoleAssigner, chains ...ChainTemplate) (*FirstRun, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	for _, c := range chains {
		if !slices.Contains(DemoChains, c) {
			return nil, &domain.Error{Code: domain.EINVALID, Message: "没有这条产业链模板 (unknown chain): " + c.Code,
				Fields: map[string]string{"chains": "没有这条产业链模板：" + c.Code}}
		}
	}
	var n int64
	if err := db.gorm.WithContext(ctx).Model(&zoneRow{}).Where("code = ?", in.Code).Count(&n).Error; err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, &domain.Error{Code: domain.ECONFLICT, Message: "开发区代码已存在 (zone exists): " + in.Code,
			Fields: map[string]string{"code": "已被使用 (taken)"}}
	}
	run, err := db.createZone(ctx, in.Code, in.Name, in.TimeZone, password, roles, "admin password", chains)
	if err == nil {
		for _, c := range chains {
			run.Chains = append(run.Chains, c.Code)
		}
	}
	return run, err
}

// createZone writes a zone and its administrator; what names the password source in
// errors.
func (db *DB) createZone(ctx context.Context, code, name, timeZone, password string, roles RoleAssigner, what string, chains []ChainTemplate) (*FirstRun, error) {
	run := &FirstRun{Admin: FirstAdminUsername, Password: password}
	if password == "" {
		run.Password, run.Generated = GeneratePassword(16), true
	} else if msg := CheckPasswordPolicy(password, domain.PasswordContext{Username: FirstAdminUsername, ZoneCode: code, ZoneName: name}); msg != "" {
		return nil, &domain.Error{Code: domain.EINVALID, Message: what + ": " + msg, Fields: map[string]string{"password": msg}}
	}
	hash, err := db.hashPassword(run.Password)
	if err != nil {
		return nil, err
	}
	zone := &zoneRow{Code: code, Name: name, TimeZone: timeZone, CreatedAt: db.now(), Kind: ZoneKindZone}
	err = db.WithTx(ctx, func(ctx context.Context) error {
		q := db.conn(ctx)
		if err := q.Create(zone).Error; err != nil {
			return err
		}
		u := &userRow{ZoneID: zone.ID, Username: FirstAdminUsername, DisplayName: "系统管理员", Email: "admin@localhost",
			PasswordHash: hash, MustChangePassword: true, CreatedAt: db.now(), UpdatedAt: db.now()}
		if err := q.Create(u).Error; err != nil {
			return err
		}
		if err := db.audit(ctx, domain.AuditEntry{ZoneID: zone.ID, Action: domain.AuditUserCreate, Object: userObject(u.ID),
			Detail: auditDetail(map[string]any{"username": FirstAdminUsername, "first_run": true, "generated_password": run.Generated})}); err != nil {
			return err
		}
		if len(chains) == 0 {
			return nil
		}
		if _, _, err := db.createChains(ctx, zone.ID, chains, TemplateNodes()); err != nil {
			return err
		}
		codes := make([]string, len(chains))
		for i, c := range chains {
			codes[i] = c.Code
		}
		return db.audit(ctx, domain.AuditEntry{ZoneID: zone.ID, Action: AuditChainsFromTemplate, Object: "zone:" + code,
			Detail: auditDetail(map[string]any{"chains": codes})})
	})
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", code, err)
	}
	if _, err := roles.AddRoleForUserInDomain(FirstAdminUsername, string(domain.RoleAdmin), code); err != nil {
		return nil, fmt.Errorf("zone %s: administrator role: %w", code, err)
	}
	run.Zone = &domain.Zone{ID: zone.ID, Code: zone.Code, Name: zone.Name, TimeZone: zone.TimeZone}
	return run, nil
}

// PlatformZone returns the platform's row of zones (province users), creating it when
// create says so; nil when there is none.
func (db *DB) PlatformZone(ctx context.Context, create bool) (*domain.Zone, error) {
	var rows []zoneRow
	q := db.gorm.WithContext(ctx)
	if err := q.Where("code = ? AND kind = ?", domain.PlatformZoneCode, ZoneKindPlatform).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		if !create {
			return nil, nil
		}
		r := zoneRow{Code: domain.PlatformZoneCode, Name: "省市级平台", TimeZone: db.Opts.Location.String(), CreatedAt: db.now(), Kind: ZoneKindPlatform}
		if r.TimeZone == "" || r.TimeZone == "UTC" || r.TimeZone == "Local" {
			r.TimeZone = "Asia/Shanghai"
		}
		if err := q.Create(&r).Error; err != nil {
			return nil, fmt.Errorf("platform zone: %w", err)
		}
		rows = append(rows, r)
	}
	r := rows[0]
	return &domain.Zone{ID: r.ID, Code: r.Code, Name: r.Name, TimeZone: r.TimeZone}, nil
}

// CreateProvinceUser adds a province user granted the zones in.Zones (codes of
// development zones), or a platform administrator (in.Role, no zones). The password must pass the policy. A name that a user of the default
// zone (defaultZone) holds is refused: a log-in without a zone would find that user first.
// The caller adds the platform's default policy.
func (db *DB) CreateProvinceUser(ctx context.Context, in domain.ProvinceUserInput, defaultZone string, roles RoleAssigner) (*domain.User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	fe := domain.FieldErrors{}
	q := db.gorm.WithContext(ctx)
	var zones []zoneRow
	if len(in.Zones) > 0 {
		if err := q.Where("code IN ? AND kind = ?", in.Zones, ZoneKindZone).Find(&zones).Error; err != nil {
			return nil, err
		}
	}
	for _, code := range in.Zones {
		if !slices.ContainsFunc(zones, func(z zoneRow) bool { return z.Code == code }) {
			fe.Add("zones", "没有这个开发区："+code+" (unknown zone)")
		}
	}
	if msg := CheckPasswordPolicy(in.Password, domain.PasswordContext{Username: in.Username, DisplayName: in.DisplayName,
		ZoneCode: domain.PlatformZoneCode, ZoneName: "省市级平台"}); msg != "" {
		fe.Add("password", msg)
	}
	if defaultZone != "" {
		var n int64
		if err := q.Table("users AS u").Joins("JOIN zones z ON z.id = u.zone_id").
			Where("z.code = ? AND u.username = ?", defaultZone, in.Username).Count(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			fe.Add("username", "默认开发区 "+defaultZone+" 已有同名用户，不带开发区登录时会先找到他，请换一个用户名 (taken in the default zone)")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	pz, err := db.PlatformZone(ctx, true)
	if err != nil {
		return nil, err
	}
	var taken int64
	if err := q.Model(&userRow{}).Where("zone_id = ? AND username = ?", pz.ID, in.Username).Count(&taken).Error; err != nil {
		return nil, err
	}
	if taken > 0 {
		return nil, &domain.Error{Code: domain.ECONFLICT, Message: "该省市级用户已存在 (user exists): " + in.Username,
			Fields: map[string]string{"username": "已被使用 (taken)"}}
	}
	hash, err := db.hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &userRow{ZoneID: pz.ID, Username: in.Username, DisplayName: in.DisplayName, Email: in.Email,
		PasswordHash: hash, CreatedAt: db.now(), UpdatedAt: db.now()}
	err = db.WithTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		if err := c.Create(u).Error; err != nil {
			return err
		}
		codes := make([]string, 0, len(zones))
		for _, z := range zones {
			if err := c.Create(&zoneGrantRow{UserID: u.ID, ZoneID: z.ID, GrantedBy: "system", CreatedAt: db.now()}).Error; err != nil {
				return err
			}
			codes = append(codes, z.Code)
		}
		slices.Sort(codes)
		if err := db.audit(ctx, domain.AuditEntry{ZoneID: pz.ID, Action: domain.AuditUserCreate, Object: userObject(u.ID),
			Detail: auditDetail(map[string]any{"username": u.Username, "role": in.Role, "zones": codes})}); err != nil {
			return err
		}
		for _, z := range zones { // each zone's own log says who may now read it
			if err := db.audit(ctx, domain.AuditEntry{ZoneID: z.ID, Action: AuditZoneGranted, Object: "zone:" + z.Code,
				Detail: auditDetail(map[string]any{"username": u.Username, "role": domain.RoleProvince})}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("province user %s: %w", in.Username, err)
	}
	if _, err := roles.AddRoleForUserInDomain(in.Username, string(in.Role), domain.PlatformZoneCode); err != nil {
		return nil, fmt.Errorf("province user %s: role: %w", in.Username, err)
	}
	return NewUserService(db).FindUserByID(ctx, u.ID)
}

// AuditChainsFromTemplate is written to a new zone's log when it is made with chains from
// a template.
const AuditChainsFromTemplate = "chains_created"

// AuditZoneGranted is written to a zone's audit log when a province user is granted it.
const AuditZoneGranted = "zone_granted"

// zoneGrantRow is one zone a province user reads (schema 19).
type zoneGrantRow struct {
	UserID    int64
	ZoneID    int64
	GrantedBy string
	CreatedAt time.Time
}

func (zoneGrantRow) TableName() string { return "zone_grants" }

// PlatformService implements domain.PlatformService.
type PlatformService struct{ db *DB }

// NewPlatformService returns the platform's figures on db.
func NewPlatformService(db *DB) *PlatformService { return &PlatformService{db: db} }

var _ domain.PlatformService = (*PlatformService)(nil)

// grantedZones are the zones the caller reads: a province user's grants, nothing for anyone
// else (fails closed).
func (s *PlatformService) grantedZones(ctx context.Context) ([]zoneRow, error) {
	a := domain.ActorFrom(ctx)
	if a == nil || a.User == nil || a.User.Disabled || !slices.Contains(a.User.Roles, domain.RoleProvince) {
		return nil, nil
	}
	var rows []zoneRow
	err := s.db.conn(ctx).Table("zone_grants AS g").Select("z.*").Joins("JOIN zones z ON z.id = g.zone_id").
		Where("g.user_id = ? AND z.kind = ?", a.User.ID, ZoneKindZone).Order("z.code").Scan(&rows).Error
	return rows, err
}

// GrantedZones lists the caller's zones by code.
func (s *PlatformService) GrantedZones(ctx context.Context) ([]*domain.Zone, error) {
	rows, err := s.grantedZones(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Zone, 0, len(rows))
	for _, r := range rows {
		out = append(out, &domain.Zone{ID: r.ID, Code: r.Code, Name: r.Name, TimeZone: r.TimeZone})
	}
	return out, nil
}

// LoginZone resolves a log-in that names no zone.
func (s *PlatformService) LoginZone(ctx context.Context, defaultZone, username string) (string, error) {
	var rows []struct{ Code string }
	err := s.db.gorm.WithContext(ctx).Table("users AS u").Select("z.code").Joins("JOIN zones z ON z.id = u.zone_id").
		Where("u.username = ? AND (z.code = ? OR (z.code = ? AND z.kind = ?))", username, defaultZone, domain.PlatformZoneCode, ZoneKindPlatform).
		Scan(&rows).Error
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if r.Code == defaultZone {
			return defaultZone, nil
		}
	}
	if len(rows) > 0 {
		return domain.PlatformZoneCode, nil
	}
	return defaultZone, nil
}

// figureKey is a zone's chain (0: no chain).
type figureKey struct{ zone, chain int64 }

// platformFigures are the year's counts of a set of zones by zone and chain.
type platformFigures struct {
	docked map[figureKey]map[[2]string]int // (channel, stage) → n
	signed map[figureKey]*domain.PlatformSigned
}

// figureGrouping says what the figures are broken down by besides the zone: the chain
// (Chains) and the dockings' channel and stage (Overview). Each page groups by what it
// shows only: at 100 zones the overview's dockings are 2 380 groups, not the 7 354 of
// zone × chain × channel × stage, and the chains' 400 (docs/scale.md).
type figureGrouping struct{ chain, channelStage bool }

// figures counts the year's dockings and signings of the zones in three grouped queries,
// with the rules of StatsService.Overview (docked in the year by docked_at; signed in the
// year at the planned investment as it stood at year end, plus the year's net increases on
// earlier signings), so that each zone's line equals its own dashboard.
//
// The figures are kept like the zone's own dashboard (StatsService.Overview): for the change
// stamp — any committed write to projects, their history, enterprises, chains, campaigns or
// investments, on any replica, drops them — and a window of overviewFresh (cachedWindow), per set of zones,
// grouping and year; province users who read the same zones share them. The answer is
// read-only to the callers.
func (s *PlatformService) figures(ctx context.Context, zoneIDs []int64, y yearSpan, by figureGrouping) (*platformFigures, error) {
	key := fmt.Sprintf("platform %v %d %d %d %v", by, y.year, y.from.Unix(), y.to.Unix(), zoneIDs)
	return cachedWindow(ctx, s.db, key, overviewFresh, func(ctx context.Context) (*platformFigures, error) { return s.loadFigures(ctx, zoneIDs, y, by) })
}

// loadFigures computes figures from the database.
func (s *PlatformService) loadFigures(ctx context.Context, zoneIDs []int64, y yearSpan, by figureGrouping) (*platformFigures, error) {
	f := &platformFigures{docked: map[figureKey]map[[2]string]int{}, signed: map[figureKey]*domain.PlatformSigned{}}
	if len(zoneIDs) == 0 {
		return f, nil
	}
	q := s.db.conn(ctx)
	var docked []struct {
		ZoneID         int64
		ChainID        *int64
		Channel, Stage string
		N              int
	}
	group := "p.zone_id"
	if by.chain {
		group += ", p.chain_id"
	}
	dockedGroup := group
	if by.channelStage {
		dockedGroup += ", p.channel, p.stage"
	}
	err := q.Table("projects AS p").Select(dockedGroup+", COUNT(*) AS n").
		Where("p.zone_id IN ? AND p.deleted_at IS NULL AND p.docked_at >= ? AND p.docked_at <= ?", zoneIDs, y.first, y.last).
		Group(dockedGroup).Scan(&docked).Error
	if err != nil {
		return nil, err
	}
	for _, d := range docked {
		k := figureKey{d.ZoneID, deref(d.ChainID)}
		if f.docked[k] == nil {
			f.docked[k] = map[[2]string]int{}
		}
		f.docked[k][[2]string{d.Channel, d.Stage}] += d.N
	}
	sig := func(k figureKey) *domain.PlatformSigned {
		if f.signed[k] == nil {
			f.signed[k] = &domain.PlatformSigned{}
		}
		return f.signed[k]
	}
	var signed []struct {
		ZoneID  int64
		ChainID *int64
		N       int
		Amount  int64
	}
	err = q.Table("projects AS p").Select(group+", COUNT(*) AS n, COALESCE(SUM(p.planned_investment), 0) AS amount").
		Where("p.zone_id IN ? AND p.deleted_at IS NULL AND p.signed_at >= ? AND p.signed_at <= ?", zoneIDs, y.first, y.last).
		Group(group).Scan(&signed).Error
	if err != nil {
		return nil, err
	}
	for _, g := range signed {
		sf := sig(figureKey{g.ZoneID, deref(g.ChainID)})
		sf.Count += g.N
		sf.PlannedInvestment += domain.Money(g.Amount)
	}
	// the year's changes of planned investment on projects signed by its end (few rows)
	var changes []struct {
		ProjectID          int64
		ZoneID             int64
		ChainID            *int64
		At                 time.Time
		FromValue, ToValue string
		SignedAt           domain.Date
	}
	err = q.Table("project_history AS h").Joins("CROSS JOIN projects p ON p.id = h.project_id").
		Select("h.project_id, p.zone_id, p.chain_id, h.at, h.from_value, h.to_value, p.signed_at").
		Where("h.zone_id IN ? AND p.zone_id = h.zone_id AND p.deleted_at IS NULL AND h.field = ? AND h.at >= ? AND p.signed_at IS NOT NULL AND p.signed_at <= ?",
			zoneIDs, "planned_investment_wan", y.from, y.last).
		Order("h.project_id, h.at, h.id").Scan(&changes).Error
	if err != nil {
		return nil, err
	}
	increase := map[int64]domain.Money{}
	keyOf := map[int64]figureKey{}
	for _, c := range changes {
		from, err1 := domain.ParseWan(c.FromValue)
		to, err2 := domain.ParseWan(c.ToValue)
		if err1 != nil || err2 != nil {
			continue
		}
		k := figureKey{zone: c.ZoneID}
		if by.chain {
			k.chain = deref(c.ChainID)
		}
		switch delta := to - from; {
		case !c.SignedAt.Before(y.first) && !c.At.Before(y.to):
			sig(k).PlannedInvestment -= delta // signed this year, changed after it
		case c.SignedAt.Before(y.first) && c.At.Before(y.to):
			increase[c.ProjectID] += delta
			keyOf[c.ProjectID] = k
		}
	}
	for id, d := range increase {
		if d > 0 { // only a net increase counts
			sig(keyOf[id]).Increase += d
		}
	}
	for _, sf := range f.signed {
		sf.Total = sf.PlannedInvestment + sf.Increase
	}
	return f, nil
}

func addSigned(to *domain.PlatformSigned, from domain.PlatformSigned) {
	to.Count += from.Count
	to.PlannedInvestment += from.PlannedInvestment
	to.Increase += from.Increase
	to.Total += from.Total
}

func zeroCounts[T ~string](keys []T) map[string]int {
	m := make(map[string]int, len(keys))
	for _, k := range keys {
		m[string(k)] = 0
	}
	return m
}

// Overview compares the caller's zones' figures of year.
func (s *PlatformService) Overview(ctx context.Context, year int) (*domain.PlatformOverview, error) {
	if err := checkYear(year); err != nil {
		return nil, err
	}
	zones, err := s.grantedZones(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(zones))
	for i, z := range zones {
		ids[i] = z.ID
	}
	f, err := s.figures(ctx, ids, s.db.span(year), figureGrouping{channelStage: true})
	if err != nil {
		return nil, err
	}
	out := &domain.PlatformOverview{Year: year, Zones: make([]domain.PlatformZone, 0, len(zones)),
		Total: domain.PlatformTotal{Zones: len(zones), ByChannel: zeroCounts(domain.Channels), ByStage: zeroCounts(domain.Stages)}}
	byZone := map[int64]*domain.PlatformZone{}
	for _, z := range zones {
		out.Zones = append(out.Zones, domain.PlatformZone{Code: z.Code, Name: z.Name,
			ByChannel: zeroCounts(domain.Channels), ByStage: zeroCounts(domain.Stages)})
	}
	for i, z := range zones {
		byZone[z.ID] = &out.Zones[i]
	}
	for k, counts := range f.docked {
		pz := byZone[k.zone]
		for cs, n := range counts {
			pz.DockedTotal += n
			pz.ByChannel[cs[0]] += n
			pz.ByStage[cs[1]] += n
			out.Total.DockedTotal += n
			out.Total.ByChannel[cs[0]] += n
			out.Total.ByStage[cs[1]] += n
		}
	}
	for k, sf := range f.signed {
		addSigned(&byZone[k.zone].Signed, *sf)
		addSigned(&out.Total.Signed, *sf)
	}
	return out, nil
}

// Chains compares the chains of one code across the caller's zones: each zone's chain with
// its nodes, the year's dockings (as the zone's dashboard counts them by chain) and
// signings. Chains are ordered by how many zones have them, then by code.
func (s *PlatformService) Chains(ctx context.Context, year int) (*domain.PlatformChains, error) {
	if err := checkYear(year); err != nil {
		return nil, err
	}
	zones, err := s.grantedZones(ctx)
	if err != nil {
		return nil, err
	}
	out := &domain.PlatformChains{Year: year, Chains: []domain.PlatformChain{}}
	if len(zones) == 0 {
		return out, nil
	}
	ids := make([]int64, len(zones))
	zoneByID := map[int64]zoneRow{}
	for i, z := range zones {
		ids[i] = z.ID
		zoneByID[z.ID] = z
	}
	var chains []struct {
		ID, ZoneID int64
		Code, Name string
		SortOrder  int
		Nodes      int
	}
	err = s.db.conn(ctx).Table("chains AS c").
		Select("c.id, c.zone_id, c.code, c.name, c.sort_order, (SELECT COUNT(*) FROM chain_nodes n WHERE n.chain_id = c.id) AS nodes").
		Where("c.zone_id IN ?", ids).Scan(&chains).Error
	if err != nil {
		return nil, err
	}
	f, err := s.figures(ctx, ids, s.db.span(year), figureGrouping{chain: true})
	if err != nil {
		return nil, err
	}
	byCode := map[string]*domain.PlatformChain{}
	names := map[string]map[string]int{}
	var codes []string
	for _, c := range chains {
		pc := byCode[c.Code]
		if pc == nil {
			pc = &domain.PlatformChain{Code: c.Code, Zones: []domain.PlatformChainZone{}}
			byCode[c.Code] = pc
			names[c.Code] = map[string]int{}
			codes = append(codes, c.Code)
		}
		names[c.Code][c.Name]++
		z := zoneByID[c.ZoneID]
		cz := domain.PlatformChainZone{Code: z.Code, Name: z.Name, ChainName: c.Name, NodeCount: c.Nodes}
		k := figureKey{c.ZoneID, c.ID}
		for _, n := range f.docked[k] {
			cz.DockedTotal += n
		}
		if sf := f.signed[k]; sf != nil {
			cz.Signed = *sf
		}
		pc.DockedTotal += cz.DockedTotal
		addSigned(&pc.Signed, cz.Signed)
		pc.Zones = append(pc.Zones, cz)
	}
	for _, code := range codes {
		pc := byCode[code]
		best := 0
		for name, n := range names[code] {
			if n > best || (n == best && name < pc.Name) {
				pc.Name, best = name, n
			}
		}
		slices.SortFunc(pc.Zones, func(a, b domain.PlatformChainZone) int { return strings.Compare(a.Code, b.Code) })
		out.Chains = append(out.Chains, *pc)
	}
	slices.SortFunc(out.Chains, func(a, b domain.PlatformChain) int {
		return cmp.Or(cmp.Compare(len(b.Zones), len(a.Zones)), strings.Compare(a.Code, b.Code))
	})
	return out, nil
}

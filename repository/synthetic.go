package repository

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// SyntheticSpec sizes a province-scale data set for benchmarks: Zones zones sharing
// Projects projects and Activities activities between them.
type SyntheticSpec struct {
	Zones, Projects, Activities int
	Password                    string
	Seed                        uint64 // same seed, same data
}

// SyntheticZoneCode names the i-th synthetic zone (1-based).
func SyntheticZoneCode(i int) string { return fmt.Sprintf("syn%03d", i) }

// SeedSynthetic fills the database with realistic synthetic zones: the demo chains and
// users in each, enterprises, projects spread over channels, chains, stages and six years,
// and activities. It writes in batches of 1000 rows and reports progress through report.
// Zones that exist already are left alone, so a re-run adds nothing twice.
func (db *DB) SeedSynthetic(ctx context.Context, spec SyntheticSpec, nodes map[string][]DemoNodeSpec, roles RoleAssigner, report func(string)) error {
	if spec.Zones < 1 || spec.Projects < 0 || spec.Activities < 0 {
		return fmt.Errorf("synthetic: zones must be ≥ 1, projects and activities ≥ 0")
	}
	if spec.Password == "" {
		spec.Password = "Demo@2023"
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(spec.Password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 2023))
	start := time.Now()
	for z := 1; z <= spec.Zones; z++ {
		code := SyntheticZoneCode(z)
		var n int64
		if err := db.gorm.WithContext(ctx).Model(&zoneRow{}).Where("code = ?", code).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			report(fmt.Sprintf("开发区 %s 已存在，跳过 (zone exists, skipped)", code))
			continue
		}
		projects := spec.Projects / spec.Zones
		activities := spec.Activities / spec.Zones
		if z == spec.Zones {
			projects += spec.Projects % spec.Zones
			activities += spec.Activities % spec.Zones
		}
		err := db.WithTx(ctx, func(ctx context.Context) error {
			return db.syntheticZone(ctx, z, projects, activities, string(hash), nodes, rng)
		})
		if err != nil {
			return fmt.Errorf("synthetic zone %s: %w", code, err)
		}
		for _, u := range DemoUsers {
			for _, r := range u.Roles {
				if _, err := roles.AddRoleForUserInDomain(u.Username, string(r), code); err != nil {
					return err
				}
			}
		}
		report(fmt.Sprintf("[%d/%d] 开发区 %s：项目 %d 个，走访记录 %d 条，用时 %s", z, spec.Zones, code, projects, activities, time.Since(start).Round(time.Second)))
	}
	return nil
}

func (db *DB) syntheticZone(ctx context.Context, z, projects, activities int, hash string, nodeSpecs map[string][]DemoNodeSpec, rng *rand.Rand) error {
	g := db.conn(ctx)
	now := db.now()
	zone := &zoneRow{Code: SyntheticZoneCode(z), Name: fmt.Sprintf("合成开发区%03d（基准测试数据）", z), TimeZone: "Asia/Shanghai", CreatedAt: now}
	if err := g.Create(zone).Error; err != nil {
		return err
	}
	var userIDs []int64
	users := map[string]int64{}
	for _, u := range DemoUsers {
		row := &userRow{ZoneID: zone.ID, Username: u.Username, DisplayName: u.DisplayName, Email: fmt.Sprintf("%s.%s@synthetic.example.cn", u.Username, zone.Code),
			Agency: u.Agency, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := g.Create(row).Error; err != nil {
			return err
		}
		users[u.Username] = row.ID
		userIDs = append(userIDs, row.ID)
	}
	chainIDs := map[string]int64{}
	var nodeIDs = map[string][]int64{}
	for i, c := range []struct{ Code, Name string }{{"food", "现代食品"}, {"mining", "矿业"}, {"semiconductor", "第三代半导体"}} {
		row := &chainRow{ZoneID: zone.ID, Code: c.Code, Name: c.Name, SortOrder: i + 1, CreatedAt: now}
		if err := g.Create(row).Error; err != nil {
			return err
		}
		chainIDs[c.Code] = row.ID
		keys := map[string]int64{}
		for j, n := range nodeSpecs[c.Code] {
			nr := &chainNodeRow{ZoneID: zone.ID, ChainID: row.ID, Name: n.Name, Segment: n.Segment, SortOrder: j + 1, CreatedAt: now}
			if p, ok := keys[n.Parent]; ok {
				nr.ParentID = &p
			}
			if err := g.Create(nr).Error; err != nil {
				return err
			}
			keys[n.Key] = nr.ID
			nodeIDs[c.Code] = append(nodeIDs[c.Code], nr.ID)
		}
	}
	for _, u := range DemoUsers {
		for _, c := range u.Chains {
			if err := g.Create(&chainChiefRow{UserID: users[u.Username], ChainID: chainIDs[c]}).Error; err != nil {
				return err
			}
		}
	}
	// enterprises: one investor per two projects, at least 50
	nEnt := max(50, projects/2)
	ents := make([]enterpriseRow, 0, 1000)
	var entIDs []int64
	flushEnts := func() error {
		if len(ents) == 0 {
			return nil
		}
		if err := g.CreateInBatches(&ents, db.batchRows(19)).Error; err != nil {
			return err
		}
		for _, e := range ents {
			entIDs = append(entIDs, e.ID)
		}
		ents = ents[:0]
		return nil
	}
	kinds := []string{"investor", "investor", "investor", "target", "local", "referrer"}
	for i := 0; i < nEnt; i++ {
		name := fmt.Sprintf("合成企业%06d有限公司", i+1)
		ents = append(ents, enterpriseRow{ZoneID: zone.ID, Name: name, NormName: domain.NormalizeEnterpriseName(name), Kind: kinds[i%len(kinds)],
			Sample: true, Version: 1, CreatedAt: now, UpdatedAt: now})
		if len(ents) == 1000 {
			if err := flushEnts(); err != nil {
				return err
			}
		}
	}
	if err := flushEnts(); err != nil {
		return err
	}
	channels := []string{"entrusted", "business_referral", "self_sourced", "resource_plus"}
	stages := []string{"lead", "lead", "lead", "identification", "identification", "risk", "decision", "follow_up", "dropped"}
	chains := []string{"food", "mining", "semiconductor", ""}
	owners := []int64{users["recruiter1"], users["recruiter2"], users["director"]}
	base := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]projectRow, 0, 1000)
	links := make([]projectNodeRow, 0, 1000)
	batchChains := make([]string, 0, 1000) // the chain code of each row in batch
	var projectIDs []int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := g.CreateInBatches(&batch, db.batchRows(36)).Error; err != nil {
			return err
		}
		for i := range batch {
			projectIDs = append(projectIDs, batch[i].ID)
			if ids := nodeIDs[batchChains[i]]; len(ids) > 0 {
				links = append(links, projectNodeRow{ProjectID: batch[i].ID, NodeID: ids[int(batch[i].ID)%len(ids)]})
			}
		}
		if len(links) > 0 {
			if err := g.CreateInBatches(&links, db.batchRows(2)).Error; err != nil {
				return err
			}
		}
		batch, links, batchChains = batch[:0], links[:0], batchChains[:0]
		return nil
	}
	for i := 0; i < projects; i++ {
		docked := base.AddDate(0, 0, rng.IntN(6*365))
		stage := stages[rng.IntN(len(stages))]
		ci := rng.IntN(len(chains))
		entered := docked.AddDate(0, 0, rng.IntN(120))
		p := projectRow{ZoneID: zone.ID, Name: fmt.Sprintf("合成项目%06d", i+1), InvestorID: entIDs[rng.IntN(len(entIDs))],
			Channel: channels[rng.IntN(4)], AssetType: []string{"heavy", "light"}[rng.IntN(2)],
			PlannedInvestment: int64(rng.IntN(200000)+500) * 10000, LandArea: int64(rng.IntN(300)) * 100,
			Stage: stage, StageEnteredAt: entered, LastProgressAt: entered, OwnerID: owners[rng.IntN(len(owners))],
			CreatedByID: users["recruiter1"], DockedAt: domain.DateOf(docked, time.UTC), Sample: true,
			Version: 1, CreatedAt: now, UpdatedAt: now}
		if chains[ci] != "" {
			id := chainIDs[chains[ci]]
			p.ChainID = &id
		}
		switch stage {
		case "decision":
			p.HasRiskAssessment = true
		case "follow_up":
			p.HasRiskAssessment, p.DecisionOutcome = true, "approved"
			p.SignedAt = domain.DateOf(entered.AddDate(0, 0, 30), time.UTC)
		case "dropped":
			p.PrevStage, p.DropReason = "lead", "合成数据"
		}
		if p.Channel == "entrusted" && i%3 == 0 {
			p.CreatedByID = users["agent1"]
		}
		batch = append(batch, p)
		batchChains = append(batchChains, chains[ci])
		if len(batch) == 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if len(projectIDs) == 0 {
		return nil
	}
	acts := make([]activityRow, 0, 1000)
	kindsA := []string{"visit", "reception", "meeting", "call", "service"}
	for i := 0; i < activities; i++ {
		d := base.AddDate(0, 0, rng.IntN(6*365))
		a := activityRow{ZoneID: zone.ID, ProjectID: projectIDs[rng.IntN(len(projectIDs))], Kind: kindsA[rng.IntN(5)],
			OccurredAt: domain.DateOf(d, time.UTC), Place: "北京", Summary: "合成走访记录", AuthorID: userIDs[5+rng.IntN(2)],
			CreatedAt: now, UpdatedAt: now}
		if i%7 == 0 {
			a.NextDue = domain.DateOf(d.AddDate(0, 0, 14), time.UTC)
		}
		acts = append(acts, a)
		if len(acts) == 1000 {
			if err := g.CreateInBatches(&acts, db.batchRows(15)).Error; err != nil {
				return err
			}
			acts = acts[:0]
		}
	}
	if len(acts) > 0 {
		return g.CreateInBatches(&acts, db.batchRows(15)).Error
	}
	return nil
}

// batchRows is how many rows of cols columns one INSERT carries. The SQLite driver accepts
// far more bound variables, but binds them in time quadratic in their number, so SQLite gets
// statements of at most 999 variables.
func (db *DB) batchRows(cols int) int {
	if db.Driver == DriverSQLite {
		return max(1, 999/cols)
	}
	return 1000
}

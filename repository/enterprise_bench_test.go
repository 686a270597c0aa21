package repository_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// The enterprise page of a big investor: 200 projects and 2 000 visits (each naming one of
// its 10 contacts), in a zone of 5 000 other projects with 20 000 activities, read as the
// director (every project) and as a chain chief (the food chain's share), JSON included:
//
//	go test -run '^$' -bench EnterprisePage -benchtime 50x ./repository/
//
// page = GET /enterprises/{id} (profile, contacts with their last meeting, projects,
// links, referrals, the newest 20 timeline lines); timeline_p10 = GET …/timeline?page=10.
func BenchmarkEnterprisePage(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 5 000 projects; skipped under -short")
	}
	for _, driver := range dbtest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			db := dbtest.Migrated(b, driver, repository.Options{})
			ctx := context.Background()
			spec := repository.SyntheticSpec{Zones: 1, Projects: 5000, Activities: 20000, Password: "Bench@2023", Seed: 11}
			if err := db.SeedSynthetic(ctx, spec, nil, noRoles{}, func(string) {}); err != nil {
				b.Fatal(err)
			}
			as := func(username string, roles ...domain.Role) context.Context {
				users := repository.NewUserService(db)
				z, err := users.FindZoneByCode(ctx, repository.SyntheticZoneCode(1))
				if err != nil {
					b.Fatal(err)
				}
				u, err := users.FindUserByUsername(ctx, z.ID, username)
				if err != nil {
					b.Fatal(err)
				}
				u.Roles = roles
				if username == "chief_food" {
					var chain int64
					db.Gorm().Table("chains").Where("zone_id = ? AND code = 'food'", z.ID).Pluck("id", &chain)
					u.ChainIDs = []int64{chain}
				}
				return domain.WithActor(ctx, &domain.Actor{User: u, Zone: z})
			}
			director := as("director", domain.RoleDirector)
			chief := as("chief_food", domain.RoleChainChief)
			ents, contacts := repository.NewEnterpriseService(db), repository.NewContactService(db)
			projects, acts := repository.NewProjectService(db), repository.NewActivityService(db)
			const investor = "河北大型投资集团有限公司"
			chains := []string{"food", "mining", "semiconductor", ""}
			var pids []int64
			for i := range 200 {
				in := domain.ProjectInput{Name: fmt.Sprintf("大型投资集团第%03d号项目", i+1), Investor: investor,
					Channel: domain.ChannelSelfSourced, AssetType: domain.AssetHeavy, PlannedInvestment: 10000_0000,
					DockedAt: domain.MustDate("2022-03-01").AddDays(i)}
				if c := chains[i%4]; c != "" {
					in.Chain = &c
				}
				p, err := projects.CreateProject(director, in)
				if err != nil {
					b.Fatal(err)
				}
				pids = append(pids, p.ID)
			}
			entID := func() int64 {
				list, _, err := ents.FindEnterprises(director, domain.EnterpriseFilter{Q: ptr(investor)})
				if err != nil || len(list) != 1 {
					b.Fatalf("investor: %v %v", list, err)
				}
				return list[0].ID
			}()
			var cids []int64
			for i := range 10 {
				c, err := contacts.CreateContact(director, entID, domain.ContactInput{Name: fmt.Sprintf("联系人%02d", i), Mobile: fmt.Sprintf("139%08d", i)})
				if err != nil {
					b.Fatal(err)
				}
				cids = append(cids, c.ID)
			}
			for i := range 2000 {
				in := domain.ActivityInput{Kind: domain.ActivityVisit, OccurredAt: domain.MustDate("2022-04-01").AddDays(i % 300),
					Summary: fmt.Sprintf("第%d次走访：洽谈项目选址与投资强度", i+1), ContactIDs: []int64{cids[i%10]}}
				if _, err := acts.CreateActivity(director, pids[i%200], in); err != nil {
					b.Fatal(err)
				}
			}
			check := func(p *domain.EnterpriseDetail, err error, projects int) {
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Projects) != projects || len(p.Contacts) != 10 || len(p.Timeline.Items) != 20 {
					b.Fatalf("page: %d projects, %d contacts, %d lines", len(p.Projects), len(p.Contacts), len(p.Timeline.Items))
				}
				if _, err := json.Marshal(p); err != nil {
					b.Fatal(err)
				}
			}
			for _, c := range []struct {
				name string
				fn   func()
			}{
				{"page_director", func() { p, err := ents.EnterprisePage(director, entID, domain.Page{}); check(p, err, 200) }},
				{"page_chief", func() { p, err := ents.EnterprisePage(chief, entID, domain.Page{}); check(p, err, 50) }},
				{"timeline_p10", func() {
					tl, err := ents.Timeline(director, entID, domain.Page{Page: 10, PageSize: 20})
					if err != nil || len(tl.Items) != 20 || tl.Total < 2200 {
						b.Fatalf("timeline: %v %v", tl, err)
					}
				}},
			} {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					start := benchCPU()
					for b.Loop() {
						c.fn()
					}
					reportBenchCPU(b, start)
				})
			}
		})
	}
}

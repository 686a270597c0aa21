package repository_test

import (
	"context"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// The pipeline views on a zone of 20 000 projects (the synthetic seed: every channel,
// chain and stage over six years), as the director and as a chain chief sees them:
//
//	go test -run '^$' -bench Pipeline -benchtime 20x ./repository/
//
// board = GET /projects/board (six columns of 50, full counts), board_chain the same
// filtered to one chain, review_queue = GET /review-queue, investments = GET
// /investments/summary?year=.
func BenchmarkPipeline(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 20 000 projects; skipped under -short")
	}
	const projects = 20000
	for _, driver := range dbtest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			db := dbtest.Migrated(b, driver, repository.Options{})
			ctx := context.Background()
			spec := repository.SyntheticSpec{Zones: 1, Projects: projects, Activities: 0, Password: "Bench@2023", Seed: 7}
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
				return domain.WithActor(ctx, &domain.Actor{User: u, Zone: z})
			}
			director := as("director", domain.RoleDirector)
			chief := as("chief_food", domain.RoleChainChief)
			wf, inv := repository.NewWorkflowService(db), repository.NewInvestmentService(db)
			food := "food"
			board := func(ctx context.Context, f domain.ProjectFilter) {
				bd, err := wf.Board(ctx, f, domain.DefaultBoardItems)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for _, c := range bd.Columns {
					n += c.Count
				}
				if f.Chain == nil && ctx == director && n != projects {
					b.Fatalf("board counts %d projects, want %d", n, projects)
				}
			}
			cases := []struct {
				name string
				fn   func()
			}{
				{"board", func() { board(director, domain.ProjectFilter{}) }},
				{"board_chain", func() { board(director, domain.ProjectFilter{Chain: &food}) }},
				{"board_chief", func() { board(chief, domain.ProjectFilter{}) }},
				{"review_queue", func() {
					if _, _, err := wf.ReviewQueue(director, domain.Page{}); err != nil {
						b.Fatal(err)
					}
				}},
				{"review_queue_chief", func() {
					if _, _, err := wf.ReviewQueue(chief, domain.Page{}); err != nil {
						b.Fatal(err)
					}
				}},
				{"investments", func() {
					if _, err := inv.InvestmentSummary(director, 2022); err != nil {
						b.Fatal(err)
					}
				}},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						c.fn()
					}
				})
			}
		})
	}
}

package repository_test

import (
	"context"

	"fmt"
	"golang.org/x/crypto/bcrypt"
	"strings"
	"sync"
	"testing"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

type noRoles struct{}

func demoNodes() map[string][]repository.DemoNodeSpec {
	out := map[string][]repository.DemoNodeSpec{}
	for code, ns := range chainmap.DemoNodes {
		for _, n := range ns {
			out[code] = append(out[code], repository.DemoNodeSpec{Key: n.Key, Name: n.Name, Segment: n.Segment, Parent: n.Parent})
		}
	}
	return out
}

func (noRoles) AddRoleForUserInDomain(user, role, domain string) (bool, error) { return true, nil }

// seeded opens a migrated database with the demo zone (without casbin: roles are given to
// the actors directly here).
func seeded(t *testing.T, driver string) *repository.DB {
	t.Helper()
	db := dbtest.Migrated(t, driver, repository.Options{PasswordCost: bcrypt.MinCost})
	if err := db.SeedDemo(context.Background(), demoNodes(), "Demo@2023", noRoles{}); err != nil {
		t.Fatal(err)
	}
	return db
}

func actor(t *testing.T, db *repository.DB, username string, roles ...domain.Role) context.Context {
	t.Helper()
	users := repository.NewUserService(db)
	z, err := users.FindZoneByCode(context.Background(), repository.DemoZoneCode)
	if err != nil {
		t.Fatal(err)
	}
	u, err := users.FindUserByUsername(context.Background(), z.ID, username)
	if err != nil {
		t.Fatal(err)
	}
	u.Roles = roles
	return domain.WithActor(context.Background(), &domain.Actor{User: u, Zone: z})
}

func eachDB(t *testing.T, fn func(t *testing.T, db *repository.DB)) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, seeded(t, d))
		})
	}
}

func input(name string) domain.ProjectInput {
	food := "food"
	return domain.ProjectInput{Name: name, Investor: "并发测试投资有限公司", Channel: domain.ChannelSelfSourced, Chain: &food,
		AssetType: domain.AssetHeavy, PlannedInvestment: 1234500, DockedAt: domain.MustDate("2023-02-01")}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		ctx := actor(t, db, "admin", domain.RoleAdmin)
		ps := repository.NewProjectService(db)
		_, before, err := ps.FindProjects(ctx, domain.ProjectFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SeedDemo(context.Background(), nil, "x", noRoles{}); err != nil {
			t.Fatal(err)
		}
		_, after, _ := ps.FindProjects(ctx, domain.ProjectFilter{})
		if before != after || before != 91 {
			t.Errorf("projects %d then %d, want 91 both times (87 of 2022 + 3 under construction + the 2023 sample on the duplicate enterprise)", before, after)
		}
	})
}

func TestMoneyAndDatesRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		ctx := actor(t, db, "recruiter1", domain.RoleRecruiter)
		ps := repository.NewProjectService(db)
		in := input("精确金额项目")
		in.PlannedInvestment, _ = domain.ParseWan("0.0001")
		in.LandArea, _ = domain.ParseMu("12.75")
		in.Name = "中文名称 with emoji 🏭 和 utf8mb4"
		p, err := ps.CreateProject(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ps.FindProjectByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PlannedInvestment != 1 || got.PlannedInvestment.Wan() != "0.0001" || got.LandArea.Mu() != "12.75" ||
			got.DockedAt.String() != "2023-02-01" || got.Name != in.Name || !got.SignedAt.IsZero() {
			t.Errorf("round trip: %+v", got)
		}
		// date range filters compare days on both databases
		from, to := domain.MustDate("2023-02-01"), domain.MustDate("2023-02-01")
		_, n, err := ps.FindProjects(ctx, domain.ProjectFilter{DockedFrom: &from, DockedTo: &to})
		if err != nil || n != 1 {
			t.Errorf("docked on the day: %d %v", n, err)
		}
	})
}

// Many goroutines create projects and log activities at once: none may fail with
// "database is locked" and none may be lost.
func TestConcurrentWriters(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		ctx := actor(t, db, "recruiter1", domain.RoleRecruiter)
		ps, as := repository.NewProjectService(db), repository.NewActivityService(db)
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each*2)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					p, err := ps.CreateProject(ctx, input(fmt.Sprintf("并发项目 %d-%d", w, i)))
					if err != nil {
						errs <- err
						continue
					}
					_, err = as.CreateActivity(ctx, p.ID, domain.ActivityInput{Kind: domain.ActivityCall, OccurredAt: domain.MustDate("2023-02-02"), Summary: "电话沟通"})
					if err != nil {
						errs <- err
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent write: %v", err)
			if strings.Contains(err.Error(), "locked") {
				t.Fatal("database is locked")
			}
		}
		q := "并发项目"
		_, n, err := ps.FindProjects(ctx, domain.ProjectFilter{Q: &q})
		if err != nil || n != writers*each {
			t.Errorf("projects written: %d (%v), want %d", n, err, writers*each)
		}
	})
}

func TestFailedCommandWritesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		ctx := actor(t, db, "recruiter1", domain.RoleRecruiter)
		ps := repository.NewProjectService(db)
		in := input("带未知负责人的项目")
		in.Investor = "一家全新的投资公司"
		in.Owner = "nobody"
		if _, err := ps.CreateProject(ctx, in); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("unknown owner: %v", err)
		}
		es := repository.NewEnterpriseService(db)
		q := "一家全新的投资公司"
		if _, n, _ := es.FindEnterprises(ctx, domain.EnterpriseFilter{Q: &q}); n != 0 {
			t.Errorf("the investor was created although the command failed")
		}
	})
}

func TestScopeFailsClosed(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		ps := repository.NewProjectService(db)
		for name, ctx := range map[string]context.Context{
			"no actor":                 context.Background(),
			"no role":                  actor(t, db, "viewer"),
			"chief without a chain":    actor(t, db, "recruiter1", domain.RoleChainChief),
			"agent who submitted none": actor(t, db, "viewer", domain.RoleAgent),
		} {
			items, n, err := ps.FindProjects(ctx, domain.ProjectFilter{})
			if err != nil || n != 0 || len(items) != 0 {
				t.Errorf("%s: sees %d projects (%v)", name, n, err)
			}
		}
	})
}

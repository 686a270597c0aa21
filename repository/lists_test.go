package repository_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// Issue 13: the list reads at scale. A synthetic zone of 2 300 projects (so that deep pages
// start from anchors), on both databases.

const listsN = 2300

func syntheticActor(t *testing.T, db *repository.DB, username string, roles ...domain.Role) context.Context {
	t.Helper()
	users := repository.NewUserService(db)
	z, err := users.FindZoneByCode(context.Background(), repository.SyntheticZoneCode(1))
	if err != nil {
		t.Fatal(err)
	}
	u, err := users.FindUserByUsername(context.Background(), z.ID, username)
	if err != nil {
		t.Fatal(err)
	}
	u.Roles = roles
	if slices.Contains(roles, domain.RoleChainChief) {
		var ids []int64
		db.Gorm().Table("chains").Where("zone_id = ? AND code = ?", z.ID, "food").Pluck("id", &ids)
		u.ChainIDs = ids
	}
	return domain.WithActor(context.Background(), &domain.Actor{User: u, Zone: z})
}

func syntheticDB(t *testing.T, driver string) *repository.DB {
	t.Helper()
	db := dbtest.Migrated(t, driver, repository.Options{PasswordCost: bcrypt.MinCost})
	err := db.SeedSynthetic(context.Background(), repository.SyntheticSpec{Zones: 1, Projects: listsN, Seed: 13}, demoNodes(), noRoles{}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// allPages reads a list page by page and checks the order, the totals and that no row
// repeats.
func allPages(t *testing.T, ps *repository.ProjectService, ctx context.Context, f domain.ProjectFilter) []*domain.Project {
	t.Helper()
	var out []*domain.Project
	want := -1
	for page := 1; ; page++ {
		f.Page = domain.Page{Page: page, PageSize: 200}
		items, total, err := ps.FindProjects(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if want >= 0 && total != want {
			t.Fatalf("page %d: total %d, page 1 said %d", page, total, want)
		}
		want = total
		if len(items) == 0 {
			break
		}
		out = append(out, items...)
	}
	if len(out) != want {
		t.Fatalf("%d rows over the pages, total %d", len(out), want)
	}
	seen := map[int64]bool{}
	for i, p := range out {
		if seen[p.ID] {
			t.Fatalf("project %d twice", p.ID)
		}
		seen[p.ID] = true
		if i > 0 {
			prev := out[i-1]
			if prev.DockedAt.Before(p.DockedAt) || (prev.DockedAt == p.DockedAt && prev.ID < p.ID) {
				t.Fatalf("rows %d and %d out of order: %v/%d then %v/%d", i-1, i, prev.DockedAt, prev.ID, p.DockedAt, p.ID)
			}
		}
	}
	return out
}

func TestListsDeepPagesAndTotals(t *testing.T) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			db := syntheticDB(t, d)
			ps := repository.NewProjectService(db)
			admin := syntheticActor(t, db, "admin", domain.RoleAdmin)
			all := allPages(t, ps, admin, domain.ProjectFilter{})
			if len(all) != listsN {
				t.Fatalf("%d projects listed, want %d", len(all), listsN)
			}
			// a filtered list pages the same way, and equals the filter applied by hand
			lead := domain.StageLead
			leads := allPages(t, ps, admin, domain.ProjectFilter{Stage: &lead})
			var want []int64
			for _, p := range all {
				if p.Stage == lead {
					want = append(want, p.ID)
				}
			}
			var got []int64
			for _, p := range leads {
				got = append(got, p.ID)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("stage=lead: %d rows, by hand %d", len(got), len(want))
			}
			// a page from an anchor is the same page as read by offset
			for _, page := range []int{6, 11, 23, 115} {
				items, _, err := ps.FindProjects(admin, domain.ProjectFilter{Page: domain.Page{Page: page, PageSize: 20}})
				if err != nil {
					t.Fatal(err)
				}
				for i, p := range items {
					if p.ID != all[(page-1)*20+i].ID {
						t.Fatalf("page %d row %d: %d, want %d", page, i, p.ID, all[(page-1)*20+i].ID)
					}
				}
			}
			// a write is seen at once by the totals and the deep pages (the cache is dropped)
			victim := all[1500]
			if err := ps.DeleteProject(admin, victim.ID); err != nil {
				t.Fatal(err)
			}
			items, total, err := ps.FindProjects(admin, domain.ProjectFilter{Page: domain.Page{Page: 76, PageSize: 20}})
			if err != nil {
				t.Fatal(err)
			}
			if total != listsN-1 || items[0].ID != all[1501].ID {
				t.Fatalf("after a delete: total %d, page 76 starts with %d; want %d, %d", total, items[0].ID, listsN-1, all[1501].ID)
			}
			// a chain chief's scope
			chief := syntheticActor(t, db, "chief_food", domain.RoleChainChief)
			mine := allPages(t, ps, chief, domain.ProjectFilter{})
			if len(mine) == 0 || len(mine) == len(all) {
				t.Fatalf("chief sees %d of %d", len(mine), len(all))
			}
			for _, p := range mine {
				if p.Chain == nil || *p.Chain != "food" {
					t.Fatalf("chief sees %d of chain %v", p.ID, p.Chain)
				}
			}
		})
	}
}

// search lists every project matching q (one page of up to 200 is enough here).
func search(t *testing.T, ps *repository.ProjectService, ctx context.Context, q string) map[int64]string {
	t.Helper()
	items, total, err := ps.FindProjects(ctx, domain.ProjectFilter{Q: &q, Page: domain.Page{Page: 1, PageSize: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(items) && len(items) < 200 {
		t.Fatalf("q=%s: total %d, %d rows", q, total, len(items))
	}
	out := map[int64]string{}
	for _, p := range items {
		out[p.ID] = p.Name
	}
	return out
}

func TestListsSearchKeepsNamesInStep(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		ps := repository.NewProjectService(db)
		es := repository.NewEnterpriseService(db)
		admin := actor(t, db, "admin", domain.RoleAdmin)
		// every match of the bigram search is a match of the plain substring test, and back
		var all []*domain.Project
		if err := ps.EachProject(admin, domain.ProjectFilter{}, func(p *domain.Project) error { all = append(all, p); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"项目", "科技", "光", "有限公司", "扩产", "碳化硅", "Z", "无此名称", "%", "_"} {
			got := search(t, ps, admin, q)
			n := 0
			for _, p := range all {
				if strings.Contains(strings.ToLower(p.Name), strings.ToLower(q)) || strings.Contains(strings.ToLower(p.Investor), strings.ToLower(q)) {
					n++
					if _, ok := got[p.ID]; !ok {
						t.Errorf("q=%s: %s (%s) not found", q, p.Name, p.Investor)
					}
				}
			}
			if n != len(got) {
				t.Errorf("q=%s: %d found, %d match", q, len(got), n)
			}
		}

		// a new project is found at once; renamed, by its new name and not the old
		in := input("甲乙丙丁戊己项目")
		in.Investor = "子丑寅卯辰巳投资有限公司"
		p, err := ps.CreateProject(admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := search(t, ps, admin, "丙丁戊"); got[p.ID] == "" {
			t.Fatalf("new project not found: %v", got)
		}
		if got := search(t, ps, admin, "寅卯"); got[p.ID] == "" {
			t.Fatalf("new project not found by its new investor: %v", got)
		}
		name := "庚辛壬癸项目"
		p, err = ps.UpdateProject(admin, p.ID, domain.ProjectUpdate{Version: p.Version, Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		if got := search(t, ps, admin, "辛壬"); got[p.ID] == "" {
			t.Errorf("renamed project not found by its new name: %v", got)
		}
		if got := search(t, ps, admin, "丙丁戊"); len(got) != 0 {
			t.Errorf("renamed project found by its old name: %v", got)
		}
		// the investor renamed: its projects are found by the new name, not the old
		e, err := es.FindEnterpriseByID(admin, p.InvestorID)
		if err != nil {
			t.Fatal(err)
		}
		ename := "午未申酉投资有限公司"
		e, err = es.UpdateEnterprise(admin, e.ID, domain.EnterpriseUpdate{Version: e.Version, Name: &ename})
		if err != nil {
			t.Fatal(err)
		}
		if got := search(t, ps, admin, "申酉"); got[p.ID] == "" {
			t.Errorf("project not found by its investor's new name: %v", got)
		}
		if got := search(t, ps, admin, "寅卯"); len(got) != 0 {
			t.Errorf("project found by its investor's old name: %v", got)
		}
		// the enterprise list too
		eq := "申酉"
		ents, total, err := es.FindEnterprises(admin, domain.EnterpriseFilter{Q: &eq, Page: domain.Page{Page: 1, PageSize: 20}})
		if err != nil || total != 1 || len(ents) != 1 || ents[0].ID != e.ID {
			t.Fatalf("enterprise search: %v %d %v", ents, total, err)
		}
		eq = "寅卯"
		if _, total, _ := es.FindEnterprises(admin, domain.EnterpriseFilter{Q: &eq, Page: domain.Page{Page: 1, PageSize: 20}}); total != 0 {
			t.Errorf("enterprise found by its old name: %d", total)
		}
		// a project created with a new investor through findOrCreateEnterprise: both names
		in = input("星辰大海项目")
		in.Investor = "星河灿烂科技有限公司"
		p2, err := ps.CreateProject(admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := search(t, ps, admin, "灿烂"); got[p2.ID] == "" {
			t.Errorf("project not found by the name of an investor made with it: %v", got)
		}
		// merged into another: the retired one's projects are found by the survivor's name
		r, err := es.Merge(admin, p2.InvestorID, e.ID)
		if err != nil || r == nil {
			t.Fatalf("merge: %v", err)
		}
		if got := search(t, ps, admin, "申酉"); got[p2.ID] == "" || got[p.ID] == "" {
			t.Errorf("after the merge, the survivor's name finds %v", got)
		}
		if got := search(t, ps, admin, "灿烂"); len(got) != 0 {
			t.Errorf("after the merge, the retired name finds %v", got)
		}
	})
}

// The list reads use the list indexes, in list order (no sort step), on both databases.
func TestListsPlans(t *testing.T) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			db := syntheticDB(t, d)
			g := db.Gorm()
			var zone int64
			g.Table("zones").Where("code = ?", repository.SyntheticZoneCode(1)).Pluck("id", &zone)
			if d == repository.DriverMySQL {
				g.Exec("ANALYZE TABLE projects, name_grams")
			} else {
				g.Exec("ANALYZE")
			}
			for _, c := range []struct{ where, index string }{
				{"", "ix_projects_list"},
				{"AND p.stage = 'risk'", "ix_projects_list_stage"},
				{"AND p.channel = 'entrusted'", "ix_projects_list_channel"},
				{"AND p.chain_id = 1", "ix_projects_list_chain"},
			} {
				q := fmt.Sprintf("SELECT p.id FROM projects AS p WHERE p.zone_id = %d AND p.deleted_at IS NULL %s ORDER BY p.docked_at DESC, p.id DESC LIMIT 20 OFFSET 40", zone, c.where)
				plan := explain(t, g, d, q)
				if !strings.Contains(plan, c.index) || strings.Contains(strings.ToLower(plan), "filesort") || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("%s\nplan: %s\nwant an ordered read of %s", q, plan, c.index)
				}
			}
			// a gram look-up reads the primary key's range
			plan := explain(t, g, d, fmt.Sprintf("SELECT ref_id FROM name_grams WHERE zone_id = %d AND kind = 1 AND gram = 'ab'", zone))
			if !strings.Contains(plan, "PRIMARY") && !strings.Contains(plan, "sqlite_autoindex_name_grams") {
				t.Errorf("gram look-up plan: %s", plan)
			}
		})
	}
}

func explain(t *testing.T, g *gorm.DB, driver, q string) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if driver == repository.DriverMySQL {
		prefix = "EXPLAIN "
	}
	rows, err := g.Raw(prefix + q).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			out = append(out, fmt.Sprintf("%s=%v", cols[i], v))
		}
	}
	return strings.Join(out, " ")
}

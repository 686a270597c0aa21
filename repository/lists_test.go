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
				g.Exec("ANALYZE TABLE projects, enterprises, name_grams")
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
			// the orders of ?sort= (migration 24), both directions: the sort index, no sort step
			for _, c := range []struct{ order, index string }{
				{"p.planned_investment DESC, p.id DESC", "ix_projects_sort_invest"},
				{"p.planned_investment ASC, p.id ASC", "ix_projects_sort_invest"},
				{"p.stage_entered_at ASC, p.id ASC", "ix_projects_sort_stage_entered"},
				{"p.stage_entered_at DESC, p.id DESC", "ix_projects_sort_stage_entered"},
				{"p.name ASC, p.id ASC", "ix_projects_sort_name"},
				{"p.name DESC, p.id DESC", "ix_projects_sort_name"},
				{"p.docked_at ASC, p.id ASC", "ix_projects_list"},
			} {
				q := fmt.Sprintf("SELECT p.id FROM projects AS p WHERE p.zone_id = %d AND p.deleted_at IS NULL ORDER BY %s LIMIT 20 OFFSET 40", zone, c.order)
				plan := explain(t, g, d, q)
				if !strings.Contains(plan, c.index) || strings.Contains(strings.ToLower(plan), "filesort") || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("%s\nplan: %s\nwant an ordered read of %s", q, plan, c.index)
				}
			}
			// a recruiter's leads: both equalities on one index, in docking order
			var owner int64
			g.Table("projects").Where("zone_id = ? AND stage = 'lead'", zone).Group("owner_id").Order("COUNT(*) DESC").Limit(1).Pluck("owner_id", &owner)
			q := fmt.Sprintf("SELECT p.id FROM projects AS p WHERE p.zone_id = %d AND p.deleted_at IS NULL AND p.owner_id = %d AND p.stage = 'lead' ORDER BY p.docked_at DESC, p.id DESC LIMIT 20", zone, owner)
			if plan := explain(t, g, d, q); !strings.Contains(plan, "ix_projects_list_owner_stage") || strings.Contains(strings.ToLower(plan), "filesort") || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("%s\nplan: %s\nwant an ordered read of ix_projects_list_owner_stage", q, plan)
			}
			// the enterprise list: live enterprises in id order, from the index alone
			q = fmt.Sprintf("SELECT enterprises.id FROM enterprises WHERE zone_id = %d AND enterprises.zone_id = %d AND enterprises.merged_into_id IS NULL ORDER BY enterprises.id LIMIT 20 OFFSET 40", zone, zone)
			if plan := explain(t, g, d, q); !strings.Contains(plan, "ix_enterprises_list_live") || strings.Contains(strings.ToLower(plan), "filesort") || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("%s\nplan: %s\nwant an ordered read of ix_enterprises_list_live", q, plan)
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

// byOffset is the plain offset read a list must equal: the ids of the live projects of
// zone that match extra, in order, read with LIMIT/OFFSET straight from projects.
func byOffset(t *testing.T, g *gorm.DB, zone int64, extra, order string, offset, limit int) []int64 {
	t.Helper()
	var ids []int64
	q := fmt.Sprintf("SELECT p.id FROM projects AS p WHERE p.zone_id = %d AND p.deleted_at IS NULL %s ORDER BY %s LIMIT %d OFFSET %d",
		zone, extra, order, limit, offset)
	if err := g.Raw(q).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

func idsOf(ps []*domain.Project) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// Issue 13, sorting by column: every order, filtered or not, paged shallow or deep (from
// the anchors) or sliced from a list read whole, equals the plain offset query in that
// order; an unknown order is refused naming the field.
func TestListsSortedPages(t *testing.T) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			db := syntheticDB(t, d)
			g := db.Gorm()
			ps := repository.NewProjectService(db)
			admin := syntheticActor(t, db, "admin", domain.RoleAdmin)
			var zone int64
			g.Table("zones").Where("code = ?", repository.SyntheticZoneCode(1)).Pluck("id", &zone)
			var food int64
			g.Table("chains").Where("zone_id = ? AND code = ?", zone, "food").Pluck("id", &food)
			orders := map[domain.ProjectSort]string{
				"":                               "p.docked_at DESC, p.id DESC",
				domain.SortDockedAt:              "p.docked_at ASC, p.id ASC",
				domain.SortDockedAtDesc:          "p.docked_at DESC, p.id DESC",
				domain.SortPlannedInvestment:     "p.planned_investment ASC, p.id ASC",
				domain.SortPlannedInvestmentDesc: "p.planned_investment DESC, p.id DESC",
				domain.SortDaysInStage:           "p.stage_entered_at DESC, p.id DESC",
				domain.SortDaysInStageDesc:       "p.stage_entered_at ASC, p.id ASC",
				domain.SortName:                  "p.name ASC, p.id ASC",
				domain.SortNameDesc:              "p.name DESC, p.id DESC",
			}
			lead := domain.StageLead
			foodCode := "food"
			for sort, order := range orders {
				// the whole zone: shallow pages, then deep ones read from the anchors
				for _, page := range []int{1, 2, 6, 11, 23, 51, 115} {
					items, total, err := ps.FindProjects(admin, domain.ProjectFilter{Sort: sort, Page: domain.Page{Page: page, PageSize: 20}})
					if err != nil {
						t.Fatal(err)
					}
					want := byOffset(t, g, zone, "", order, (page-1)*20, 20)
					if total != listsN || !slices.Equal(idsOf(items), want) {
						t.Fatalf("sort=%q page %d: %v (total %d), offset read %v", sort, page, idsOf(items), total, want)
					}
				}
				// filtered (a list read whole, in the database's order)
				for _, c := range []struct {
					f     domain.ProjectFilter
					extra string
				}{
					{domain.ProjectFilter{Stage: &lead}, "AND p.stage = 'lead'"},
					{domain.ProjectFilter{Chain: &foodCode}, fmt.Sprintf("AND p.chain_id = %d", food)},
				} {
					f := c.f
					f.Sort = sort
					for _, page := range []int{1, 3} {
						f.Page = domain.Page{Page: page, PageSize: 50}
						items, _, err := ps.FindProjects(admin, f)
						if err != nil {
							t.Fatal(err)
						}
						if want := byOffset(t, g, zone, c.extra, order, (page-1)*50, 50); !slices.Equal(idsOf(items), want) {
							t.Fatalf("sort=%q %s page %d: %v, offset read %v", sort, c.extra, page, idsOf(items), want)
						}
					}
				}
			}
			// a chain chief's scope, sorted by name
			chief := syntheticActor(t, db, "chief_food", domain.RoleChainChief)
			items, _, err := ps.FindProjects(chief, domain.ProjectFilter{Sort: domain.SortName, Page: domain.Page{Page: 2, PageSize: 30}})
			if err != nil {
				t.Fatal(err)
			}
			if want := byOffset(t, g, zone, fmt.Sprintf("AND p.chain_id = %d", food), "p.name ASC, p.id ASC", 30, 30); !slices.Equal(idsOf(items), want) {
				t.Fatalf("chief sort=name page 2: %v, offset read %v", idsOf(items), want)
			}
			// a write moves a row in every order at once (the cached keys and anchors go)
			first, _, err := ps.FindProjects(admin, domain.ProjectFilter{Sort: domain.SortPlannedInvestmentDesc, Page: domain.Page{Page: 1, PageSize: 1}})
			if err != nil {
				t.Fatal(err)
			}
			last := byOffset(t, g, zone, "", "p.planned_investment ASC, p.id ASC", 0, 1)[0]
			p, err := ps.FindProjectByID(admin, last)
			if err != nil {
				t.Fatal(err)
			}
			more := first[0].PlannedInvestment + 10000
			if _, err := ps.UpdateProject(admin, last, domain.ProjectUpdate{Version: p.Version, PlannedInvestment: &more}); err != nil {
				t.Fatal(err)
			}
			top, _, err := ps.FindProjects(admin, domain.ProjectFilter{Sort: domain.SortPlannedInvestmentDesc, Page: domain.Page{Page: 1, PageSize: 1}})
			if err != nil || len(top) != 1 || top[0].ID != last {
				t.Fatalf("after raising %d's investment the top is %v (%v)", last, idsOf(top), err)
			}
			deep, _, err := ps.FindProjects(admin, domain.ProjectFilter{Sort: domain.SortPlannedInvestment, Page: domain.Page{Page: 60, PageSize: 20}})
			if err != nil {
				t.Fatal(err)
			}
			if want := byOffset(t, g, zone, "", "p.planned_investment ASC, p.id ASC", 59*20, 20); !slices.Equal(idsOf(deep), want) {
				t.Fatalf("after a write, page 60 by investment: %v, offset read %v", idsOf(deep), want)
			}
			// an unknown order is a field error on sort
			_, _, err = ps.FindProjects(admin, domain.ProjectFilter{Sort: "planned"})
			if f := domain.ErrorFields(err); f["sort"] == "" {
				t.Fatalf("sort=planned: %v", err)
			}
		})
	}
}

// Issue 13: the enterprise list's deep pages start from anchors and equal the offset read.
func TestListsEnterprisePages(t *testing.T) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			db := syntheticDB(t, d)
			g := db.Gorm()
			es := repository.NewEnterpriseService(db)
			admin := syntheticActor(t, db, "admin", domain.RoleAdmin)
			var zone int64
			g.Table("zones").Where("code = ?", repository.SyntheticZoneCode(1)).Pluck("id", &zone)
			var want []int64
			g.Raw("SELECT id FROM enterprises WHERE zone_id = ? AND merged_into_id IS NULL ORDER BY id", zone).Scan(&want)
			if len(want) < 2*500+20 {
				t.Fatalf("%d enterprises: too few for anchors", len(want))
			}
			var got []int64
			for page := 1; ; page++ {
				items, total, err := es.FindEnterprises(admin, domain.EnterpriseFilter{Page: domain.Page{Page: page, PageSize: 20}})
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Fatalf("page %d: total %d, want %d", page, total, len(want))
				}
				if len(items) == 0 {
					break
				}
				for _, e := range items {
					got = append(got, e.ID)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%d enterprises over the pages, want %d in id order", len(got), len(want))
			}
		})
	}
}

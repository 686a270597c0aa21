package repository_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// nodeByName finds a demo node of a chain.
func nodeByName(t *testing.T, ctx context.Context, db *repository.DB, code, name string) *domain.ChainNode {
	t.Helper()
	chains := repository.NewChainService(db)
	c, err := chains.FindChainByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := chains.FindNodes(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("no node %s in %s", name, code)
	return nil
}

func enterpriseByName(t *testing.T, ctx context.Context, db *repository.DB, name string) int64 {
	t.Helper()
	items, _, err := repository.NewEnterpriseService(db).FindEnterprises(ctx, domain.EnterpriseFilter{Q: &name})
	if err != nil || len(items) == 0 {
		t.Fatalf("enterprise %s: %v", name, err)
	}
	return items[0].ID
}

func chainHistoryCount(t *testing.T, db *repository.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Table("chain_history").Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestChainEditRowRules(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		svc := repository.NewChainEditService(db)
		admin := actor(t, db, "admin", domain.RoleAdmin)
		chiefFood := actor(t, db, "chief_food", domain.RoleChainChief)
		director := actor(t, db, "director", domain.RoleDirector)
		agent := actor(t, db, "agent1", domain.RoleAgent)
		feed := nodeByName(t, admin, db, "food", "饲料加工")
		ore := nodeByName(t, admin, db, "mining", "选矿")
		in := domain.ChainNodeInput{Name: "规则测试环节", Segment: domain.SegmentUpstream}
		name := "改名"
		for _, c := range []struct {
			what string
			ctx  context.Context
			code string
			want string
		}{
			{"no actor", context.Background(), "food", domain.EUNAUTH},
			{"director", director, "food", domain.EFORBIDDEN},
			{"agent", agent, "food", domain.ENOTFOUND},
			{"chief of another chain", chiefFood, "mining", domain.ENOTFOUND},
			{"unknown chain", admin, "textiles", domain.ENOTFOUND},
		} {
			node := feed.ID
			if c.code == "mining" {
				node = ore.ID
			}
			checks := map[string]error{}
			_, checks["create"] = svc.CreateNode(c.ctx, c.code, in)
			_, checks["update"] = svc.UpdateNode(c.ctx, c.code, node, domain.ChainNodeUpdate{Name: &name})
			checks["delete"] = svc.DeleteNode(c.ctx, c.code, node)
			_, checks["master"] = svc.SetChainMaster(c.ctx, c.code, 1, true)
			_, checks["enterprise"] = svc.LinkEnterprise(c.ctx, c.code, node, 1, true)
			_, checks["project"] = svc.LinkProject(c.ctx, c.code, node, 1, true)
			for op, err := range checks {
				if got := domain.ErrorCode(err); got != c.want {
					t.Errorf("%s %s: %v, want %s", c.what, op, err, c.want)
				}
			}
		}
		if _, _, err := svc.ChainHistory(agent, "food", domain.Page{}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("agent reads a chain history: %v", err)
		}
		if _, _, err := svc.ChainHistory(director, "mining", domain.Page{}); err != nil {
			t.Errorf("director reads a chain history: %v", err)
		}
		if n := chainHistoryCount(t, db, "1 = 1"); n != 0 {
			t.Fatalf("refused commands wrote %d history lines", n)
		}
		if _, err := svc.CreateNode(chiefFood, "food", in); err != nil {
			t.Fatalf("chief in their own chain: %v", err)
		}
		if n := chainHistoryCount(t, db, "actor = ? AND action = ?", "chief_food", domain.ChainNodeCreated); n != 1 {
			t.Fatalf("history lines for the chief's create: %d", n)
		}
	})
}

func TestDeleteNamesDeletedProjects(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		svc := repository.NewChainEditService(db)
		admin := actor(t, db, "admin", domain.RoleAdmin)
		n, err := svc.CreateNode(admin, "food", domain.ChainNodeInput{Name: "豆制品加工", Segment: domain.SegmentMidstream})
		if err != nil {
			t.Fatal(err)
		}
		projects := repository.NewProjectService(db)
		pin := input("豆制品项目")
		pin.Chain = nil // a project without a chain joins the node's
		p, err := projects.CreateProject(admin, pin)
		if err != nil {
			t.Fatal(err)
		}
		if p.Chain != nil {
			t.Fatalf("test project has chain %v", *p.Chain)
		}
		res, err := svc.LinkProject(admin, "food", n.ID, p.ID, true)
		if err != nil || !res.Changed || res.ProjectVersion != 2 {
			t.Fatalf("link: %+v %v", res, err)
		}
		if err := projects.DeleteProject(admin, p.ID); err != nil {
			t.Fatal(err)
		}
		err = svc.DeleteNode(admin, "food", n.ID)
		if domain.ErrorCode(err) != domain.ERULE || !strings.Contains(domain.ErrorMessage(err), "豆制品项目〔已删除〕") {
			t.Fatalf("delete a node of a deleted project: %v", err)
		}
		// Only an administrator reaches the deleted project to unlink it; then the node goes.
		chief := actor(t, db, "chief_food", domain.RoleChainChief)
		if _, err := svc.LinkProject(chief, "food", n.ID, p.ID, false); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("a chief unlinks a deleted project: %v", err)
		}
		if _, err := svc.LinkProject(admin, "food", n.ID, p.ID, true); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("linking a deleted project: %v", err)
		}
		if res, err := svc.LinkProject(admin, "food", n.ID, p.ID, false); err != nil || !res.Changed {
			t.Fatalf("an administrator unlinks the deleted project: %+v %v", res, err)
		}
		if err := svc.DeleteNode(admin, "food", n.ID); err != nil {
			t.Fatalf("delete the freed node: %v", err)
		}
		// The project's history tells the chain and the node, by the chief's hand.
		h, err := projects.History(admin, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, e := range h {
			if e.Action == "updated" {
				fields = append(fields, e.Field+"="+e.To)
			}
		}
		if got := strings.Join(fields, " "); !strings.HasPrefix(got, "chain=food chain_node_ids=") {
			t.Fatalf("project history: %s", got)
		}
	})
}

func TestReferralHistory(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		svc := repository.NewChainEditService(db)
		admin := actor(t, db, "admin", domain.RoleAdmin)
		tongguang := enterpriseByName(t, admin, db, "河北同光晶体有限公司")
		guoke := enterpriseByName(t, admin, db, "江苏国科智能科技有限公司")
		delong := enterpriseByName(t, admin, db, "德龙钢铁集团")
		if res, err := svc.SetReferral(admin, tongguang, delong, true); err != nil || !res.Changed {
			t.Fatalf("master referral: %+v %v", res, err)
		}
		if res, err := svc.SetReferral(admin, tongguang, delong, true); err != nil || res.Changed {
			t.Fatalf("repeat: %+v %v", res, err)
		}
		if res, err := svc.SetReferral(admin, guoke, delong, true); err != nil || !res.Changed {
			t.Fatalf("non-master referral: %+v %v", res, err)
		}
		if n := chainHistoryCount(t, db, "action = ? AND chain_id IS NOT NULL", domain.ChainReferralAdded); n != 1 {
			t.Errorf("chain lines: %d, want 1 (the semiconductor chain)", n)
		}
		if n := chainHistoryCount(t, db, "action = ? AND chain_id IS NULL", domain.ChainReferralAdded); n != 1 {
			t.Errorf("zone-level lines: %d, want 1", n)
		}
		in, err := repository.NewMapService(db).MapInput(admin, mustChain(t, admin, db, "semiconductor"))
		if err != nil {
			t.Fatal(err)
		}
		if got := in.Referrals[tongguang]; !containsID(got, delong) {
			t.Fatalf("the map's referrals of 同光: %v", got)
		}
	})
}

func mustChain(t *testing.T, ctx context.Context, db *repository.DB, code string) *domain.Chain {
	t.Helper()
	c, err := repository.NewChainService(db).FindChainByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// TestMigrateV6Reruns: on MySQL a step's DDL commits at once, so a step that failed after
// creating its table must run again cleanly.
func TestMigrateV6Reruns(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		if err := db.Gorm().Exec("DELETE FROM schema_migrations WHERE version = 6").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("re-run step 6: %v", err)
		}
		if !db.Gorm().Migrator().HasTable("chain_history") {
			t.Fatal("chain_history missing")
		}
	})
}

// TestMapInputLoadsTheWholeChain checks MapInput against plain queries on a chain big
// enough to take the zone-scan path (more than 400 enterprises) and on the demo chains
// (the by-id path): every enterprise the map may name is there once with exactly its links
// to the chain's nodes, masters carry the chain's code, referrals and project links match.
func TestMapInputLoadsTheWholeChain(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			db, ctx, big := bigChain(t, driver, 60, 700, 150)
			for _, code := range []string{"big", "food", "mining", "semiconductor"} {
				chain := big
				if code != "big" {
					chain = mustChain(t, ctx, db, code)
				}
				in, err := repository.NewMapService(db).MapInput(ctx, chain)
				if err != nil {
					t.Fatal(err)
				}
				checkMapInput(t, db, chain, in)
			}
		})
	}
}

func checkMapInput(t *testing.T, db *repository.DB, chain *domain.Chain, in chainmap.Input) {
	t.Helper()
	g := db.Gorm()
	type pair struct{ A, B int64 }
	var links, masters, rels, plinks []pair
	g.Raw(`SELECT en.enterprise_id AS a, en.node_id AS b FROM enterprise_nodes en JOIN chain_nodes n ON n.id = en.node_id WHERE n.chain_id = ?`, chain.ID).Scan(&links)
	g.Raw(`SELECT enterprise_id AS a, chain_id AS b FROM chain_masters WHERE chain_id = ?`, chain.ID).Scan(&masters)
	g.Raw(`SELECT r.from_id AS a, r.to_id AS b FROM enterprise_relations r JOIN chain_masters m ON m.enterprise_id = r.from_id WHERE m.chain_id = ?`, chain.ID).Scan(&rels)
	g.Raw(`SELECT pn.project_id AS a, pn.node_id AS b FROM project_nodes pn JOIN chain_nodes n ON n.id = pn.node_id JOIN projects p ON p.id = pn.project_id WHERE n.chain_id = ? AND p.deleted_at IS NULL`, chain.ID).Scan(&plinks)
	wantNodes := map[int64][]int64{}
	for _, l := range links {
		wantNodes[l.A] = append(wantNodes[l.A], l.B)
	}
	wantMaster := map[int64]bool{}
	for _, m := range masters {
		wantMaster[m.A] = true
		if _, ok := wantNodes[m.A]; !ok {
			wantNodes[m.A] = nil
		}
	}
	nrels := 0
	for _, r := range rels {
		if _, ok := wantNodes[r.B]; !ok {
			wantNodes[r.B] = nil
		}
		if !containsID(in.Referrals[r.A], r.B) {
			t.Errorf("%s: referral %d → %d missing", chain.Code, r.A, r.B)
		}
	}
	for _, tos := range in.Referrals {
		nrels += len(tos)
	}
	if nrels != len(rels) {
		t.Errorf("%s: %d referrals, want %d", chain.Code, nrels, len(rels))
	}
	if len(in.Enterprises) != len(wantNodes) {
		t.Errorf("%s: %d enterprises, want %d", chain.Code, len(in.Enterprises), len(wantNodes))
	}
	for i, e := range in.Enterprises {
		if i > 0 && in.Enterprises[i-1].ID >= e.ID {
			t.Fatalf("%s: enterprises not in id order", chain.Code)
		}
		want, ok := wantNodes[e.ID]
		if !ok {
			t.Errorf("%s: enterprise %d should not be on the map", chain.Code, e.ID)
			continue
		}
		slices.Sort(want)
		if fmt.Sprint(e.NodeIDs) != fmt.Sprint(append([]int64{}, want...)) || e.Name == "" {
			t.Errorf("%s: enterprise %d %q nodes %v, want %v", chain.Code, e.ID, e.Name, e.NodeIDs, want)
		}
		if slices.Contains(e.ChainMaster, chain.Code) != wantMaster[e.ID] {
			t.Errorf("%s: enterprise %d master %v", chain.Code, e.ID, e.ChainMaster)
		}
	}
	got := 0
	for _, p := range in.Projects {
		got += len(p.NodeIDs)
		if p.Investor == "" || p.Stage == "" || p.Channel == "" {
			t.Errorf("%s: project %+v incomplete", chain.Code, p)
		}
	}
	if got != len(plinks) {
		t.Errorf("%s: %d project links, want %d", chain.Code, got, len(plinks))
	}
}

package repository_test

import (
	"context"
	"errors"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// The chain maps' stamp moves after every committed write to what a map is built from,
// whichever service, statement kind or process made it, and only then.
func TestMapStampFollowsWrites(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		admin := actor(t, db, "admin", domain.RoleAdmin)
		maps := repository.NewMapService(db)
		stamp := func() string {
			t.Helper()
			s, err := maps.MapStamp(admin)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		last := stamp()
		expect := func(changed bool, what string) {
			t.Helper()
			now := stamp()
			if (now != last) != changed {
				t.Errorf("%s: stamp %s → %s, want changed=%v", what, last, now, changed)
			}
			last = now
		}

		chains := repository.NewChainService(db)
		food, err := chains.FindChainByCode(admin, "food")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := maps.MapInput(admin, food); err != nil {
			t.Fatal(err)
		}
		if _, _, err := repository.NewProjectService(db).FindProjects(admin, domain.ProjectFilter{}); err != nil {
			t.Fatal(err)
		}
		expect(false, "reads")

		ps := repository.NewProjectService(db)
		p, err := ps.CreateProject(admin, input("地图缓存测试项目"))
		if err != nil {
			t.Fatal(err)
		}
		expect(true, "a project created (WithTx)")

		name := "地图缓存测试项目（改名）"
		if _, err := ps.UpdateProject(admin, p.ID, domain.ProjectUpdate{Version: p.Version, Name: &name}); err != nil {
			t.Fatal(err)
		}
		expect(true, "a project renamed")

		if _, err := ps.UpdateProject(admin, p.ID, domain.ProjectUpdate{Version: p.Version, Name: &name}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale update: %v", err)
		}
		expect(false, "a refused update (rolled back)")

		node := nodeByName(t, admin, db, "food", "冷链物流")
		ent := enterpriseByName(t, admin, db, "桃木疙瘩")
		edit := repository.NewChainEditService(db)
		if _, err := edit.LinkEnterprise(admin, "food", node.ID, ent, true); err != nil {
			t.Fatal(err)
		}
		expect(true, "an enterprise linked to a node")

		rollback := errors.New("rolled back")
		err = db.WithTx(admin, func(ctx context.Context) error {
			if _, err := edit.LinkEnterprise(ctx, "food", node.ID, ent, false); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		expect(false, "an unlink rolled back")

		if err := db.Gorm().Exec("UPDATE enterprises SET name = name WHERE id = ? AND 1 = 0", ent).Error; err != nil {
			t.Fatal(err)
		}
		expect(false, "an UPDATE that matched nothing")
		if err := db.Gorm().Exec("UPDATE enterprises SET kind = kind, updated_at = updated_at WHERE id = ?", ent).Error; err != nil {
			t.Fatal(err)
		}
		if db.Driver == repository.DriverSQLite { // MySQL reports unchanged rows as not affected
			expect(true, "a raw UPDATE outside a transaction")
		} else {
			last = stamp()
		}
		if err := db.Gorm().Exec("UPDATE enterprises SET name = ? WHERE id = ?", "桃木疙瘩（测试）", ent).Error; err != nil {
			t.Fatal(err)
		}
		expect(true, "a raw rename outside a transaction")

		if err := db.Gorm().Exec("UPDATE users SET phone = phone").Error; err != nil {
			t.Fatal(err)
		}
		expect(false, "a write to an unrelated table")

		other := dbtest.Reopen(t, db)
		if err := other.Gorm().Exec("UPDATE enterprises SET name = ? WHERE id = ?", "桃木疙瘩", ent).Error; err != nil {
			t.Fatal(err)
		}
		expect(true, "a write by another process")
	})
}

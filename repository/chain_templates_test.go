package repository_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// chainTree describes a zone's chain as "code: node<parent …": names, segments and parents,
// in display order, so that two zones' trees compare as strings.
func chainTree(t *testing.T, db *repository.DB, zoneCode string) map[string]string {
	t.Helper()
	var rows []struct {
		Code, Name, Segment string
		Parent              *string
	}
	err := db.Gorm().Table("chain_nodes AS n").Select("c.code, n.name, n.segment, p.name AS parent").
		Joins("JOIN chains c ON c.id = n.chain_id").Joins("JOIN zones z ON z.id = c.zone_id").
		Joins("LEFT JOIN chain_nodes p ON p.id = n.parent_id").
		Where("z.code = ?", zoneCode).Order("c.sort_order, n.sort_order").Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		parent := ""
		if r.Parent != nil {
			parent = *r.Parent
		}
		out[r.Code] += fmt.Sprintf("%s/%s<%s;", r.Name, r.Segment, parent)
	}
	return out
}

// TestZoneCreateWithChainTemplates: `zone create --chains`/`--template` makes the zone's
// chains with the demo zone's codes, names and node trees, in the zone's transaction; an
// unknown template or chain is refused naming it, and a failure writes nothing.
func TestZoneCreateWithChainTemplates(t *testing.T) {
	eachDB(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		for _, c := range []struct {
			template string
			chains   []string
			want     string // codes, or the field of the error and a word of its message
		}{
			{"laiyuan", nil, "food,mining,semiconductor"},
			{"", []string{"semiconductor", " food", "food"}, "food,semiconductor"},
			{"", nil, ""},
			{"hebei", nil, "template:hebei"},
			{"", []string{"food", "steel"}, "chains:steel"},
			{"laiyuan", []string{"food"}, "template:--chains"},
		} {
			got, err := repository.ResolveChainTemplates(c.template, c.chains)
			if field, word, bad := strings.Cut(c.want, ":"); bad {
				var de *domain.Error
				if e, ok := err.(*domain.Error); ok {
					de = e
				}
				if de == nil || de.Code != domain.EINVALID || !strings.Contains(de.Fields[field], word) {
					t.Errorf("%q %v: %v, want a %s error naming %s", c.template, c.chains, err, field, word)
				}
				continue
			}
			codes := []string{}
			for _, g := range got {
				codes = append(codes, g.Code)
			}
			if err != nil || strings.Join(codes, ",") != c.want {
				t.Errorf("%q %v: %v %v, want %s", c.template, c.chains, codes, err, c.want)
			}
		}

		chains, err := repository.ResolveChainTemplates("", []string{"food", "mining"})
		if err != nil {
			t.Fatal(err)
		}
		run, err := db.CreateZone(ctx, domain.ZoneInput{Code: "xiongan", Name: "雄安新区开发区"}, "", noRoles{}, chains...)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(run.Chains, ",") != "food,mining" {
			t.Errorf("run: %+v", run)
		}
		demo, made := chainTree(t, db, repository.DemoZoneCode), chainTree(t, db, "xiongan")
		if len(made) != 2 || made["food"] != demo["food"] || made["mining"] != demo["mining"] {
			t.Errorf("xiongan's chains %v\nthe demo zone's %v", made, demo)
		}
		if n := strings.Count(made["food"], ";"); n != len(chainmap.DemoNodes["food"]) {
			t.Errorf("food nodes: %d", n)
		}
		var names []string
		db.Gorm().Table("chains AS c").Joins("JOIN zones z ON z.id = c.zone_id").Where("z.code = ?", "xiongan").
			Order("c.sort_order").Pluck("c.name", &names)
		if strings.Join(names, ",") != "现代食品,矿业" {
			t.Errorf("names: %v", names)
		}
		var audited int64
		db.Gorm().Table("audit_log AS a").Joins("JOIN zones z ON z.id = a.zone_id").
			Where("z.code = ? AND a.action = ?", "xiongan", repository.AuditChainsFromTemplate).Count(&audited)
		if audited != 1 {
			t.Errorf("chains_created audited %d times", audited)
		}

		// one transaction: a chain that cannot be written leaves no zone, user or chain behind
		food := chains[0]
		if _, err := db.CreateZone(ctx, domain.ZoneInput{Code: "dingzhou", Name: "定州开发区"}, "", noRoles{}, food, food); err == nil {
			t.Fatal("the same chain twice was written")
		}
		if _, err := db.CreateZone(ctx, domain.ZoneInput{Code: "baoding", Name: "保定开发区"}, "", noRoles{},
			repository.ChainTemplate{Code: "steel", Name: "钢铁"}); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("an unknown chain: %v", err)
		}
		for _, code := range []string{"dingzhou", "baoding"} {
			var zones, users, cs int64
			db.Gorm().Table("zones").Where("code = ?", code).Count(&zones)
			db.Gorm().Table("users AS u").Joins("JOIN zones z ON z.id = u.zone_id").Where("z.code = ?", code).Count(&users)
			db.Gorm().Table("chains AS c").Joins("JOIN zones z ON z.id = c.zone_id").Where("z.code = ?", code).Count(&cs)
			if zones+users+cs != 0 {
				t.Errorf("%s left behind: %d zones, %d users, %d chains", code, zones, users, cs)
			}
		}
	})
}

package repository

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// Chain templates (issue 19): a new zone (`chaincrm zone create … --chains food,mining` or
// `--template laiyuan`) starts with chains and their node trees instead of an empty map.
// The chains are the demo zone's — DemoChains here, their nodes chainmap.DemoNodes — so that
// there is one definition of each, and the codes stay the same in every zone made from
// them: GET /platform/chains compares chains by code across zones.

// ChainTemplate is a chain a zone can be made with: its code, name and description.
type ChainTemplate struct{ Code, Name, Desc string }

// DemoChains are the demo zone's three chains (seed 三(四)2), in their display order.
var DemoChains = []ChainTemplate{
	{"food", "现代食品", "依托桃木疙瘩屠宰厂、千喜鹤中央厨房，打造养殖—屠宰加工—中央厨房—冷链配送链条"},
	{"mining", "矿业", "推动采选冶向尾矿综合利用和新型建材延伸"},
	{"semiconductor", "第三代半导体", "以同光晶体碳化硅单晶衬底为链主，向外延、器件和应用延伸"},
}

// ZoneTemplates name sets of chains: a template is the chains of the zone it is drawn from.
var ZoneTemplates = map[string][]string{
	DemoZoneCode: {"food", "mining", "semiconductor"},
}

// TemplateNodes are the node trees of the chain templates (chainmap.DemoNodes), as the
// seeders take them.
func TemplateNodes() map[string][]DemoNodeSpec {
	out := map[string][]DemoNodeSpec{}
	for code, nodes := range chainmap.DemoNodes {
		for _, n := range nodes {
			out[code] = append(out[code], DemoNodeSpec{Key: n.Key, Name: n.Name, Segment: n.Segment, Parent: n.Parent})
		}
	}
	return out
}

// TemplateChainCodes lists the chain codes a template may name, in display order.
func TemplateChainCodes() []string {
	out := make([]string, len(DemoChains))
	for i, c := range DemoChains {
		out[i] = c.Code
	}
	return out
}

// ResolveChainTemplates turns --template and --chains into the chain templates to create:
// the template's chains, or the listed ones (not both), each known, none twice, in display
// order. An unknown name is a field error naming it and the known ones.
func ResolveChainTemplates(template string, chains []string) ([]ChainTemplate, error) {
	template = strings.TrimSpace(template)
	var codes []string
	for _, c := range chains {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	fe := domain.FieldErrors{}
	switch {
	case template != "" && len(codes) > 0:
		fe.Add("template", "--template 与 --chains 只能用一个 (give one of --template and --chains)")
	case template != "":
		t, ok := ZoneTemplates[template]
		if !ok {
			names := make([]string, 0, len(ZoneTemplates))
			for n := range ZoneTemplates {
				names = append(names, n)
			}
			sort.Strings(names)
			fe.Add("template", fmt.Sprintf("没有这个模板：%s，可用 %s (unknown template)", template, strings.Join(names, ", ")))
		}
		codes = t
	}
	for _, c := range codes {
		if !slices.Contains(TemplateChainCodes(), c) {
			fe.Add("chains", fmt.Sprintf("没有这条产业链模板：%s，可用 %s (unknown chain)", c, strings.Join(TemplateChainCodes(), ", ")))
			break
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out []ChainTemplate
	for _, c := range DemoChains {
		if slices.Contains(codes, c.Code) {
			out = append(out, c)
		}
	}
	return out, nil
}

// createChains writes chains of a zone from templates with their node trees (nodes by key:
// a parent before its children), in the caller's transaction; it returns the chains' ids by
// code and the nodes' ids by key.
func (db *DB) createChains(ctx context.Context, zoneID int64, chains []ChainTemplate, nodeSpecs map[string][]DemoNodeSpec) (map[string]int64, map[string]int64, error) {
	q := db.conn(ctx)
	now := db.now()
	chainIDs, nodeIDs := map[string]int64{}, map[string]int64{}
	for i, c := range chains {
		row := &chainRow{ZoneID: zoneID, Code: c.Code, Name: c.Name, Description: c.Desc, SortOrder: i + 1, CreatedAt: now}
		if err := q.Create(row).Error; err != nil {
			return nil, nil, err
		}
		chainIDs[c.Code] = row.ID
		for j, n := range nodeSpecs[c.Code] {
			nr := &chainNodeRow{ZoneID: zoneID, ChainID: row.ID, Name: n.Name, Segment: n.Segment, SortOrder: j + 1, CreatedAt: now}
			if n.Parent != "" {
				pid, ok := nodeIDs[n.Parent]
				if !ok {
					return nil, nil, fmt.Errorf("chain node %s: parent %s comes later", n.Key, n.Parent)
				}
				nr.ParentID = &pid
			}
			if err := q.Create(nr).Error; err != nil {
				return nil, nil, err
			}
			nodeIDs[n.Key] = nr.ID
		}
	}
	return chainIDs, nodeIDs, nil
}

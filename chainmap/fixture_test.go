package chainmap

import (
	"fmt"
	"math/rand/v2"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// fixture builds inputs by hand, by name, so tests read like the zone talks.
type fixture struct {
	chain *domain.Chain
	nodes []*domain.ChainNode
	ents  []*domain.Enterprise
	projs []*domain.Project
	refs  map[int64][]int64
	ids   map[string]int64
	next  int64
}

func newFixture() *fixture {
	return &fixture{
		chain: &domain.Chain{ID: 3, Code: "semiconductor", Name: "第三代半导体",
			Chief: &domain.UserRef{ID: 7, Username: "chief_semi", DisplayName: "王链长"}},
		ids:  map[string]int64{},
		next: 100,
		refs: map[int64][]int64{},
	}
}

func (f *fixture) id(name string) int64 {
	if id, ok := f.ids[name]; ok {
		return id
	}
	f.next++
	f.ids[name] = f.next
	return f.next
}

func (f *fixture) node(name string, seg domain.Segment, parent string, sort int) *domain.ChainNode {
	n := &domain.ChainNode{ID: f.id("node:" + name), ChainID: f.chain.ID, Name: name, Segment: seg, SortOrder: sort}
	if parent != "" {
		p := f.id("node:" + parent)
		n.ParentID = &p
	}
	f.nodes = append(f.nodes, n)
	return n
}

func (f *fixture) ent(name string, kind domain.EnterpriseKind, nodes ...string) *domain.Enterprise {
	e := &domain.Enterprise{ID: f.id("ent:" + name), Name: name, Kind: kind}
	for _, n := range nodes {
		e.NodeIDs = append(e.NodeIDs, f.id("node:"+n))
	}
	f.ents = append(f.ents, e)
	return e
}

func (f *fixture) master(name string, nodes ...string) *domain.Enterprise {
	e := f.ent(name, domain.EnterpriseLocal, nodes...)
	e.ChainMaster = []string{f.chain.Code}
	return e
}

func (f *fixture) project(name, investor string, stage domain.Stage, nodes ...string) *domain.Project {
	p := &domain.Project{ID: f.id("proj:" + name), Name: name, Investor: investor, InvestorID: f.ids["ent:"+investor],
		Stage: stage, Channel: domain.ChannelSelfSourced, PlannedInvestment: 1000 * 10000}
	for _, n := range nodes {
		p.NodeIDs = append(p.NodeIDs, f.id("node:"+n))
	}
	f.projs = append(f.projs, p)
	return p
}

func (f *fixture) refer(master string, related ...string) {
	for _, r := range related {
		f.refs[f.id("ent:"+master)] = append(f.refs[f.id("ent:"+master)], f.id("ent:"+r))
	}
}

func (f *fixture) input() Input {
	return Input{Chain: f.chain, Nodes: f.nodes, Enterprises: f.ents, Projects: f.projs, Referrals: f.refs,
		Today: domain.NewDate(2023, 1, 16)}
}

// semiconductorFixture is the demo semiconductor chain with a believable cast: 同光晶体 is
// the local chain master on substrates, 驷乾新能源 makes PV modules, a few targets and
// projects sit on the gaps.
func semiconductorFixture() *fixture {
	f := newFixture()
	keys := map[string]string{}
	for i, d := range DemoNodes["semiconductor"] {
		keys[d.Key] = d.Name
		f.node(d.Name, domain.Segment(d.Segment), keys[d.Parent], i)
	}
	f.master("同光晶体", "碳化硅单晶衬底", "切磨抛加工")
	f.ent("同光二厂", domain.EnterpriseLocal, "碳化硅单晶衬底")
	f.ent("驷乾新能源", domain.EnterpriseLocal, "光伏组件")
	f.ent("国科智能", domain.EnterpriseInvestor, "光伏组件")
	f.ent("瀚天外延", domain.EnterpriseTarget, "外延片")
	f.ent("天域外延", domain.EnterpriseTarget, "外延片")
	f.ent("华芯器件", domain.EnterpriseTarget, "功率器件(SiC MOSFET/SBD)")
	f.ent("晶盛装备", domain.EnterpriseReferrer, "晶体生长设备")
	f.ent("德龙集团", domain.EnterpriseFriendly, "储能与充电桩")
	f.project("国科智能光伏组件生产线", "国科智能", domain.StageRisk, "光伏组件")
	f.project("天域外延片项目", "天域外延", domain.StageLead, "外延片")
	f.project("华芯器件项目", "华芯器件", domain.StageDropped, "功率器件(SiC MOSFET/SBD)")
	f.refer("同光晶体", "晶盛装备", "瀚天外延")
	return f
}

// synthetic is a large chain for benchmarks and layout tests: n nodes spread over the three
// segments with nesting up to five deep, ents enterprises and projs projects on random
// nodes, a tenth of the enterprises local, a few chain masters with referrals.
func synthetic(n, ents, projs int) Input {
	r := rand.New(rand.NewPCG(42, uint64(n)))
	chain := &domain.Chain{ID: 1, Code: "big", Name: "综合测试产业链", Chief: &domain.UserRef{DisplayName: "李链长"}}
	in := Input{Chain: chain, Referrals: map[int64][]int64{}, Today: domain.NewDate(2023, 3, 1)}
	names := []string{"高纯碳化硅粉料", "外延片", "功率器件(SiC MOSFET/SBD)", "冷链物流与仓储配送中心", "装配式建筑", "5G射频前端模组", "Wide-band-gap module packaging", "尾矿综合利用"}
	for i := 0; i < n; i++ {
		seg := domain.Segments[i%3]
		node := &domain.ChainNode{ID: int64(i + 1), ChainID: 1, Segment: seg, SortOrder: r.IntN(50),
			Name: fmt.Sprintf("%s%d", names[r.IntN(len(names))], i+1)}
		if i >= 3 && r.IntN(3) > 0 {
			// a parent among the earlier nodes of the same segment
			p := int64(i + 1 - 3*(1+r.IntN(min(i/3, 4))))
			node.ParentID = &p
		}
		in.Nodes = append(in.Nodes, node)
	}
	kinds := []domain.EnterpriseKind{domain.EnterpriseTarget, domain.EnterpriseInvestor, domain.EnterpriseReferrer, domain.EnterpriseFriendly}
	for i := 0; i < ents; i++ {
		e := &domain.Enterprise{ID: int64(10000 + i), Name: fmt.Sprintf("测试企业%04d有限公司", i),
			CreditCode: fmt.Sprintf("91130630MA%08d", i), Kind: kinds[r.IntN(len(kinds))]}
		if r.IntN(10) == 0 {
			e.Kind = domain.EnterpriseLocal
			if r.IntN(20) == 0 {
				e.ChainMaster = []string{"big"}
			}
		}
		for k := 0; k < 1+r.IntN(3); k++ {
			e.NodeIDs = append(e.NodeIDs, int64(1+r.IntN(n)))
		}
		in.Enterprises = append(in.Enterprises, e)
		if len(e.ChainMaster) > 0 {
			for k := 0; k < 20; k++ {
				in.Referrals[e.ID] = append(in.Referrals[e.ID], int64(10000+r.IntN(ents)))
			}
		}
	}
	for i := 0; i < projs; i++ {
		inv := in.Enterprises[r.IntN(len(in.Enterprises))]
		p := &domain.Project{ID: int64(50000 + i), Name: fmt.Sprintf("测试项目%04d", i), Investor: inv.Name, InvestorID: inv.ID,
			Stage: domain.Stages[r.IntN(len(domain.Stages))], Channel: domain.Channels[r.IntN(4)],
			PlannedInvestment: domain.Money(r.Int64N(100000) * 10000)}
		for k := 0; k < 1+r.IntN(2); k++ {
			p.NodeIDs = append(p.NodeIDs, int64(1+r.IntN(n)))
		}
		in.Projects = append(in.Projects, p)
	}
	return in
}

package dbtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// Rows for the bulk inserts: only the columns the benchmark sets; the rest take the
// schema's defaults.
type benchChain struct {
	ID        int64
	ZoneID    int64
	Code      string
	Name      string
	SortOrder int
	CreatedAt time.Time
}

func (benchChain) TableName() string { return "chains" }

type benchNode struct {
	ID        int64
	ZoneID    int64
	ChainID   int64
	ParentID  *int64
	Name      string
	Segment   string
	SortOrder int
	CreatedAt time.Time
}

func (benchNode) TableName() string { return "chain_nodes" }

type benchEnterprise struct {
	ID         int64
	ZoneID     int64
	Name       string
	CreditCode string
	Kind       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (benchEnterprise) TableName() string { return "enterprises" }

type benchLink struct {
	EnterpriseID int64 `gorm:"primaryKey;autoIncrement:false"`
	NodeID       int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (benchLink) TableName() string { return "enterprise_nodes" }

type benchMaster struct {
	ChainID      int64 `gorm:"primaryKey;autoIncrement:false"`
	EnterpriseID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (benchMaster) TableName() string { return "chain_masters" }

type benchRelation struct {
	FromID int64 `gorm:"primaryKey;autoIncrement:false"`
	ToID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Kind   string
}

func (benchRelation) TableName() string { return "enterprise_relations" }

type benchProject struct {
	ID                int64
	ZoneID            int64
	Name              string
	InvestorID        int64
	Channel           string
	ChainID           int64
	AssetType         string
	PlannedInvestment int64
	Stage             string
	StageEnteredAt    time.Time
	LastProgressAt    time.Time
	OwnerID           int64
	CreatedByID       int64
	DockedAt          domain.Date
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (benchProject) TableName() string { return "projects" }

type benchProjectNode struct {
	ProjectID int64 `gorm:"primaryKey;autoIncrement:false"`
	NodeID    int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (benchProjectNode) TableName() string { return "project_nodes" }

// AddBigChain adds a chain "big" to the seeded demo zone with nodes, enterprises and
// projects spread like chainmap's synthetic benchmark input: nodes over three segments
// nested up to five deep, 1–3 nodes per enterprise, a tenth of them local and a few of
// those chain masters with 20 referral partners each, 1–2 nodes per project in every
// stage. It returns an administrator's context and the chain. The benchmarks of the map
// (repository: load, build, render; api: the endpoint with its cache) use it.
func AddBigChain(tb testing.TB, db *repository.DB, nodes, ents, projs int) (context.Context, *domain.Chain) {
	tb.Helper()
	bg := context.Background()
	users := repository.NewUserService(db)
	zone, err := users.FindZoneByCode(bg, repository.DemoZoneCode)
	if err != nil {
		tb.Fatal(err)
	}
	admin, err := users.FindUserByUsername(bg, zone.ID, "admin")
	if err != nil {
		tb.Fatal(err)
	}
	admin.Roles = []domain.Role{domain.RoleAdmin}
	ctx := domain.WithActor(bg, &domain.Actor{User: admin, Zone: zone})

	g := db.Gorm()
	insert := func(rows any) {
		tb.Helper()
		if err := g.CreateInBatches(rows, 500).Error; err != nil {
			tb.Fatal(err)
		}
	}
	now := time.Now().UTC()
	ch := &benchChain{ZoneID: zone.ID, Code: "big", Name: "综合测试产业链", SortOrder: 9, CreatedAt: now}
	insert(ch)

	r := rand.New(rand.NewPCG(42, uint64(nodes)))
	names := []string{"高纯碳化硅粉料", "外延片", "功率器件(SiC MOSFET/SBD)", "冷链物流与仓储配送中心", "装配式建筑", "5G射频前端模组", "Wide-band-gap module packaging", "尾矿综合利用"}
	segments := []string{"upstream", "midstream", "downstream"}
	nodeRows := make([]*benchNode, nodes)
	for i := range nodeRows {
		n := &benchNode{ZoneID: zone.ID, ChainID: ch.ID, Segment: segments[i%3], SortOrder: r.IntN(50),
			Name: fmt.Sprintf("%s%d", names[r.IntN(len(names))], i+1), CreatedAt: now}
		nodeRows[i] = n
		if i >= 3 && r.IntN(3) > 0 {
			// a parent among the earlier nodes of the same segment (inserted one by one
			// below, so that parents have ids)
			p := i - 3*(1+r.IntN(min(i/3, 4)))
			n.ParentID = &nodeRows[p].ID
		}
	}
	for _, n := range nodeRows { // parents first: each needs the id of an earlier one
		if n.ParentID != nil {
			id := *n.ParentID
			n.ParentID = &id
		}
		insert(n)
	}
	kinds := []string{"target", "investor", "referrer", "friendly"}
	entRows := make([]*benchEnterprise, ents)
	local := make([]bool, ents)
	for i := range entRows {
		entRows[i] = &benchEnterprise{ZoneID: zone.ID, Name: fmt.Sprintf("测试企业%04d有限公司", i),
			CreditCode: fmt.Sprintf("91130630MA%08d", i), Kind: kinds[r.IntN(len(kinds))], CreatedAt: now, UpdatedAt: now}
		if r.IntN(10) == 0 {
			entRows[i].Kind, local[i] = "local", true
		}
	}
	insert(entRows)
	var links []*benchLink
	var masters []*benchMaster
	var rels []*benchRelation
	seen, related := map[[2]int64]bool{}, map[[2]int64]bool{}
	for i, e := range entRows {
		for k := 0; k < 1+r.IntN(3); k++ {
			l := [2]int64{e.ID, nodeRows[r.IntN(nodes)].ID}
			if !seen[l] {
				seen[l] = true
				links = append(links, &benchLink{EnterpriseID: l[0], NodeID: l[1]})
			}
		}
		if local[i] && r.IntN(20) == 0 {
			masters = append(masters, &benchMaster{ChainID: ch.ID, EnterpriseID: e.ID})
			for k := 0; k < 20; k++ {
				to := entRows[r.IntN(ents)].ID
				if rel := [2]int64{e.ID, to}; !related[rel] && to != e.ID {
					related[rel] = true
					rels = append(rels, &benchRelation{FromID: e.ID, ToID: to, Kind: "referral"})
				}
			}
		}
	}
	insert(links)
	if len(masters) > 0 {
		insert(masters)
		insert(rels)
	}
	projRows := make([]*benchProject, projs)
	for i := range projRows {
		inv := entRows[r.IntN(ents)]
		projRows[i] = &benchProject{ZoneID: zone.ID, Name: fmt.Sprintf("测试项目%04d", i), InvestorID: inv.ID,
			Channel: string(domain.Channels[r.IntN(4)]), ChainID: ch.ID, AssetType: "heavy",
			PlannedInvestment: r.Int64N(100000) * 10000, Stage: string(domain.Stages[r.IntN(len(domain.Stages))]),
			StageEnteredAt: now, LastProgressAt: now, OwnerID: admin.ID, CreatedByID: admin.ID,
			DockedAt: domain.NewDate(2023, time.Month(1+r.IntN(12)), 1+r.IntN(28)), CreatedAt: now, UpdatedAt: now}
	}
	insert(projRows)
	var pnodes []*benchProjectNode
	onNode := map[[2]int64]bool{}
	for _, p := range projRows {
		for k := 0; k < 1+r.IntN(2); k++ {
			l := [2]int64{p.ID, nodeRows[r.IntN(nodes)].ID}
			if !onNode[l] {
				onNode[l] = true
				pnodes = append(pnodes, &benchProjectNode{ProjectID: p.ID, NodeID: l[1]})
			}
		}
	}
	insert(pnodes)
	chain, err := repository.NewChainService(db).FindChainByCode(ctx, "big")
	if err != nil {
		tb.Fatal(err)
	}
	return ctx, chain
}

package repository

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// MapService loads what a chain's recruitment map is built from.
type MapService struct {
	db     *DB
	chains *ChainService
}

// NewMapService returns the map loader on db.
func NewMapService(db *DB) *MapService {
	return &MapService{db: db, chains: NewChainService(db)}
}

// The map's queries are keyed by the chain, not by long lists of ids: every link table is
// joined to chain_nodes on the chain, and nothing is sorted by the database (Go sorts the
// few thousand ids faster than SQLite's temporary B-trees), so a 500-node chain with
// thousands of enterprises and projects costs a handful of index range scans and one pass
// over the zone's enterprises (see BenchmarkMapEndToEnd).
const (
	mapEnterpriseLinksSQL = `SELECT en.enterprise_id, en.node_id FROM enterprise_nodes en
JOIN chain_nodes n ON n.id = en.node_id WHERE n.chain_id = ?`
	mapReferralsSQL = `SELECT r.from_id, r.to_id FROM enterprise_relations r
JOIN chain_masters m ON m.enterprise_id = r.from_id WHERE m.chain_id = ?`
	mapProjectLinksSQL = `SELECT pn.project_id, pn.node_id FROM project_nodes pn
JOIN chain_nodes n ON n.id = pn.node_id WHERE n.chain_id = ?`
	mapEnterpriseColumns = "id, name, credit_code, kind, sample"
	// mapZoneScan: past this many enterprises a map reads the zone's enterprises in one
	// pass and keeps its own, rather than looking each one up by id.
	mapZoneScan = 400
)

// MapInput loads the chain's nodes, the enterprises the map can name (linked to the chain's
// nodes, its chain masters, and the enterprises those masters can introduce), the referral
// relations of its masters, and the caller's visible projects of the chain.
//
// It loads what chainmap reads and no more: an enterprise carries its id, name, credit
// code, kind and sample flag, its links to this chain's nodes, and ChainMaster holds this
// chain's code when it is one of its masters; a project carries its id, name, investor,
// stage, channel, planned investment, sample flag and its links to this chain's nodes.
func (s *MapService) MapInput(ctx context.Context, chain *domain.Chain) (chainmap.Input, error) {
	in := chainmap.Input{Chain: chain, Today: s.db.today(), Referrals: map[int64][]int64{}}
	// The projects and nodes are read beside the enterprises on a second connection (a
	// read outside a transaction; SQLite's WAL lets readers run together), which takes a
	// third off the wall time of a large map on two cores.
	var projects []*domain.Project
	var nodes []*domain.ChainNode
	var otherErr error
	others := func() {
		if projects, otherErr = s.projects(ctx, chain); otherErr == nil {
			nodes, otherErr = s.chains.FindNodes(ctx, chain.ID)
		}
	}
	var wg sync.WaitGroup
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); inTx {
		others()
	} else {
		wg.Go(others)
	}
	err := s.enterprises(ctx, chain, &in)
	wg.Wait()
	if err != nil {
		return in, err
	}
	in.Projects, in.Nodes = projects, nodes
	return in, otherErr
}

// enterprises loads the map's enterprises and referral relations into in.
func (s *MapService) enterprises(ctx context.Context, chain *domain.Chain, in *chainmap.Input) error {
	q := s.db.conn(ctx)

	// Which enterprises the map names: those on the chain's nodes, its masters, and whom
	// the masters can introduce.
	links := map[int64][]int64{}
	err := eachRow(q.Raw(mapEnterpriseLinksSQL, chain.ID).Rows, func(rows *sql.Rows) error {
		var entID, nodeID int64
		if err := rows.Scan(&entID, &nodeID); err != nil {
			return err
		}
		links[entID] = append(links[entID], nodeID)
		return nil
	})
	if err != nil {
		return err
	}
	var masters []int64
	if err := q.Model(&chainMasterRow{}).Where("chain_id = ?", chain.ID).Pluck("enterprise_id", &masters).Error; err != nil {
		return err
	}
	err = eachRow(q.Raw(mapReferralsSQL, chain.ID).Rows, func(rows *sql.Rows) error {
		var from, to int64
		if err := rows.Scan(&from, &to); err != nil {
			return err
		}
		in.Referrals[from] = append(in.Referrals[from], to)
		return nil
	})
	if err != nil {
		return err
	}
	want := make(map[int64]bool, len(links)+len(masters))
	for id := range links {
		want[id] = true
	}
	for _, id := range masters {
		want[id] = true
	}
	for from, tos := range in.Referrals {
		slices.Sort(tos)
		in.Referrals[from] = tos
		for _, id := range tos {
			want[id] = true
		}
	}
	ids := make([]int64, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	scan := func(rows *sql.Rows) error {
		e := &domain.Enterprise{ZoneID: chain.ZoneID, ChainMaster: []string{}}
		var code sql.NullString
		var kind string
		if err := rows.Scan(&e.ID, &e.Name, &code, &kind, &e.Sample); err != nil {
			return err
		}
		if !want[e.ID] {
			return nil
		}
		e.CreditCode, e.Kind = code.String, domain.EnterpriseKind(kind)
		e.NodeIDs = links[e.ID]
		slices.Sort(e.NodeIDs)
		if e.NodeIDs == nil {
			e.NodeIDs = []int64{}
		}
		in.Enterprises = append(in.Enterprises, e)
		return nil
	}
	ents := q.Model(&enterpriseRow{}).Select(mapEnterpriseColumns).Where("zone_id = ?", chain.ZoneID)
	if len(ids) > mapZoneScan {
		err = eachRow(ents.Rows, scan)
	} else if len(ids) > 0 {
		err = eachRow(ents.Where("id IN ?", ids).Rows, scan)
	}
	if err != nil {
		return err
	}
	slices.SortFunc(in.Enterprises, func(a, b *domain.Enterprise) int { return cmp.Compare(a.ID, b.ID) })
	isMaster := make(map[int64]bool, len(masters))
	for _, id := range masters {
		isMaster[id] = true
	}
	for _, e := range in.Enterprises {
		if isMaster[e.ID] {
			e.ChainMaster = append(e.ChainMaster, chain.Code)
		}
	}
	return nil
}

// projects are the caller's visible, undeleted projects of the chain with their links to
// its nodes, in id order.
func (s *MapService) projects(ctx context.Context, chain *domain.Chain) ([]*domain.Project, error) {
	q := s.db.conn(ctx)
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	list := q.Table("projects AS p").
		Select("p.id, p.name, p.investor_id, e.name, p.stage, p.channel, p.planned_investment, p.sample").
		Joins("JOIN enterprises e ON e.id = p.investor_id").
		Scopes(projectScope(scope)).Where("p.chain_id = ? AND p.deleted_at IS NULL", chain.ID).Order("p.id")
	var out []*domain.Project
	byID := map[int64]*domain.Project{}
	err := eachRow(list.Rows, func(rows *sql.Rows) error {
		p := &domain.Project{ZoneID: chain.ZoneID, ChainID: &chain.ID, Chain: &chain.Code, NodeIDs: []int64{}}
		var stage, channel string
		var planned int64
		if err := rows.Scan(&p.ID, &p.Name, &p.InvestorID, &p.Investor, &stage, &channel, &planned, &p.Sample); err != nil {
			return err
		}
		p.Stage, p.Channel, p.PlannedInvestment = domain.Stage(stage), domain.Channel(channel), domain.Money(planned)
		byID[p.ID] = p
		out = append(out, p)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	err = eachRow(q.Raw(mapProjectLinksSQL, chain.ID).Rows, func(rows *sql.Rows) error {
		var projectID, nodeID int64
		if err := rows.Scan(&projectID, &nodeID); err != nil {
			return err
		}
		if p := byID[projectID]; p != nil { // links of projects the caller cannot see are dropped
			p.NodeIDs = append(p.NodeIDs, nodeID)
		}
		return nil
	})
	for _, p := range out {
		slices.Sort(p.NodeIDs)
	}
	return out, err
}

// eachRow runs a query and calls fn for each row, closing the rows in every case.
func eachRow(query func() (*sql.Rows, error), fn func(*sql.Rows) error) error {
	rows, err := query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MapStamp names the state of everything a map is built from: the chain maps' change
// counters (changes.go) and the zone's calendar day. Two calls that return the same stamp
// would build the same maps for the same caller, so a built map may be served again while
// the stamp holds.
func (s *MapService) MapStamp(ctx context.Context) (string, error) {
	st, err := s.db.MapStamp(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d.%d@%s", st.DB, st.Local, s.db.today()), nil
}

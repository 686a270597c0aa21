package api

import (
	"container/list"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// MapStamper is implemented by a MapSource whose built maps may be kept: MapStamp names
// the state of everything a map is built from, and changes whenever any of it changes
// (repository.MapService: a change counter bumped after every committed write to
// projects, enterprises, chains, nodes and links, plus the zone's date).
type MapStamper interface {
	MapStamp(ctx context.Context) (string, error)
}

// mapCache keeps built chain maps, with their JSON and SVG once rendered, so that the
// leaders who open the same map again and again are served in a fraction of a
// millisecond; the first request after a change rebuilds it. An entry is used only while
// the source's stamp is unchanged, the caller's scope and the chain's own record are the
// same, and for at most mapCacheTTL (a safety net should a change go unnoticed). The
// least recently used entries go when more than mapCacheEntries are held or their
// estimated size passes mapCacheBytes (a 500-node chain with 7 000 entries is ~7 MB with
// its JSON and SVG; a county's chain a few hundred kB).
type mapCache struct {
	mu      sync.Mutex
	entries map[string]*list.Element
	lru     *list.List
	bytes   int64
	now     func() time.Time
}

const (
	mapCacheEntries = 64
	mapCacheBytes   = 128 << 20
	mapCacheTTL     = 5 * time.Minute
)

// approxBytes estimates what an entry holds: the built map, its JSON (and that JSON gzipped,
// about a tenth of it) and its SVG.
func approxBytes(m *chainmap.Map) int64 {
	n := int64(4096)
	for _, nd := range m.Nodes {
		if nd != nil {
			n += 2048 + int64(len(nd.Enterprises)+len(nd.Targets))*400 + int64(len(nd.Projects))*600
		}
	}
	return n
}

type cachedMap struct {
	key     string
	size    int64
	stamp   string
	built   time.Time
	m       *chainmap.Map
	jsonOne sync.Once
	json    *compressedBody
	jsonErr error
	svgOne  sync.Once
	svg     []byte
}

func newMapCache(clock domain.Clock) *mapCache {
	return &mapCache{entries: map[string]*list.Element{}, lru: list.New(), now: clock.Now}
}

// mapCacheKey is what besides the stamp decides a map: the chain's record as the caller
// sees it (name, chief) and the caller's scope, which filters the projects.
func mapCacheKey(chain *domain.Chain, scope domain.Scope) (string, error) {
	b, err := json.Marshal(chain)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d|%t|%v|%d|%s", scope.ZoneID, scope.All, scope.ChainIDs, scope.SubmitterID, b), nil
}

// get returns the entry for key built at stamp, if held and fresh.
func (c *mapCache) get(key, stamp string) *cachedMap {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil
	}
	e := el.Value.(*cachedMap)
	if e.stamp != stamp || c.now().Sub(e.built) > mapCacheTTL {
		c.remove(el)
		return nil
	}
	c.lru.MoveToFront(el)
	return e
}

// put keeps m, built from the state named by stamp, and returns its entry.
func (c *mapCache) put(key, stamp string, m *chainmap.Map) *cachedMap {
	e := &cachedMap{key: key, size: approxBytes(m), stamp: stamp, built: c.now(), m: m}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.entries[key] = c.lru.PushFront(e)
	c.bytes += e.size
	for c.lru.Len() > 1 && (c.lru.Len() > mapCacheEntries || c.bytes > mapCacheBytes) {
		c.remove(c.lru.Back())
	}
	return e
}

// remove drops an entry; the caller holds mu.
func (c *mapCache) remove(el *list.Element) {
	e := el.Value.(*cachedMap)
	c.lru.Remove(el)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// JSON renders the map's JSON once (and its gzip encoding once, when first asked for).
func (e *cachedMap) JSON() (*compressedBody, error) {
	e.jsonOne.Do(func() {
		b, err := e.m.JSON()
		e.json, e.jsonErr = newCompressedBody(b), err
	})
	return e.json, e.jsonErr
}

// SVG renders the map's drawing once.
func (e *cachedMap) SVG() []byte {
	e.svgOne.Do(func() { e.svg = chainmap.RenderSVG(e.m, chainmap.SVGOptions{}) })
	return e.svg
}

package api

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestMapCacheStampTTLAndEviction(t *testing.T) {
	clock := &fakeClock{now: time.Date(2023, 1, 16, 2, 0, 0, 0, time.UTC)}
	c := newMapCache(clock)
	m := &chainmap.Map{}
	c.put("a", "1", m)
	if c.get("a", "1") == nil {
		t.Fatal("a fresh entry at the same stamp is not served")
	}
	if c.get("a", "2") != nil {
		t.Fatal("an entry is served at another stamp")
	}
	if c.get("a", "1") != nil {
		t.Fatal("an entry found stale is kept")
	}
	c.put("a", "1", m)
	clock.add(mapCacheTTL + time.Second)
	if c.get("a", "1") != nil {
		t.Fatal("an entry past its time limit is served")
	}
	for i := range mapCacheEntries + 1 {
		c.put(fmt.Sprint(i), "1", m)
		if i == 0 {
			c.get("0", "1") // used: the least recently used is now 1
		}
		if i == 1 {
			c.get("0", "1")
		}
	}
	if c.lru.Len() != mapCacheEntries || len(c.entries) != mapCacheEntries {
		t.Fatalf("holds %d/%d entries, want %d", c.lru.Len(), len(c.entries), mapCacheEntries)
	}
	if c.get("0", "1") == nil || c.get("1", "1") != nil {
		t.Fatal("eviction did not take the least recently used entry")
	}

	// The size budget: big maps push out older ones, yet the newest is always kept.
	c = newMapCache(clock)
	big := &chainmap.Map{Nodes: []*chainmap.Node{{Enterprises: make([]chainmap.EnterpriseRef, mapCacheBytes/400/3)}}}
	for i := range 5 {
		c.put(fmt.Sprint("big", i), "1", big)
	}
	if c.bytes > mapCacheBytes || c.lru.Len() != 2 || c.get("big4", "1") == nil || c.get("big2", "1") != nil {
		t.Fatalf("size budget: %d entries, %d bytes of %d", c.lru.Len(), c.bytes, mapCacheBytes)
	}
	huge := &chainmap.Map{Nodes: []*chainmap.Node{{Enterprises: make([]chainmap.EnterpriseRef, mapCacheBytes/400+1)}}}
	c.put("huge", "1", huge)
	if c.lru.Len() != 1 || c.get("huge", "1") == nil {
		t.Fatal("an entry over the whole budget is not kept alone")
	}
	c.remove(c.entries["huge"])
	if c.bytes != 0 || c.lru.Len() != 0 {
		t.Fatalf("accounting left %d bytes, %d entries", c.bytes, c.lru.Len())
	}
}

func TestMapCacheKeySeparatesScopesAndChainRecords(t *testing.T) {
	chain := &domain.Chain{ID: 1, ZoneID: 1, Code: "food", Name: "现代食品"}
	keys := map[string]string{}
	for name, k := range map[string]struct {
		c *domain.Chain
		s domain.Scope
	}{
		"zone":      {chain, domain.Scope{ZoneID: 1, All: true}},
		"chief":     {chain, domain.Scope{ZoneID: 1, ChainIDs: []int64{1}}},
		"chief2":    {chain, domain.Scope{ZoneID: 1, ChainIDs: []int64{1, 2}}},
		"agent":     {chain, domain.Scope{ZoneID: 1, SubmitterID: 9}},
		"renamed":   {&domain.Chain{ID: 1, ZoneID: 1, Code: "food", Name: "食品"}, domain.Scope{ZoneID: 1, All: true}},
		"otherZone": {chain, domain.Scope{ZoneID: 2, All: true}},
	} {
		key, err := mapCacheKey(k.c, k.s)
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := keys[key]; dup {
			t.Fatalf("%s and %s share a cache key", name, other)
		}
		keys[key] = name
	}
}

func TestMapCacheRendersOnceUnderConcurrency(t *testing.T) {
	in := chainmap.Input{Chain: &domain.Chain{ID: 1, Code: "food", Name: "现代食品"}}
	e := newMapCache(domain.SystemClock{}).put("k", "1", chainmap.Build(in, chainmap.DefaultThresholds()))
	var wg sync.WaitGroup
	outs := make([][]byte, 8)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := e.JSON()
			if err != nil {
				t.Error(err)
				return
			}
			outs[i] = b.raw
			b.gzipped()
			e.SVG()
		}()
	}
	wg.Wait()
	for _, b := range outs {
		if &b[0] != &outs[0][0] {
			t.Fatal("the JSON was rendered more than once")
		}
	}
}

// Command projectlist measures GET /api/v1/projects (filters + paging) of a running chaincrm
// against the same query done in raw SQL on the same database, with the same concurrency,
// and prints throughput, p50/p99 latency and their ratio as a Markdown table.
//
// bench/run.sh seeds a MariaDB database with synthetic data, starts the binary on it and
// runs this program.
package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

type query struct {
	channel, stage, chain string
	page                  int
}

func (q query) url(base string) string {
	v := []string{fmt.Sprintf("page=%d", q.page), "page_size=20"}
	if q.channel != "" {
		v = append(v, "channel="+q.channel)
	}
	if q.stage != "" {
		v = append(v, "stage="+q.stage)
	}
	if q.chain != "" {
		v = append(v, "chain="+q.chain)
	}
	return base + "/api/v1/projects?" + strings.Join(v, "&")
}

func queries(n int) []query {
	rng := rand.New(rand.NewPCG(7, 7))
	channels := []string{"", "entrusted", "business_referral", "self_sourced", "resource_plus"}
	stages := []string{"", "", "lead", "identification", "risk", "decision", "follow_up"}
	chains := []string{"", "food", "mining", "semiconductor"}
	out := make([]query, n)
	for i := range out {
		out[i] = query{channels[rng.IntN(len(channels))], stages[rng.IntN(len(stages))], chains[rng.IntN(len(chains))], 1 + rng.IntN(20)}
	}
	return out
}

// raw runs the list the way a hand-written SQL client would: a count and a joined page.
func raw(db *sql.DB, zoneID int64, q query) error {
	where := []string{"p.zone_id = ?", "p.deleted_at IS NULL"}
	args := []any{zoneID}
	if q.channel != "" {
		where, args = append(where, "p.channel = ?"), append(args, q.channel)
	}
	if q.stage != "" {
		where, args = append(where, "p.stage = ?"), append(args, q.stage)
	}
	if q.chain != "" {
		where, args = append(where, "p.chain_id = (SELECT id FROM chains WHERE zone_id = ? AND code = ?)"), append(args, zoneID, q.chain)
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.QueryRow("SELECT COUNT(*) FROM projects p WHERE "+w, args...).Scan(&total); err != nil {
		return err
	}
	rows, err := db.Query(`SELECT p.id, p.name, p.channel, p.stage, p.planned_investment, p.docked_at, e.name, u.username, ch.code
		FROM projects p JOIN enterprises e ON e.id = p.investor_id JOIN users u ON u.id = p.owner_id
		LEFT JOIN chains ch ON ch.id = p.chain_id WHERE `+w+` ORDER BY p.docked_at DESC, p.id DESC LIMIT 20 OFFSET ?`,
		append(args, (q.page-1)*20)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id, inv int64
		var name, channel, stage, investor, owner string
		var docked time.Time
		var chain sql.NullString
		if err := rows.Scan(&id, &name, &channel, &stage, &inv, &docked, &investor, &owner, &chain); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		in := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
		a := make([]any, len(ids))
		for i, id := range ids {
			a[i] = id
		}
		r2, err := db.Query("SELECT project_id, node_id FROM project_nodes WHERE project_id IN ("+in+")", a...)
		if err != nil {
			return err
		}
		r2.Close()
	}
	return rows.Err()
}

type result struct {
	name       string
	n          int
	elapsed    time.Duration
	lat        []time.Duration
	errorCount int
}

func (r result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }
func (r result) pct(p float64) time.Duration {
	s := slices.Clone(r.lat)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

func run(name string, qs []query, conc int, fn func(query) error) result {
	lat := make([]time.Duration, len(qs))
	var next, errs int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if int(i) >= len(qs) {
					return
				}
				t := time.Now()
				if err := fn(qs[i]); err != nil {
					mu.Lock()
					errs++
					if errs == 1 {
						fmt.Fprintln(os.Stderr, name, "error:", err)
					}
					mu.Unlock()
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	return result{name: name, n: len(qs), elapsed: time.Since(start), lat: lat, errorCount: int(errs)}
}

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "chaincrm base URL")
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/chaincrm_bench?parseTime=true&loc=UTC", "the same database, for raw SQL")
	zone := flag.String("zone", "syn001", "zone to log in to")
	n := flag.Int("requests", 2000, "requests per side")
	conc := flag.Int("concurrency", 8, "concurrent clients")
	flag.Parse()

	body, _ := json.Marshal(map[string]string{"username": "admin", "password": "Demo@2023", "zone": *zone})
	res, err := http.Post(*base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var login struct{ Token string }
	json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	if login.Token == "" {
		fmt.Fprintln(os.Stderr, "login failed:", res.Status)
		os.Exit(1)
	}
	db, err := sql.Open("mysql", *dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db.SetMaxOpenConns(*conc)
	var zoneID, total int64
	if err := db.QueryRow("SELECT id FROM zones WHERE code = ?", *zone).Scan(&zoneID); err != nil {
		fmt.Fprintln(os.Stderr, "zone:", err)
		os.Exit(1)
	}
	db.QueryRow("SELECT COUNT(*) FROM projects").Scan(&total)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	qs := queries(*n)
	// warm up both sides
	run("warm", qs[:min(200, len(qs))], *conc, func(q query) error { return raw(db, zoneID, q) })
	api := run("API", qs, *conc, func(q query) error {
		req, _ := http.NewRequest(http.MethodGet, q.url(*base), nil)
		req.Header.Set("Authorization", "Bearer "+login.Token)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	})
	sqlRes := run("raw SQL", qs, *conc, func(q query) error { return raw(db, zoneID, q) })
	fmt.Printf("Project list, %d requests per side, %d concurrent, %d projects in the database (zone %s):\n\n", *n, *conc, total, *zone)
	fmt.Println("| side | requests/s | p50 | p99 | errors |")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range []result{api, sqlRes} {
		fmt.Printf("| %s | %.0f | %s | %s | %d |\n", r.name, r.rps(), r.pct(0.5).Round(10*time.Microsecond), r.pct(0.99).Round(10*time.Microsecond), r.errorCount)
	}
	fmt.Printf("\nThroughput ratio API / raw SQL: %.2f\n", api.rps()/sqlRes.rps())
	if api.errorCount+sqlRes.errorCount > 0 {
		os.Exit(1)
	}
}

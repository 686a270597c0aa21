// Command lists measures every list-shaped read of a running chaincrm against the single
// read GET /projects/{id}, in the same run, at the same concurrency (issue 13): each read is
// driven for a fixed time by N concurrent clients right after the single read was driven for
// as long, and the table gives its throughput as a share of that single read's, and its p99.
//
// bench/run.sh seeds the database (chaincrm seed --synthetic), starts the binary and runs
// this program; it needs nothing but the binary's HTTP API.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type read struct {
	name string
	user string                    // log-in name in the zone
	path func(r *rand.Rand) string // a path under /api/v1, per request
	min  float64                   // the target share of the single read
}

type result struct {
	n, errs int
	elapsed time.Duration
	lat     []time.Duration
}

func (r result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }
func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

type client struct {
	base   string
	http   *http.Client
	tokens map[string]string
	decode bool // let the transport ask for gzip and decode it, as Go's client does by default
}

func (c *client) login(zone, user, password string) error {
	body, _ := json.Marshal(map[string]string{"username": user, "password": password, "zone": zone})
	res, err := c.http.Post(c.base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var ans struct{ Token string }
	json.NewDecoder(res.Body).Decode(&ans)
	if ans.Token == "" {
		return fmt.Errorf("log-in of %s: %s", user, res.Status)
	}
	c.tokens[user] = ans.Token
	return nil
}

func (c *client) get(user, path string, into any) error {
	req, _ := http.NewRequest(http.MethodGet, c.base+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	if !c.decode && into == nil {
		// as a browser asks; the body is read but not decoded (decoding is the browser's
		// work on its own machine; here it would take the server's cores)
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
		return fmt.Errorf("GET %s: %d %s", path, res.StatusCode, b)
	}
	if into != nil {
		return json.NewDecoder(res.Body).Decode(into)
	}
	_, err = io.Copy(io.Discard, res.Body)
	return err
}

// drive runs rd with conc clients for d.
func (c *client) drive(rd read, conc int, d time.Duration) result {
	var mu sync.Mutex
	var all []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 13))
			var lat []time.Duration
			for time.Now().Before(stop) {
				t := time.Now()
				if err := c.get(rd.user, rd.path(rng), nil); err != nil {
					if errs.Add(1) == 1 {
						fmt.Fprintln(os.Stderr, rd.name, "error:", err)
					}
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	return result{n: len(all), errs: int(errs.Load()), elapsed: time.Since(start), lat: all}
}

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "chaincrm base URL")
	zone := flag.String("zone", "syn001", "zone to log in to")
	password := flag.String("password", "Demo@2023", "the synthetic users' password")
	conc := flag.Int("concurrency", 32, "concurrent clients")
	dur := flag.Duration("duration", 5*time.Second, "how long each read is driven")
	only := flag.String("only", "", "comma-separated read names to run (default: all)")
	decode := flag.Bool("decode", false, "decode gzip answers in the client (Go's default transport) instead of reading them as sent")
	flag.Parse()

	c := &client{base: *base, tokens: map[string]string{}, decode: *decode,
		http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}}
	for _, u := range []string{"admin", "chief_food"} {
		if err := c.login(*zone, u, *password); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	// The zone's project ids (for the single read), from the list itself.
	var ids []int64
	var total int
	for p := 1; len(ids) < 2000; p++ {
		var pg struct {
			Items []struct{ ID int64 }
			Total int
		}
		if err := c.get("admin", fmt.Sprintf("/projects?page=%d&page_size=200", p), &pg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		total = pg.Total
		if len(pg.Items) == 0 {
			break
		}
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
	}
	if len(ids) == 0 {
		fmt.Fprintln(os.Stderr, "the zone has no projects")
		os.Exit(1)
	}
	fixed := func(p string) func(*rand.Rand) string { return func(*rand.Rand) string { return p } }
	q := func(s string) string { return url.QueryEscape(s) }
	lastPage := max(1, (total+19)/20)
	deep := min(400, lastPage)
	single := read{"GET /projects/{id}", "admin", func(r *rand.Rand) string { return fmt.Sprintf("/projects/%d", ids[r.IntN(len(ids))]) }, 1}
	reads := []read{
		{"GET /projects?page=1", "admin", fixed("/projects?page=1"), 0.5},
		{fmt.Sprintf("GET /projects?page=%d", deep), "admin", fixed(fmt.Sprintf("/projects?page=%d", deep)), 0.5},
		{"?chain=food&page=3", "admin", fixed("/projects?chain=food&page=3"), 0.5},
		{"?stage=risk&page=2", "admin", fixed("/projects?stage=risk&page=2"), 0.5},
		{"?channel=entrusted&docked_from=2021-01-01&page=2", "admin", fixed("/projects?channel=entrusted&docked_from=2021-01-01&page=2"), 0.5},
		{"?owner=recruiter1&stage=lead", "admin", fixed("/projects?owner=recruiter1&stage=lead"), 0.5},
		{"chain chief's GET /projects", "chief_food", fixed("/projects"), 0.5},
		{"chain chief's GET /projects?page=100", "chief_food", fixed("/projects?page=100"), 0.5},
		{"?q=项目88 (no match)", "admin", fixed("/projects?q=" + q("项目88")), 0.25},
		{"?q=项目0012 (a project name, 100 matches)", "admin", fixed("/projects?q=" + q("项目0012")), 0.25},
		{"?q=企业00012 (an investor's name)", "admin", fixed("/projects?q=" + q("企业00012")), 0.25},
		{"?q=合 (one character)", "admin", fixed("/projects?q=" + q("合")), 0.25},
		{"?sort=-planned_investment", "admin", fixed("/projects?sort=-planned_investment"), 0.5},
		{fmt.Sprintf("?sort=days_in_stage&page=%d", deep), "admin", fixed(fmt.Sprintf("/projects?sort=days_in_stage&page=%d", deep)), 0.5},
		{"?sort=name&page=50", "admin", fixed("/projects?sort=name&page=50"), 0.5},
		{"?sort=docked_at&page=3", "admin", fixed("/projects?sort=docked_at&page=3"), 0.5},
		{"?stage=lead&sort=-days_in_stage&page=2", "admin", fixed("/projects?stage=lead&sort=-days_in_stage&page=2"), 0.5},
		{"chain chief's ?sort=-name", "chief_food", fixed("/projects?sort=-name"), 0.5},
		{"GET /projects/board", "admin", fixed("/projects/board"), 0.5},
		{"chain chief's GET /projects/board", "chief_food", fixed("/projects/board"), 0.5},
		{"chief's GET /review-queue", "chief_food", fixed("/review-queue"), 0.5},
		{"GET /stats/overview?year=2022", "admin", fixed("/stats/overview?year=2022"), 0.5},
		{"GET /enterprises?page=50", "admin", fixed("/enterprises?page=50"), 0.5},
		{"GET /enterprises?q=企业0001", "admin", fixed("/enterprises?q=" + q("企业0001")), 0.25},
		{"chief's GET /chains/food/map (cached)", "chief_food", fixed("/chains/food/map"), 0.5},
	}
	if *only != "" {
		keep := strings.Split(*only, ",")
		reads = slices.DeleteFunc(reads, func(r read) bool { return !slices.Contains(keep, r.name) })
	}
	// Every read once, so that caches and the buffer pool are warm for all of them alike.
	for _, rd := range append([]read{single}, reads...) {
		if err := c.get(rd.user, rd.path(rand.New(rand.NewPCG(1, 1))), nil); err != nil {
			fmt.Fprintln(os.Stderr, "warm-up:", err)
			os.Exit(1)
		}
	}
	c.drive(single, *conc, *dur/2)

	// Each read right after a burst of the single read, which is its reference: on a shared
	// machine whose load moves by the minute, a reference measured far away means little.
	res := make([]result, len(reads))
	refs := make([]result, len(reads))
	for i, rd := range reads {
		refs[i] = c.drive(single, *conc, *dur)
		res[i] = c.drive(rd, *conc, *dur)
	}
	lo, hi := refs[0].rps(), refs[0].rps()
	for _, r := range refs {
		lo, hi = min(lo, r.rps()), max(hi, r.rps())
	}

	fmt.Printf("Zone %s (%d projects visible to its administrator), %d concurrent clients, %s per read, each right after %s of the single read.\n",
		*zone, total, *conc, *dur, *dur)
	fmt.Printf("Single read %s: %.0f–%.0f requests/s over the run.\n\n", single.name, lo, hi)
	fmt.Println("| read | requests/s | single read just before | share of the single read | target | p99 | p99 / single's | errors |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	failed := 0
	for i, rd := range reads {
		r, ref := res[i], refs[i]
		share := r.rps() / ref.rps()
		mark := "✔"
		if share < rd.min || r.pct(0.99) > 2*ref.pct(0.99) {
			mark = "✘"
			failed++
		}
		fmt.Printf("| %s | %.0f | %.0f, p99 %s | %.2f× %s | ≥ %.2g× | %s | %.1f× | %d |\n", rd.name, r.rps(), ref.rps(),
			ref.pct(0.99).Round(time.Millisecond), share, mark, rd.min,
			r.pct(0.99).Round(time.Millisecond), float64(r.pct(0.99))/float64(ref.pct(0.99)), r.errs)
	}
	fmt.Printf("\n%d of %d reads below their target share or over twice the single read's p99.\n", failed, len(reads))
	for _, r := range res {
		if r.errs > 0 {
			os.Exit(1)
		}
	}
}

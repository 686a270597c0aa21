// Command platform measures the provincial platform's pages (issue 19) for a province user
// granted many zones: GET /api/v1/platform/overview?year=Y and /platform/chains?year=Y of a
// running chaincrm at each concurrency (p50, p99, requests per second, answer size), and
// the same figures computed in-process on the database (repository.PlatformService: the
// queries and their assembly, no HTTP or JSON), so that server-side query time and the
// whole request can be told apart. It prints Markdown tables.
//
// bench/run.sh (BENCH_PLATFORM=1) seeds the zones, makes the province user and runs it:
//
//	go run ./bench/platform -url http://127.0.0.1:18090 -dsn 'root@tcp(127.0.0.1:3306)/chaincrm_bench' -user province -password P
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "the running chaincrm")
	dsn := flag.String("dsn", "", "the same database (MySQL DSN) for the in-process timing; empty: skip it")
	driver := flag.String("driver", "mysql", "the database driver of -dsn")
	user := flag.String("user", "province", "a province user")
	password := flag.String("password", "", "their password")
	year := flag.Int("year", 2022, "the year compared")
	n := flag.Int("n", 40, "requests per endpoint and concurrency")
	levels := flag.String("concurrency", "1,8", "concurrency levels")
	label := flag.String("label", "", "a label for the tables (e.g. before, after)")
	flag.Parse()
	if err := run(*base, *driver, *dsn, *user, *password, *year, *n, *levels, *label); err != nil {
		fmt.Fprintln(os.Stderr, "platform bench:", err)
		os.Exit(1)
	}
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func run(base, driver, dsn, user, password string, year, n int, levels, label string) error {
	token, err := login(base, user, password)
	if err != nil {
		return err
	}
	paths := []string{fmt.Sprintf("/api/v1/platform/overview?year=%d", year), fmt.Sprintf("/api/v1/platform/chains?year=%d", year)}
	fmt.Printf("\n%s HTTP, %d requests per row (load average before: %s)\n\n", label, n, loadavg())
	fmt.Println("| request | clients | p50 | p99 | req/s | answer |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, p := range paths {
		if _, _, err := get(base+p, token); err != nil { // warm: the first request pays for cold pages
			return err
		}
		for _, lv := range strings.Split(levels, ",") {
			c, err := strconv.Atoi(lv)
			if err != nil {
				return err
			}
			lat, size, wall, err := drive(base+p, token, c, n)
			if err != nil {
				return err
			}
			fmt.Printf("| `%s` | %d | %s | %s | %.1f | %d kB |\n", p, c, ms(pct(lat, 50)), ms(pct(lat, 99)), float64(n)/wall.Seconds(), size/1024)
		}
	}
	fmt.Printf("\n(load average after: %s)\n", loadavg())
	if dsn == "" {
		return nil
	}
	return inProcess(driver, dsn, user, year, n, label)
}

// inProcess times the service's calls on the database, one at a time.
func inProcess(driver, dsn, user string, year, n int, label string) error {
	db, err := repository.Open(driver, dsn, repository.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	pz, err := db.PlatformZone(ctx, false)
	if err != nil || pz == nil {
		return fmt.Errorf("no platform zone: %v", err)
	}
	users := repository.NewUserService(db)
	u, err := users.FindUserByUsername(ctx, pz.ID, user)
	if err != nil {
		return err
	}
	u.Roles = []domain.Role{domain.RoleProvince}
	actx := domain.WithActor(ctx, &domain.Actor{User: u, Zone: pz})
	svc := repository.NewPlatformService(db)
	// Inside a transaction the figures' cache (kept per change stamp) is bypassed: these
	// rows are the computation; the "kept" rows are what a repeated view costs.
	computed := func(f func(ctx context.Context) error) func() error {
		return func() error { return db.WithTx(actx, f) }
	}
	calls := []struct {
		name string
		fn   func() error
	}{
		{"Overview, computed", computed(func(ctx context.Context) error { _, err := svc.Overview(ctx, year); return err })},
		{"Chains, computed", computed(func(ctx context.Context) error { _, err := svc.Chains(ctx, year); return err })},
		{"Overview, kept", func() error { _, err := svc.Overview(actx, year); return err }},
		{"Chains, kept", func() error { _, err := svc.Chains(actx, year); return err }},
	}
	fmt.Printf("\n%s server side (repository.PlatformService on the database, one call at a time, %d calls; load average %s)\n\n", label, n, loadavg())
	fmt.Println("| call | p50 | p99 |")
	fmt.Println("|---|---|---|")
	for _, c := range calls {
		if err := c.fn(); err != nil {
			return err
		}
		var lat []time.Duration
		for range n {
			t := time.Now()
			if err := c.fn(); err != nil {
				return err
			}
			lat = append(lat, time.Since(t))
		}
		fmt.Printf("| %s (%d) | %s | %s |\n", c.name, year, ms(pct(lat, 50)), ms(pct(lat, 99)))
	}
	return nil
}

func drive(url, token string, clients, n int) (lat []time.Duration, size int, wall time.Duration, err error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				t := time.Now()
				sz, status, e := get(url, token)
				d := time.Since(t)
				mu.Lock()
				if e == nil && status != http.StatusOK {
					e = fmt.Errorf("%s: %d", url, status)
				}
				if e != nil && err == nil {
					err = e
				}
				lat, size = append(lat, d), sz
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return lat, size, time.Since(start), err
}

func get(url, token string) (int, int, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return len(b), res.StatusCode, err
}

func login(base, user, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct{ Token string }
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != http.StatusOK || out.Token == "" {
		return "", fmt.Errorf("log-in %s: %d", user, res.StatusCode)
	}
	return out.Token, nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
}

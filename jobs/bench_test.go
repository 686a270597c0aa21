package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// The scale on MariaDB: 100 000 projects, 1 000 000 activities, 1 000 users. The
// data is generated once per run with multi-row INSERTs (about a minute), then
//
//	go test ./jobs -run '^$' -bench . -benchtime 3x
//
// measures the reminder scan (first run: every reminder raised; re-run: steady state) and
// the weekly digest for all users. Skipped with -short and when MySQL is skipped.

const (
	benchProjects   = 100_000
	benchActivities = 1_000_000
	benchUsers      = 1_000
	benchChains     = 10
)

var benchNow = time.Date(2023, 6, 5, 8, 30, 0, 0, shanghai) // a Monday

var (
	benchOnce sync.Once
	benchDB   *repository.DB
	benchErr  error
)

// benchData opens a MariaDB database filled with the benchmark's zone, once per run.
func benchData(b *testing.B) *repository.DB {
	if testing.Short() {
		b.Skip("the 100 000-project benchmark is long")
	}
	if os.Getenv("CHAINCRM_TEST_SKIP_MYSQL") == "1" {
		b.Skip("the scale benchmark runs on MariaDB")
	}
	benchOnce.Do(func() {
		start := time.Now()
		// The database lives as long as the test binary: dbtest removes it when the first
		// benchmark that asked for it ends, so it is opened on a throw-away testing.B.
		db := dbtest.Migrated(&keepTB{B: b}, repository.DriverMySQL, repository.Options{Location: shanghai})
		benchErr = fillBench(db)
		benchDB = db
		b.Logf("generated %d projects, %d activities, %d users in %s", benchProjects, benchActivities, benchUsers, time.Since(start).Round(time.Second))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDB
}

// keepTB defers cleanups to the end of the test binary (see TestMain-less cleanup below).
type keepTB struct{ *testing.B }

var (
	cleanMu  sync.Mutex
	cleanups []func()
)

func (k *keepTB) Cleanup(f func()) {
	cleanMu.Lock()
	cleanups = append(cleanups, f)
	cleanMu.Unlock()
}

func TestMain(m *testing.M) {
	code := m.Run()
	cleanMu.Lock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanMu.Unlock()
	os.Exit(code)
}

// insertRows runs multi-row INSERTs of rows (already SQL literals) in chunks.
func insertRows(db *repository.DB, head string, rows []string) error {
	for len(rows) > 0 {
		n := min(len(rows), 2000)
		if err := db.Gorm().Exec(head + " VALUES " + strings.Join(rows[:n], ",")).Error; err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func sqlTime(t time.Time) string { return "'" + t.UTC().Format("2006-01-02 15:04:05") + "'" }
func sqlDate(d domain.Date) string {
	if d.IsZero() {
		return "NULL"
	}
	return "'" + d.String() + "'"
}

func fillBench(db *repository.DB) error {
	r := rand.New(rand.NewPCG(6, 2023))
	now := benchNow
	today := domain.DateOf(now, shanghai)
	g := db.Gorm()
	if err := g.Exec("INSERT INTO zones (id, code, name, time_zone, created_at) VALUES (1, 'bench', '基准测试开发区', 'Asia/Shanghai', ?)", now.UTC()).Error; err != nil {
		return err
	}
	// Users: 1 admin, 5 directors, one chief per chain, 50 agents, recruiters for the rest.
	type user struct {
		id   int
		role string
	}
	var users []user
	var rows, grants []string
	for i := 1; i <= benchUsers; i++ {
		role := "recruiter"
		switch {
		case i == 1:
			role = "admin"
		case i <= 6:
			role = "director"
		case i <= 6+benchChains:
			role = "chain_chief"
		case i <= 6+benchChains+50:
			role = "agent"
		}
		users = append(users, user{i, role})
		rows = append(rows, fmt.Sprintf("(%d, 1, 'u%04d', '用户%04d', 'u%04d@bench.example.cn', 'x', %s, %s)", i, i, i, i, sqlTime(now), sqlTime(now)))
		grants = append(grants, fmt.Sprintf("('g', 'u%04d', '%s', 'bench')", i, role))
	}
	if err := insertRows(db, "INSERT INTO users (id, zone_id, username, display_name, email, password_hash, created_at, updated_at)", rows); err != nil {
		return err
	}
	if err := insertRows(db, "INSERT INTO casbin_rule (ptype, v0, v1, v2)", grants); err != nil {
		return err
	}
	rows = nil
	var chiefs []string
	for c := 1; c <= benchChains; c++ {
		rows = append(rows, fmt.Sprintf("(%d, 1, 'chain%02d', '产业链%02d', %d, %s)", c, c, c, c, sqlTime(now)))
		chiefs = append(chiefs, fmt.Sprintf("(%d, %d)", 6+c, c))
	}
	if err := insertRows(db, "INSERT INTO chains (id, zone_id, code, name, sort_order, created_at)", rows); err != nil {
		return err
	}
	if err := insertRows(db, "INSERT INTO chain_chiefs (user_id, chain_id)", chiefs); err != nil {
		return err
	}
	if err := g.Exec("INSERT INTO enterprises (id, zone_id, name, kind, created_at, updated_at) VALUES (1, 1, '投资方', 'investor', ?, ?)", now.UTC(), now.UTC()).Error; err != nil {
		return err
	}
	if err := g.Exec(`INSERT INTO targets (zone_id, year, metric, value, label) VALUES (1, 2023, 'signed_projects', 100, '签约项目不少于100个'),
		(1, 2023, 'light_signed_science_park', 20, '科创园轻资产项目不少于20个'), (1, 2023, 'conferences_held', 3, '推介会不少于3次')`).Error; err != nil {
		return err
	}
	recruiter := func() int { return 67 + r.IntN(benchUsers-66) }
	stages := []string{"lead", "lead", "lead", "lead", "identification", "identification", "risk", "decision", "follow_up", "follow_up", "dropped"}
	channels := []string{"entrusted", "business_referral", "self_sourced", "resource_plus"}
	past := func(maxDays int) time.Time { return now.Add(-time.Duration(r.IntN(maxDays*24)) * time.Hour) }
	rows = nil
	var moves []string
	for p := 1; p <= benchProjects; p++ {
		stage := stages[r.IntN(len(stages))]
		owner := recruiter()
		creator := owner
		if r.IntN(20) == 0 {
			creator = 17 + r.IntN(50) // an agent
		}
		chain := "NULL"
		if r.IntN(100) < 85 {
			chain = fmt.Sprint(1 + r.IntN(benchChains))
		}
		entered := past(120)
		progress := entered.Add(time.Duration(r.IntN(20*24)) * time.Hour)
		if progress.After(now) {
			progress = now
		}
		var signed, land, build domain.Date
		if stage == "follow_up" {
			signed = domain.DateOf(entered, shanghai)
			land = today.AddDays(r.IntN(120) - 60)
			build = land.AddDays(30)
		}
		outcome := ""
		hasRisk := stage == "decision" || stage == "follow_up"
		if stage == "follow_up" {
			outcome = "approved"
		}
		rows = append(rows, fmt.Sprintf("(%d, 1, '基准项目%06d', 1, '%s', %s, '%s', %d, '%s', '%s', %s, %s, %t, '%s', %d, %d, '%s', %s, %s, %s, 1, %s, %s)",
			p, p, channels[r.IntN(4)], chain, []string{"heavy", "light"}[r.IntN(2)], int64(1+r.IntN(50000))*10000, stage,
			map[bool]string{true: "lead", false: ""}[stage == "dropped"], sqlTime(entered), sqlTime(progress), hasRisk, outcome,
			owner, creator, domain.DateOf(entered.AddDate(0, 0, -30), shanghai), sqlDate(signed), sqlDate(land), sqlDate(build),
			sqlTime(now), sqlTime(now)))
		if p%30 == 0 { // about 3 300 stage moves in the digest's week
			moves = append(moves, fmt.Sprintf("(1, %d, %s, %d, 'u%04d', 'stage_changed', 'stage', 'lead', 'identification')",
				p, sqlTime(now.Add(-time.Duration(1+r.IntN(6*24))*time.Hour)), owner, owner))
		}
	}
	if err := insertRows(db, `INSERT INTO projects (id, zone_id, name, investor_id, channel, chain_id, asset_type, planned_investment,
		stage, prev_stage, stage_entered_at, last_progress_at, has_risk_assessment, decision_outcome, owner_id, created_by_id,
		docked_at, signed_at, land_listing_planned, construction_planned, version, created_at, updated_at)`, rows); err != nil {
		return err
	}
	if err := insertRows(db, "INSERT INTO project_history (zone_id, project_id, at, actor_id, actor, action, field, from_value, to_value)", moves); err != nil {
		return err
	}
	kinds := []string{"visit", "reception", "meeting", "call", "service"}
	batch := make([]string, 0, 20000)
	for a := 1; a <= benchActivities; a++ {
		due := "NULL"
		if r.IntN(10) == 0 {
			due = sqlDate(today.AddDays(r.IntN(20) - 10))
		}
		occurred := domain.DateOf(past(180), shanghai)
		batch = append(batch, fmt.Sprintf("(1, %d, '%s', %s, '北京', '基准走访记录', '继续跟进', %s, %d, %s, %s)",
			1+r.IntN(benchProjects), kinds[r.IntN(5)], sqlDate(occurred), due, recruiter(), sqlTime(now), sqlTime(now)))
		if len(batch) == cap(batch) || a == benchActivities {
			if err := insertRows(db, "INSERT INTO activities (zone_id, project_id, kind, occurred_at, place, summary, next_step, next_due, author_id, created_at, updated_at)", batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return g.Exec("ANALYZE TABLE projects, activities, reminders, project_history").Error
}

// peakHeap samples the heap while fn runs and returns the highest value seen.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	return peak.Load()
}

func benchJobs(db *repository.DB, mailDir string) *jobs.Service {
	mailer, _ := jobs.NewMailer(jobs.MailConfig{From: "noreply@bench.example.cn", Dir: mailDir})
	svc, err := jobs.New(jobs.Config{Location: shanghai, Instance: "bench", BaseURL: "http://bench.test", MailFrom: "noreply@bench.example.cn",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		jobs.Stores{Runs: repository.NewJobRunStore(db), Reminders: repository.NewReminderStore(db), Digest: repository.NewDigestStore(db),
			Outbox: repository.NewOutboxStore(db), Mailer: mailer})
	if err != nil {
		panic(err)
	}
	return svc
}

func BenchmarkReminderScan(b *testing.B) {
	db := benchData(b)
	svc := benchJobs(db, b.TempDir())
	ctx := context.Background()
	for _, mode := range []string{"first", "rerun"} {
		b.Run(mode, func(b *testing.B) {
			var peak uint64
			var detail string
			for i := 0; i < b.N; i++ {
				if mode == "first" {
					b.StopTimer()
					if err := db.Gorm().Exec("DELETE FROM reminders").Error; err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				p := peakHeap(func() {
					var err error
					detail, err = svc.ReminderJob.Run(ctx, benchNow)
					if err != nil {
						b.Fatal(err)
					}
				})
				peak = max(peak, p)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.Log(detail)
		})
	}
}

func BenchmarkDigest(b *testing.B) {
	db := benchData(b)
	svc := benchJobs(db, b.TempDir())
	ctx := context.Background()
	var n int64
	db.Gorm().Table("reminders").Count(&n)
	if n == 0 {
		if _, err := svc.ReminderJob.Run(ctx, benchNow); err != nil {
			b.Fatal(err)
		}
	}
	var peak uint64
	var detail string
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := db.Gorm().Exec("DELETE FROM outbox").Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		p := peakHeap(func() {
			var err error
			detail, err = svc.DigestJob.Run(ctx, benchNow)
			if err != nil {
				b.Fatal(err)
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.Log(detail)
}

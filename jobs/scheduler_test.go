package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// memRuns is an in-memory JobRunStore with the same insert-or-lose rule as job_runs.
type memRuns struct {
	mu   sync.Mutex
	runs []*domain.JobRun
}

func (m *memRuns) ClaimRun(ctx context.Context, run *domain.JobRun) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.runs {
		if r.Job == run.Job && r.FireAt.Equal(run.FireAt) {
			return false, nil
		}
	}
	c := *run
	c.ID = int64(len(m.runs) + 1)
	c.Status = domain.JobRunning
	m.runs = append(m.runs, &c)
	run.ID = c.ID
	return true, nil
}

func (m *memRuns) FinishRun(ctx context.Context, id int64, status, detail string, finished time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.runs[id-1]
	r.Status, r.Detail, r.FinishedAt = status, detail, &finished
	return nil
}

func (m *memRuns) LastRuns(ctx context.Context) (map[string]*domain.JobRun, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]*domain.JobRun{}
	for _, r := range m.runs {
		c := *r
		out[r.Job] = &c
	}
	return out, nil
}

func (m *memRuns) get(id int64) domain.JobRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	return *m.runs[id-1]
}

type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestLatestFire(t *testing.T) {
	s := NewScheduler(SchedulerOptions{Location: shanghai})
	for _, c := range []struct {
		spec, now, want string
	}{
		{"0 * * * *", "2023-01-16 09:00:00.300", "2023-01-16 09:00:00"},
		{"30 8 * * 1", "2023-01-16 08:30:01", "2023-01-16 08:30:00"}, // a Monday
		{"* * * * *", "2023-01-16 09:07:00.999", "2023-01-16 09:07:00"},
		{"*/5 * * * * *", "2023-01-16 09:07:12", "2023-01-16 09:07:10"},
	} {
		sched, err := s.parser.Parse(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		now, _ := time.ParseInLocation("2006-01-02 15:04:05.999", c.now, shanghai)
		want, _ := time.ParseInLocation("2006-01-02 15:04:05", c.want, shanghai)
		if got := latestFire(sched, now); !got.Equal(want) {
			t.Errorf("%s at %s: %s, want %s", c.spec, c.now, got, want)
		}
	}
}

func TestSchedulerRecordsPanicsAndFailures(t *testing.T) {
	runs := &memRuns{}
	clock := &fixedClock{t: time.Date(2023, 1, 16, 1, 0, 0, 0, time.UTC)}
	s := NewScheduler(SchedulerOptions{Location: shanghai, Runs: runs, Instance: "t", Clock: clock, Log: quiet()})
	s.Register("boom", "panics", "0 * * * *", func(ctx context.Context, at time.Time) (string, error) { panic("kaboom") })
	s.Register("fail", "fails", "", func(ctx context.Context, at time.Time) (string, error) { return "", errors.New("no database") })
	s.Register("ok", "works", "", func(ctx context.Context, at time.Time) (string, error) {
		return "done as of " + at.Format(time.RFC3339), nil
	})

	run, err := s.Run(context.Background(), "boom", clock.Now(), "admin")
	if err == nil || run.Status != domain.JobFailed || !strings.Contains(run.Detail, "kaboom") {
		t.Fatalf("panic: %v %+v", err, run)
	}
	if !s.Fire("boom") { // a scheduled fire that panics is recorded too, and the process lives on
		t.Fatal("fire did not run")
	}
	if got := runs.get(2); got.Status != domain.JobFailed || got.FinishedAt == nil {
		t.Errorf("scheduled panic recorded as %+v", got)
	}
	if run, err := s.Run(context.Background(), "fail", clock.Now(), "admin"); err == nil || run.Status != domain.JobFailed || run.Detail != "no database" {
		t.Errorf("failure: %v %+v", err, run)
	}
	at := time.Date(2022, 12, 31, 0, 0, 0, 0, shanghai)
	run, err = s.Run(context.Background(), "ok", at, "admin")
	if err != nil || run.Status != domain.JobOK || run.Detail != "done as of 2022-12-31T00:00:00+08:00" || !run.AsOf.Equal(at) {
		t.Errorf("ok: %v %+v", err, run)
	}
	if !strings.Contains(run.Instance, "admin") {
		t.Errorf("manual run not attributed: %q", run.Instance)
	}
	if _, err := s.Run(context.Background(), "nope", at, "admin"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown job: %v", err)
	}
	st, err := s.Status(context.Background())
	if err != nil || len(st) != 3 {
		t.Fatalf("status: %v %v", st, err)
	}
	for _, j := range st {
		if j.Name == "boom" && (j.NextRunAt == nil || j.LastRun == nil || j.LastRun.Status != domain.JobFailed) {
			t.Errorf("boom status %+v", j)
		}
	}
}

// A job never overlaps itself in one process: a manual run while it runs is refused, a
// scheduled fire skipped.
func TestSchedulerNoOverlap(t *testing.T) {
	runs := &memRuns{}
	clock := &fixedClock{t: time.Date(2023, 1, 16, 1, 0, 0, 0, time.UTC)}
	s := NewScheduler(SchedulerOptions{Location: shanghai, Runs: runs, Instance: "t", Clock: clock, Log: quiet()})
	started, release := make(chan struct{}), make(chan struct{})
	s.Register("slow", "slow", "0 * * * *", func(ctx context.Context, at time.Time) (string, error) {
		close(started)
		<-release
		return "", nil
	})
	done := make(chan error)
	go func() { _, err := s.Run(context.Background(), "slow", clock.Now(), "a"); done <- err }()
	<-started
	if _, err := s.Run(context.Background(), "slow", clock.Now(), "b"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("second run: %v", err)
	}
	if s.Fire("slow") {
		t.Error("a scheduled fire ran beside the manual run")
	}
	st, _ := s.Status(context.Background())
	if !st[0].Running {
		t.Error("status does not show the running job")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Stop waits for a running job; when its patience runs out it cancels the job's context.
func TestSchedulerGracefulStop(t *testing.T) {
	for _, c := range []struct {
		name     string
		wait     time.Duration
		obeys    bool
		wantErr  bool
		canceled bool
	}{
		{"job finishes in time", 2 * time.Second, false, false, false},
		{"job cancelled after the deadline", 50 * time.Millisecond, true, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewScheduler(SchedulerOptions{Location: time.UTC, Runs: &memRuns{}, Instance: "t", Log: quiet()})
			var started sync.Once
			startedC := make(chan struct{})
			var canceled atomic.Bool
			var finished atomic.Bool
			s.Register("tick", "tick", "* * * * * *", func(ctx context.Context, at time.Time) (string, error) {
				started.Do(func() { close(startedC) })
				select {
				case <-time.After(300 * time.Millisecond):
				case <-ctx.Done():
					canceled.Store(true)
				}
				finished.Store(true)
				return "", nil
			})
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-startedC:
			case <-time.After(3 * time.Second):
				t.Fatal("the job never started")
			}
			ctx, cancel := context.WithTimeout(context.Background(), c.wait)
			defer cancel()
			err := s.Stop(ctx)
			if (err != nil) != c.wantErr || !finished.Load() || canceled.Load() != c.canceled {
				t.Errorf("stop: err=%v finished=%v canceled=%v", err, finished.Load(), canceled.Load())
			}
			if err := s.Start(); err == nil {
				t.Error("a stopped scheduler started again")
			}
		})
	}
}

func TestSchedulerRejectsBadSchedules(t *testing.T) {
	s := NewScheduler(SchedulerOptions{Runs: &memRuns{}, Log: quiet()})
	for _, spec := range []string{"every hour", "61 * * * *", "* * *"} {
		if err := s.Register(fmt.Sprint("j", spec), "", spec, nil); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}

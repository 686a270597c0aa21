package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Locker makes each scheduled fire run once across replicas: ClaimRun inserts the fire's
// job_runs row (unique job + fire time) and only the replica whose insert lands runs it.
// repository.JobRunStore is the one on the database; it also records every run's outcome.
type Locker = domain.JobRunStore

// Func is one job's work as of a moment (the scheduled fire time, or --at); it returns a
// line for the run's record.
type Func func(ctx context.Context, at time.Time) (string, error)

// Scheduler runs named jobs on cron schedules in the zone's time zone. It belongs to
// whoever built it (no package state): Start begins firing, Stop ends it gracefully.
//
// With several replicas on one database each scheduled fire runs once: before running,
// a replica claims the fire in job_runs (unique job + fire time); the others lose the
// insert and skip. In one process a job never overlaps itself (cron's SkipIfStillRunning
// plus a per-job lock that manual runs share), and a panic is recorded as a failed run.
type Scheduler struct {
	loc      *time.Location
	runs     Locker
	instance string
	clock    domain.Clock
	log      *slog.Logger
	parser   cron.Parser

	ctx    context.Context // cancelled by Stop: running jobs should wind down
	cancel context.CancelFunc

	mu      sync.Mutex
	jobs    map[string]*job
	cron    *cron.Cron
	started bool
}

type job struct {
	name, label, spec string
	sched             cron.Schedule // nil: run only by hand
	fn                Func
	entry             cron.EntryID
	busy              sync.Mutex
	running           atomic.Bool
}

// SchedulerOptions configure a Scheduler.
type SchedulerOptions struct {
	Location *time.Location // the zone's time zone (Asia/Shanghai)
	Runs     Locker         // records runs and is the cross-replica lock
	Instance string         // this process in job_runs (host and pid)
	Clock    domain.Clock
	Log      *slog.Logger
}

// NewScheduler returns a stopped scheduler with no jobs.
func NewScheduler(o SchedulerOptions) *Scheduler {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Clock == nil {
		o.Clock = domain.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{loc: o.Location, runs: o.Runs, instance: o.Instance, clock: o.Clock, log: o.Log,
		// Five fields as in crontab, an optional leading seconds field, and @every/@daily.
		parser: cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor),
		ctx:    ctx, cancel: cancel, jobs: map[string]*job{}}
}

// Register adds a job. An empty spec registers it for manual runs only.
func (s *Scheduler) Register(name, label, spec string, fn Func) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return fmt.Errorf("jobs: register %s after start", name)
	}
	j := &job{name: name, label: label, spec: spec, fn: fn}
	if spec != "" {
		sched, err := s.parser.Parse(spec)
		if err != nil {
			return fmt.Errorf("jobs: schedule of %s %q: %w", name, spec, err)
		}
		j.sched = sched
	}
	s.jobs[name] = j
	return nil
}

// Start begins firing the scheduled jobs.
func (s *Scheduler) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return nil
	}
	if s.ctx.Err() != nil {
		return fmt.Errorf("jobs: scheduler already stopped")
	}
	logger := cronLogger{s.log}
	c := cron.New(cron.WithLocation(s.loc), cron.WithParser(s.parser), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	for _, j := range s.jobs {
		if j.sched == nil {
			continue
		}
		j := j
		j.entry = c.Schedule(j.sched, cron.FuncJob(func() { s.fire(j) }))
	}
	s.cron = c
	s.started = true
	c.Start()
	s.log.Info("scheduler started", "instance", s.instance, "location", s.loc.String())
	return nil
}

// Stop stops firing, waits for running jobs until ctx ends, then cancels their context and
// waits a little longer for them to notice. A stopped scheduler does not start again.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	c, started := s.cron, s.started
	s.started = false
	s.mu.Unlock()
	var err error
	if started {
		done := c.Stop()
		select {
		case <-done.Done():
		case <-ctx.Done():
			err = ctx.Err()
			s.cancel()
			select {
			case <-done.Done():
			case <-time.After(5 * time.Second):
			}
		}
	}
	s.cancel()
	s.log.Info("scheduler stopped", "instance", s.instance)
	return err
}

// latestFire is the newest time sched fires at or before now: the fire being run.
func latestFire(sched cron.Schedule, now time.Time) time.Time {
	t := sched.Next(now.Add(-2 * time.Minute))
	if t.After(now) {
		return now.Truncate(time.Second)
	}
	for {
		n := sched.Next(t)
		if n.After(now) {
			return t
		}
		t = n
	}
}

// Fire runs the scheduled fire of name that is due at the clock's now, exactly as cron
// would: claimed in job_runs first and skipped when another instance has it. It reports
// whether this instance ran it.
func (s *Scheduler) Fire(name string) bool {
	s.mu.Lock()
	j := s.jobs[name]
	s.mu.Unlock()
	if j == nil || j.sched == nil {
		return false
	}
	return s.fire(j)
}

// fire runs a scheduled fire of j if this replica wins it.
func (s *Scheduler) fire(j *job) bool {
	now := s.clock.Now()
	fireAt := latestFire(j.sched, now.In(s.loc))
	if !j.busy.TryLock() {
		s.log.Info("job still running, fire skipped", "job", j.name, "fire_at", fireAt)
		return false
	}
	defer j.busy.Unlock()
	run := &domain.JobRun{Job: j.name, FireAt: fireAt, AsOf: fireAt, Instance: s.instance, StartedAt: now}
	ok, err := s.runs.ClaimRun(s.ctx, run)
	if err != nil {
		s.log.Error("job claim failed", "job", j.name, "fire_at", fireAt, "err", err)
		return false
	}
	if !ok {
		s.log.Debug("job fire taken by another instance", "job", j.name, "fire_at", fireAt)
		return false
	}
	s.execute(s.ctx, j, run)
	return true
}

// Run runs one job now as of at, on behalf of who (recorded in job_runs). It refuses
// (ECONFLICT) while the same job runs in this process.
func (s *Scheduler) Run(ctx context.Context, name string, at time.Time, who string) (*domain.JobRun, error) {
	s.mu.Lock()
	j := s.jobs[name]
	s.mu.Unlock()
	if j == nil {
		return nil, domain.NotFound("任务 " + name)
	}
	if !j.busy.TryLock() {
		return nil, domain.Errorf(domain.ECONFLICT, "任务 %s 正在运行，请稍后再试 (already running)", name)
	}
	defer j.busy.Unlock()
	now := s.clock.Now()
	// A manual run is recorded at its own moment, to the millisecond and never on a whole
	// second: whole seconds belong to scheduled fires, which a manual run must not steal.
	fireAt := now.Truncate(time.Millisecond)
	if fireAt.Nanosecond() == 0 {
		fireAt = fireAt.Add(time.Millisecond)
	}
	run := &domain.JobRun{Job: name, FireAt: fireAt, AsOf: at, StartedAt: now,
		Instance: fmt.Sprintf("%s 手动 manual: %s", s.instance, who)}
	for i := 0; ; i++ { // a tie with another manual run moves it on
		ok, err := s.runs.ClaimRun(ctx, run)
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		if i == 20 {
			return nil, domain.Errorf(domain.ECONFLICT, "任务 %s 无法记录运行 (could not record the run)", name)
		}
		run.FireAt = run.FireAt.Add(time.Millisecond)
		if run.FireAt.Nanosecond() == 0 {
			run.FireAt = run.FireAt.Add(time.Millisecond)
		}
	}
	// Stop cancels a manual run too. (The API hands in a context without the client's
	// cancellation: a browser going away does not cut a run in half.)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	err := s.execute(runCtx, j, run)
	return run, err
}

// execute runs a claimed run and records its outcome; a panic becomes a failed run.
func (s *Scheduler) execute(ctx context.Context, j *job, run *domain.JobRun) (err error) {
	j.running.Store(true)
	start := time.Now()
	var detail string
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("job panicked", "job", j.name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
		j.running.Store(false)
		status := domain.JobOK
		if err != nil {
			status, detail = domain.JobFailed, err.Error()
		}
		finished := s.clock.Now()
		run.Status, run.Detail, run.FinishedAt = status, detail, &finished
		// Record the outcome even when ctx was cancelled by Stop.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if ferr := s.runs.FinishRun(rctx, run.ID, status, detail, finished); ferr != nil {
			s.log.Error("job finish not recorded", "job", j.name, "run", run.ID, "err", ferr)
		}
		s.log.Info("job finished", "job", j.name, "fire_at", run.FireAt, "as_of", run.AsOf, "status", status,
			"detail", detail, "duration_ms", time.Since(start).Milliseconds())
	}()
	detail, err = j.fn(ctx, run.AsOf)
	return err
}

// Status lists the jobs with their schedule, next fire and newest run.
func (s *Scheduler) Status(ctx context.Context) ([]*domain.JobStatus, error) {
	last, err := s.runs.LastRuns(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now().In(s.loc)
	out := make([]*domain.JobStatus, 0, len(s.jobs))
	for _, j := range s.jobs {
		st := &domain.JobStatus{Name: j.name, Label: j.label, Schedule: j.spec, Enabled: s.started && j.sched != nil,
			Running: j.running.Load(), LastRun: last[j.name]}
		if j.sched != nil {
			n := j.sched.Next(now).UTC()
			st.NextRunAt = &n
		}
		if st.LastRun != nil {
			t := st.LastRun.StartedAt
			st.LastRunAt = &t
		}
		out = append(out, st)
	}
	sort.Slice(out, func(a, b int) bool { return jobOrder(out[a].Name) < jobOrder(out[b].Name) })
	return out, nil
}

func jobOrder(name string) string {
	switch name {
	case JobReminders:
		return "1"
	case JobDigest:
		return "2"
	case JobOutbox:
		return "3"
	}
	return "9" + name
}

// Names lists the registered jobs.
func (s *Scheduler) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.jobs {
		out = append(out, n)
	}
	sort.Slice(out, func(a, b int) bool { return jobOrder(out[a]) < jobOrder(out[b]) })
	return out
}

// cronLogger lets robfig/cron log through slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

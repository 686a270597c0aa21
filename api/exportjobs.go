package api

// Export jobs (issue 8): the projects export run in the background, so that the web app can
// show real progress ("正在导出 1 234 / 20 000 行") for a large zone instead of waiting on a
// stream without a length. POST /export/projects starts a job with the list's filters and
// answers its id and the number of rows it will write; GET /export/jobs/:id tells how far it
// is; GET /export/jobs/:id/file sends the finished workbook with a Content-Length;
// DELETE /export/jobs/:id cancels it. GET /export/projects.xlsx (the contract's streamed
// export) is unchanged.
//
// A job's state and its finished file are rows of the database (export_jobs and
// export_chunks, issue 19), so that behind a load balancer any replica answers for any job;
// the replica running a job writes the file in one directory (Options.Exports.Dir, by
// default <data_dir>/exports; a temporary directory when none is set) and serves its own
// copy. A finished job and its file are removed a grace period after the file was
// downloaded, or TTL after the job ended, whichever comes first; a replica that closes
// fails its running jobs and removes its local files.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// ExportJobOptions are the settings of the background exports.
type ExportJobOptions struct {
	// Dir holds the files being written and waiting for download; created when missing. Empty:
	// a temporary directory, removed at Close.
	Dir string
	// TTL: a finished job and its file are removed this long after the job ended (15 min).
	TTL time.Duration
	// Grace: after a download the file is kept this long for a retry (1 min).
	Grace time.Duration
	// PerUser is how many jobs one user may have running at once (2).
	PerUser int
}

func (o ExportJobOptions) withDefaults() ExportJobOptions {
	if o.TTL <= 0 {
		o.TTL = 15 * time.Minute
	}
	if o.Grace <= 0 {
		o.Grace = time.Minute
	}
	if o.PerUser <= 0 {
		o.PerUser = 2
	}
	return o
}

// The states of an export job.
const (
	ExportRunning = "running"
	ExportDone    = "done"
	ExportFailed  = "failed"
)

// ExportJobStatus is the answer to GET /export/jobs/:id. Total is the number of rows the
// list counted when the job started; once the job is done it is the number of rows in the
// file (projects created or deleted meanwhile may change it). Size is the file's length in
// bytes once done.
type ExportJobStatus struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Rows     int64  `json:"rows"`
	Total    int64  `json:"total"`
	Error    string `json:"error,omitempty"`
	FileName string `json:"file_name"`
	Size     int64  `json:"size,omitempty"`
}

// exportJob is a background export this replica runs. rows is written by the job's
// goroutine and read by the status requests; the other mutable fields are guarded by
// exportJobs.mu. The job's state shared with the other replicas is its database row
// (domain.ExportJobStore); this is the local side: the goroutine, its cancel function and
// the local copy of the file.
type exportJob struct {
	id       string
	userID   int64
	fileName string
	path     string
	rows     atomic.Int64
	cancel   context.CancelFunc

	status     string
	ended      time.Time
	downloaded time.Time
}

// exportJobs runs background exports; their state and finished files are rows of the
// database, so that any replica answers for any job (issue 19).
type exportJobs struct {
	opts     ExportJobOptions
	clock    domain.Clock
	log      *slog.Logger
	store    domain.ExportJobStore
	instance string

	mu       sync.Mutex
	jobs     map[string]*exportJob // the jobs this replica runs or ran
	dir      string                // made on first use
	tempDir  bool                  // dir is ours to remove at Close
	closed   bool
	sweeping bool
	stop     chan struct{}
	wg       sync.WaitGroup // the sweeper
	running  sync.WaitGroup // the jobs' goroutines, cancelled ones included

	// rowHook, when set (tests only), is called by the job's goroutine after each row.
	rowHook func(ctx context.Context, jobID string, rows int64)
}

// exportStale: a running job whose replica gave no sign of life for this long (it
// crashed) is failed by the next sweep on any replica.
const exportStale = 5 * time.Minute

// exportFlush is how often a running job writes its progress to the database.
const exportFlush = 500 * time.Millisecond

func newExportJobs(opts ExportJobOptions, clock domain.Clock, log *slog.Logger, store domain.ExportJobStore) *exportJobs {
	host, _ := os.Hostname()
	return &exportJobs{opts: opts.withDefaults(), clock: clock, log: log, store: store,
		instance: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), newJobID()[:8]),
		jobs:     map[string]*exportJob{}, stop: make(chan struct{})}
}

var (
	errExportGone     = domain.Errorf(domain.ENOTFOUND, "导出任务不存在或已过期，请重新导出 (export job not found)")
	errExportRunning  = domain.Errorf(domain.ECONFLICT, "文件还在生成中，请稍候再下载 (the export is still running)")
	errExportStopping = domain.Errorf(domain.EINTERNAL, "服务正在停止，请稍后重新导出 (server shutting down)")
)

// directory returns the jobs' directory, creating it on first use; with a configured
// directory, files an earlier run left behind (older than the TTL) are removed then.
// Called with mu held.
func (m *exportJobs) directory() (string, error) {
	if m.dir != "" {
		return m.dir, nil
	}
	if m.opts.Dir == "" {
		d, err := os.MkdirTemp("", "chaincrm-exports-")
		if err != nil {
			return "", err
		}
		m.dir, m.tempDir = d, true
		return d, nil
	}
	if err := os.MkdirAll(m.opts.Dir, 0o700); err != nil {
		return "", err
	}
	old, _ := filepath.Glob(filepath.Join(m.opts.Dir, "export-*.xlsx"))
	for _, p := range old {
		if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > m.opts.TTL {
			_ = os.Remove(p)
		}
	}
	m.dir = m.opts.Dir
	return m.dir, nil
}

func newJobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// produce writes one workbook to w, calling tick after each row; a tick error (the job was
// cancelled) ends it.
type produce func(ctx context.Context, w io.Writer, tick func() error) error

// start registers a job for the caller and runs it in a goroutine whose context keeps
// ctx's values (the actor, hence the scope) but not its cancellation: the request that
// starts the job ends at once. It refuses (429) a user who already has PerUser jobs
// running on any replica.
func (m *exportJobs) start(ctx context.Context, userID int64, fileName string, total int64, run produce) (*exportJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errExportStopping
	}
	now := m.clock.Now()
	m.sweepLocked(ctx, now)
	dir, err := m.directory()
	if err != nil {
		return nil, fmt.Errorf("export directory: %w", err)
	}
	id := newJobID()
	var zoneID int64
	if a := domain.ActorFrom(ctx); a != nil && a.User != nil {
		zoneID = a.User.ZoneID
	}
	rec := &domain.ExportJobRecord{ID: id, ZoneID: zoneID, UserID: userID, FileName: fileName, Total: total,
		Instance: m.instance, CreatedAt: now, HeartbeatAt: now}
	if err := m.store.CreateExportJob(ctx, rec, m.opts.PerUser, now.Add(-exportStale)); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "export-"+id+".xlsx")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		_, _ = m.store.DeleteExportJob(context.WithoutCancel(ctx), id, userID)
		return nil, fmt.Errorf("export file: %w", err)
	}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	j := &exportJob{id: id, userID: userID, fileName: fileName, path: path, cancel: cancel, status: ExportRunning}
	m.jobs[id] = j
	m.running.Add(1)
	go m.run(jctx, j, f, run)
	if !m.sweeping {
		m.sweeping = true
		m.wg.Add(1)
		go m.sweepLoop()
	}
	return j, nil
}

func (m *exportJobs) run(ctx context.Context, j *exportJob, f *os.File, run produce) {
	defer m.running.Done()
	defer j.cancel()
	started := time.Now()
	lastFlush := time.Now()
	err := run(ctx, f, func() error {
		n := j.rows.Add(1)
		if m.rowHook != nil {
			m.rowHook(ctx, j.id, n)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Since(lastFlush) >= exportFlush {
			lastFlush = time.Now()
			alive, err := m.store.ExportJobProgress(ctx, j.id, n, m.clock.Now())
			if err != nil {
				return err
			}
			if !alive { // cancelled on another replica
				return context.Canceled
			}
		}
		return nil
	})
	var size int64
	if err == nil {
		if fi, serr := f.Stat(); serr == nil {
			size = fi.Size()
		}
		err = f.Sync()
	}
	alive := true
	if err == nil {
		if _, err = f.Seek(0, io.SeekStart); err == nil {
			alive, err = m.store.FinishExportJob(context.WithoutCancel(ctx), j.id, j.rows.Load(), size, m.clock.Now(), f)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	j.ended = m.clock.Now()
	if m.jobs[j.id] != j || !alive { // cancelled here or elsewhere, or the server closed
		delete(m.jobs, j.id)
		_ = os.Remove(j.path)
		return
	}
	if err != nil {
		_ = os.Remove(j.path)
		j.status = ExportFailed
		msg := "导出失败，请稍后重试 (export failed)"
		if e := (*domain.Error)(nil); errors.As(err, &e) && e.Code != domain.EINTERNAL {
			msg = e.Message
		}
		if ferr := m.store.FailExportJob(context.WithoutCancel(ctx), j.id, msg, j.ended); ferr != nil {
			m.log.Error("export job: recording the failure failed", "job", j.id, "err", ferr)
		}
		m.log.Error("export job failed", "job", j.id, "user_id", j.userID, "rows", j.rows.Load(), "err", err)
		return
	}
	j.status = ExportDone
	m.log.Info("export job done", "job", j.id, "user_id", j.userID, "rows", j.rows.Load(), "bytes", size,
		"ms", time.Since(started).Milliseconds())
}

// sweepLoop removes expired jobs once a minute until Close, and keeps this replica's
// running jobs alive in the database.
func (m *exportJobs) sweepLoop() {
	defer m.wg.Done()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.mu.Lock()
			now := m.clock.Now()
			for _, j := range m.jobs {
				if j.status == ExportRunning {
					_, _ = m.store.ExportJobProgress(context.Background(), j.id, j.rows.Load(), now)
				}
			}
			m.sweepLocked(context.Background(), now)
			m.mu.Unlock()
		}
	}
}

// sweepLocked removes the finished jobs whose file was downloaded more than Grace ago or
// that ended more than TTL ago: the local files here, the rows (any replica's) in the
// database. Called with mu held.
func (m *exportJobs) sweepLocked(ctx context.Context, now time.Time) {
	for id, j := range m.jobs {
		if j.status == ExportRunning {
			continue
		}
		if now.Sub(j.ended) >= m.opts.TTL || (!j.downloaded.IsZero() && now.Sub(j.downloaded) >= m.opts.Grace) {
			delete(m.jobs, id)
			_ = os.Remove(j.path)
		}
	}
	if err := m.store.SweepExportJobs(context.WithoutCancel(ctx), now, m.opts.TTL, m.opts.Grace, now.Add(-exportStale)); err != nil {
		m.log.Error("export jobs: sweep failed", "err", err)
	}
}

// forgetLocked drops the local side of a job whose row is gone. The caller holds mu.
func (m *exportJobs) forgetLocked(id string) {
	if j, ok := m.jobs[id]; ok && j.status != ExportRunning {
		delete(m.jobs, id)
		_ = os.Remove(j.path)
	}
}

// get returns userID's job id with its status, from the database (the rows written so far
// from this replica's memory when it runs the job).
func (m *exportJobs) get(ctx context.Context, userID int64, id string) (ExportJobStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweepLocked(ctx, m.clock.Now())
	rec, err := m.store.ExportJob(ctx, id, userID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		m.forgetLocked(id)
		return ExportJobStatus{}, errExportGone
	}
	if err != nil {
		return ExportJobStatus{}, err
	}
	st := ExportJobStatus{ID: rec.ID, Status: rec.Status, Rows: rec.Rows, Total: rec.Total, Error: rec.Error,
		FileName: rec.FileName, Size: rec.Size}
	if j, ok := m.jobs[id]; ok && rec.Status == ExportRunning {
		st.Rows = max(st.Rows, j.rows.Load())
	}
	st.Total = max(st.Total, st.Rows)
	return st, nil
}

// open returns the finished file of userID's job id — this replica's copy when it has
// one, else the database's — and marks it downloaded: it is removed Grace later.
func (m *exportJobs) open(ctx context.Context, userID int64, id string) (io.ReadCloser, ExportJobStatus, error) {
	st, err := m.get(ctx, userID, id)
	if err != nil {
		return nil, ExportJobStatus{}, err
	}
	switch st.Status {
	case ExportRunning:
		return nil, ExportJobStatus{}, errExportRunning
	case ExportFailed:
		return nil, ExportJobStatus{}, domain.Errorf(domain.ECONFLICT, "导出没有完成，没有可下载的文件：%s", st.Error)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	if err := m.store.MarkExportDownloaded(ctx, id, now); err != nil {
		return nil, ExportJobStatus{}, err
	}
	if j, ok := m.jobs[id]; ok && j.status == ExportDone {
		if j.downloaded.IsZero() {
			j.downloaded = now
		}
		if f, err := os.Open(j.path); err == nil {
			return f, st, nil
		}
	}
	r, err := m.store.OpenExportFile(ctx, id)
	return r, st, err
}

// cancel stops userID's job id (here, or on another replica at its next progress report)
// and removes it and its file.
func (m *exportJobs) cancel(ctx context.Context, userID int64, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	found, err := m.store.DeleteExportJob(ctx, id, userID)
	if err != nil {
		return err
	}
	j, local := m.jobs[id]
	if !found && !(local && j.userID == userID) {
		return errExportGone
	}
	if local && j.userID == userID {
		delete(m.jobs, id)
		j.cancel()
		if j.status != ExportRunning { // a running job's goroutine removes its own file
			_ = os.Remove(j.path)
		}
	}
	return nil
}

// Close cancels the running jobs (their rows are failed: the user starts again), waits for
// them, and removes every local file; finished jobs stay in the database for the other
// replicas.
func (m *exportJobs) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	jobs := m.jobs
	m.jobs = map[string]*exportJob{}
	for _, j := range jobs {
		j.cancel()
	}
	close(m.stop)
	m.mu.Unlock()
	m.running.Wait()
	m.wg.Wait()
	now := m.clock.Now()
	for _, j := range jobs {
		_ = os.Remove(j.path)
		if j.status == ExportRunning {
			if err := m.store.FailExportJob(context.Background(), j.id, errExportStopping.Error(), now); err != nil {
				m.log.Error("export job: recording the stop failed", "job", j.id, "err", err)
			}
		}
	}
	if m.tempDir {
		return os.RemoveAll(m.dir)
	}
	return nil
}

// Close stops the background exports and removes their files; call it after the HTTP
// server has shut down.
func (s *Server) Close() error { return s.exports.Close() }

func actorUserID(c *gin.Context) int64 {
	if a := domain.ActorFrom(c.Request.Context()); a != nil && a.User != nil {
		return a.User.ID
	}
	return 0
}

// exportJobPath names an export job.
type exportJobPath struct {
	ID string `path:"id" description:"the job's id, as POST /export/projects answered it"`
}

// exportStarted answers a started export job.
type exportStarted struct {
	ID    string `json:"id"`
	Total int    `json:"total" description:"the rows the job will write, as the list counts them"`
}

// startProjectExport: POST /export/projects with the list's filters in the query string.
func (s *Server) startProjectExport(c *gin.Context) {
	f, err := projectFilter(c)
	if err != nil {
		Abort(c, err)
		return
	}
	ctx := c.Request.Context()
	// The list's own count: the same scope and filters as the rows the job will write.
	count := f
	count.Page = domain.Page{Page: 1, PageSize: 1}
	_, total, err := s.svc.Projects.FindProjects(ctx, count)
	if err != nil {
		Abort(c, err)
		return
	}
	name := "招商项目-" + s.zoneNow(ctx).Format("20060102") + ".xlsx"
	j, err := s.exports.start(ctx, actorUserID(c), name, int64(total), func(ctx context.Context, w io.Writer, tick func() error) error {
		g := &gate{w: w} // a workbook whose rows failed is never written
		ex, err := spreadsheet.NewProjectExporter(g)
		if err != nil {
			return err
		}
		err = s.svc.Exports.EachExportProject(ctx, f, func(p *domain.Project, code string) error {
			if err := ex.AddWithCreditCode(p, code); err != nil {
				return err
			}
			return tick()
		})
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			ex.Close() // removes the temporary files; the gate discards the bytes
			return err
		}
		g.open = true
		return ex.Close()
	})
	if err != nil {
		Abort(c, err)
		return
	}
	s.log.Info("export job started", "job", j.id, "user", domain.ActorFrom(ctx).User.Username, "total", total)
	c.JSON(http.StatusAccepted, exportStarted{ID: j.id, Total: total})
}

func (s *Server) exportJobStatus(c *gin.Context) {
	st, err := s.exports.get(c.Request.Context(), actorUserID(c), c.Param("id"))
	if err != nil {
		Abort(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, st)
}

func (s *Server) exportJobFile(c *gin.Context) {
	f, st, err := s.exports.open(c.Request.Context(), actorUserID(c), c.Param("id"))
	if err != nil {
		Abort(c, err)
		return
	}
	defer f.Close()
	c.DataFromReader(http.StatusOK, st.Size, xlsxType, f, map[string]string{
		"Content-Disposition": spreadsheet.ContentDisposition(st.FileName),
		"Cache-Control":       "no-store",
	})
}

func (s *Server) cancelExportJob(c *gin.Context) {
	if err := s.exports.cancel(c.Request.Context(), actorUserID(c), c.Param("id")); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// exportJobRoutes are added to transferRoutes.
func (s *Server) exportJobRoutes() []route {
	return []route{
		{Method: http.MethodPost, Path: v1 + "/export/projects", Obj: "export", Act: "run",
			Summary: "Start exporting the visible projects matching the list's filters (query string, as GET /export/projects.xlsx) in the background: 202 {id, total}; at most 2 running per user (429)",
			Query:   projectFilters{}, Out: exportStarted{}, Status: http.StatusAccepted, Errors: []int{http.StatusTooManyRequests}, Handler: s.startProjectExport},
		{Method: http.MethodGet, Path: v1 + "/export/jobs/:id", Obj: "export", Act: "run",
			Summary: "An export job's progress: {id, status running|done|failed, rows, total, error?, file_name, size?}; only its starter sees it", Params: exportJobPath{}, Out: ExportJobStatus{}, Handler: s.exportJobStatus},
		{Method: http.MethodGet, Path: v1 + "/export/jobs/:id/file", Obj: "export", Act: "run",
			Summary: "A finished export job's spreadsheet, with Content-Length (409 while running); removed a minute after download or 15 minutes after it finished", Params: exportJobPath{}, Files: []string{mediaXLSX}, Errors: []int{http.StatusConflict}, Handler: s.exportJobFile},
		{Method: http.MethodDelete, Path: v1 + "/export/jobs/:id", Obj: "export", Act: "run",
			Summary: "Cancel an export job and remove its file", Params: exportJobPath{}, Status: http.StatusNoContent, Handler: s.cancelExportJob},
	}
}

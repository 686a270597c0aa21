package api

// Export jobs (issue 8): the projects export run in the background, so that the web app can
// show real progress ("正在导出 1 234 / 20 000 行") for a large zone instead of waiting on a
// stream without a length. POST /export/projects starts a job with the list's filters and
// answers its id and the number of rows it will write; GET /export/jobs/:id tells how far it
// is; GET /export/jobs/:id/file sends the finished workbook with a Content-Length;
// DELETE /export/jobs/:id cancels it. GET /export/projects.xlsx (the contract's streamed
// export) is unchanged.
//
// Jobs live in this process's memory and their files in one directory (Options.Exports.Dir,
// by default <data_dir>/exports; a temporary directory when none is set). A finished job and
// its file are removed a grace period after the file was downloaded, or TTL after the job
// ended, whichever comes first, and all of them when the server closes. Behind a load
// balancer with several replicas the job is only known to the replica that started it.

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

// exportJob is one background export. rows is written by the job's goroutine and read by
// the status requests; the other mutable fields are guarded by exportJobs.mu.
type exportJob struct {
	id       string
	userID   int64
	fileName string
	path     string
	rows     atomic.Int64
	cancel   context.CancelFunc

	total      int64
	status     string
	errMsg     string
	size       int64
	ended      time.Time
	downloaded time.Time
}

// exportJobs holds the running and finished jobs of this process.
type exportJobs struct {
	opts  ExportJobOptions
	clock domain.Clock
	log   *slog.Logger

	mu       sync.Mutex
	jobs     map[string]*exportJob
	dir      string // made on first use
	tempDir  bool   // dir is ours to remove at Close
	closed   bool
	sweeping bool
	stop     chan struct{}
	wg       sync.WaitGroup // the sweeper
	running  sync.WaitGroup // the jobs' goroutines, cancelled ones included

	// rowHook, when set (tests only), is called by the job's goroutine after each row.
	rowHook func(ctx context.Context, jobID string, rows int64)
}

func newExportJobs(opts ExportJobOptions, clock domain.Clock, log *slog.Logger) *exportJobs {
	return &exportJobs{opts: opts.withDefaults(), clock: clock, log: log, jobs: map[string]*exportJob{}, stop: make(chan struct{})}
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

// start registers a job for userID and runs it in a goroutine whose context keeps ctx's
// values (the actor, hence the scope) but not its cancellation: the request that starts the
// job ends at once. It refuses (429) a user who already has PerUser jobs running.
func (m *exportJobs) start(ctx context.Context, userID int64, fileName string, total int64, run produce) (*exportJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errExportStopping
	}
	m.sweepLocked(m.clock.Now())
	running := 0
	for _, j := range m.jobs {
		if j.userID == userID && j.status == ExportRunning {
			running++
		}
	}
	if running >= m.opts.PerUser {
		return nil, domain.Errorf(domain.ETHROTTLED, "您已有 %d 个导出任务正在进行，请等其完成后再导出 (at most %d exports at a time)", running, m.opts.PerUser)
	}
	dir, err := m.directory()
	if err != nil {
		return nil, fmt.Errorf("export directory: %w", err)
	}
	id := newJobID()
	path := filepath.Join(dir, "export-"+id+".xlsx")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("export file: %w", err)
	}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	j := &exportJob{id: id, userID: userID, fileName: fileName, path: path, cancel: cancel,
		total: total, status: ExportRunning}
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
	err := run(ctx, f, func() error {
		n := j.rows.Add(1)
		if m.rowHook != nil {
			m.rowHook(ctx, j.id, n)
		}
		return ctx.Err()
	})
	var size int64
	if err == nil {
		if fi, serr := f.Stat(); serr == nil {
			size = fi.Size()
		}
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	j.ended = m.clock.Now()
	if m.jobs[j.id] != j { // cancelled, or the server closed
		_ = os.Remove(j.path)
		return
	}
	if err != nil {
		_ = os.Remove(j.path)
		j.status = ExportFailed
		j.errMsg = "导出失败，请稍后重试 (export failed)"
		if e := (*domain.Error)(nil); errors.As(err, &e) && e.Code != domain.EINTERNAL {
			j.errMsg = e.Message
		}
		m.log.Error("export job failed", "job", j.id, "user_id", j.userID, "rows", j.rows.Load(), "err", err)
		return
	}
	j.status, j.size = ExportDone, size
	j.total = j.rows.Load()
	m.log.Info("export job done", "job", j.id, "user_id", j.userID, "rows", j.total, "bytes", size,
		"ms", time.Since(started).Milliseconds())
}

// sweepLoop removes expired jobs once a minute until Close.
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
			m.sweepLocked(m.clock.Now())
			m.mu.Unlock()
		}
	}
}

// sweepLocked removes the finished jobs whose file was downloaded more than Grace ago or
// that ended more than TTL ago. Called with mu held.
func (m *exportJobs) sweepLocked(now time.Time) {
	for id, j := range m.jobs {
		if j.status == ExportRunning {
			continue
		}
		if now.Sub(j.ended) >= m.opts.TTL || (!j.downloaded.IsZero() && now.Sub(j.downloaded) >= m.opts.Grace) {
			delete(m.jobs, id)
			_ = os.Remove(j.path)
		}
	}
}

// ownLocked sweeps expired jobs and returns userID's job id, or nil: another user's job is
// not found. The caller holds mu.
func (m *exportJobs) ownLocked(userID int64, id string) *exportJob {
	m.sweepLocked(m.clock.Now())
	if j, ok := m.jobs[id]; ok && j.userID == userID {
		return j
	}
	return nil
}

// get returns userID's job id with its status.
func (m *exportJobs) get(userID int64, id string) (*exportJob, ExportJobStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j := m.ownLocked(userID, id)
	if j == nil {
		return nil, ExportJobStatus{}, errExportGone
	}
	return j, m.statusLocked(j), nil
}

func (m *exportJobs) statusLocked(j *exportJob) ExportJobStatus {
	rows := j.rows.Load()
	return ExportJobStatus{ID: j.id, Status: j.status, Rows: rows, Total: max(j.total, rows), Error: j.errMsg,
		FileName: j.fileName, Size: j.size}
}

// open returns the finished file of userID's job id and marks it downloaded: it is removed
// Grace later.
func (m *exportJobs) open(userID int64, id string) (*os.File, ExportJobStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j := m.ownLocked(userID, id)
	if j == nil {
		return nil, ExportJobStatus{}, errExportGone
	}
	switch j.status {
	case ExportRunning:
		return nil, ExportJobStatus{}, errExportRunning
	case ExportFailed:
		return nil, ExportJobStatus{}, domain.Errorf(domain.ECONFLICT, "导出没有完成，没有可下载的文件：%s", j.errMsg)
	}
	f, err := os.Open(j.path)
	if err != nil {
		return nil, ExportJobStatus{}, fmt.Errorf("export file: %w", err)
	}
	if j.downloaded.IsZero() {
		j.downloaded = m.clock.Now()
	}
	return f, m.statusLocked(j), nil
}

// cancel stops userID's job id (if running) and removes it and its file.
func (m *exportJobs) cancel(userID int64, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok || j.userID != userID {
		return errExportGone
	}
	delete(m.jobs, id)
	j.cancel()
	if j.status != ExportRunning { // a running job's goroutine removes its own file
		_ = os.Remove(j.path)
	}
	return nil
}

// Close cancels the running jobs, waits for them, and removes every job's file.
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
	for _, j := range jobs {
		_ = os.Remove(j.path)
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
	_, st, err := s.exports.get(actorUserID(c), c.Param("id"))
	if err != nil {
		Abort(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, st)
}

func (s *Server) exportJobFile(c *gin.Context) {
	f, st, err := s.exports.open(actorUserID(c), c.Param("id"))
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
	if err := s.exports.cancel(actorUserID(c), c.Param("id")); err != nil {
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

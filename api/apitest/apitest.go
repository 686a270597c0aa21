// Package apitest runs the whole HTTP API in-process for tests: a fresh database (SQLite
// or MariaDB, see repository/dbtest) migrated and seeded with the demo zone, the real
// repositories, the casbin enforcer with the default policy, and an httptest server.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/cmd/chaincrm/wire"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
	"github.com/laiyuan-edz/chaincrm/repository/filestore"
)

// StartTime is the test clock's time when an Env starts (and when the demo was seeded).
var StartTime = time.Date(2023, 1, 16, 2, 0, 0, 0, time.UTC)

// AttachmentMaxBytes is the attachment limit of the test server (the default, 20 MiB).
const AttachmentMaxBytes = 20 << 20

// DemoPassword is the demo users' password in tests.
const DemoPassword = "Demo@2023"

// Clock is a settable clock shared by the repositories and the server.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// Add moves the clock forward.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Env is a running API on a seeded database.
type Env struct {
	T         testing.TB
	Driver    string
	DB        *repository.DB
	Enforcer  *casbin.SyncedEnforcer
	Server    *api.Server
	HTTP      *httptest.Server
	Clock     *Clock
	Jobs      *jobs.Service // the scheduled jobs, not started: run them with Jobs.Run
	MailDir   string        // where the jobs' file mailer writes .eml files
	ExportDir string        // where the background exports write their files
	FilesDir  string        // the attachments' file store

	mu      sync.Mutex
	tokens  map[string]string
	options []func(*api.Options)
}

// New starts the API on a fresh demo database of driver; options, when given, change the
// server's settings.
func New(t testing.TB, driver string, options ...func(*api.Options)) *Env {
	t.Helper()
	return newEnv(t, driver, StartTime, false, options)
}

// NewLive starts the API on a fresh live demo loaded at at (issue 16): the demo of New plus
// its present (repository.SeedDemoPresent) laid relative to at's day, and the reminders the
// hourly job would have raised up to at (jobs.Service.ReplayReminders), as `chaincrm seed
// --demo` loads it. The test clock starts at at.
func NewLive(t testing.TB, driver string, at time.Time, options ...func(*api.Options)) *Env {
	t.Helper()
	return newEnv(t, driver, at.UTC(), true, options)
}

func newEnv(t testing.TB, driver string, at time.Time, live bool, options []func(*api.Options)) *Env {
	t.Helper()
	clock := &Clock{now: at}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	opts := repository.Options{Location: loc, PasswordCost: bcrypt.MinCost}
	name := "demo"
	if live {
		name = "demo_live_" + at.Format("20060102_150405")
	}
	// The demo zone is seeded once per process into a template that each test clones.
	db := dbtest.FromTemplate(t, driver, name, opts, func(db *repository.DB) error {
		db.Clock = &Clock{now: at}
		e, err := repository.NewEnforcer(db)
		if err != nil {
			return err
		}
		nodes := map[string][]repository.DemoNodeSpec{}
		for code, ns := range chainmap.DemoNodes {
			for _, n := range ns {
				nodes[code] = append(nodes[code], repository.DemoNodeSpec{Key: n.Key, Name: n.Name, Segment: n.Segment, Parent: n.Parent})
			}
		}
		ctx := context.Background()
		if err := db.SeedDemo(ctx, nodes, DemoPassword, e); err != nil {
			return err
		}
		if err := db.EnsureDefaultPolicyAudited(ctx, e, repository.DemoZoneCode); err != nil || !live {
			return err
		}
		if _, err := db.SeedDemoPresent(ctx); err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "chaincrm-live-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		mailer, err := jobs.NewMailer(jobs.MailConfig{From: "chaincrm <noreply@laiyuan-edz.example.cn>", Dir: dir, Clock: db.Clock})
		if err != nil {
			return err
		}
		svc, err := jobs.New(jobs.Config{Location: loc, Instance: "apitest-template", BaseURL: "http://chaincrm.test",
			MailFrom: "noreply@laiyuan-edz.example.cn", Clock: db.Clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
			wire.JobStores(db, mailer))
		if err != nil {
			return err
		}
		_, err = svc.ReplayReminders(ctx, at)
		return err
	})
	db.Clock = clock
	return start(t, driver, db, clock, filepath.Join(t.TempDir(), "files"), options)
}

// start runs the API on db, keeping attachments under filesDir.
func start(t testing.TB, driver string, db *repository.DB, clock *Clock, filesDir string, options []func(*api.Options)) *Env {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e, err := repository.NewEnforcer(db)
	if err != nil {
		t.Fatal(err)
	}
	mailDir := filepath.Join(t.TempDir(), "mail")
	mailer, err := jobs.NewMailer(jobs.MailConfig{From: "chaincrm <noreply@laiyuan-edz.example.cn>", Dir: mailDir, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	robots := RobotPolicy()
	jobSvc, err := jobs.New(jobs.Config{Location: loc, Instance: "apitest", BaseURL: "http://chaincrm.test",
		MailFrom: "noreply@laiyuan-edz.example.cn", Clock: clock, Robots: robots, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		wire.JobStores(db, mailer))
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{T: t, Driver: driver, DB: db, Enforcer: e, Clock: clock, Jobs: jobSvc, MailDir: mailDir,
		ExportDir: filepath.Join(t.TempDir(), "exports"), FilesDir: filesDir, tokens: map[string]string{}, options: options}
	env.Server = env.Replica()
	c, err := LoadContract(env.Server)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(&contractHandler{t: t, contract: c, next: env.Server})
	t.Cleanup(hs.Close)
	env.HTTP = hs
	return env
}

// Restart stops this server and starts another on a new connection to the same database
// and the same files directory, as a restarted process would.
func (e *Env) Restart() *Env {
	e.T.Helper()
	e.HTTP.Close()
	e.Server.Close()
	db := dbtest.Reopen(e.T, e.DB)
	db.Clock = e.Clock
	return start(e.T, e.Driver, db, e.Clock, e.FilesDir, e.options)
}

// Second starts another replica on the same database as a second `chaincrm serve` process
// would be (issue 19): its own connection pool, casbin enforcer, scheduled jobs, export
// directory and memory, behind its own HTTP server; only the database and the attachments'
// file store (a shared volume) are shared.
func (e *Env) Second() *Env {
	e.T.Helper()
	db := dbtest.Reopen(e.T, e.DB)
	db.Clock = e.Clock
	return start(e.T, e.Driver, db, e.Clock, e.FilesDir, e.options)
}

// Replica builds another API server on the same database, enforcer, clock and files
// directory, as a second `chaincrm serve` replica would be (its own memory: caches, export
// jobs); it is closed when the test ends.
func (e *Env) Replica() *api.Server {
	users := repository.NewUserService(e.DB)
	opts := api.Options{
		MaxBodyBytes: 1 << 20, MaxUploadBytes: 20 << 20, AttachmentMaxBytes: AttachmentMaxBytes, Clock: e.Clock,
		Exports: api.ExportJobOptions{Dir: e.ExportDir},
		Robots:  RobotPolicy(),
		DefaultZone: func(ctx context.Context) (*domain.Zone, error) {
			return users.FindZoneByCode(ctx, repository.DemoZoneCode)
		},
	}
	for _, o := range e.options {
		o(&opts)
	}
	files, err := filestore.Open(e.FilesDir)
	if err != nil {
		e.T.Fatal(err)
	}
	srv := api.New(wire.Services(e.DB, e.Enforcer, e.Jobs, wire.Files{Store: files, MaxBytes: opts.AttachmentMaxBytes}), repository.NewFreshEnforcer(e.DB, e.Enforcer), e.DB,
		slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	e.T.Cleanup(func() { srv.Close() }) // runs before the database closes: the export jobs end first
	return srv
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// ErrorCode returns error.code of an error body ("" if none).
func (r *Response) ErrorCode() string {
	var b api.ErrorBody
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// Token logs username in (once) and returns the bearer token.
func (e *Env) Token(username string) string {
	e.T.Helper()
	e.mu.Lock()
	tok, ok := e.tokens[username]
	e.mu.Unlock()
	if ok {
		return tok
	}
	r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": DemoPassword})
	if r.Status != http.StatusOK {
		e.T.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	var body struct{ Token string }
	r.JSON(e.T, &body)
	e.mu.Lock()
	e.tokens[username] = body.Token
	e.mu.Unlock()
	return body.Token
}

// ForgetSessions drops the cached log-ins, so that the next Token or As logs in anew (after
// the clock moved past the sessions' idle limit).
func (e *Env) ForgetSessions() {
	e.mu.Lock()
	e.tokens = map[string]string{}
	e.mu.Unlock()
}

// Multipart is a multipart/form-data request body: form fields and one file.
type Multipart struct {
	Fields    map[string]string
	FileField string // default "file"; "-" sends no file
	FileName  string
	File      []byte
}

// Encode returns the body and its content type.
func (m Multipart) Encode() ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(m.Fields))
	for k := range m.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.WriteField(k, m.Fields[k])
	}
	if m.FileField != "-" {
		field := m.FileField
		if field == "" {
			field = "file"
		}
		part, _ := w.CreateFormFile(field, m.FileName)
		part.Write(m.File)
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// Do sends a request; body is JSON-encoded unless it is a []byte, a Multipart or nil.
func (e *Env) Do(method, path, token string, body any) *Response {
	e.T.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case Multipart:
		raw, ct := b.Encode()
		rd, ctype = bytes.NewReader(raw), ct
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.HTTP.Client().Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// As sends a request as the named demo user.
func (e *Env) As(username, method, path string, body any) *Response {
	e.T.Helper()
	return e.Do(method, path, e.Token(username), body)
}

// RobotPolicy is the group robots' policy of the test server: as the binary reads it from
// CHAINCRM_ROBOTS_ALLOWED_HOSTS, CHAINCRM_ROBOTS_ALLOW_HTTP and CHAINCRM_ROBOTS_QUIET_HOURS,
// with the same defaults. Tests with a fake robot server change it with SetRobotPolicy.
func RobotPolicy() domain.RobotPolicy {
	hosts := os.Getenv("CHAINCRM_ROBOTS_ALLOWED_HOSTS")
	if hosts == "" {
		hosts = domain.DefaultRobotHosts
	}
	quiet, ok := os.LookupEnv("CHAINCRM_ROBOTS_QUIET_HOURS")
	if !ok {
		quiet = "21:00-08:00"
	}
	p, err := domain.ParseRobotPolicy(hosts, os.Getenv("CHAINCRM_ROBOTS_ALLOW_HTTP") == "true", quiet)
	if err != nil {
		panic(err)
	}
	return p
}

// SetRobotPolicy gives the jobs this robot policy; pass the same to New as an option
// (func(o *api.Options) { o.Robots = p }) for the API's webhook checks.
func (e *Env) SetRobotPolicy(p domain.RobotPolicy) { e.Jobs.OutboxJob.Robots.Policy = p }

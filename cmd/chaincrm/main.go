// Command chaincrm is the one binary of the investment-attraction CRM: the web server, the
// schema migrations, the demo and synthetic data loaders, the scheduled jobs and the
// spreadsheet import. main.go is the only place that builds concrete types and wires them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the zone's time zone on machines without zoneinfo

	"github.com/casbin/casbin/v2"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/cmd/chaincrm/wire"
	"github.com/laiyuan-edz/chaincrm/configs"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/filestore"
)

const usage = `chaincrm — 招商引资管理系统 (investment-attraction CRM)

Usage:
  chaincrm serve                      start the web server (an empty database gets its zone and
                                      administrator, or the demo zone with CHAINCRM_DEMO_SEED_ON_START=true)
  chaincrm migrate                    bring the database schema up to date
  chaincrm seed --demo [--at RFC3339] load the demo zone laiyuan (idempotent): the seed's 2022 and a
                                      present around today (or --at): recent visits, reminders
  chaincrm seed --synthetic --zones Z --projects N --activities M
                                      fill the database with province-scale synthetic data
  chaincrm jobs run NAME [--at RFC3339]
                                      run one scheduled job now (reminders, digest, outbox, robot_summary)
  chaincrm import FILE [--zone Z] [--dry-run]
                                      import projects from .xlsx/.csv as the zone's administrator
  chaincrm zone create CODE --name NAME [--time-zone TZ] [--password P] [--chains C1,C2 | --template laiyuan]
                                      add a development zone with its administrator admin (and chains)
                                      (a generated first password is printed once)
  chaincrm user create USERNAME --role province --zones Z1,Z2 --password P [--email E] [--display-name N]
                                      add a province user (省、市级) who reads those zones
  chaincrm openapi                    print the API's OpenAPI document (as GET /api/v1/openapi.json)
Flags (before or after the command):
  --config PATH                       configuration file (default configs/config.yaml)
Environment variables CHAINCRM_* override the configuration (see configs/config.yaml).
`

func main() { runMain(&Main{Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ()}) }

// runMain runs the command line on m until a signal, and exits non-zero on error.
func runMain(m *Main) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := m.Run(ctx, os.Args[1:])
	stop()
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaincrm:", err)
		os.Exit(1)
	}
}

// Main is the program: its configuration and the resources it opened, closed in reverse.
type Main struct {
	Stdout, Stderr io.Writer
	Environ        []string

	Config   *configs.Config
	Log      *slog.Logger
	DB       *repository.DB
	Enforcer *casbin.SyncedEnforcer
	Jobs     *jobs.Service // the running scheduler, when serve started it

	// Ready, when set, receives the listening address once serve accepts connections.
	Ready chan<- string
	// PasswordCost, when set, is the bcrypt cost of the passwords this process hashes
	// (tests: the minimum; the binary: bcrypt's default).
	PasswordCost int
}

// Run parses args and runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("chaincrm", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() { fmt.Fprint(m.Stderr, usage) }
	configPath := fs.String("config", "", "configuration file")
	demo := fs.Bool("demo", false, "seed: load the demo zone")
	synthetic := fs.Bool("synthetic", false, "seed: generate synthetic data")
	zones := fs.String("zones", "10", "seed --synthetic: how many zones; user create --role province: the zones' codes, Z1,Z2,…")
	projects := fs.Int("projects", 100000, "seed --synthetic: projects in all")
	activities := fs.Int("activities", 1000000, "seed --synthetic: activities in all")
	at := fs.String("at", "", "jobs run: as if the clock said this time (RFC3339)")
	zone := fs.String("zone", "", "import: the zone's code (default: the first zone)")
	dryRun := fs.Bool("dry-run", false, "import: check the file and report, write nothing")
	// issue 19: zone create, user create
	pf := platformFlags{
		Name:        fs.String("name", "", "zone create: the zone's name"),
		TimeZone:    fs.String("time-zone", "Asia/Shanghai", "zone create: the zone's time zone"),
		Role:        fs.String("role", "", "user create: the role (province)"),
		Password:    fs.String("password", "", "user create: the password; zone create: the administrator's (else generated)"),
		Email:       fs.String("email", "", "user create: the e-mail address"),
		DisplayName: fs.String("display-name", "", "user create: the name shown"),
		Zones:       zones,
		Chains:      fs.String("chains", "", "zone create: chains from the templates, e.g. food,mining,semiconductor"),
		Template:    fs.String("template", "", "zone create: every chain of a template zone, e.g. laiyuan"),
	}
	// flags may come before and after the command
	var cmd string
	var rest []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		args = fs.Args()
		if len(args) > 0 {
			if cmd == "" {
				cmd = args[0]
			} else {
				rest = append(rest, args[0])
			}
			args = args[1:]
		}
	}
	fs.Visit(func(f *flag.Flag) { pf.ZonesSet = pf.ZonesSet || f.Name == "zones" })
	if cmd == "" || cmd == "help" {
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	path, explicit := "configs/config.yaml", false
	if *configPath != "" {
		path, explicit = *configPath, true
	}
	cfg, err := configs.Load(path, explicit, m.Environ)
	if err != nil {
		return err
	}
	m.Config = cfg
	level, _ := cfg.LogLevel() // checked by Load
	m.Log = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(m.Log)
	switch cmd {
	case "serve":
		return m.serve(ctx)
	case "migrate":
		if err := m.openDB(ctx); err != nil {
			return err
		}
		v, _ := m.DB.SchemaVersion(ctx)
		fmt.Fprintf(m.Stdout, "数据库结构已是最新（版本 %d）schema at version %d\n", v, v)
		return nil
	case "jobs":
		return m.jobsCommand(ctx, rest, *at)
	case "import":
		return m.importCommand(ctx, rest, *zone, *dryRun)
	case "zone":
		return m.zoneCommand(ctx, rest, pf)
	case "user":
		return m.userCommand(ctx, rest, pf)
	case "openapi":
		dir, err := os.MkdirTemp("", "chaincrm-openapi-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		return m.openapiCommand(ctx, m.Stdout, dir)
	case "seed":
		if err := m.openDB(ctx); err != nil {
			return err
		}
		switch {
		case *demo:
			if *at != "" { // load the demo's present as of another day (reproducible screenshots, tests)
				t, err := time.Parse(time.RFC3339, *at)
				if err != nil {
					return fmt.Errorf("--at %q: want RFC3339, e.g. 2026-06-15T10:00:00+08:00", *at)
				}
				m.DB.Clock = fixedClock(t)
			}
			loaded, err := m.seedDemo(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "演示开发区 laiyuan 已就绪 (demo zone loaded)")
			if loaded {
				m.printDemoLogins(m.Stdout)
			}
			return nil
		case *synthetic:
			n, err := strconv.Atoi(*zones)
			if err != nil || n < 1 {
				return fmt.Errorf("seed --synthetic: --zones wants a number of zones, not %q", *zones)
			}
			return m.seedSynthetic(ctx, n, *projects, *activities)
		}
		return fmt.Errorf("seed: say --demo or --synthetic")
	}
	_ = rest
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// openDB opens and migrates the database and builds the enforcer with every zone's
// default policy.
func (m *Main) openDB(ctx context.Context) error { return m.openDBThen(ctx, nil) }

// startLockWait is how long a starting process waits for another one's migrations.
const startLockWait = 5 * time.Minute

// openDBThen is openDB, then runs then (serve's first run) before another process may
// migrate or start: the whole start holds the database's start lock (issue 19, replicas
// started together).
func (m *Main) openDBThen(ctx context.Context, then func(ctx context.Context) error) error {
	loc, err := m.Config.Location()
	if err != nil {
		return err
	}
	db, err := repository.Open(m.Config.DB.Driver, m.Config.DB.DSN, repository.Options{
		SessionIdle:     time.Duration(m.Config.Session.IdleHours) * time.Hour,
		SessionAbsolute: time.Duration(m.Config.Session.AbsoluteHours) * time.Hour,
		StaleYellowDays: m.Config.Projects.StaleYellowDays,
		StaleRedDays:    m.Config.Projects.StaleRedDays,
		CleanupDays:     m.Config.Projects.CleanupDays,
		Location:        loc,
		PasswordCost:    m.PasswordCost,
	})
	if err != nil {
		return err
	}
	m.DB = db
	unlock, err := db.StartLock(ctx, startLockWait)
	if err != nil {
		return err
	}
	defer unlock()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	e, err := repository.NewEnforcer(db)
	if err != nil {
		return fmt.Errorf("casbin: %w", err)
	}
	m.Enforcer = e
	if err := m.ensurePolicies(ctx); err != nil {
		return err
	}
	if then != nil {
		return then(ctx)
	}
	return nil
}

func (m *Main) ensurePolicies(ctx context.Context) error {
	codes, err := m.DB.ZoneCodes(ctx)
	if err != nil {
		return err
	}
	// the platform's domain too, when province users exist (issue 19)
	if pz, err := m.DB.PlatformZone(ctx, false); err != nil {
		return err
	} else if pz != nil {
		codes = append(codes, pz.Code)
	}
	for _, code := range codes {
		if err := m.DB.EnsureDefaultPolicyAudited(ctx, m.Enforcer, code); err != nil {
			return fmt.Errorf("casbin policy for %s: %w", code, err)
		}
	}
	return nil
}

func demoNodes() map[string][]repository.DemoNodeSpec { return repository.TemplateNodes() }

// seedDemo loads the demo zone unless it is there, and tells whether it loaded it now.
func (m *Main) seedDemo(ctx context.Context) (bool, error) {
	had, err := m.DB.DemoSeeded(ctx)
	if err != nil {
		return false, err
	}
	if err := m.DB.SeedDemo(ctx, demoNodes(), m.Config.Demo.Password, m.DB.AuditedRoles(m.Enforcer)); err != nil {
		return false, err
	}
	if err := m.ensurePolicies(ctx); err != nil || had {
		return !had, err
	}
	// A demo loaded now gets its present (issue 16): the open pipeline's last weeks relative
	// to today, and the reminders the hourly job would have raised over them.
	laid, err := m.DB.SeedDemoPresent(ctx)
	if err != nil || !laid {
		return true, err
	}
	jobSvc, err := m.buildJobs()
	if err != nil {
		return true, err
	}
	runs, err := jobSvc.ReplayReminders(ctx, m.DB.Clock.Now())
	if err != nil {
		return true, fmt.Errorf("demo reminders: %w", err)
	}
	m.Log.Info("demo present laid", "as_of", m.DB.Clock.Now().Format(time.RFC3339), "reminder_runs", runs)
	return true, nil
}

// fixedClock is a clock stopped at one moment (seed --demo --at).
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// firstStart prepares an empty database: the demo zone when demo.seed_on_start says so
// (`make run`), else the configured zone with an administrator whose first password is
// admin.password or a generated one, to be changed at the first log-in, so that a
// production install never comes up with a known password (issue 12).
func (m *Main) firstStart(ctx context.Context) (demoLoaded bool, first *repository.FirstRun, err error) {
	codes, err := m.DB.ZoneCodes(ctx)
	if err != nil || len(codes) > 0 {
		return false, nil, err
	}
	if m.Config.Demo.SeedOnStart {
		m.Log.Info("empty database: loading the demo zone", "zone", repository.DemoZoneCode)
		loaded, err := m.seedDemo(ctx)
		return loaded, nil, err
	}
	m.Log.Info("empty database: creating the zone and its administrator", "zone", m.Config.Zone.Code)
	first, err = m.DB.CreateFirstZone(ctx, m.Config.Zone.Code, m.Config.Zone.Name, m.Config.Zone.TimeZone,
		m.Config.Admin.Password, m.DB.AuditedRoles(m.Enforcer))
	if err != nil {
		return false, nil, err
	}
	return false, first, m.ensurePolicies(ctx)
}

func (m *Main) serve(ctx context.Context) error {
	var demoLoaded bool
	var first *repository.FirstRun
	if err := m.openDBThen(ctx, func(ctx context.Context) (err error) {
		demoLoaded, first, err = m.firstStart(ctx)
		return err
	}); err != nil {
		return err
	}
	jobSvc, err := m.buildJobs()
	if err != nil {
		return err
	}
	robots, err := robotPolicy(m.Config)
	if err != nil {
		return err
	}
	users := repository.NewUserService(m.DB)
	files, err := filestore.Open(m.Config.Files.Dir)
	if err != nil {
		return err
	}
	srv := api.New(wire.Services(m.DB, m.Enforcer, jobSvc, wire.Files{Store: files, MaxBytes: m.Config.Attachments.MaxBytes}), repository.NewFreshEnforcer(m.DB, m.Enforcer), m.DB, m.Log, api.Options{
		MaxBodyBytes:       m.Config.HTTP.MaxBodyBytes,
		MaxUploadBytes:     m.Config.HTTP.MaxUploadBytes,
		AttachmentMaxBytes: m.Config.Attachments.MaxBytes,
		TrustedProxies:     m.Config.TrustedProxyList(),
		AllowedOrigins:     m.Config.AllowedOriginList(),
		HSTSMaxAge:         m.Config.HTTP.HSTSMaxAge,
		SecureCookies:      m.Config.HTTP.SecureCookies,
		MetricsAllow:       m.Config.MetricsAllowList(),
		MetricsToken:       m.Config.Metrics.Token,
		Robots:             robots,
		Exports:            api.ExportJobOptions{Dir: exportDir(m.Config.DataDir)},
		Thresholds:         chainmap.Thresholds{Strong: m.Config.Chainmap.StrongThreshold, Weak: m.Config.Chainmap.WeakThreshold},
		DefaultZone: func(ctx context.Context) (*domain.Zone, error) {
			codes, err := m.DB.ZoneCodes(ctx)
			if err != nil {
				return nil, err
			}
			if len(codes) == 0 {
				return nil, domain.Errorf(domain.EUNAUTH, "系统中还没有开发区，请先运行 chaincrm seed --demo (no zone)")
			}
			return users.FindZoneByCode(ctx, codes[0])
		},
	})
	if err := m.startJobs(jobSvc); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Config.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.HTTP.Addr, err)
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	m.announce(ln.Addr().String(), demoLoaded, first)
	if m.Ready != nil {
		m.Ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stopping behind a load balancer (issue 19): /readyz answers 503 for drain_seconds while
	// requests are still served, so that health checks take this replica out; then the
	// listener closes (new connections are refused: nginx passes the request to another
	// replica), keep-alive connections close after their current request, and the requests
	// in flight get up to shutdown_timeout_seconds to finish.
	m.Log.Info("shutting down: draining HTTP, then the jobs, then the database",
		"drain_seconds", m.Config.HTTP.DrainSeconds, "shutdown_timeout_seconds", m.Config.HTTP.ShutdownTimeoutSeconds)
	srv.Drain()
	if d := time.Duration(m.Config.HTTP.DrainSeconds) * time.Second; d > 0 {
		time.Sleep(d)
	}
	httpSrv.SetKeepAlivesEnabled(false)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Duration(m.Config.HTTP.ShutdownTimeoutSeconds)*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	m.Log.Info("HTTP drained: every request in flight answered")
	if err := srv.Close(); err != nil { // background exports: cancelled, their files removed
		m.Log.Error("closing the export jobs", "err", err)
	}
	return m.stopJobs()
}

// exportDir is where background exports write their files: <data_dir>/exports, or a
// temporary directory when no data directory is set.
func exportDir(dataDir string) string {
	if dataDir == "" {
		return ""
	}
	return filepath.Join(dataDir, "exports")
}

// announce prints where the server listens and, only when they were made just now, the
// demo log-ins or the first-run administrator's password (printed this once, never logged).
func (m *Main) announce(addr string, demoLoaded bool, first *repository.FirstRun) {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nchaincrm 招商引资管理系统 已启动: http://%s\n", net.JoinHostPort(host, port))
	fmt.Fprintf(&b, "数据库 database: %s (%s)\n", m.Config.DB.Driver, redactDSN(m.Config.DB.DSN))
	if demoLoaded {
		m.printDemoLogins(&b)
	}
	if first != nil {
		fmt.Fprintf(&b, "首次启动：已创建开发区 %s（%s）及其管理员 first start: zone and administrator created\n", first.Zone.Name, first.Zone.Code)
		if first.Generated {
			fmt.Fprintf(&b, "  用户名 username: %s\n  初始密码 first password: %s\n", first.Admin, first.Password)
			fmt.Fprintln(&b, "  此密码只显示这一次，首次登录后必须修改 (shown this once; change it at the first log-in)")
		} else {
			fmt.Fprintf(&b, "  用户名 username: %s，初始密码为 CHAINCRM_ADMIN_PASSWORD 所设，首次登录后必须修改\n", first.Admin)
		}
	}
	fmt.Fprintln(m.Stdout, b.String())
}

// printDemoLogins lists the demo users and their password (the demo's, published).
func (m *Main) printDemoLogins(w io.Writer) {
	fmt.Fprintf(w, "演示账号 demo log-ins (密码 password: %s):\n", m.Config.Demo.Password)
	for _, u := range repository.DemoUsers {
		fmt.Fprintf(w, "  %-13s %s\n", u.Username, u.DisplayName)
	}
}

func redactDSN(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		if colon := strings.Index(dsn[:at], ":"); colon >= 0 {
			return dsn[:colon] + ":***" + dsn[at:]
		}
	}
	return dsn
}

// Close releases what Run opened, in reverse order.
func (m *Main) Close() error {
	if err := m.stopJobs(); err != nil {
		m.Log.Error("stopping jobs", "err", err)
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}

// Package api is chaincrm's HTTP interface: a Gin router with request ids, structured
// logging, recovery, metrics, body limits, bearer-token authentication and casbin
// authorization in front of the handlers, and the embedded web app behind them.
//
// Every route is declared once in routes(): its method, path, casbin object and action,
// and summary. Registration, the authorization check, the OpenAPI document and the tests
// that walk all routes are driven from that one table, so none of them can drift apart.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// Authorizer answers whether a user may do act on obj in a zone (the casbin enforcer).
type Authorizer interface {
	Enforce(rvals ...any) (bool, error)
}

// Pinger tells whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// MapSource loads what a chain map is built from, within the caller's scope.
type MapSource interface {
	MapInput(ctx context.Context, chain *domain.Chain) (chainmap.Input, error)
}

// Services are the domain services the handlers call.
type Services struct {
	Projects    domain.ProjectService
	Activities  domain.ActivityService
	Chains      domain.ChainService
	Enterprises domain.EnterpriseService
	Campaigns   domain.CampaignService
	Users       domain.UserService
	Maps        MapSource
	Accounts    domain.AccountService // log-in checks, users and roles (issue 3)
	Audit       domain.AuditService   // the append-only audit log

	// Figures and spreadsheets (issue 7).
	Stats   domain.StatsService    // dashboard and annual-report figures
	Targets domain.TargetService   // yearly targets and their progress
	Imports domain.ProjectImporter // the spreadsheet import
	Exports domain.Exporter        // the spreadsheet exports

	// Editing chain maps: nodes, chain masters, links and the chain history (issue 5).
	ChainEdit domain.ChainEditService

	// The pipeline workflow (issue 4).
	Workflow     domain.WorkflowService    // stage documents, comments, milestones, board, review queue
	Investments  domain.InvestmentService  // capital realised (到资)
	Supervisions domain.SupervisionService // supervision (督办)

	// Scheduled work (issue 6): reminders, digest settings, jobs and the outbox.
	Jobs Jobs

	// The 客商库 (issue 14): contact people and attachments.
	Contacts    domain.ContactService
	Attachments domain.AttachmentService
	// The log-in throttle, in the database (issue 12).
	Throttle domain.LoginThrottle

	// Integration tokens (issue 18).
	Tokens domain.TokenService

	// Enterprise service requests (企业诉求) and departments (issue 15).
	Requests domain.ServiceRequestService
	// Group robots (issue 16).
	Robots domain.RobotService
	// Economic indicators and project operations (issue 17).
	Indicators domain.IndicatorService
	Operations domain.OperationsService
	// The provincial platform (issue 19): province users' zones and figures, and the
	// background exports' state shared by every replica.
	Platform domain.PlatformService
	// The platform administrator's zone list and province users' grants (issue 19).
	PlatformAdmin domain.PlatformAdminService
	ExportJobs    domain.ExportJobStore
	// Idempotency keys of creating requests (issue 20, offline visits).
	Idempotency domain.IdempotencyStore
}

// Options are the server's settings.
type Options struct {
	MaxBodyBytes   int64
	MaxUploadBytes int64
	Thresholds     chainmap.Thresholds
	DefaultZone    func(ctx context.Context) (*domain.Zone, error)
	Clock          domain.Clock
	Location       interface{ String() string }
	// TrustedProxies are the reverse proxies (addresses, CIDRs) whose X-Forwarded-For is
	// believed; none by default, so that a client cannot forge its address.
	TrustedProxies []string
	// Exports are the settings of the background export jobs (issue 8).
	Exports ExportJobOptions
	// AttachmentMaxBytes is the largest attachment accepted (default 20 MiB).
	AttachmentMaxBytes int64

	// The browser's side (issue 12). AllowedOrigins are origins (scheme://host[:port])
	// besides the server's own from which browsers may send state-changing requests.
	AllowedOrigins []string
	// HSTSMaxAge, when positive, sends Strict-Transport-Security with this max-age (seconds);
	// only for servers reached over https.
	HSTSMaxAge int
	// MetricsAllow are the addresses or CIDRs that may read /metrics (nil: loopback only);
	// MetricsToken, when set, lets a scraper with Authorization: Bearer <token> read it
	// from anywhere.
	MetricsAllow []string
	MetricsToken string
	// SecureCookies makes the session cookies Secure on every answer, not only on those to
	// requests that came over https.
	SecureCookies bool

	// Robots is the group robots' webhook allow-list and plain-http switch (issue 16);
	// empty: the platforms' hosts, https only.
	Robots domain.RobotPolicy
}

// Server is the HTTP handler of chaincrm.
type Server struct {
	svc      Services
	authz    Authorizer
	db       Pinger
	log      *slog.Logger
	opts     Options
	engine   *gin.Engine
	registry *prometheus.Registry
	routes   []route
	static   fs.FS
	staticGz staticBodies // the app's text files gzipped once (compressed.go)
	exports  *exportJobs
	maps     *mapCache
	draining atomic.Bool // Drain: /readyz answers 503 (stopping)
	encoded  jsonMemo    // cached boards and overviews, encoded once (jsonmemo.go)

	docOnce sync.Once // the OpenAPI document, built on first use
	doc     []byte
	docErr  error
}

// New builds the server and its routes.
func New(svc Services, authz Authorizer, db Pinger, log *slog.Logger, opts Options) *Server {
	gin.SetMode(gin.ReleaseMode)
	if opts.Clock == nil {
		opts.Clock = domain.SystemClock{}
	}
	if len(opts.Robots.AllowedHosts) == 0 {
		opts.Robots.AllowedHosts, _ = splitHosts(domain.DefaultRobotHosts)
	}
	if opts.AttachmentMaxBytes <= 0 {
		opts.AttachmentMaxBytes = 20 << 20
	}
	if opts.Thresholds == (chainmap.Thresholds{}) {
		opts.Thresholds = chainmap.DefaultThresholds()
	}
	s := &Server{svc: svc, authz: authz, db: db, log: log, opts: opts, engine: gin.New(),
		registry: prometheus.NewRegistry(),
		exports:  newExportJobs(opts.Exports, opts.Clock, log, svc.ExportJobs), maps: newMapCache(opts.Clock)}
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(s.registry)
	e := s.engine
	e.HandleMethodNotAllowed = true
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		log.Error("trusted proxies refused; trusting none", "err", err)
		e.SetTrustedProxies(nil)
	}
	e.ContextWithFallback = true
	e.Use(requestID(), recovery(log), logRequests(log), m.middleware(), s.securityHeaders())
	e.NoRoute(s.noRoute)
	e.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed", Message: "不支持该请求方法 (method not allowed)"}})
	})
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsGuard(), gin.WrapH(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})))
	s.routes = s.table()
	for _, r := range s.routes {
		limit := opts.MaxBodyBytes
		if r.Upload {
			limit = opts.MaxUploadBytes
		}
		if r.MaxBytes > 0 {
			limit = r.MaxBytes
		}
		chain := []gin.HandlerFunc{limitBody(limit), requireJSON(r.Upload)}
		if !r.Public {
			chain = append(chain, s.authenticate, s.authorize(r.Obj, r.Act))
		}
		if r.PersonOnly {
			chain = append(chain, personOnly)
		}
		if r.Idempotent {
			chain = append(chain, s.idempotent())
		}
		chain = append(chain, r.Handler)
		e.Handle(r.Method, r.Path, chain...)
	}
	s.spa()
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Drain makes /readyz answer 503 from now on, while every other route is still served: a
// stopping replica (SIGTERM) tells the balancer's health checks to send no more requests
// before it closes its listener (issue 19).
func (s *Server) Drain() { s.draining.Store(true) }

func (s *Server) readyz(c *gin.Context) {
	if s.draining.Load() {
		c.Header("Connection", "close")
		c.JSON(http.StatusServiceUnavailable, ErrorBody{Error: ErrorDetail{Code: "unavailable", Message: "正在停止 (draining: shutting down)"}})
		return
	}
	if err := s.db.Ping(c.Request.Context()); err != nil {
		c.JSON(http.StatusServiceUnavailable, ErrorBody{Error: ErrorDetail{Code: "unavailable", Message: "数据库不可用 (database unreachable)"}})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

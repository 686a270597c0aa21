// Package configs holds chaincrm's configuration: config.yaml (embedded as the defaults),
// the casbin model and the default role policy, and the loader that applies a config file
// and then CHAINCRM_* environment variables on top.
package configs

import (
	"bufio"
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed config.yaml
var defaultYAML []byte

//go:embed rbac_model.conf
var RBACModel string

//go:embed policy.csv
var policyCSV string

// Config is the whole configuration. Each field's environment variable is CHAINCRM_ plus
// its yaml path upper-cased with "_" between levels (db.dsn → CHAINCRM_DB_DSN).
type Config struct {
	HTTP struct {
		Addr           string `yaml:"addr"`
		BaseURL        string `yaml:"base_url"`
		MaxBodyBytes   int64  `yaml:"max_body_bytes"`
		MaxUploadBytes int64  `yaml:"max_upload_bytes"`
		TrustedProxies string `yaml:"trusted_proxies"`
		// The browser's side (issue 12).
		AllowedOrigins string `yaml:"allowed_origins"`
		HSTSMaxAge     int    `yaml:"hsts_max_age"`
		SecureCookies  bool   `yaml:"secure_cookies"`
		// Stopping (SIGTERM) behind a load balancer (issue 19): DrainSeconds of /readyz
		// answering 503 while requests are still served, then at most
		// ShutdownTimeoutSeconds for the requests in flight.
		DrainSeconds           int `yaml:"drain_seconds"`
		ShutdownTimeoutSeconds int `yaml:"shutdown_timeout_seconds"`
	} `yaml:"http"`
	Metrics struct {
		Allow string `yaml:"allow"`
		Token string `yaml:"token"`
	} `yaml:"metrics"`
	Admin struct {
		Password string `yaml:"password"`
	} `yaml:"admin"`
	DB struct {
		Driver string `yaml:"driver"`
		DSN    string `yaml:"dsn"`
	} `yaml:"db"`
	DataDir string `yaml:"data_dir"`
	// Log: the server's log level (debug, info, warn, error; CHAINCRM_LOG_LEVEL).
	Log struct {
		Level string `yaml:"level"`
	} `yaml:"log"`
	// Files is where attachments' bytes are kept (content-addressed; docs/enterprises.md).
	Files struct {
		Dir string `yaml:"dir"`
	} `yaml:"files"`
	Attachments struct {
		MaxBytes int64 `yaml:"max_bytes"`
	} `yaml:"attachments"`
	Zone struct {
		TimeZone string `yaml:"time_zone"`
		// The zone a production install starts with (when the demo is not loaded).
		Code string `yaml:"code"`
		Name string `yaml:"name"`
	} `yaml:"zone"`
	Demo struct {
		SeedOnStart bool   `yaml:"seed_on_start"`
		Password    string `yaml:"password"`
	} `yaml:"demo"`
	Session struct {
		IdleHours     int `yaml:"idle_hours"`
		AbsoluteHours int `yaml:"absolute_hours"`
	} `yaml:"session"`
	Projects struct {
		StaleYellowDays int `yaml:"stale_yellow_days"`
		StaleRedDays    int `yaml:"stale_red_days"`
		CleanupDays     int `yaml:"cleanup_days"`
	} `yaml:"projects"`
	Chainmap struct {
		StrongThreshold int `yaml:"strong_threshold"`
		WeakThreshold   int `yaml:"weak_threshold"`
	} `yaml:"chainmap"`
	SMTP struct {
		Host     string `yaml:"host"`
		Port     int    `yaml:"port"`
		Username string `yaml:"username"`
		Password string `yaml:"password"`
		From     string `yaml:"from"`
	} `yaml:"smtp"`
	Reminders struct {
		LeadIdleDays           int `yaml:"lead_idle_days"`
		LeadEscalateDays       int `yaml:"lead_escalate_days"`
		IdentificationOpenDays int `yaml:"identification_open_days"`
		RiskMissingDays        int `yaml:"risk_missing_days"`
		RiskEscalateDays       int `yaml:"risk_escalate_days"`
		DecisionPendingDays    int `yaml:"decision_pending_days"`
		DecisionEscalateDays   int `yaml:"decision_escalate_days"`
		MilestoneWindowDays    int `yaml:"milestone_window_days"`
		ServiceIdleDays        int `yaml:"service_idle_days"`
		NextStepWindowDays     int `yaml:"next_step_window_days"`
	} `yaml:"reminders"`
	Jobs struct {
		Enabled   bool   `yaml:"enabled"`
		Reminders string `yaml:"reminders"`
		Digest    string `yaml:"digest"`
		Outbox    string `yaml:"outbox"`
		// OutboxMaxAttempts is how many times an email is tried before it is dead.
		OutboxMaxAttempts int `yaml:"outbox_max_attempts"`
		// RobotSummary is the group robots' daily summary (issue 16).
		RobotSummary string `yaml:"robot_summary"`
		// Idempotency purges expired idempotency keys (issue 20).
		Idempotency string `yaml:"idempotency"`
	} `yaml:"jobs"`
	// Service is enterprise service (issue 15): EscalateAfterDays after its deadline an
	// unanswered request is escalated to the director with a 督办.
	Service struct {
		EscalateAfterDays int `yaml:"escalate_after_days"`
	} `yaml:"service"`
	// Robots are the group robots' limits (issue 16): CHAINCRM_ROBOTS_ALLOWED_HOSTS,
	// CHAINCRM_ROBOTS_ALLOW_HTTP, CHAINCRM_ROBOTS_QUIET_HOURS.
	Robots struct {
		AllowedHosts string `yaml:"allowed_hosts"`
		AllowHTTP    bool   `yaml:"allow_http"`
		QuietHours   string `yaml:"quiet_hours"`
	} `yaml:"robots"`
}

// Location is the zone's time zone (Asia/Shanghai unless configured).
func (c *Config) Location() (*time.Location, error) {
	return time.LoadLocation(c.Zone.TimeZone)
}

// Load reads the embedded defaults, then path (if it exists; an explicitly named file must
// exist), then the environment.
func Load(path string, explicit bool, environ []string) (*Config, error) {
	var c Config
	if err := yaml.Unmarshal(defaultYAML, &c); err != nil {
		return nil, fmt.Errorf("config: defaults: %w", err)
	}
	if path != "" {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			if err := yaml.Unmarshal(b, &c); err != nil {
				return nil, fmt.Errorf("config: %s: %w", path, err)
			}
		case explicit || !os.IsNotExist(err):
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "CHAINCRM_") {
			env[k] = v
		}
	}
	if err := applyEnv(reflect.ValueOf(&c).Elem(), "CHAINCRM", env); err != nil {
		return nil, err
	}
	return &c, c.validate()
}

func applyEnv(v reflect.Value, prefix string, env map[string]string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := prefix + "_" + strings.ToUpper(strings.Split(f.Tag.Get("yaml"), ",")[0])
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct {
			if err := applyEnv(fv, name, env); err != nil {
				return err
			}
			continue
		}
		s, ok := env[name]
		if !ok {
			continue
		}
		switch f.Type.Kind() {
		case reflect.String:
			fv.SetString(s)
		case reflect.Int, reflect.Int64:
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return fmt.Errorf("config: %s=%q is not a whole number", name, s)
			}
			fv.SetInt(n)
		case reflect.Bool:
			b, err := strconv.ParseBool(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("config: %s=%q is not true or false", name, s)
			}
			fv.SetBool(b)
		}
	}
	return nil
}

func (c *Config) validate() error {
	if c.DB.Driver != "sqlite" && c.DB.Driver != "mysql" {
		return fmt.Errorf("config: db.driver must be sqlite or mysql, not %q", c.DB.Driver)
	}
	if _, err := c.Location(); err != nil {
		return fmt.Errorf("config: zone.time_zone: %w", err)
	}
	if c.HTTP.MaxBodyBytes <= 0 || c.HTTP.MaxUploadBytes <= 0 {
		return fmt.Errorf("config: http body limits must be positive")
	}
	if _, err := c.LogLevel(); err != nil {
		return err
	}
	if c.HTTP.DrainSeconds < 0 || c.HTTP.ShutdownTimeoutSeconds <= 0 {
		return fmt.Errorf("config: http.drain_seconds must be 0 or more, http.shutdown_timeout_seconds positive")
	}
	if c.Attachments.MaxBytes <= 0 {
		return fmt.Errorf("config: attachments.max_bytes must be positive")
	}
	if strings.TrimSpace(c.Files.Dir) == "" {
		return fmt.Errorf("config: files.dir must name a directory")
	}
	if err := c.validateProxies(); err != nil {
		return err
	}
	return c.validateBrowser()
}

// Rule is one line of the default policy: a role may do act on obj.
type Rule struct{ Role, Obj, Act string }

// DefaultPolicy parses policy.csv.
func DefaultPolicy() []Rule {
	var out []Rule
	sc := bufio.NewScanner(strings.NewReader(policyCSV))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ",")
		if len(parts) != 3 {
			panic("configs/policy.csv: bad line " + line)
		}
		out = append(out, Rule{strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])})
	}
	return out
}

// LogLevel is log.level as a slog level (info when empty).
func (c *Config) LogLevel() (slog.Level, error) {
	var l slog.Level
	if c.Log.Level == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(c.Log.Level)); err != nil {
		return 0, fmt.Errorf("config: log.level: want debug, info, warn or error, not %q", c.Log.Level)
	}
	return l, nil
}

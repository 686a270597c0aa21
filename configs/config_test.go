package configs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadDefaultsFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte("http:\n  addr: \":9090\"\nsmtp:\n  port: 2525\n"), 0o644)
	c, err := Load(path, true, []string{"CHAINCRM_DB_DRIVER=mysql", "CHAINCRM_DB_DSN=root@tcp(127.0.0.1:3306)/x",
		"CHAINCRM_SMTP_HOST=127.0.0.1", "CHAINCRM_DEMO_PASSWORD=Other@2024", "CHAINCRM_JOBS_ENABLED=false", "OTHER=1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != ":9090" || c.SMTP.Port != 2525 {
		t.Errorf("file not applied: %+v", c.HTTP)
	}
	if c.DB.Driver != "mysql" || c.DB.DSN != "root@tcp(127.0.0.1:3306)/x" || c.SMTP.Host != "127.0.0.1" ||
		c.Demo.Password != "Other@2024" || c.Jobs.Enabled {
		t.Errorf("env not applied: %+v %+v %+v", c.DB, c.SMTP, c.Demo)
	}
	if c.Reminders.LeadIdleDays != 14 || c.Zone.TimeZone != "Asia/Shanghai" {
		t.Errorf("defaults lost: %+v", c.Reminders)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	for _, env := range [][]string{{"CHAINCRM_DB_DRIVER=postgres"}, {"CHAINCRM_SMTP_PORT=abc"}, {"CHAINCRM_ZONE_TIME_ZONE=Mars/Base"}} {
		if _, err := Load("", false, env); err == nil {
			t.Errorf("%v: accepted", env)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml"), true, nil); err == nil {
		t.Error("missing explicit file accepted")
	}
}

func TestDefaultPolicyCoversEveryRole(t *testing.T) {
	roles := map[string]int{}
	for _, r := range DefaultPolicy() {
		roles[r.Role]++
	}
	for _, r := range []string{"admin", "director", "chain_chief", "recruiter", "agent", "viewer"} {
		if roles[r] == 0 {
			t.Errorf("role %s has no rule", r)
		}
	}
}

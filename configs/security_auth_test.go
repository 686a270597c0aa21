package configs

import (
	"fmt"
	"testing"
)

// Issue 12: a production install never starts the demo by default; the browser's settings
// are checked when loaded.
func TestSecurityAuthDefaults(t *testing.T) {
	c, err := Load("", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Demo.SeedOnStart || c.Admin.Password != "" || c.HTTP.HSTSMaxAge != 0 || c.HTTP.SecureCookies || c.Metrics.Token != "" {
		t.Errorf("defaults: demo %v, admin password %q, hsts %d, secure %v, metrics token %q",
			c.Demo.SeedOnStart, c.Admin.Password, c.HTTP.HSTSMaxAge, c.HTTP.SecureCookies, c.Metrics.Token)
	}
	if fmt.Sprint(c.MetricsAllowList()) != "[127.0.0.0/8 ::1]" || len(c.AllowedOriginList()) != 0 || c.Zone.Code != "main" {
		t.Errorf("metrics allow %v, origins %v, zone %q", c.MetricsAllowList(), c.AllowedOriginList(), c.Zone.Code)
	}
	c, err = Load("", false, []string{"CHAINCRM_DEMO_SEED_ON_START=true", "CHAINCRM_HTTP_ALLOWED_ORIGINS=https://crm.example.cn, http://10.0.0.5:8080",
		"CHAINCRM_METRICS_ALLOW=10.0.0.0/8", "CHAINCRM_HTTP_HSTS_MAX_AGE=31536000", "CHAINCRM_ADMIN_PASSWORD=x"})
	if err != nil || !c.Demo.SeedOnStart || len(c.AllowedOriginList()) != 2 || c.HTTP.HSTSMaxAge != 31536000 || c.Admin.Password != "x" {
		t.Errorf("from the environment: %+v %v", c, err)
	}
	for _, bad := range []string{"CHAINCRM_HTTP_ALLOWED_ORIGINS=crm.example.cn", "CHAINCRM_HTTP_ALLOWED_ORIGINS=https://crm.example.cn/app",
		"CHAINCRM_METRICS_ALLOW=prometheus", "CHAINCRM_HTTP_HSTS_MAX_AGE=-1", "CHAINCRM_ZONE_CODE="} {
		if _, err := Load("", false, []string{bad}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

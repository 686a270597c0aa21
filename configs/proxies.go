package configs

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// TrustedProxyList is http.trusted_proxies split into addresses and CIDRs: the reverse
// proxies whose X-Forwarded-For header names the client. Empty (the default) trusts none,
// so the client address is the connection's and cannot be forged by a header — the
// log-in throttle and the audit log's addresses depend on it.
func (c *Config) TrustedProxyList() []string {
	var out []string
	for _, p := range strings.Split(c.HTTP.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *Config) validateProxies() error {
	for _, p := range c.TrustedProxyList() {
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			return fmt.Errorf("config: http.trusted_proxies: %q is neither an address nor a CIDR", p)
		}
	}
	return nil
}

// AllowedOriginList is http.allowed_origins split: the origins (scheme://host[:port])
// besides the server's own from which browsers may send state-changing requests.
func (c *Config) AllowedOriginList() []string { return splitList(c.HTTP.AllowedOrigins) }

// MetricsAllowList is metrics.allow split into addresses and CIDRs; nil (loopback only)
// when empty.
func (c *Config) MetricsAllowList() []string { return splitList(c.Metrics.Allow) }

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *Config) validateBrowser() error {
	for _, o := range c.AllowedOriginList() {
		u, err := url.Parse(strings.TrimRight(o, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
			return fmt.Errorf("config: http.allowed_origins: %q is not an origin like https://crm.example.cn", o)
		}
	}
	for _, p := range c.MetricsAllowList() {
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			return fmt.Errorf("config: metrics.allow: %q is neither an address nor a CIDR", p)
		}
	}
	if c.HTTP.HSTSMaxAge < 0 {
		return fmt.Errorf("config: http.hsts_max_age must not be negative")
	}
	if c.Zone.Code == "" || len(c.Zone.Code) > 50 || c.Zone.Name == "" {
		return fmt.Errorf("config: zone.code (at most 50 characters) and zone.name are required")
	}
	return nil
}

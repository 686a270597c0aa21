package configs

import (
	"fmt"
	"net/netip"
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

package api

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The browser's side of security (issue 12): which content types the API reads, where
// state-changing requests may come from, the response headers, and who may read /metrics.

// Content-Security-Policy of the web app: its own scripts only (the Vite build has no
// inline script), its own styles plus inline style attributes (Element Plus and ECharts set
// them), images from itself and data:/blob: URLs (charts, downloads), nothing framed.
const cspApp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'none'"

// Content-Security-Policy of everything under /api: JSON, and the documents a browser may
// open directly — the printable annual report (HTML) and the chain map (SVG). They run no
// script at all (sandbox), load nothing, and keep their inline styles.
const cspDocument = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; " +
	"form-action 'none'; frame-ancestors 'none'; sandbox"

// securityHeaders are sent on every answer. Answers are not stored by caches unless a
// handler says otherwise (the web app's hashed assets do).
func (s *Server) securityHeaders() gin.HandlerFunc {
	hsts := ""
	if s.opts.HSTSMaxAge > 0 {
		hsts = "max-age=" + strconv.Itoa(s.opts.HSTSMaxAge)
	}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			h.Set("Content-Security-Policy", cspDocument)
		} else {
			h.Set("Content-Security-Policy", cspApp)
		}
		if hsts != "" {
			h.Set("Strict-Transport-Security", hsts)
		}
		c.Next()
	}
}

// hasBody reports whether the request carries a body.
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// requireJSON is the body rule of every JSON endpoint (every route of the table that is
// not an upload): a body must be application/json (else 415). Requests without a body
// (GET, DELETE, a POST that only acts) pass whatever they say. A form or text/plain body
// is what another site can make a browser send without asking; refusing it is the first
// defence against cross-site requests. Uploads read multipart/form-data, and their
// handlers answer anything else with 400 naming the file field.
func requireJSON(upload bool) gin.HandlerFunc {
	const want, msg = "application/json", "请求内容应为 JSON（Content-Type: application/json）(unsupported media type: send application/json)"
	return func(c *gin.Context) {
		if upload || !hasBody(c.Request) {
			c.Next()
			return
		}
		mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
		if err != nil || mt != want {
			Abort(c, domain.Errorf(domain.EUNSUPPORTED, "%s", msg))
			return
		}
		c.Next()
	}
}

var errCrossSite = domain.Errorf(domain.EFORBIDDEN, "请求来自其他网站，已拒绝 (cross-site request refused)")

// checkOrigin refuses a request that a browser says comes from another site: Origin, when
// sent, must be this server's own (the request's Host) or one of http.allowed_origins;
// without Origin, Sec-Fetch-Site must not say cross-site or same-site. Clients that send
// neither (API clients, old browsers) pass: for them the CSRF token decides.
func (s *Server) checkOrigin(c *gin.Context) error {
	if origin := c.GetHeader("Origin"); origin != "" {
		if originAllowed(origin, c.Request.Host, s.opts.AllowedOrigins) {
			return nil
		}
		s.log.Warn("cross-site request refused", "origin", clip(origin, 200), "path", c.Request.URL.Path, "ip", c.ClientIP())
		return errCrossSite
	}
	switch c.GetHeader("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return nil
	}
	s.log.Warn("cross-site request refused", "sec_fetch_site", clip(c.GetHeader("Sec-Fetch-Site"), 50), "path", c.Request.URL.Path, "ip", c.ClientIP())
	return errCrossSite
}

// originAllowed: origin (scheme://host[:port]) names host itself, or is listed in allowed
// (compared without a trailing slash, case-insensitively, default ports ignored).
func originAllowed(origin, host string, allowed []string) bool {
	norm := func(scheme, hostport string) string {
		hostport = strings.ToLower(hostport)
		if (scheme == "http" && strings.HasSuffix(hostport, ":80")) || (scheme == "https" && strings.HasSuffix(hostport, ":443")) {
			hostport = hostport[:strings.LastIndexByte(hostport, ':')]
		}
		return hostport
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" || u.User != nil {
		return false
	}
	got := norm(u.Scheme, u.Host)
	if got == norm(u.Scheme, host) {
		return true
	}
	for _, a := range allowed {
		au, err := url.Parse(strings.TrimRight(strings.TrimSpace(a), "/"))
		if err == nil && au.Scheme == u.Scheme && norm(au.Scheme, au.Host) == got {
			return true
		}
	}
	return false
}

// metricsGuard lets /metrics be read only from the configured addresses (loopback by
// default) or with the configured bearer token; anyone else gets 403.
func (s *Server) metricsGuard() gin.HandlerFunc {
	var allow []netip.Prefix
	for _, a := range s.opts.MetricsAllow {
		if p, err := netip.ParsePrefix(a); err == nil {
			allow = append(allow, p.Masked())
		} else if ip, err := netip.ParseAddr(a); err == nil {
			allow = append(allow, netip.PrefixFrom(ip, ip.BitLen()))
		} else {
			s.log.Error("metrics: ignoring an allowed address that is neither an address nor a CIDR", "entry", a)
		}
	}
	if s.opts.MetricsAllow == nil {
		allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	token := s.opts.MetricsToken
	return func(c *gin.Context) {
		if token != "" && subtle.ConstantTimeCompare([]byte(bearer(c)), []byte(token)) == 1 {
			c.Next()
			return
		}
		if ip, err := netip.ParseAddr(c.ClientIP()); err == nil {
			ip = ip.Unmap()
			for _, p := range allow {
				if p.Contains(ip) {
					c.Next()
					return
				}
			}
		}
		Abort(c, domain.Errorf(domain.EFORBIDDEN, "监控指标只对配置的地址或令牌开放 (metrics: not allowed from here)"))
	}
}

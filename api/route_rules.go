package api

// RouteRule is what one API route asks of its caller: a log-in and the casbin permission
// Obj/Act, or nothing when Public. The authorization matrix test reads these to prove that
// every route has a rule some role holds (casbin denies by default).
type RouteRule struct {
	Method, Path string
	Obj, Act     string
	Public       bool
	Upload       bool // reads a multipart file upload rather than JSON
}

// RouteRules lists every route of the API table with its rule.
func (s *Server) RouteRules() []RouteRule {
	out := make([]RouteRule, len(s.routes))
	for i, r := range s.routes {
		out[i] = RouteRule{Method: r.Method, Path: r.Path, Obj: r.Obj, Act: r.Act, Public: r.Public, Upload: r.Upload}
	}
	return out
}

package api_test

import (
	"net/http"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// BenchmarkAuthenticatedRequest: what authentication and authorization add to a request
// (session lookup, user with roles and chains, zone, casbin), measured on GET /me, whose
// handler does nothing else; and a refused request, which also writes an audit line.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	e := apitest.New(b, "sqlite")
	for _, c := range []struct{ name, user, method, path string }{
		{"me", "recruiter1", http.MethodGet, "/api/v1/me"},
		{"forbidden_audited", "viewer", http.MethodGet, "/api/v1/users"},
	} {
		tok := e.Token(c.user)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				e.Do(c.method, c.path, tok, nil)
			}
		})
	}
}

package api_test

import (
	"fmt"
)

// The integration tokens' rows of the authorization matrix (api/matrix_test.go): every role
// makes, lists and revokes its own tokens; administrators list the zone's and revoke any of
// it; nobody reaches another zone's.

func init() { matrixRows = append(matrixRows, tokenMatrixRows...) }

// mxToken stores a token of user in zone and returns its id.
func mxToken(m *matrix, zoneID int64, user string) int64 {
	m.t.Helper()
	g := m.e.DB.Gorm()
	var uid int64
	if err := g.Table("users").Where("username = ? AND zone_id = ?", user, zoneID).Pluck("id", &uid).Error; err != nil || uid == 0 {
		m.t.Fatalf("matrix token: user %s: %v", user, err)
	}
	hash := fmt.Sprintf("%064d", m.next())
	if err := g.Exec(`INSERT INTO api_tokens (zone_id, user_id, name, token_hash, hint, read_only, expires_on, created_at, revoked_by)
		VALUES (?, ?, '矩阵测试令牌', ?, 'ccrm_test', ?, '2023-12-31', ?, '')`, zoneID, uid, hash, false, m.e.Clock.Now()).Error; err != nil {
		m.t.Fatal(err)
	}
	var id int64
	if err := g.Table("api_tokens").Where("token_hash = ?", hash).Pluck("id", &id).Error; err != nil {
		m.t.Fatal(err)
	}
	return id
}

// tokenPaths: in, the user's own token; out, another laiyuan user's token (except for the
// administrator, who may revoke it) and a token in the other zone.
func tokenPaths(m *matrix, user string, in bool) []string {
	path := func(id int64) string { return fmt.Sprintf("/api/v1/tokens/%d", id) }
	var laiyuan int64
	m.e.DB.Gorm().Table("zones").Where("code = ?", "laiyuan").Pluck("id", &laiyuan)
	if in {
		return []string{path(mxToken(m, laiyuan, user))}
	}
	out := []string{path(mxToken(m, m.zone.ID, "admin"))}
	if user != "admin" {
		other := "recruiter2"
		if user == other {
			other = "recruiter1"
		}
		out = append(out, path(mxToken(m, laiyuan, other)))
	}
	return out
}

var tokenMatrixRows = []matrixRow{
	{Route: "GET /api/v1/tokens", In: readAll},
	{Route: "POST /api/v1/tokens", Body: map[string]any{"name": "矩阵测试", "expires_on": "2023-06-30", "read_only": true}, In: mxAll(ok201)},
	{Route: "GET /api/v1/tokens/all", In: adminOnly},
	{Route: "DELETE /api/v1/tokens/:id", Object: tokenPaths, In: mxAll(ok204), Out: readOut},
}

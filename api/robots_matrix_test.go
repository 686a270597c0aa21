package api_test

import (
	"fmt"
)

// The group robots' rows of the authorization matrix (api/matrix_test.go): administrators
// only; another zone's robot is 404 to them.

func init() { matrixRows = append(matrixRows, robotMatrixRows...) }

// mxRobot stores a robot in zone. Its webhook's host is on no allow-list, so a test message
// fails at once without reaching the network.
func mxRobot(m *matrix, zoneID int64) int64 {
	m.t.Helper()
	g := m.e.DB.Gorm()
	name := fmt.Sprintf("矩阵机器人%d", m.next())
	if err := g.Exec(`INSERT INTO robots (zone_id, kind, name, webhook, secret, events, created_at, updated_at)
		VALUES (?, 'wecom', ?, 'https://robots.invalid/hook', '', 'supervision', ?, ?)`, zoneID, name, m.e.Clock.Now(), m.e.Clock.Now()).Error; err != nil {
		m.t.Fatal(err)
	}
	var id int64
	if err := g.Table("robots").Where("name = ?", name).Pluck("id", &id).Error; err != nil {
		m.t.Fatal(err)
	}
	return id
}

func robotPaths(suffix string) func(m *matrix, user string, in bool) []string {
	return func(m *matrix, user string, in bool) []string {
		var laiyuan int64
		m.e.DB.Gorm().Table("zones").Where("code = ?", "laiyuan").Pluck("id", &laiyuan)
		zone := laiyuan
		if !in {
			zone = m.zone.ID
		}
		return []string{fmt.Sprintf("/api/v1/robots/%d%s", mxRobot(m, zone), suffix)}
	}
}

var robotMatrixRows = []matrixRow{
	{Route: "GET /api/v1/robots", In: adminOnly},
	{Route: "POST /api/v1/robots", Body: map[string]any{"kind": "wecom", "name": "矩阵群", "webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "events": []string{"supervision"}},
		In: st(201, 403, 403, 403, 403, 403, 403)},
	{Route: "GET /api/v1/robots/:id", Object: robotPaths(""), In: adminOnly, Out: adminOut},
	{Route: "PATCH /api/v1/robots/:id", Object: robotPaths(""), Body: map[string]any{"name": "矩阵改名"}, In: adminOnly, Out: adminOut},
	{Route: "DELETE /api/v1/robots/:id", Object: robotPaths(""), In: st(204, 403, 403, 403, 403, 403, 403), Out: adminOut},
	{Route: "POST /api/v1/robots/:id/test", Object: robotPaths("/test"), In: adminOnly, Out: adminOut},
}

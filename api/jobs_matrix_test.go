package api_test

import (
	"fmt"
)

// The scheduled work's rows of the authorization matrix (api/matrix_test.go): reminders
// (every role may read and close its own), the caller's settings, and the administrators'
// jobs and outbox.

func init() { matrixRows = append(matrixRows, jobsMatrixRows...) }

// mxReminder stores a fresh open reminder of user (in zone laiyuan unless zone is set) on
// project and returns its id.
func mxReminder(m *matrix, zoneID int64, user string, project int64) int64 {
	m.t.Helper()
	g := m.e.DB.Gorm()
	var uid int64
	if err := g.Table("users").Where("username = ? AND zone_id = ?", user, zoneID).Pluck("id", &uid).Error; err != nil || uid == 0 {
		m.t.Fatalf("matrix reminder: user %s: %v", user, err)
	}
	period := fmt.Sprintf("matrix:%d", m.next())
	if err := g.Exec(`INSERT INTO reminders (zone_id, rule, project_id, user_id, period_key, message, due_at, status, created_at)
		VALUES (?, 'lead_idle', ?, ?, ?, '矩阵测试待办', '2023-01-10', 'open', ?)`, zoneID, project, uid, period, m.e.Clock.Now()).Error; err != nil {
		m.t.Fatal(err)
	}
	var id int64
	if err := g.Table("reminders").Where("period_key = ?", period).Pluck("id", &id).Error; err != nil {
		m.t.Fatal(err)
	}
	return id
}

// reminderPaths: in, the user's own reminder on the shared project; out, someone else's
// reminder on it, one in the other zone, and for chief_food and agent1 their own reminder
// on a project outside their scope.
func reminderPaths(action string) func(m *matrix, user string, in bool) []string {
	return func(m *matrix, user string, in bool) []string {
		path := func(id int64) string { return fmt.Sprintf("/api/v1/reminders/%d/%s", id, action) }
		var laiyuan int64
		m.e.DB.Gorm().Table("zones").Where("code = ?", "laiyuan").Pluck("id", &laiyuan)
		if in {
			return []string{path(mxReminder(m, laiyuan, user, m.shared))}
		}
		other := "recruiter2"
		if user == other {
			other = "recruiter1"
		}
		out := []string{path(mxReminder(m, laiyuan, other, m.shared)), path(mxReminder(m, m.zone.ID, "recruiter1", m.zone.ProjectIDs["food"]))}
		if narrow(user) {
			out = append(out, path(mxReminder(m, laiyuan, user, m.semi)))
		}
		return out
	}
}

func jobRunPaths(m *matrix, user string, in bool) []string {
	if in {
		return []string{"/api/v1/jobs/outbox/run"}
	}
	return []string{"/api/v1/jobs/nope/run"}
}

var jobsMatrixRows = []matrixRow{
	{Route: "GET /api/v1/reminders", In: readAll},
	{Route: "POST /api/v1/reminders/:id/done", Object: reminderPaths("done"), In: readAll, Out: readOut},
	{Route: "POST /api/v1/reminders/:id/snooze", Object: reminderPaths("snooze"), Body: map[string]string{"until": "2023-02-01"},
		In: readAll, Out: readOut},
	{Route: "PATCH /api/v1/me/settings", Body: map[string]bool{"digest_opt_out": false}, In: readAll},
	{Route: "GET /api/v1/jobs", In: adminOnly},
	{Route: "POST /api/v1/jobs/:name/run", Object: jobRunPaths, In: adminOnly, Out: adminOut},
	{Route: "GET /api/v1/outbox", In: adminOnly},
}

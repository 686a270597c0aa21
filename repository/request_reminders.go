package repository

import (
	"context"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The reminder job's facts about service requests (issue 15): each project's pending
// requests, and each department's liaisons as recipients.

// addRequestFacts adds the pending requests of the batch's projects (ids lo..hi) from one
// range read of ix_requests_project.
func addRequestFacts(ctx context.Context, q *gorm.DB, lo, hi int64, byID map[int64]*domain.ReminderFacts) error {
	var rows []struct {
		ID, ProjectID, DepartmentID int64
		Title, DeptName             string
		DueOn                       domain.Date
	}
	if err := q.Table("service_requests AS r").Select("r.id, r.project_id, r.department_id, r.title, d.name AS dept_name, r.due_on").
		Joins("JOIN departments d ON d.id = r.department_id").
		Where("r.project_id >= ? AND r.project_id <= ? AND r.status IN ?", lo, hi, pendingStatuses).
		Order("r.id").Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		if f := byID[r.ProjectID]; f != nil && !f.Deleted && f.Stage != domain.StageDropped {
			f.Requests = append(f.Requests, domain.RequestFact{ID: r.ID, DepartmentID: r.DepartmentID, Title: r.Title,
				Department: r.DeptName, DueOn: r.DueOn})
		}
	}
	return nil
}

// addDepartmentRecipients lists the enabled liaisons of every department.
func addDepartmentRecipients(ctx context.Context, q *gorm.DB, out map[int64]*domain.ZoneRecipients) error {
	var rows []struct{ ID, ZoneID, DepartmentID int64 }
	if err := q.Model(&userRow{}).Select("id, zone_id, department_id").
		Where("department_id IS NOT NULL AND disabled = ?", false).Order("id").Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		rc := out[r.ZoneID]
		if rc == nil {
			continue
		}
		if rc.Departments == nil {
			rc.Departments = map[int64][]int64{}
		}
		rc.Departments[r.DepartmentID] = append(rc.Departments[r.DepartmentID], r.ID)
	}
	return nil
}

// reminderScope is the projects whose reminders a user sees: their project scope, and for
// a department's liaison (whose project scope is empty) the projects with a request of
// their department, for the request reminders only.
func reminderScope(a *domain.Actor) func(*gorm.DB) *gorm.DB {
	s := domain.ScopeOf(a)
	if !s.Empty() || a == nil || a.User == nil || !a.User.HasRole(domain.RoleDepartment) || a.User.DepartmentID == nil {
		return projectScope(s)
	}
	return func(q *gorm.DB) *gorm.DB {
		return q.Where("p.zone_id = ? AND r.rule = ? AND EXISTS (SELECT 1 FROM service_requests sr WHERE sr.project_id = p.id AND sr.department_id = ?)",
			a.User.ZoneID, domain.RuleRequestDue, *a.User.DepartmentID)
	}
}

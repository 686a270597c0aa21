package repository

import (
	"time"

	"gorm.io/gorm"
)

// departmentRowV15 is the departments table as step 15 made it (frozen).
type departmentRowV15 struct {
	ID        int64     `gorm:"primaryKey"`
	ZoneID    int64     `gorm:"not null;uniqueIndex:ux_departments_code,priority:1"`
	Code      string    `gorm:"type:varchar(40);not null;uniqueIndex:ux_departments_code,priority:2"`
	Name      string    `gorm:"type:varchar(100);not null"`
	SortOrder int       `gorm:"not null;default:0"`
	CreatedAt time.Time `gorm:"not null"`
}

func (departmentRowV15) TableName() string { return "departments" }

// serviceRequestRowV15 is the service_requests table as step 15 made it (frozen).
type serviceRequestRowV15 struct {
	ID                int64     `gorm:"primaryKey"`
	ZoneID            int64     `gorm:"not null;index:ix_requests_zone_status,priority:1"`
	ProjectID         int64     `gorm:"not null;index:ix_requests_project,priority:1"`
	ActivityID        *int64    `gorm:""`
	DepartmentID      int64     `gorm:"not null;index:ix_requests_department,priority:1"`
	Category          string    `gorm:"type:varchar(20);not null"`
	Title             string    `gorm:"type:varchar(800);not null"`
	Detail            string    `gorm:"type:text;not null"`
	Status            string    `gorm:"type:varchar(20);not null;index:ix_requests_zone_status,priority:2;index:ix_requests_department,priority:2"`
	DueOn             time.Time `gorm:"type:date;not null;index:ix_requests_zone_status,priority:3;index:ix_requests_department,priority:3"`
	Amount            *int64    `gorm:""`
	RaisedByID        int64     `gorm:"not null"`
	Satisfaction      string    `gorm:"type:varchar(20);not null;default:''"`
	SatisfactionNotes string    `gorm:"type:text;not null"`
	ReturnReason      string    `gorm:"type:text;not null"`
	LastReply         string    `gorm:"type:text;not null"`
	AcceptedAt        *time.Time
	ResolvedAt        *time.Time `gorm:"index:ix_requests_resolved"`
	ResolvedOn        *time.Time `gorm:"type:date"`
	ClosedAt          *time.Time
	OverdueAt         *time.Time
	EscalatedAt       *time.Time
	SupervisionID     *int64
	Version           int64     `gorm:"not null"`
	CreatedAt         time.Time `gorm:"not null;index:ix_requests_project,priority:2"`
	UpdatedAt         time.Time `gorm:"not null"`
}

func (serviceRequestRowV15) TableName() string { return "service_requests" }

// requestEventRowV15 is one line of a request's history (frozen).
type requestEventRowV15 struct {
	ID         int64     `gorm:"primaryKey"`
	ZoneID     int64     `gorm:"not null"`
	RequestID  int64     `gorm:"not null;index:ix_request_events_request,priority:1"`
	At         time.Time `gorm:"not null;index:ix_request_events_request,priority:2"`
	ActorID    *int64
	Actor      string `gorm:"type:varchar(64);not null"`
	Action     string `gorm:"type:varchar(40);not null"`
	FromStatus string `gorm:"type:varchar(20);not null;default:''"`
	ToStatus   string `gorm:"type:varchar(20);not null;default:''"`
	Text       string `gorm:"type:text;not null"`
	Resolved   bool   `gorm:"not null;default:false"`
}

func (requestEventRowV15) TableName() string { return "request_events" }

// migrateV15 adds enterprise service requests (企业诉求, issue 15): the zone's departments,
// the requests routed to them (listed by zone and status, by department and status, by
// project; ordered by deadline), every move and answer of a request, and the department a
// liaison (role department) belongs to on users.department_id.
func migrateV15(tx *gorm.DB) error {
	for _, t := range []struct {
		name string
		row  any
	}{{"departments", &departmentRowV15{}}, {"service_requests", &serviceRequestRowV15{}}, {"request_events", &requestEventRowV15{}}} {
		m := tx.Table(t.name).Migrator()
		if !m.HasTable(t.name) {
			if err := m.CreateTable(t.row); err != nil {
				return err
			}
		}
	}
	type User struct {
		DepartmentID *int64
	}
	m := tx.Table("users").Migrator()
	if !m.HasColumn(&User{}, "department_id") {
		return m.AddColumn(&User{}, "DepartmentID")
	}
	return nil
}

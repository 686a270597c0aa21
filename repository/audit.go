package repository

import (
	"context"
	"encoding/json"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// AuditService implements domain.AuditService on the append-only audit_log table. Entries
// are written in the caller's transaction when there is one (so a user change and its
// audit line commit together) and on their own otherwise (log-ins, refusals). Nothing here
// updates or deletes a row, and since schema version 5 the database refuses to as well.
type AuditService struct{ db *DB }

// NewAuditService returns the audit log on db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

var _ domain.AuditService = (*AuditService)(nil)

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// Record appends e, stamped with the clock's time. The zone and the actor come from the
// context when e leaves them empty.
func (s *AuditService) Record(ctx context.Context, e domain.AuditEntry) error {
	return s.db.audit(ctx, e)
}

func (db *DB) audit(ctx context.Context, e domain.AuditEntry) error {
	if a := domain.ActorFrom(ctx); a != nil && a.User != nil {
		if e.ZoneID == 0 {
			e.ZoneID = a.User.ZoneID
		}
		if e.Actor == "" {
			e.Actor = a.User.Username
		}
		if e.IP == "" {
			e.IP = a.IP
		}
	}
	if e.Actor == "" {
		e.Actor = "system"
	}
	row := &auditRow{ZoneID: e.ZoneID, At: db.now(), Actor: clip(e.Actor, 64), Action: clip(e.Action, 64),
		Object: clip(e.Object, 200), Detail: e.Detail, IP: clip(e.IP, 64)}
	return db.conn(ctx).Create(row).Error
}

// auditDetail renders the particulars of an entry as a JSON object.
func auditDetail(kv map[string]any) string {
	b, err := json.Marshal(kv)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// FindAudit lists the caller's zone's audit log, newest first; without a caller, nothing.
func (s *AuditService) FindAudit(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
	zoneID := zoneOf(ctx)
	f.Page = f.Page.Normalize()
	q := s.db.conn(ctx).Model(&auditRow{}).Where("zone_id = ?", zoneID)
	if zoneID == 0 {
		q = q.Where("1 = 0")
	}
	if f.Actor != nil {
		q = q.Where("actor = ?", *f.Actor)
	}
	if f.Action != nil {
		q = q.Where("action = ?", *f.Action)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []auditRow
	if err := q.Order("at DESC, id DESC").Limit(f.PageSize).Offset(f.Offset()).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]*domain.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = &domain.AuditEntry{ID: r.ID, ZoneID: r.ZoneID, At: r.At.UTC(), Actor: r.Actor, Action: r.Action,
			Object: r.Object, Detail: r.Detail, IP: r.IP}
	}
	return out, int(total), nil
}

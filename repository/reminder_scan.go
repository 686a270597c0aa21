package repository

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ReminderStore implements domain.ReminderStore: the hourly reminder job reads every
// project in id-ordered batches, with the activity facts the rules need, and reconciles
// each batch's reminders in one transaction. Memory stays flat for any number of projects.
type ReminderStore struct{ db *DB }

// NewReminderStore returns the reminder job's store on db.
func NewReminderStore(db *DB) *ReminderStore { return &ReminderStore{db: db} }

var _ domain.ReminderStore = (*ReminderStore)(nil)

// ReminderRecipients reads directors from casbin's grouping rules (the one source of
// roles), chiefs from chain_chiefs, and which users are enabled.
func (s *ReminderStore) ReminderRecipients(ctx context.Context) (map[int64]*domain.ZoneRecipients, error) {
	q := s.db.gorm.WithContext(ctx)
	var zones []zoneRow
	if err := q.Find(&zones).Error; err != nil {
		return nil, err
	}
	out := map[int64]*domain.ZoneRecipients{}
	zoneByCode := map[string]int64{}
	for _, z := range zones {
		out[z.ID] = &domain.ZoneRecipients{Chiefs: map[int64][]int64{}, Active: map[int64]bool{}}
		zoneByCode[z.Code] = z.ID
	}
	var users []struct {
		ID, ZoneID int64
		Username   string
		Disabled   bool
	}
	if err := q.Model(&userRow{}).Select("id, zone_id, username, disabled").Scan(&users).Error; err != nil {
		return nil, err
	}
	byName := map[int64]map[string]int64{}
	for _, u := range users {
		r := out[u.ZoneID]
		if r == nil || u.Disabled {
			continue
		}
		r.Active[u.ID] = true
		if byName[u.ZoneID] == nil {
			byName[u.ZoneID] = map[string]int64{}
		}
		byName[u.ZoneID][u.Username] = u.ID
	}
	var grants []struct{ V0, V2 string }
	if err := q.Table("casbin_rule").Select("v0, v2").Where("ptype = 'g' AND v1 = ?", string(domain.RoleDirector)).
		Order("id").Scan(&grants).Error; err != nil {
		return nil, err
	}
	for _, g := range grants {
		zid := zoneByCode[g.V2]
		if id, ok := byName[zid][g.V0]; ok {
			out[zid].Directors = append(out[zid].Directors, id)
		}
	}
	var chiefs []struct {
		UserID, ChainID, ZoneID int64
	}
	if err := q.Table("chain_chiefs AS cc").Select("cc.user_id, cc.chain_id, c.zone_id").
		Joins("JOIN chains c ON c.id = cc.chain_id").Order("cc.chain_id, cc.user_id").Scan(&chiefs).Error; err != nil {
		return nil, err
	}
	for _, c := range chiefs {
		if r := out[c.ZoneID]; r != nil && r.Active[c.UserID] {
			r.Chiefs[c.ChainID] = append(r.Chiefs[c.ChainID], c.UserID)
		}
	}
	if err := addDepartmentRecipients(ctx, q, out); err != nil { // issue 15
		return nil, err
	}
	return out, nil
}

// reminderKey is a reminder's identity, the unique key ux_reminders_key.
type reminderKey struct {
	rule          string
	project, user int64
	period        string
}

// reminderNew is a reminder to insert-or-ignore (no ID: see outboxNew).
type reminderNew struct {
	ZoneID    int64
	Rule      string
	ProjectID int64
	UserID    int64
	PeriodKey string
	Message   string
	DueAt     domain.Date
	Status    string
	CreatedAt time.Time
}

func (reminderNew) TableName() string { return "reminders" }

type reminderFactRow struct {
	ID                  int64
	ZoneID              int64
	ChainID             *int64
	OwnerID             int64
	Stage               string
	StageEnteredAt      time.Time
	LastProgressAt      time.Time
	HasRiskAssessment   bool
	DecisionOutcome     string
	SignedAt            domain.Date
	LandListingPlanned  domain.Date
	LandListingActual   domain.Date
	ConstructionPlanned domain.Date
	ConstructionActual  domain.Date
	ProductionPlanned   domain.Date
	ProductionActual    domain.Date
	DeletedAt           *time.Time
}

type reminderActivityRow struct {
	ID         int64
	ProjectID  int64
	Kind       string
	OccurredAt domain.Date
	NextDue    domain.Date
	AuthorID   int64
}

const reminderFactCols = `id, zone_id, chain_id, owner_id, stage, stage_entered_at, last_progress_at,
	has_risk_assessment, decision_outcome, signed_at, land_listing_planned, land_listing_actual,
	construction_planned, construction_actual, production_planned, production_actual, deleted_at`

// EachReminderBatch walks all projects in id order, size at a time. The next batch is
// read while fn works on the current one (two connections), so that reading and
// reconciling overlap; memory holds at most three batches.
func (s *ReminderStore) EachReminderBatch(ctx context.Context, size int, fn func([]*domain.ReminderFacts) error) error {
	if size <= 0 {
		size = 2000
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type batch struct {
		facts []*domain.ReminderFacts
		err   error
	}
	next := make(chan batch, 1)
	go func() {
		defer close(next)
		var after int64
		for {
			facts, last, err := s.readBatch(ctx, after, size)
			if err != nil || len(facts) > 0 {
				select {
				case next <- batch{facts, err}:
				case <-ctx.Done():
					return
				}
			}
			if err != nil || len(facts) < size {
				return
			}
			after = last
		}
	}()
	for b := range next {
		if b.err != nil {
			return b.err
		}
		if err := fn(b.facts); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// readBatch reads up to size projects with ids above after, with their activity facts.
func (s *ReminderStore) readBatch(ctx context.Context, after int64, size int) ([]*domain.ReminderFacts, int64, error) {
	var rows []reminderFactRow
	if err := s.db.gorm.WithContext(ctx).Table("projects").Select(reminderFactCols).Where("id > ?", after).Order("id").
		Limit(size).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 {
		return nil, after, nil
	}
	last := rows[len(rows)-1].ID
	facts := make([]*domain.ReminderFacts, len(rows))
	byID := make(map[int64]*domain.ReminderFacts, len(rows))
	live := 0
	for i, r := range rows {
		f := &domain.ReminderFacts{ProjectID: r.ID, ZoneID: r.ZoneID, ChainID: r.ChainID,
			OwnerID: r.OwnerID, Stage: domain.Stage(r.Stage), StageEnteredAt: r.StageEnteredAt.UTC(),
			LastProgressAt: r.LastProgressAt.UTC(), HasRiskAssessment: r.HasRiskAssessment,
			DecisionOutcome: r.DecisionOutcome, SignedAt: r.SignedAt, Deleted: r.DeletedAt != nil,
			Milestones: domain.Milestones{
				LandListingPlanned: r.LandListingPlanned, LandListingActual: r.LandListingActual,
				ConstructionPlanned: r.ConstructionPlanned, ConstructionActual: r.ConstructionActual,
				ProductionPlanned: r.ProductionPlanned, ProductionActual: r.ProductionActual,
			}}
		facts[i], byID[r.ID] = f, f
		if !f.Deleted && f.Stage != domain.StageDropped {
			live++
		}
	}
	if live > 0 {
		if err := s.addActivityFacts(ctx, rows[0].ID, last, byID); err != nil {
			return nil, 0, err
		}
		if err := addRequestFacts(ctx, s.db.gorm.WithContext(ctx), rows[0].ID, last, byID); err != nil { // issue 15
			return nil, 0, err
		}
	}
	return facts, last, nil
}

// addActivityFacts sets the latest activity, the latest service visit and the latest
// activity's next step of the batch's projects (ids lo..hi) from one range read of the
// covering index ix_activities_reminder_facts: no table rows, no long IN list.
func (s *ReminderStore) addActivityFacts(ctx context.Context, lo, hi int64, byID map[int64]*domain.ReminderFacts) error {
	q := s.db.gorm.WithContext(ctx)
	rows, err := q.Table("activities").Select("id, project_id, kind, occurred_at, next_due, author_id").
		Where("project_id >= ? AND project_id <= ? AND deleted_at IS NULL", lo, hi).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	latest := map[int64]reminderActivityRow{}
	var a reminderActivityRow
	for rows.Next() {
		a.NextDue = domain.Date{}
		if err := rows.Scan(&a.ID, &a.ProjectID, &a.Kind, &a.OccurredAt, &a.NextDue, &a.AuthorID); err != nil {
			return err
		}
		f := byID[a.ProjectID]
		if f == nil || f.Deleted || f.Stage == domain.StageDropped {
			continue
		}
		if a.OccurredAt.After(f.LastActivity) {
			f.LastActivity = a.OccurredAt
		}
		if a.Kind == string(domain.ActivityServiceVisit) && a.OccurredAt.After(f.LastService) {
			f.LastService = a.OccurredAt
		}
		if l, ok := latest[a.ProjectID]; !ok || a.OccurredAt.After(l.OccurredAt) || (a.OccurredAt == l.OccurredAt && a.ID > l.ID) {
			latest[a.ProjectID] = a
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var withDue []int64
	for pid, a := range latest {
		if !a.NextDue.IsZero() {
			byID[pid].NextStep = &domain.NextStep{ActivityID: a.ID, AuthorID: a.AuthorID, Due: a.NextDue}
			withDue = append(withDue, a.ID)
		}
	}
	if len(withDue) == 0 {
		return nil
	}
	var texts []struct {
		ID        int64
		ProjectID int64
		NextStep  string
	}
	if err := q.Table("activities").Select("id, project_id, next_step").Where("id IN ?", withDue).Scan(&texts).Error; err != nil {
		return err
	}
	for _, t := range texts {
		if ns := byID[t.ProjectID].NextStep; ns != nil && ns.ActivityID == t.ID {
			ns.Text = t.NextStep
		}
	}
	return nil
}

// SyncReminders reconciles the live reminders of projectIDs with want, in one transaction.
func (s *ReminderStore) SyncReminders(ctx context.Context, projectIDs []int64, want []*domain.WantedReminder, now time.Time) (domain.ReminderSync, error) {
	var res domain.ReminderSync
	if len(projectIDs) == 0 {
		return res, nil
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.conn(ctx)
		// One range read on ix_reminders_project, filtered to the batch here: the batch is
		// usually a run of consecutive ids, and a long IN list costs more than the filter.
		lo, hi := projectIDs[0], projectIDs[0]
		inBatch := make(map[int64]bool, len(projectIDs))
		for _, id := range projectIDs {
			lo, hi = min(lo, id), max(hi, id)
			inBatch[id] = true
		}
		rows, err := q.Model(&reminderRow{}).Select("id, rule, project_id, user_id, period_key, status").
			Where("project_id >= ? AND project_id <= ?", lo, hi).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		type existing struct {
			id     int64
			status string
		}
		have := map[reminderKey]existing{}
		for rows.Next() {
			var k reminderKey
			var e existing
			if err := rows.Scan(&e.id, &k.rule, &k.project, &k.user, &k.period, &e.status); err != nil {
				return err
			}
			if inBatch[k.project] {
				have[k] = e
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		wanted := make(map[reminderKey]bool, len(want))
		var add []reminderNew
		var reopen []int64
		for _, w := range want {
			k := reminderKey{w.Rule, w.ProjectID, w.UserID, w.Period}
			if wanted[k] {
				continue
			}
			wanted[k] = true
			r, ok := have[k]
			switch {
			case !ok:
				add = append(add, reminderNew{ZoneID: w.ZoneID, Rule: w.Rule, ProjectID: w.ProjectID, UserID: w.UserID,
					PeriodKey: w.Period, Message: w.Message, DueAt: w.Due, Status: domain.ReminderOpen, CreatedAt: now})
			case r.status == domain.ReminderResolved:
				reopen = append(reopen, r.id)
			}
		}
		var resolve []int64
		for k, r := range have {
			if !wanted[k] && (r.status == domain.ReminderOpen || r.status == domain.ReminderSnoozed) {
				resolve = append(resolve, r.id)
			}
		}
		if len(add) > 0 {
			// A concurrent run may have raised the same key: the unique key keeps one.
			tx := q.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&add, 1000)
			if tx.Error != nil {
				return tx.Error
			}
			res.Raised = int(tx.RowsAffected)
		}
		for _, ids := range chunkReminderIDs(reopen, 1000) {
			tx := q.Model(&reminderRow{}).Where("id IN ? AND status = ?", ids, domain.ReminderResolved).
				Updates(map[string]any{"status": domain.ReminderOpen, "resolved_at": nil})
			if tx.Error != nil {
				return tx.Error
			}
			res.Reopened += int(tx.RowsAffected)
		}
		for _, ids := range chunkReminderIDs(resolve, 1000) {
			tx := q.Model(&reminderRow{}).Where("id IN ? AND status IN ?", ids, []string{domain.ReminderOpen, domain.ReminderSnoozed}).
				Updates(map[string]any{"status": domain.ReminderResolved, "resolved_at": now})
			if tx.Error != nil {
				return tx.Error
			}
			res.Resolved += int(tx.RowsAffected)
		}
		return nil
	})
	return res, err
}

// WakeSnoozed reopens snoozed reminders whose day has come.
func (s *ReminderStore) WakeSnoozed(ctx context.Context, today domain.Date) (int, error) {
	tx := s.db.gorm.WithContext(ctx).Model(&reminderRow{}).
		Where("status = ? AND snooze_until <= ?", domain.ReminderSnoozed, today).
		Update("status", domain.ReminderOpen)
	return int(tx.RowsAffected), tx.Error
}

func chunkReminderIDs(ids []int64, n int) [][]int64 {
	var out [][]int64
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

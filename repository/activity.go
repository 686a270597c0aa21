package repository

import (
	"context"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ActivityService implements domain.ActivityService.
type ActivityService struct {
	db       *DB
	projects *ProjectService
}

// NewActivityService returns the activity service on db.
func NewActivityService(db *DB) *ActivityService {
	return &ActivityService{db: db, projects: NewProjectService(db)}
}

var _ domain.ActivityService = (*ActivityService)(nil)

type activityView struct {
	Row        activityRow `gorm:"embedded"`
	AuthorName string
}

// FindActivities lists a visible project's activities, newest first.
func (s *ActivityService) FindActivities(ctx context.Context, projectID int64) ([]*domain.Activity, error) {
	if _, err := s.projects.load(ctx, projectID, false); err != nil {
		return nil, err
	}
	var rows []activityView
	err := s.db.conn(ctx).Table("activities AS a").Select("a.*, u.username AS author_name").
		Joins("JOIN users u ON u.id = a.author_id").
		Where("a.project_id = ? AND a.deleted_at IS NULL", projectID).
		Order("a.occurred_at DESC, a.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Activity, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = activityToDomain(r)
		ids[i] = r.Row.ID
	}
	return out, s.withContacts(ctx, out, ids)
}

// withContacts fills in the contacts each activity names.
func (s *ActivityService) withContacts(ctx context.Context, acts []*domain.Activity, ids []int64) error {
	met, err := s.db.activityContacts(ctx, ids)
	if err != nil {
		return err
	}
	for _, a := range acts {
		a.Contacts = met[a.ID]
		if a.Contacts == nil {
			a.Contacts = []domain.ContactRef{}
		}
		a.ContactIDs = make([]int64, len(a.Contacts))
		for i, c := range a.Contacts {
			a.ContactIDs[i] = c.ID
		}
	}
	return nil
}

func activityToDomain(v activityView) *domain.Activity {
	r := v.Row
	return &domain.Activity{ID: r.ID, ZoneID: r.ZoneID, ProjectID: r.ProjectID, Kind: domain.ActivityKind(r.Kind),
		OccurredAt: r.OccurredAt, Place: r.Place, OurPeople: r.OurPeople, TheirPeople: r.TheirPeople,
		Summary: r.Summary, NextStep: r.NextStep, NextDue: r.NextDue, AuthorID: r.AuthorID, Author: v.AuthorName,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC()}
}

// CreateActivity logs an activity on a visible project the caller may work on; it counts as
// progress for the stale colours and the reminders.
func (s *ActivityService) CreateActivity(ctx context.Context, projectID int64, in domain.ActivityInput) (*domain.Activity, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var row *activityRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		if !domain.CanLogActivity(a, p) {
			return forbidden("为该项目记录走访")
		}
		contacts, err := s.db.checkContacts(ctx, p, in.ContactIDs)
		if err != nil {
			return err
		}
		now := s.db.now()
		row = &activityRow{ZoneID: p.ZoneID, ProjectID: projectID, Kind: string(in.Kind), OccurredAt: in.OccurredAt,
			Place: in.Place, OurPeople: in.OurPeople, TheirPeople: in.TheirPeople, Summary: in.Summary,
			NextStep: in.NextStep, NextDue: in.NextDue, AuthorID: a.User.ID, CreatedAt: now, UpdatedAt: now}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		if err := s.db.conn(ctx).Model(&projectRow{}).Where("id = ?", projectID).
			Update("last_progress_at", now).Error; err != nil {
			return err
		}
		if err := s.db.setActivityContacts(ctx, row.ID, contacts); err != nil {
			return err
		}
		return s.db.historyOf(ctx, a, p.ZoneID, projectID, activityObject(row.ID), "activity_logged", "activity", "", activityLabel(in))
	})
	if err != nil {
		return nil, err
	}
	out := activityToDomain(activityView{Row: *row, AuthorName: a.User.Username})
	return out, s.withContacts(ctx, []*domain.Activity{out}, []int64{out.ID})
}

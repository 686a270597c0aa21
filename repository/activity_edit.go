package repository

import (
	"context"
	"fmt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Activities are edited and deleted by their author only; every change goes into the
// project's history as activity/ID with the field's old and new value, and a deleted
// activity stays in the table (soft delete) so that the history keeps pointing at it.

// findActivity returns an undeleted activity of a project.
func (s *ActivityService) findActivity(ctx context.Context, projectID, id int64) (*domain.Activity, error) {
	var rows []activityView
	err := s.db.conn(ctx).Table("activities AS a").Select("a.*, u.username AS author_name").
		Joins("JOIN users u ON u.id = a.author_id").
		Where("a.id = ? AND a.project_id = ? AND a.deleted_at IS NULL", id, projectID).Limit(1).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("走访记录")
	}
	out := activityToDomain(rows[0])
	return out, s.withContacts(ctx, []*domain.Activity{out}, []int64{out.ID})
}

func activityInputOf(act *domain.Activity) domain.ActivityInput {
	return domain.ActivityInput{Kind: act.Kind, OccurredAt: act.OccurredAt, Place: act.Place, OurPeople: act.OurPeople,
		TheirPeople: act.TheirPeople, Summary: act.Summary, NextStep: act.NextStep, NextDue: act.NextDue, ContactIDs: act.ContactIDs}
}

func activityObject(id int64) string { return fmt.Sprintf("activity/%d", id) }

// activityLabel is how the history names an activity: its kind, date and summary.
func activityLabel(in domain.ActivityInput) string {
	summary := []rune(in.Summary)
	if len(summary) > 60 {
		summary = append(summary[:60], '…')
	}
	return string(in.Kind) + " " + in.OccurredAt.String() + " " + string(summary)
}

// UpdateActivity changes an activity its author logged, if upd.Version is current.
func (s *ActivityService) UpdateActivity(ctx context.Context, projectID, id int64, upd domain.ActivityUpdate) (*domain.Activity, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *domain.Activity
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		act, err := s.findActivity(ctx, p.ID, id)
		if err != nil {
			return err
		}
		if !domain.CanEditActivity(a, act) {
			return forbidden("修改他人记录的走访（只有记录人可以修改）")
		}
		old := activityInputOf(act)
		in, err := upd.Apply(old)
		if err != nil {
			return err
		}
		if act.Version != upd.Version {
			return domain.Errorf(domain.ECONFLICT, "走访记录已被修改（当前版本 %d），请刷新后重试 (version conflict)", act.Version)
		}
		cols := map[string]any{}
		var changes [][3]string
		str := func(field, from, to string) {
			if from != to {
				cols[field] = to
				changes = append(changes, [3]string{field, from, to})
			}
		}
		date := func(field string, from, to domain.Date) {
			if from != to {
				cols[field] = to
				changes = append(changes, [3]string{field, from.String(), to.String()})
			}
		}
		str("kind", string(old.Kind), string(in.Kind))
		date("occurred_at", old.OccurredAt, in.OccurredAt)
		str("place", old.Place, in.Place)
		str("our_people", old.OurPeople, in.OurPeople)
		str("their_people", old.TheirPeople, in.TheirPeople)
		str("summary", old.Summary, in.Summary)
		str("next_step", old.NextStep, in.NextStep)
		date("next_due", old.NextDue, in.NextDue)
		var contacts []int64
		contactsChanged := false
		if upd.ContactIDs != nil {
			if contacts, err = s.db.checkContacts(ctx, p, in.ContactIDs); err != nil {
				return err
			}
			if idsString(contacts) != idsString(dedupe(old.ContactIDs)) {
				contactsChanged = true
				changes = append(changes, [3]string{"contact_ids", idsString(dedupe(old.ContactIDs)), idsString(contacts)})
			}
		}
		if len(cols) == 0 && !contactsChanged {
			out = act
			return nil
		}
		if contactsChanged {
			if err := s.db.setActivityContacts(ctx, id, contacts); err != nil {
				return err
			}
		}
		now := s.db.now()
		cols["version"] = act.Version + 1
		cols["updated_at"] = now
		res := s.db.conn(ctx).Model(&activityRow{}).Where("id = ? AND version = ?", id, act.Version).Updates(cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Errorf(domain.ECONFLICT, "走访记录已被修改，请刷新后重试 (version conflict)")
		}
		for _, c := range changes {
			if err := s.db.historyOf(ctx, a, p.ZoneID, p.ID, activityObject(id), "activity_updated", c[0], c[1], c[2]); err != nil {
				return err
			}
		}
		out, err = s.findActivity(ctx, p.ID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteActivity soft-deletes an activity its author logged.
func (s *ActivityService) DeleteActivity(ctx context.Context, projectID, id int64) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		act, err := s.findActivity(ctx, p.ID, id)
		if err != nil {
			return err
		}
		if !domain.CanEditActivity(a, act) {
			return forbidden("删除他人记录的走访（只有记录人可以删除）")
		}
		now := s.db.now()
		res := s.db.conn(ctx).Model(&activityRow{}).Where("id = ? AND deleted_at IS NULL", id).
			Updates(map[string]any{"deleted_at": now, "version": act.Version + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.NotFound("走访记录")
		}
		return s.db.historyOf(ctx, a, p.ZoneID, p.ID, activityObject(id), "activity_deleted", "activity", activityLabel(activityInputOf(act)), "")
	})
}

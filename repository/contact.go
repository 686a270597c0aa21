package repository

import (
	"context"
	"fmt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ContactService implements domain.ContactService: the people of an enterprise (联系人).
// A contact is read with its enterprise (enterpriseScope) and written by whoever may edit
// enterprises; every change is a line of the enterprise's history. Deleting a contact is
// soft, so that the activities it was met at still name it.
type ContactService struct{ db *DB }

// NewContactService returns the contact service on db.
func NewContactService(db *DB) *ContactService { return &ContactService{db: db} }

var _ domain.ContactService = (*ContactService)(nil)

func contactOf(r *contactRow) *domain.Contact {
	return &domain.Contact{ID: r.ID, EnterpriseID: r.EnterpriseID, Name: r.Name, Title: r.Title, Mobile: r.Mobile,
		Phone: r.Phone, Email: r.Email, Wechat: r.Wechat, Notes: r.Notes, Version: max(r.Version, 1), CreatedAt: r.CreatedAt.UTC()}
}

func contactObject(id int64) string { return fmt.Sprintf("contact/%d", id) }

// list returns the live contacts of enterprises, by name, with when each was last met at
// an activity of a project the caller sees.
func (s *ContactService) list(ctx context.Context, enterpriseIDs []int64) ([]*domain.Contact, error) {
	q := s.db.conn(ctx)
	var rows []contactRow
	if err := q.Where("enterprise_id IN ? AND deleted_at IS NULL", enterpriseIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.Contact, len(rows))
	ids := make([]int64, len(rows))
	byID := map[int64]*domain.Contact{}
	for i := range rows {
		out[i] = contactOf(&rows[i])
		ids[i] = rows[i].ID
		byID[rows[i].ID] = out[i]
	}
	if len(ids) == 0 {
		return out, nil
	}
	var met []struct {
		ContactID int64
		Last      domain.Date
		N         int
	}
	err := q.Table("activity_contacts AS ac").Select("ac.contact_id, MAX(a.occurred_at) AS last, COUNT(*) AS n").
		Joins("JOIN activities a ON a.id = ac.activity_id").Joins("JOIN projects p ON p.id = a.project_id").
		Scopes(projectScope(domain.ScopeOf(domain.ActorFrom(ctx)))).
		Where("ac.contact_id IN ? AND a.deleted_at IS NULL AND p.deleted_at IS NULL", ids).
		Group("ac.contact_id").Scan(&met).Error
	if err != nil {
		return nil, err
	}
	for _, m := range met {
		if c := byID[m.ContactID]; c != nil {
			c.LastMet, c.Meetings = m.Last, m.N
		}
	}
	return out, nil
}

// FindContacts lists a visible enterprise's contacts.
func (s *ContactService) FindContacts(ctx context.Context, enterpriseID int64) ([]*domain.Contact, error) {
	ents := &EnterpriseService{db: s.db}
	r, err := ents.visible(ctx, enterpriseID, false)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, []int64{r.ID})
}

// ProjectContacts lists the contacts of a visible project's investor and referrer.
func (s *ContactService) ProjectContacts(ctx context.Context, projectID int64) ([]*domain.Contact, error) {
	p, err := NewProjectService(s.db).load(ctx, projectID, false)
	if err != nil {
		return nil, err
	}
	ids := []int64{p.InvestorID}
	if p.ReferrerID != nil {
		ids = append(ids, *p.ReferrerID)
	}
	return s.list(ctx, ids)
}

// insert adds a contact to an enterprise row, with its history line.
func (s *ContactService) insert(ctx context.Context, e *enterpriseRow, in domain.ContactInput) (*contactRow, error) {
	now := s.db.now()
	row := &contactRow{ZoneID: e.ZoneID, EnterpriseID: e.ID, Name: in.Name, Title: in.Title, Mobile: in.Mobile, Phone: in.Phone,
		Email: in.Email, Wechat: in.Wechat, Notes: in.Notes, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.db.conn(ctx).Create(row).Error; err != nil {
		return nil, err
	}
	label := in.Name
	if in.Title != "" {
		label += "（" + in.Title + "）"
	}
	return row, s.db.enterpriseHistory(ctx, e.ZoneID, e.ID, domain.EnterpriseContactAdded, contactObject(row.ID), "contact", "", label)
}

// CreateContact adds a contact person to an enterprise the caller may edit.
func (s *ContactService) CreateContact(ctx context.Context, enterpriseID int64, in domain.ContactInput) (*domain.Contact, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var row *contactRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		e, err := (&EnterpriseService{db: s.db}).visible(ctx, enterpriseID, false)
		if err != nil {
			return err
		}
		if !domain.CanEditEnterprise(a) {
			return forbidden("维护企业联系人")
		}
		row, err = s.insert(ctx, e, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return contactOf(row), nil
}

// contact returns a live contact whose enterprise the caller sees.
func (s *ContactService) contact(ctx context.Context, id int64) (*contactRow, *enterpriseRow, error) {
	var rows []contactRow
	if err := s.db.conn(ctx).Where("id = ? AND zone_id = ? AND deleted_at IS NULL", id, zoneOf(ctx)).Limit(1).Find(&rows).Error; err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, domain.NotFound("联系人")
	}
	e, err := (&EnterpriseService{db: s.db}).visible(ctx, rows[0].EnterpriseID, false)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil, domain.NotFound("联系人")
	} else if err != nil {
		return nil, nil, err
	}
	return &rows[0], e, nil
}

// UpdateContact edits a contact; a stale version (when given) is ECONFLICT.
func (s *ContactService) UpdateContact(ctx context.Context, id int64, upd domain.ContactUpdate) (*domain.Contact, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *domain.Contact
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		c, e, err := s.contact(ctx, id)
		if err != nil {
			return err
		}
		if !domain.CanEditEnterprise(a) {
			return forbidden("维护企业联系人")
		}
		old := domain.ContactInput{Name: c.Name, Title: c.Title, Mobile: c.Mobile, Phone: c.Phone, Email: c.Email, Wechat: c.Wechat, Notes: c.Notes}
		in := upd.Apply(old)
		if err := in.Validate(); err != nil {
			return err
		}
		if upd.Version != nil && *upd.Version != max(c.Version, 1) {
			return domain.Errorf(domain.ECONFLICT, "联系人已被他人修改（当前版本 %d），请刷新后重试 (version conflict)", max(c.Version, 1))
		}
		cols := map[string]any{}
		var changes [][3]string
		for _, f := range []struct{ col, from, to string }{
			{"name", old.Name, in.Name}, {"title", old.Title, in.Title}, {"mobile", old.Mobile, in.Mobile},
			{"phone", old.Phone, in.Phone}, {"email", old.Email, in.Email}, {"wechat", old.Wechat, in.Wechat},
			{"notes", old.Notes, in.Notes},
		} {
			if f.from != f.to {
				cols[f.col] = f.to
				changes = append(changes, [3]string{f.col, f.from, f.to})
			}
		}
		if len(cols) > 0 {
			cols["version"], cols["updated_at"] = max(c.Version, 1)+1, s.db.now()
			res := s.db.conn(ctx).Model(&contactRow{}).Where("id = ? AND version = ?", c.ID, c.Version).Updates(cols)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return domain.Errorf(domain.ECONFLICT, "联系人已被他人修改，请刷新后重试 (version conflict)")
			}
			for _, ch := range changes {
				if err := s.db.enterpriseHistory(ctx, e.ZoneID, e.ID, domain.EnterpriseContactUpdated, contactObject(c.ID), ch[0], ch[1], ch[2]); err != nil {
					return err
				}
			}
		}
		list, err := s.list(ctx, []int64{e.ID})
		if err != nil {
			return err
		}
		for _, x := range list {
			if x.ID == c.ID {
				out = x
			}
		}
		return nil
	})
	return out, err
}

// DeleteContact removes a contact (soft: the activities it was met at keep its name).
func (s *ContactService) DeleteContact(ctx context.Context, id int64) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		c, e, err := s.contact(ctx, id)
		if err != nil {
			return err
		}
		if !domain.CanEditEnterprise(a) {
			return forbidden("维护企业联系人")
		}
		now := s.db.now()
		res := s.db.conn(ctx).Model(&contactRow{}).Where("id = ? AND deleted_at IS NULL", c.ID).
			Updates(map[string]any{"deleted_at": now, "updated_at": now, "version": max(c.Version, 1) + 1})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.NotFound("联系人")
		}
		return s.db.enterpriseHistory(ctx, e.ZoneID, e.ID, domain.EnterpriseContactRemoved, contactObject(c.ID), "contact", c.Name, "")
	})
}

// Meetings lists the activities a contact was met at, of projects the caller may see.
func (s *ContactService) Meetings(ctx context.Context, id int64) ([]*domain.ContactMeeting, error) {
	c, _, err := s.contact(ctx, id)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ActivityID  int64
		ProjectID   int64
		ProjectName string
		Kind        string
		OccurredAt  domain.Date
		Place       string
		Summary     string
		Author      string
	}
	err = s.db.conn(ctx).Table("activity_contacts AS ac").
		Select("a.id AS activity_id, a.project_id, p.name AS project_name, a.kind, a.occurred_at, a.place, a.summary, u.username AS author").
		Joins("JOIN activities a ON a.id = ac.activity_id").Joins("JOIN projects p ON p.id = a.project_id").
		Joins("JOIN users u ON u.id = a.author_id").
		Scopes(projectScope(domain.ScopeOf(domain.ActorFrom(ctx)))).
		Where("ac.contact_id = ? AND a.deleted_at IS NULL AND p.deleted_at IS NULL", c.ID).
		Order("a.occurred_at DESC, a.id DESC").Limit(500).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.ContactMeeting, len(rows))
	for i, r := range rows {
		out[i] = &domain.ContactMeeting{ActivityID: r.ActivityID, ProjectID: r.ProjectID, ProjectName: r.ProjectName,
			Kind: domain.ActivityKind(r.Kind), OccurredAt: r.OccurredAt, Place: r.Place, Summary: r.Summary, Author: r.Author}
	}
	return out, nil
}

// checkContacts resolves the contacts an activity on p names: live contacts of the
// project's investor or referrer, else a field error on contact_ids.
func (db *DB) checkContacts(ctx context.Context, p *domain.Project, ids []int64) ([]int64, error) {
	ids = dedupe(ids)
	if len(ids) == 0 {
		return ids, nil
	}
	ents := []int64{p.InvestorID}
	if p.ReferrerID != nil {
		ents = append(ents, *p.ReferrerID)
	}
	var n int64
	if err := db.conn(ctx).Model(&contactRow{}).Where("id IN ? AND enterprise_id IN ? AND deleted_at IS NULL", ids, ents).
		Count(&n).Error; err != nil {
		return nil, err
	}
	if int(n) != len(ids) {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "联系人须是该项目投资方或推荐企业的联系人 (contacts must belong to the project's investor or referrer)",
			Fields: map[string]string{"contact_ids": "联系人不存在，或不属于该项目的投资方或推荐企业 (not a contact of the investor or referrer)"}}
	}
	return ids, nil
}

// setActivityContacts replaces the contacts an activity names.
func (db *DB) setActivityContacts(ctx context.Context, activityID int64, ids []int64) error {
	q := db.conn(ctx)
	if err := q.Where("activity_id = ?", activityID).Delete(&activityContactRow{}).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	rows := make([]activityContactRow, len(ids))
	for i, id := range ids {
		rows[i] = activityContactRow{ActivityID: activityID, ContactID: id}
	}
	return q.Create(&rows).Error
}

// activityContacts loads the contacts named by activities.
func (db *DB) activityContacts(ctx context.Context, activityIDs []int64) (map[int64][]domain.ContactRef, error) {
	out := map[int64][]domain.ContactRef{}
	if len(activityIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ActivityID   int64
		ID           int64
		Name         string
		Title        string
		EnterpriseID int64
	}
	err := inBatches(activityIDs, func(batch []int64) error {
		var part []struct {
			ActivityID   int64
			ID           int64
			Name         string
			Title        string
			EnterpriseID int64
		}
		if err := db.conn(ctx).Table("activity_contacts AS ac").Select("ac.activity_id, c.id, c.name, c.title, c.enterprise_id").
			Joins("JOIN contacts c ON c.id = ac.contact_id").Where("ac.activity_id IN ?", batch).Order("c.id").Scan(&part).Error; err != nil {
			return err
		}
		rows = append(rows, part...)
		return nil
	})
	for _, r := range rows {
		out[r.ActivityID] = append(out[r.ActivityID], domain.ContactRef{ID: r.ID, Name: r.Name, Title: r.Title, EnterpriseID: r.EnterpriseID})
	}
	return out, err
}

package repository

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Group robots (issue 16): the administrators' robots, the publisher that turns an event
// into one outbox message per listening robot, and what the outbox job reads to send.

type robotRow struct {
	ID        int64
	ZoneID    int64
	Kind      string
	Name      string
	Webhook   string
	Secret    string
	ChainID   *int64
	Events    string // comma list
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (robotRow) TableName() string { return "robots" }

func (r *robotRow) events() []string {
	out := []string{}
	for _, e := range strings.Split(r.Events, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func (r *robotRow) hears(ev string) bool {
	for _, e := range r.events() {
		if e == ev {
			return true
		}
	}
	return false
}

// RobotService implements domain.RobotService, domain.RobotPublisher,
// domain.RobotDeliveryStore and domain.RobotSummaryStore.
type RobotService struct{ db *DB }

// NewRobotService returns the robots on db.
func NewRobotService(db *DB) *RobotService { return &RobotService{db: db} }

var (
	_ domain.RobotService       = (*RobotService)(nil)
	_ domain.RobotPublisher     = (*RobotService)(nil)
	_ domain.RobotDeliveryStore = (*RobotService)(nil)
	_ domain.RobotSummaryStore  = (*RobotService)(nil)
)

func robotObject(id int64) string { return "robot:" + strconv.FormatInt(id, 10) }

func (s *RobotService) admin(ctx context.Context) (*domain.Actor, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if !domain.IsAdmin(a) {
		return nil, forbidden("管理群机器人（仅系统管理员）")
	}
	return a, nil
}

// chainCodes maps the zone's chain ids to codes.
func (s *RobotService) chainCodes(ctx context.Context, zoneID int64) (map[int64]string, error) {
	var cs []chainRow
	if err := s.db.conn(ctx).Where("zone_id = ?", zoneID).Find(&cs).Error; err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, c := range cs {
		out[c.ID] = c.Code
	}
	return out, nil
}

func (s *RobotService) show(r *robotRow, codes map[int64]string) *domain.Robot {
	out := &domain.Robot{ID: r.ID, ZoneID: r.ZoneID, Kind: r.Kind, Name: r.Name, Webhook: r.Webhook,
		HasSecret: r.Secret != "", ChainID: r.ChainID, Events: r.events(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.ChainID != nil {
		code := codes[*r.ChainID]
		out.Chain = &code
	}
	return out
}

// FindRobots lists the zone's robots in creation order.
func (s *RobotService) FindRobots(ctx context.Context) ([]*domain.Robot, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	var rows []robotRow
	if err := s.db.conn(ctx).Where("zone_id = ?", a.User.ZoneID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	codes, err := s.chainCodes(ctx, a.User.ZoneID)
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Robot, len(rows))
	for i := range rows {
		out[i] = s.show(&rows[i], codes)
	}
	return out, nil
}

func (s *RobotService) load(ctx context.Context, zoneID, id int64) (*robotRow, error) {
	var rows []robotRow
	if err := s.db.conn(ctx).Where("id = ? AND zone_id = ?", id, zoneID).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("群机器人")
	}
	return &rows[0], nil
}

// FindRobot reads one robot of the zone.
func (s *RobotService) FindRobot(ctx context.Context, id int64) (*domain.Robot, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.load(ctx, a.User.ZoneID, id)
	if err != nil {
		return nil, err
	}
	codes, err := s.chainCodes(ctx, a.User.ZoneID)
	if err != nil {
		return nil, err
	}
	return s.show(r, codes), nil
}

// chainID resolves a chain code of the zone ("" → nil).
func (s *RobotService) chainID(ctx context.Context, zoneID int64, code string) (*int64, error) {
	if code == "" {
		return nil, nil
	}
	var ids []int64
	if err := s.db.conn(ctx).Model(&chainRow{}).Where("zone_id = ? AND code = ?", zoneID, code).Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "产业链不存在 (unknown chain)",
			Fields: map[string]string{"chain": "没有代码为 " + code + " 的产业链；整个园区请留空"}}
	}
	return &ids[0], nil
}

// robotAudit is what the audit log keeps of a robot (never its secret, nor the webhook's
// access token).
func robotAudit(r *robotRow) string {
	host := r.Webhook
	if i := strings.Index(host, "?"); i >= 0 {
		host = host[:i]
	}
	return auditDetail(map[string]any{"kind": r.Kind, "name": r.Name, "webhook": host, "chain_id": r.ChainID,
		"events": r.events(), "has_secret": r.Secret != ""})
}

// CreateRobot stores a robot validated by the caller (RobotInput.Validate).
func (s *RobotService) CreateRobot(ctx context.Context, in domain.RobotInput) (*domain.Robot, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if in.Kind == nil || in.Name == nil || in.Webhook == nil || in.Events == nil {
		return nil, domain.Errorf(domain.EINVALID, "机器人信息不完整 (kind, name, webhook, events)")
	}
	var row *robotRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		code := ""
		if in.Chain != nil {
			code = *in.Chain
		}
		cid, err := s.chainID(ctx, a.User.ZoneID, code)
		if err != nil {
			return err
		}
		now := s.db.now()
		row = &robotRow{ZoneID: a.User.ZoneID, Kind: *in.Kind, Name: *in.Name, Webhook: *in.Webhook, ChainID: cid,
			Events: strings.Join(*in.Events, ","), CreatedAt: now, UpdatedAt: now}
		if in.Secret != nil {
			row.Secret = *in.Secret
		}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditRobotCreate, Object: robotObject(row.ID), Detail: robotAudit(row)})
	})
	if err != nil {
		return nil, err
	}
	return s.FindRobot(ctx, row.ID)
}

// UpdateRobot changes the fields the input carries.
func (s *RobotService) UpdateRobot(ctx context.Context, id int64, in domain.RobotInput) (*domain.Robot, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.load(ctx, a.User.ZoneID, id)
		if err != nil {
			return err
		}
		if in.Kind != nil {
			r.Kind = *in.Kind
		}
		if in.Name != nil {
			r.Name = *in.Name
		}
		if in.Webhook != nil {
			r.Webhook = *in.Webhook
		}
		if in.Secret != nil {
			r.Secret = *in.Secret
		}
		if in.Events != nil {
			r.Events = strings.Join(*in.Events, ",")
		}
		if in.ChainSet {
			code := ""
			if in.Chain != nil {
				code = *in.Chain
			}
			if r.ChainID, err = s.chainID(ctx, a.User.ZoneID, code); err != nil {
				return err
			}
		}
		r.UpdatedAt = s.db.now()
		if err := s.db.conn(ctx).Model(&robotRow{}).Where("id = ?", r.ID).Updates(map[string]any{"kind": r.Kind, "name": r.Name,
			"webhook": r.Webhook, "secret": r.Secret, "chain_id": r.ChainID, "events": r.Events, "updated_at": r.UpdatedAt}).Error; err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditRobotUpdate, Object: robotObject(r.ID), Detail: robotAudit(r)})
	})
	if err != nil {
		return nil, err
	}
	return s.FindRobot(ctx, id)
}

// DeleteRobot removes a robot; its undelivered messages die with it (the outbox job finds
// the robot gone and dead-letters them).
func (s *RobotService) DeleteRobot(ctx context.Context, id int64) error {
	a, err := s.admin(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.load(ctx, a.User.ZoneID, id)
		if err != nil {
			return err
		}
		if err := s.db.conn(ctx).Where("id = ?", r.ID).Delete(&robotRow{}).Error; err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditRobotDelete, Object: robotObject(r.ID), Detail: robotAudit(r)})
	})
}

// EnqueueRobotTest writes a test message for the robot and returns its outbox id.
func (s *RobotService) EnqueueRobotTest(ctx context.Context, id int64) (int64, error) {
	a, err := s.admin(ctx)
	if err != nil {
		return 0, err
	}
	var outID int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.load(ctx, a.User.ZoneID, id)
		if err != nil {
			return err
		}
		now := s.db.now()
		ev := &domain.RobotEvent{ZoneID: r.ZoneID, Event: "test", Key: fmt.Sprintf("test:%d:%d", r.ID, now.UnixNano()),
			Title: "测试消息：群机器人已接通",
			Markdown: fmt.Sprintf("这是招商管理系统发来的测试消息。\n\n机器人「%s」已接通，将推送：%s。\n\n> 由 %s 于 %s 发送",
				r.Name, eventNames(r.events()), displayName(a.User), now.In(s.db.Opts.Location).Format("2006-01-02 15:04")),
			Link: "/admin/robots"}
		if a.User.Mobile != "" {
			ev.MentionUserIDs = []int64{a.User.ID}
		}
		ids, err := s.enqueue(ctx, ev, []robotRow{*r})
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return fmt.Errorf("robot test message not stored")
		}
		outID = ids[0]
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditRobotTest, Object: robotObject(r.ID),
			Detail: auditDetail(map[string]any{"outbox_id": outID})})
	})
	return outID, err
}

func displayName(u *domain.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

func eventNames(evs []string) string {
	if len(evs) == 0 {
		return "（尚未选择事件）"
	}
	names := make([]string, len(evs))
	for i, e := range evs {
		names[i] = domain.RobotEventLabel(e)
	}
	return strings.Join(names, "、")
}

// PublishRobotEvent writes one outbox message per robot that hears ev, in the caller's
// transaction (or its own).
func (s *RobotService) PublishRobotEvent(ctx context.Context, ev *domain.RobotEvent) (int, error) {
	return s.db.publishRobotEvent(ctx, ev)
}

// publishRobotEvent is PublishRobotEvent for the repository's own services (the stage
// machine, 督办), which publish inside their transactions.
func (db *DB) publishRobotEvent(ctx context.Context, ev *domain.RobotEvent) (int, error) {
	if domain.RobotEventLabel(ev.Event) == "" {
		return 0, fmt.Errorf("robot event %q unknown", ev.Event)
	}
	if ev.ZoneID == 0 || strings.TrimSpace(ev.Key) == "" {
		return 0, fmt.Errorf("robot event %s: zone and key are required", ev.Event)
	}
	var rows []robotRow
	if err := db.conn(ctx).Where("zone_id = ?", ev.ZoneID).Order("id").Find(&rows).Error; err != nil {
		return 0, err
	}
	var to []robotRow
	for _, r := range rows {
		if !r.hears(ev.Event) {
			continue
		}
		sameChain := ev.ChainID != nil && r.ChainID != nil && *r.ChainID == *ev.ChainID
		var ok bool
		switch ev.Audience {
		case domain.AudienceChain:
			ok = sameChain
		case domain.AudienceZone:
			ok = r.ChainID == nil
		default:
			ok = r.ChainID == nil || sameChain
		}
		if ok {
			to = append(to, r)
		}
	}
	if len(to) == 0 {
		return 0, nil
	}
	s := &RobotService{db: db}
	ids, err := s.enqueue(ctx, ev, to)
	return len(ids), err
}

// robotMessageID is the outbox key of (event, robot): the same pair is stored once.
func robotMessageID(key string, robotID int64) string {
	h := sha256.Sum256([]byte(key))
	return fmt.Sprintf("robot-%d-%s@robots.chaincrm", robotID, hex.EncodeToString(h[:16]))
}

// enqueue stores ev for each robot (new pairs only) and returns the ids of the new rows.
func (s *RobotService) enqueue(ctx context.Context, ev *domain.RobotEvent, robots []robotRow) ([]int64, error) {
	note := domain.RobotNote{Event: ev.Event, Title: ev.Title, Markdown: ev.Markdown, Link: ev.Link}
	if len(ev.MentionUserIDs) > 0 {
		var mobiles []string
		if err := s.db.conn(ctx).Model(&userRow{}).Where("id IN ? AND disabled = ? AND mobile <> ''", ev.MentionUserIDs, false).
			Pluck("mobile", &mobiles).Error; err != nil {
			return nil, err
		}
		sort.Strings(mobiles)
		for i, m := range mobiles {
			if i == 0 || m != mobiles[i-1] {
				note.Mobiles = append(note.Mobiles, m)
			}
		}
	}
	body, err := json.Marshal(note)
	if err != nil {
		return nil, err
	}
	now := s.db.now()
	var ids []int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, r := range robots {
			rid := r.ID
			row := outboxNew{ZoneID: r.ZoneID, Channel: domain.ChannelRobot, RobotID: &rid, Event: ev.Event,
				MessageID: robotMessageID(ev.Key, r.ID), ToAddr: truncateRunes("群机器人："+r.Name, 200),
				Subject: truncateRunes(domain.CleanHeader(ev.Title), 200), BodyText: string(body),
				Status: domain.OutboxPending, NextAttemptAt: now, CreatedAt: now}
			tx := s.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if tx.Error != nil {
				return tx.Error
			}
			if tx.RowsAffected != 1 {
				continue
			}
			var got []int64
			if err := s.db.conn(ctx).Model(&outboxRow{}).Where("message_id = ?", row.MessageID).Pluck("id", &got).Error; err != nil {
				return err
			}
			ids = append(ids, got...)
		}
		return nil
	})
	return ids, err
}

// RobotTarget loads a robot for sending, with its zone's time zone.
func (s *RobotService) RobotTarget(ctx context.Context, id int64) (*domain.RobotTarget, error) {
	var rows []robotRow
	if err := s.db.gorm.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("群机器人")
	}
	r := rows[0]
	t := &domain.RobotTarget{ID: r.ID, ZoneID: r.ZoneID, Kind: r.Kind, Name: r.Name, Webhook: r.Webhook, Secret: r.Secret,
		Location: s.db.Opts.Location}
	var tzs []string
	if err := s.db.gorm.WithContext(ctx).Model(&zoneRow{}).Where("id = ?", r.ZoneID).Pluck("time_zone", &tzs).Error; err != nil {
		return nil, err
	}
	if len(tzs) == 1 && tzs[0] != "" {
		if loc, err := time.LoadLocation(tzs[0]); err == nil {
			t.Location = loc
		}
	}
	return t, nil
}

// RobotSentSince lists when the robot's messages were sent at or after since.
func (s *RobotService) RobotSentSince(ctx context.Context, robotID int64, since time.Time) ([]time.Time, error) {
	var ts []time.Time
	err := s.db.gorm.WithContext(ctx).Model(&outboxRow{}).
		Where("robot_id = ? AND sent_at >= ? AND status = ?", robotID, since.UTC(), domain.OutboxSent).
		Order("sent_at").Pluck("sent_at", &ts).Error
	for i := range ts {
		ts[i] = ts[i].UTC()
	}
	return ts, err
}

// SummaryReminders lists every zone's live reminders on projects not deleted.
func (s *RobotService) SummaryReminders(ctx context.Context, today domain.Date) ([]*domain.SummaryReminder, error) {
	var rows []struct {
		ZoneID      int64
		ChainID     *int64
		ChainName   *string
		ProjectID   int64
		ProjectName string
		Person      string
		Username    string
		Rule        string
		DueAt       domain.Date
	}
	q := s.db.gorm.WithContext(ctx).Table("reminders AS r").
		Select("r.zone_id, p.chain_id, c.name AS chain_name, r.project_id, p.name AS project_name, u.display_name AS person, u.username, r.rule, r.due_at").
		Joins("JOIN projects p ON p.id = r.project_id").
		Joins("LEFT JOIN chains c ON c.id = p.chain_id").
		Joins("JOIN users u ON u.id = r.user_id").
		Where("p.deleted_at IS NULL")
	if err := liveReminder(q, "r", today).Order("r.zone_id, r.due_at, r.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.SummaryReminder, len(rows))
	for i, r := range rows {
		sr := &domain.SummaryReminder{ZoneID: r.ZoneID, ChainID: r.ChainID, ProjectID: r.ProjectID, ProjectName: r.ProjectName,
			Person: r.Person, Rule: r.Rule, Due: r.DueAt}
		if sr.Person == "" {
			sr.Person = r.Username
		}
		if r.ChainName != nil {
			sr.ChainName = *r.ChainName
		}
		out[i] = sr
	}
	return out, nil
}

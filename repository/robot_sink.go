package repository

import (
	"context"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// robotSink hands the domain's events (domain.EventSink, e.g. a service request gone
// overdue) to the group robots: one outbox message per robot that hears the event, written
// in the event's own transaction, so that a rolled-back event sends nothing.
type robotSink struct{ db *DB }

// Publish implements domain.EventSink.
func (r robotSink) Publish(ctx context.Context, e domain.Event) error {
	link := ""
	if kind, id, ok := strings.Cut(e.Object, "/"); ok {
		link = "/" + kind + "s/" + id // "request/12" → /requests/12
	}
	_, err := r.db.publishRobotEvent(ctx, &domain.RobotEvent{
		ZoneID: e.ZoneID, Event: e.Kind, ChainID: e.ChainID,
		// once per object and day: an event raised again the same day is the same message
		Key:   e.Kind + ":" + e.Object + ":" + e.At.UTC().Format("2006-01-02"),
		Title: e.Title, Markdown: e.Text, Link: link, MentionUserIDs: e.Mentions,
	})
	return err
}

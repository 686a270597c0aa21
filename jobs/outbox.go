package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// OutboxOptions tune delivery.
type OutboxOptions struct {
	MaxAttempts int           // attempts before a message is dead (8)
	BaseDelay   time.Duration // wait after the first failure, doubled each time (1 minute)
	MaxDelay    time.Duration // longest wait between attempts (6 hours)
	Lease       time.Duration // how long a claimed message is ours (5 minutes)
	Batch       int           // messages claimed at a time (50)
	MaxPerRun   int           // messages one run delivers at most (5000)
}

func (o OutboxOptions) withDefaults() OutboxOptions {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = time.Minute
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 6 * time.Hour
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.MaxPerRun <= 0 {
		o.MaxPerRun = 5000
	}
	return o
}

// Backoff is the wait after the given failed attempt: BaseDelay, doubled per attempt,
// capped at MaxDelay.
func (o OutboxOptions) Backoff(attempt int) time.Duration {
	o = o.withDefaults()
	d := o.BaseDelay
	for i := 1; i < attempt && d < o.MaxDelay; i++ {
		d *= 2
	}
	if d > o.MaxDelay {
		d = o.MaxDelay
	}
	return d
}

// OutboxJob delivers the outbox. A message is claimed (with a lease) before it is sent and
// marked sent right after, so re-runs and concurrent runs never send it twice; only a
// crash between the server's acceptance and the mark can repeat it after the lease, and
// then with the same Message-ID, which receiving systems recognise.
type OutboxJob struct {
	Store  domain.OutboxStore
	Mailer domain.Mailer
	Opts   OutboxOptions
	Log    *slog.Logger
	Clock  domain.Clock // nil: the system clock
	// Robots send the group robots' messages (issue 16).
	Robots RobotOptions
}

// Run delivers every message due at at. Mail cannot be sent in the past: an at before the
// clock's now counts as now, so that `jobs run outbox --at` of an old day still delivers.
func (j *OutboxJob) Run(ctx context.Context, at time.Time) (string, error) {
	o := j.Opts.withDefaults()
	clock := j.Clock
	if clock == nil {
		clock = domain.SystemClock{}
	}
	if now := clock.Now(); now.After(at) {
		at = now
	}
	log := j.Log
	if log == nil {
		log = slog.Default()
	}
	sent, retry, dead, held := 0, 0, 0, 0
	var lastErr string
	for sent+retry+dead+held < o.MaxPerRun {
		msgs, err := j.Store.ClaimOutbox(ctx, at, o.Lease, o.Batch)
		if err != nil {
			return "", err
		}
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			if ctx.Err() != nil { // stopping: the lease hands the rest to the next run
				return fmt.Sprintf("中止 (stopped): 已发送%d封，待重试%d封，失败%d封", sent, retry, dead), ctx.Err()
			}
			status, errText, err := j.deliverOne(ctx, m, at, o)
			if err != nil {
				return "", err
			}
			switch status {
			case domain.OutboxSent:
				sent++
			case domain.OutboxDead:
				dead++
			case "held":
				held++
			default:
				retry++
			}
			if errText != "" {
				lastErr = errText
			}
		}
	}
	detail := fmt.Sprintf("已发送%d条，待重试%d条，转入死信%d条，暂缓%d条（免打扰或限流）(sent %d, retrying %d, dead %d, held %d)",
		sent, retry, dead, held, sent, retry, dead, held)
	if lastErr != "" {
		detail += "；最近错误 (last error): " + shorten(lastErr, 300)
	}
	return detail, nil
}

// deliverOne delivers one claimed message (an email, or a group robot's message) and
// records the outcome; status is sent, pending (to retry), dead, or held (deferred without
// counting the attempt: quiet hours, a robot's rate limit).
func (j *OutboxJob) deliverOne(ctx context.Context, m *domain.OutboxMessage, at time.Time, o OutboxOptions) (status, errText string, err error) {
	log := j.Log
	if log == nil {
		log = slog.Default()
	}
	if m.Channel == domain.ChannelRobot {
		out, err := j.deliverRobot(ctx, m, at)
		if err != nil {
			return "", "", err
		}
		switch out.state {
		case "sent":
			return domain.OutboxSent, "", j.Store.MarkSent(ctx, m.ID, at)
		case "defer":
			return "held", "", j.Store.Defer(ctx, m.ID, out.next)
		case "dead":
			log.Warn("robot message dead-lettered", "message_id", m.MessageID, "robot_id", m.RobotID, "attempts", m.Attempts, "err", out.err)
			return domain.OutboxDead, out.err, j.Store.MarkFailed(ctx, m.ID, at, out.err, true)
		default:
			log.Info("robot message not sent, will retry", "message_id", m.MessageID, "attempts", m.Attempts, "next", out.next, "err", out.err)
			return domain.OutboxPending, out.err, j.Store.MarkFailed(ctx, m.ID, out.next, out.err, false)
		}
	}
	err = j.Mailer.Send(ctx, &domain.Mail{ZoneID: m.ZoneID, MessageID: m.MessageID, To: m.To,
		Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	switch {
	case err == nil:
		return domain.OutboxSent, "", j.Store.MarkSent(ctx, m.ID, at)
	case IsPermanent(err) || m.Attempts >= o.MaxAttempts:
		log.Warn("mail dead-lettered", "message_id", m.MessageID, "to", m.To, "attempts", m.Attempts, "err", err)
		return domain.OutboxDead, err.Error(), j.Store.MarkFailed(ctx, m.ID, at, err.Error(), true)
	default:
		next := at.Add(o.Backoff(m.Attempts))
		log.Info("mail not sent, will retry", "message_id", m.MessageID, "attempts", m.Attempts, "next", next, "err", err)
		return domain.OutboxPending, err.Error(), j.Store.MarkFailed(ctx, m.ID, next, err.Error(), false)
	}
}

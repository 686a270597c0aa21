package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
	"github.com/laiyuan-edz/chaincrm/repository"
)

const mailFrom = "招商系统 <noreply@laiyuan-edz.example.cn>"

// smtpOutbox is an outbox job delivering to srv.
func smtpOutbox(t *testing.T, e *apitest.Env, srv *mailServer, opts jobs.OutboxOptions) *jobs.OutboxJob {
	t.Helper()
	host, port := srv.hostPort()
	mailer, err := jobs.NewMailer(jobs.MailConfig{Host: host, Port: port, From: mailFrom, Timeout: 5 * time.Second, Clock: e.Clock})
	if err != nil {
		t.Fatal(err)
	}
	return &jobs.OutboxJob{Store: repository.NewOutboxStore(e.DB), Mailer: mailer, Opts: opts, Clock: e.Clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func enqueue(t *testing.T, e *apitest.Env, id, to, subject string) {
	t.Helper()
	created, err := repository.NewOutboxStore(e.DB).Enqueue(context.Background(), &domain.Mail{ZoneID: 1, MessageID: id, To: to,
		Subject: subject, Text: "正文 " + id, HTML: "<p>正文 " + id + "</p>"})
	if err != nil || !created {
		t.Fatalf("enqueue %s: %v %v", id, created, err)
	}
}

type outboxState struct {
	Status    string
	Attempts  int
	LastError string
}

func outboxRows(t *testing.T, e *apitest.Env) map[string]outboxState {
	t.Helper()
	var rows []struct {
		MessageID, Status, LastError string
		Attempts                     int
	}
	if err := e.DB.Gorm().Table("outbox").Select("message_id, status, last_error, attempts").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]outboxState{}
	for _, r := range rows {
		out[r.MessageID] = outboxState{r.Status, r.Attempts, r.LastError}
	}
	return out
}

func runOutbox(t *testing.T, j *jobs.OutboxJob, at time.Time) string {
	t.Helper()
	detail, err := j.Run(context.Background(), at)
	if err != nil {
		t.Fatalf("outbox at %s: %v", at, err)
	}
	return detail
}

// messageIDs counts the received messages per Message-ID.
func messageIDs(msgs []received) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		out[header(m.Data, "Message-ID")]++
	}
	return out
}

func TestOutboxDeliversOverSMTP(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		srv := newMailServer(t)
		job := smtpOutbox(t, e, srv, jobs.OutboxOptions{})
		t0 := e.Clock.Now()
		enqueue(t, e, "m1@laiyuan-edz.example.cn", "recruiter1@laiyuan-edz.example.cn", "【周报】第一封\r\nBcc: evil@attacker.example")
		enqueue(t, e, "m2@laiyuan-edz.example.cn", "chief_food@laiyuan-edz.example.cn", "第二封")
		enqueue(t, e, "m3@laiyuan-edz.example.cn", "director@laiyuan-edz.example.cn", "第三封")
		if d := runOutbox(t, job, t0); !strings.Contains(d, "sent 3,") {
			t.Fatalf("first run: %s", d)
		}
		msgs := srv.messages()
		if len(msgs) != 3 {
			t.Fatalf("server got %d messages, want 3", len(msgs))
		}
		for _, m := range msgs {
			if len(m.To) != 1 || m.From != "noreply@laiyuan-edz.example.cn" {
				t.Errorf("envelope from %q to %v", m.From, m.To)
			}
			if want := "<" + strings.SplitN(header(m.Data, "Message-ID"), "<", 2)[1]; header(m.Data, "Message-ID") != want {
				t.Errorf("Message-ID %q", header(m.Data, "Message-ID"))
			}
			if strings.Contains(strings.ToLower(m.Data), "bcc:") || strings.Contains(m.Data, "attacker") {
				t.Errorf("a header was injected:\n%s", m.Data)
			}
		}
		first := msgs[0]
		if first.To[0] != "recruiter1@laiyuan-edz.example.cn" || header(first.Data, "Message-ID") != "<m1@laiyuan-edz.example.cn>" {
			t.Errorf("first message: to %v id %q", first.To, header(first.Data, "Message-ID"))
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(header(first.Data, "Subject"))
		if err != nil || subj != "【周报】第一封 Bcc: evil@attacker.example" && subj != "【周报】第一封  Bcc: evil@attacker.example" {
			t.Errorf("subject %q (%v): line breaks must become spaces inside the one Subject header", subj, err)
		}
		// A re-run sends nothing again.
		if d := runOutbox(t, job, t0.Add(time.Minute)); !strings.Contains(d, "sent 0,") {
			t.Errorf("re-run: %s", d)
		}
		if n := len(srv.messages()); n != 3 {
			t.Errorf("after re-run the server has %d messages", n)
		}
		for id, st := range outboxRows(t, e) {
			if st.Status != domain.OutboxSent || st.Attempts != 1 {
				t.Errorf("%s: %+v", id, st)
			}
		}
	})
}

// The server goes down: messages wait with exponential backoff, nothing is lost, and
// when it comes back each message arrives exactly once.
func TestOutboxServerDownThenBack(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		srv := newMailServer(t)
		job := smtpOutbox(t, e, srv, jobs.OutboxOptions{BaseDelay: time.Minute, MaxAttempts: 8})
		t0 := e.Clock.Now()
		srv.stop()
		for i := 1; i <= 4; i++ {
			enqueue(t, e, fmt.Sprintf("down%d@laiyuan-edz.example.cn", i), "recruiter1@laiyuan-edz.example.cn", "待发邮件")
		}
		if d := runOutbox(t, job, t0); !strings.Contains(d, "retrying 4,") {
			t.Fatalf("server down: %s", d)
		}
		// Within the first backoff nothing is tried.
		if d := runOutbox(t, job, t0.Add(30*time.Second)); !strings.Contains(d, "sent 0, retrying 0, dead 0") {
			t.Fatalf("inside backoff: %s", d)
		}
		if d := runOutbox(t, job, t0.Add(61*time.Second)); !strings.Contains(d, "retrying 4,") {
			t.Fatalf("second attempt: %s", d)
		}
		// The second wait is twice the first: at +2 min it is not yet due again.
		if d := runOutbox(t, job, t0.Add(2*time.Minute)); !strings.Contains(d, "retrying 0,") {
			t.Fatalf("second backoff: %s", d)
		}
		for id, st := range outboxRows(t, e) {
			if st.Status != domain.OutboxPending || st.Attempts != 2 || st.LastError == "" {
				t.Errorf("%s while down: %+v", id, st)
			}
		}
		srv.start()
		if d := runOutbox(t, job, t0.Add(4*time.Minute)); !strings.Contains(d, "sent 4,") {
			t.Fatalf("server back: %s", d)
		}
		runOutbox(t, job, t0.Add(10*time.Minute))
		ids := messageIDs(srv.messages())
		if len(ids) != 4 {
			t.Fatalf("received %v", ids)
		}
		for id, n := range ids {
			if n != 1 {
				t.Errorf("%s arrived %d times", id, n)
			}
		}
	})
}

func TestOutboxDeadLetters(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		srv := newMailServer(t)
		srv.refuse["gone@laiyuan-edz.example.cn"] = true
		job := smtpOutbox(t, e, srv, jobs.OutboxOptions{BaseDelay: time.Minute, MaxAttempts: 3})
		t0 := e.Clock.Now()
		bad := map[string]string{
			"bad1@x.cn": "not-an-address",
			"bad2@x.cn": "two@@example.cn",
			"bad3@x.cn": "ok@example.cn\r\nBcc: evil@attacker.example",
			"bad4@x.cn": "Someone <someone@example.cn>",
			"bad5@x.cn": "a@example.cn, b@example.cn",
			"bad6@x.cn": "",
		}
		for id, to := range bad {
			enqueue(t, e, id, to, "地址有误")
		}
		enqueue(t, e, "gone@x.cn", "gone@laiyuan-edz.example.cn", "邮箱不存在")
		enqueue(t, e, "good@x.cn", "recruiter2@laiyuan-edz.example.cn", "正常邮件")
		if d := runOutbox(t, job, t0); !strings.Contains(d, "sent 1,") || !strings.Contains(d, "dead 1") {
			t.Fatalf("run: %s", d)
		}
		rows := outboxRows(t, e)
		for id := range bad {
			if st := rows[id]; st.Status != domain.OutboxDead || st.Attempts != 0 || !strings.Contains(st.LastError, "收件地址无效") {
				t.Errorf("%s (%q): %+v", id, bad[id], st)
			}
		}
		if st := rows["gone@x.cn"]; st.Status != domain.OutboxDead || st.Attempts != 1 || !strings.Contains(st.LastError, "550") {
			t.Errorf("refused mailbox: %+v", st)
		}
		msgs := srv.messages()
		if len(msgs) != 1 || msgs[0].To[0] != "recruiter2@laiyuan-edz.example.cn" {
			t.Fatalf("server got %+v", msgs)
		}
		for _, m := range msgs {
			if strings.Contains(m.Data, "attacker") {
				t.Errorf("injected: %s", m.Data)
			}
		}
		// With the server down, a message dies after MaxAttempts.
		srv.stop()
		enqueue(t, e, "late@x.cn", "recruiter1@laiyuan-edz.example.cn", "服务器宕机")
		at := t0.Add(time.Minute)
		for i := 0; i < 3; i++ {
			runOutbox(t, job, at)
			at = at.Add(time.Hour)
		}
		if st := outboxRows(t, e)["late@x.cn"]; st.Status != domain.OutboxDead || st.Attempts != 3 {
			t.Errorf("after 3 failed attempts: %+v", st)
		}
		// Dead letters are visible to administrators, and only to them.
		r := e.As("admin", "GET", "/api/v1/outbox?status=dead&page_size=50", nil)
		var body struct {
			Items []map[string]any `json:"items"`
			Total int              `json:"total"`
		}
		r.JSON(t, &body)
		if r.Status != 200 || body.Total != len(bad)+2 {
			t.Errorf("admin outbox: %d total %d: %s", r.Status, body.Total, r.Body)
		}
		if r := e.As("recruiter1", "GET", "/api/v1/outbox", nil); r.Status != 403 {
			t.Errorf("recruiter outbox: %d", r.Status)
		}
	})
}

// Two senders at once (two replicas, or a manual run beside the scheduled one) never send
// one message twice: each message is claimed by exactly one.
func TestOutboxConcurrentSenders(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		srv := newMailServer(t)
		a := smtpOutbox(t, e, srv, jobs.OutboxOptions{Batch: 3})
		b := smtpOutbox(t, e, srv, jobs.OutboxOptions{Batch: 3})
		for i := 0; i < 24; i++ {
			enqueue(t, e, fmt.Sprintf("c%02d@x.cn", i), "recruiter1@laiyuan-edz.example.cn", "并发")
		}
		var wg sync.WaitGroup
		for _, j := range []*jobs.OutboxJob{a, b, a, b} {
			wg.Add(1)
			go func(j *jobs.OutboxJob) {
				defer wg.Done()
				if _, err := j.Run(context.Background(), e.Clock.Now()); err != nil {
					t.Error(err)
				}
			}(j)
		}
		wg.Wait()
		ids := messageIDs(srv.messages())
		if len(ids) != 24 {
			t.Fatalf("%d distinct messages arrived, want 24", len(ids))
		}
		for id, n := range ids {
			if n != 1 {
				t.Errorf("%s arrived %d times", id, n)
			}
		}
	})
}

// An email is written in the transaction of its event: rolled back with it, and stored
// once however often the event is replayed.
func TestOutboxIsTransactional(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		store := repository.NewOutboxStore(e.DB)
		m := &domain.Mail{ZoneID: 1, MessageID: "tx@x.cn", To: "recruiter1@laiyuan-edz.example.cn", Subject: "事务", Text: "t"}
		boom := errors.New("the event failed")
		err := e.DB.WithTx(ctx, func(ctx context.Context) error {
			if _, err := store.Enqueue(ctx, m); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, ok := outboxRows(t, e)["tx@x.cn"]; ok {
			t.Fatal("the email survived its rolled-back event")
		}
		if err := e.DB.WithTx(ctx, func(ctx context.Context) error { _, err := store.Enqueue(ctx, m); return err }); err != nil {
			t.Fatal(err)
		}
		created, err := store.Enqueue(ctx, m)
		if err != nil || created {
			t.Fatalf("replayed event: created=%v err=%v", created, err)
		}
		if _, err := store.Enqueue(ctx, &domain.Mail{MessageID: "bad id\r\nX: y", To: "a@b.cn"}); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("malformed Message-ID: %v", err)
		}
		if n := len(outboxRows(t, e)); n != 1 {
			t.Errorf("%d rows, want 1", n)
		}
	})
}

// Without an SMTP host mail goes to .eml files named by Message-ID: sending again
// replaces the file instead of adding one.
func TestFileMailer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	m, err := jobs.NewMailer(jobs.MailConfig{From: mailFrom, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mail := &domain.Mail{MessageID: "digest-2023-w12-laiyuan-u6@laiyuan-edz.example.cn", To: "recruiter1@laiyuan-edz.example.cn",
		Subject: "周报", Text: "正文", HTML: "<p>正文</p>"}
	for i := 0; i < 2; i++ {
		if err := m.Send(context.Background(), mail); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 || files[0].Name() != "digest-2023-w12-laiyuan-u6@laiyuan-edz.example.cn.eml" {
		t.Fatalf("files: %v", files)
	}
	b, _ := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if header(string(b), "Message-ID") != "<digest-2023-w12-laiyuan-u6@laiyuan-edz.example.cn>" ||
		!strings.Contains(header(string(b), "Content-Type"), "multipart/alternative") {
		t.Errorf("eml:\n%s", b)
	}
	bad := *mail
	bad.To = "x@example.cn\nBcc: y@example.cn"
	if err := m.Send(context.Background(), &bad); !jobs.IsPermanent(err) {
		t.Errorf("malformed address: %v", err)
	}
	if _, err := jobs.NewMailer(jobs.MailConfig{From: "not an address"}); err == nil {
		t.Error("a malformed sender was accepted")
	}
}

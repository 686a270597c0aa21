package jobs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Group robots (issue 16): the outbox's second channel. A robot message is rendered into
// its platform's group-robot JSON when it is sent (so the link carries the configured base
// URL and a DingTalk signature is fresh), posted to the robot's webhook — only when the
// webhook's host is still on the allow-list — and the platform's answer decides: errcode 0
// is sent; a network error, a 5xx, HTTP 429 or the rate-limit codes (WeCom 45009, DingTalk
// 130101) are tried again later; any other errcode is a failure for administrators to see.

// Platform rate-limit codes.
const (
	WeComRateLimited    = 45009
	DingTalkRateLimited = 130101
)

// RobotOptions configure the robots' side of the outbox.
type RobotOptions struct {
	Store       domain.RobotDeliveryStore
	Policy      domain.RobotPolicy
	Client      *http.Client  // nil: one with a 10 s timeout that follows no redirects
	BaseURL     string        // the web app's address, for links
	PerMinute   int           // messages per robot per minute (20, both platforms' limit)
	MaxAttempts int           // attempts before a message is dead (16)
	BaseDelay   time.Duration // first retry (1 minute; the contract wants it within 10)
	MaxDelay    time.Duration // backoff cap (1 hour)
}

func (o RobotOptions) withDefaults() RobotOptions {
	if o.PerMinute <= 0 {
		o.PerMinute = 20
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 16
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = time.Minute
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = time.Hour
	}
	if o.Client == nil {
		o.Client = robotClient
	}
	return o
}

// robotClient never follows a redirect: a webhook on an allowed host must not lead elsewhere.
var robotClient = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// robotOutcome is what one delivery attempt came to.
type robotOutcome struct {
	state string    // sent, retry, dead, defer
	next  time.Time // retry, defer
	err   string
}

// deliverRobot sends one claimed robot message as of at.
func (j *OutboxJob) deliverRobot(ctx context.Context, m *domain.OutboxMessage, at time.Time) (robotOutcome, error) {
	o := j.Robots.withDefaults()
	if o.Store == nil || m.RobotID == nil {
		return robotOutcome{state: "dead", err: "群机器人未配置 (robots not configured)"}, nil
	}
	t, err := o.Store.RobotTarget(ctx, *m.RobotID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return robotOutcome{state: "dead", err: "群机器人已删除 (robot deleted)"}, nil
	}
	if err != nil {
		return robotOutcome{}, err
	}
	if domain.QuietEvent(m.Event) {
		if until, quiet := o.Policy.QuietUntil(at, t.Location); quiet {
			return robotOutcome{state: "defer", next: until}, nil
		}
	}
	sent, err := o.Store.RobotSentSince(ctx, t.ID, at.Add(-time.Minute))
	if err != nil {
		return robotOutcome{}, err
	}
	if len(sent) >= o.PerMinute {
		next := sent[len(sent)-o.PerMinute].Add(time.Minute)
		if !next.After(at) {
			next = at.Add(time.Second)
		}
		return robotOutcome{state: "defer", next: next}, nil
	}
	if err := o.Policy.CheckWebhook(t.Webhook); err != nil {
		return robotOutcome{state: "dead", err: domain.ErrorMessage(err)}, nil
	}
	var note domain.RobotNote
	if err := json.Unmarshal([]byte(m.Text), &note); err != nil {
		return robotOutcome{state: "dead", err: "消息内容无法解析 (bad message): " + err.Error()}, nil
	}
	body, err := RenderRobot(t.Kind, &note, o.BaseURL)
	if err != nil {
		return robotOutcome{state: "dead", err: err.Error()}, nil
	}
	target := t.Webhook
	if t.Kind == domain.RobotDingTalk && t.Secret != "" {
		target = SignDingTalk(target, t.Secret, j.now())
	}
	retry := func(why string) robotOutcome {
		if m.Attempts >= o.MaxAttempts {
			return robotOutcome{state: "dead", err: why + fmt.Sprintf("（已尝试%d次 / %d attempts）", m.Attempts, m.Attempts)}
		}
		return robotOutcome{state: "retry", next: at.Add(robotBackoff(o, m.Attempts)), err: why}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return robotOutcome{state: "dead", err: "Webhook 地址无效 (bad URL)"}, nil
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := o.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return robotOutcome{}, ctx.Err()
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL carries the access token: keep it out of the log
		}
		return retry("网络错误 (network error): " + err.Error()), nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return retry(fmt.Sprintf("平台暂时不可用 (HTTP %d)", resp.StatusCode)), nil
	case resp.StatusCode != http.StatusOK:
		return robotOutcome{state: "dead", err: fmt.Sprintf("平台拒绝 (HTTP %d): %s", resp.StatusCode, shorten(string(raw), 200))}, nil
	}
	var ans struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || ans.ErrCode == nil {
		return retry("平台应答无法识别 (unreadable answer): " + shorten(string(raw), 200)), nil
	}
	switch *ans.ErrCode {
	case 0:
		return robotOutcome{state: "sent"}, nil
	case WeComRateLimited, DingTalkRateLimited:
		return retry(fmt.Sprintf("平台限流 (errcode %d: %s)", *ans.ErrCode, shorten(ans.ErrMsg, 200))), nil
	}
	return robotOutcome{state: "dead", err: fmt.Sprintf("平台拒绝 (errcode %d: %s)", *ans.ErrCode, shorten(ans.ErrMsg, 200))}, nil
}

func robotBackoff(o RobotOptions, attempt int) time.Duration {
	return OutboxOptions{BaseDelay: o.BaseDelay, MaxDelay: o.MaxDelay}.Backoff(attempt)
}

func (j *OutboxJob) now() time.Time {
	if j.Clock != nil {
		return j.Clock.Now()
	}
	return time.Now()
}

// SignDingTalk adds DingTalk's 加签 to a webhook: timestamp (ms) and sign =
// URL-encoded base64(HMAC-SHA256(key = secret, data = timestamp + "\n" + secret)).
func SignDingTalk(webhook, secret string, now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	sign := url.QueryEscape(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	sep := "?"
	if strings.Contains(webhook, "?") {
		sep = "&"
	}
	return webhook + sep + "timestamp=" + ts + "&sign=" + sign
}

// Content limits (bytes): WeCom markdown 4096, text 2048; DingTalk is generous (20000).
const (
	weComMarkdownMax = 4096
	weComTextMax     = 2048
	dingTalkTextMax  = 18000
)

// RenderRobot is the platform's group-robot JSON for a message. WeCom @-mentions by mobile
// only in text messages, so a WeCom message that @s someone is text with
// mentioned_mobile_list; otherwise markdown. DingTalk markdown carries at.atMobiles and the
// "@mobile" in the text that makes the mention show.
func RenderRobot(kind string, n *domain.RobotNote, baseURL string) ([]byte, error) {
	link := ""
	if n.Link != "" && baseURL != "" {
		link = strings.TrimRight(baseURL, "/") + n.Link
	}
	switch kind {
	case domain.RobotWeCom:
		if len(n.Mobiles) > 0 {
			text := n.Title + "\n" + plainMarkdown(n.Markdown)
			if link != "" {
				text += "\n查看：" + link
			}
			return json.Marshal(map[string]any{"msgtype": "text", "text": map[string]any{
				"content": clipBytes(text, weComTextMax), "mentioned_mobile_list": n.Mobiles}})
		}
		md := "### " + n.Title + "\n" + n.Markdown
		if link != "" {
			md += "\n\n[在系统中查看](" + link + ")"
		}
		return json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": clipBytes(md, weComMarkdownMax)}})
	case domain.RobotDingTalk:
		md := "#### " + n.Title + "\n\n" + n.Markdown
		if link != "" {
			md += "\n\n[在系统中查看](" + link + ")"
		}
		md = clipBytes(md, dingTalkTextMax)
		mobiles := n.Mobiles
		if mobiles == nil {
			mobiles = []string{}
		}
		if len(mobiles) > 0 {
			md += "\n\n@" + strings.Join(mobiles, " @")
		}
		return json.Marshal(map[string]any{"msgtype": "markdown",
			"markdown": map[string]any{"title": n.Title, "text": md},
			"at":       map[string]any{"atMobiles": mobiles, "isAtAll": false}})
	}
	return nil, fmt.Errorf("未知的机器人平台 %q (unknown robot kind)", kind)
}

// plainMarkdown is the markdown as plain text: emphasis, quote marks and headings removed.
func plainMarkdown(md string) string {
	lines := strings.Split(strings.ReplaceAll(md, "**", ""), "\n")
	var out []string
	for _, l := range lines {
		l = strings.TrimLeft(l, "#> ")
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// clipBytes cuts s to at most n bytes on a character boundary, marking the cut.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// DeliverNow sends one robot message at once (a robot's test), whatever its due time, and
// says how it went.
func (j *OutboxJob) DeliverNow(ctx context.Context, id int64) (*domain.RobotTestResult, error) {
	o := j.Opts.withDefaults()
	at := j.now()
	m, err := j.Store.ClaimOutboxID(ctx, id, at, o.Lease)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, domain.Errorf(domain.ERULE, "测试消息正在由其他进程发送 (the message is being sent)")
	}
	status, errText, err := j.deliverOne(ctx, m, at, o)
	if err != nil {
		return nil, err
	}
	return &domain.RobotTestResult{OK: status == domain.OutboxSent, Status: status, Error: errText, MessageID: m.MessageID}, nil
}

package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// MailConfig says how email leaves the system: over SMTP when Host is set, otherwise as
// .eml files in Dir (so a machine without a mail server still shows what would be sent).
type MailConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string // "name <address>" or a bare address
	Dir      string // for .eml files when Host is empty
	Timeout  time.Duration
	Clock    domain.Clock
}

// PermanentError marks a failure that retrying cannot fix (a malformed address, a
// mailbox the server refuses with 5xx): the outbox dead-letters the message at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

func permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err says not to try again.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// NewMailer returns the SMTP mailer, or the file mailer when no host is configured.
func NewMailer(cfg MailConfig) (domain.Mailer, error) {
	from, err := mail.ParseAddress(domain.CleanHeader(cfg.From))
	if err != nil {
		return nil, fmt.Errorf("smtp.from %q: %w", cfg.From, err)
	}
	if _, err := domain.CheckMailAddress(from.Address); err != nil {
		return nil, fmt.Errorf("smtp.from %q: %w", cfg.From, err)
	}
	if cfg.Clock == nil {
		cfg.Clock = domain.SystemClock{}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Host == "" {
		if cfg.Dir == "" {
			cfg.Dir = "data/mail"
		}
		return &FileMailer{Dir: cfg.Dir, from: from, clock: cfg.Clock}, nil
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	return &SMTPMailer{cfg: cfg, from: from}, nil
}

// MailDomain is the domain part of the sender address, used in Message-IDs.
func MailDomain(from string) string {
	if a, err := mail.ParseAddress(domain.CleanHeader(from)); err == nil {
		if _, host, ok := strings.Cut(a.Address, "@"); ok && host != "" {
			return host
		}
	}
	return "chaincrm.invalid"
}

// buildMessage turns m into a MIME message. Every header value is checked or cleaned
// here, at the last moment, so that no stored value can inject a header: the recipient
// must be one bare address, the subject loses line breaks, the Message-ID is checked.
func buildMessage(from *mail.Address, m *domain.Mail, date time.Time) (*gomail.Msg, error) {
	to, err := domain.CheckMailAddress(m.To)
	if err != nil {
		return nil, permanent(err)
	}
	if !domain.ValidMessageID(m.MessageID) {
		return nil, permanent(fmt.Errorf("邮件标识无效 (malformed Message-ID %q)", m.MessageID))
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithEncoding(gomail.EncodingB64))
	msg.FromMailAddress(from)
	if err := msg.To(to); err != nil {
		return nil, permanent(err)
	}
	msg.Subject(domain.CleanHeader(m.Subject))
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(date)
	msg.SetBulk()
	msg.SetUserAgent("chaincrm")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// SMTPMailer sends over SMTP with go-mail: STARTTLS when the server offers it (implicit TLS
// on port 465), authentication when a username is configured.
type SMTPMailer struct {
	cfg  MailConfig
	from *mail.Address
}

// Send delivers m. A refusal with a 5xx code is permanent; anything else (the server
// down, a 4xx, a dropped connection) is worth another try.
func (s *SMTPMailer) Send(ctx context.Context, m *domain.Mail) error {
	msg, err := buildMessage(s.from, m, s.cfg.Clock.Now())
	if err != nil {
		return err
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSPolicy(gomail.TLSOpportunistic)}
	if s.cfg.Port == 465 {
		opts = append(opts, gomail.WithSSL())
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return permanent(err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return permanent(err)
		}
		return err
	}
	return nil
}

// FileMailer writes each email as an .eml file named after its Message-ID: writing the
// same email again replaces the file, so nothing is ever doubled.
type FileMailer struct {
	Dir   string
	from  *mail.Address
	clock domain.Clock
}

// Send writes m to Dir atomically (a temporary file renamed into place).
func (f *FileMailer) Send(ctx context.Context, m *domain.Mail) error {
	msg, err := buildMessage(f.from, m, f.clock.Now())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(f.Dir, ".mail-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := msg.WriteTo(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(f.Dir, EMLName(m.MessageID)))
}

// EMLName is the file name of an email written by FileMailer.
func EMLName(messageID string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == '@' {
			return r
		}
		return '_'
	}, messageID) + ".eml"
}

package jobs_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// eachDB runs fn on a fresh demo zone (the whole API in-process) on every database.
func eachDB(t *testing.T, fn func(t *testing.T, e *apitest.Env)) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, apitest.New(t, d))
		})
	}
}

// advance moves the clock forward in steps short of the session idle timeout, using every
// demo user's session at each step so that their log-ins stay valid.
func advance(e *apitest.Env, d time.Duration) {
	e.T.Helper()
	const step = 6 * time.Hour
	for d > 0 {
		s := min(d, step)
		e.Clock.Add(s)
		d -= s
		for _, u := range []string{"admin", "director", "chief_food", "chief_mining", "chief_semi", "recruiter1", "recruiter2", "agent1", "viewer"} {
			e.As(u, "GET", "/api/v1/me", nil)
		}
	}
}

// zoneTime is a wall-clock moment in the zone.
func zoneTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// runJob runs a job as of the env clock's now and fails the test unless it succeeded.
func runJob(t *testing.T, e *apitest.Env, name string) *domain.JobRun {
	t.Helper()
	run, err := e.Jobs.Run(context.Background(), name, e.Clock.Now(), "test")
	if err != nil || run.Status != domain.JobOK {
		t.Fatalf("job %s: %v %+v", name, err, run)
	}
	return run
}

// received is one message an SMTP server accepted.
type received struct {
	From string
	To   []string
	Data string
}

// mailServer is a real SMTP server (emersion/go-smtp) on the loopback interface that
// keeps what it accepts. It can be stopped and started again on the same address to play
// a mail server that goes down and comes back.
type mailServer struct {
	t      *testing.T
	addr   string
	mu     sync.Mutex
	msgs   []received
	refuse map[string]bool // recipients refused with 550
	srv    *smtp.Server
	ln     net.Listener
}

func newMailServer(t *testing.T) *mailServer {
	m := &mailServer{t: t, refuse: map[string]bool{}}
	m.start()
	t.Cleanup(m.stop)
	return m
}

func (m *mailServer) start() {
	m.t.Helper()
	addr := m.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly after a stop
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		m.t.Fatalf("smtp listen: %v", err)
	}
	m.addr = ln.Addr().String()
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	m.mu.Lock()
	m.srv, m.ln = s, ln
	m.mu.Unlock()
	go s.Serve(ln)
}

func (m *mailServer) stop() {
	m.mu.Lock()
	s, ln := m.srv, m.ln
	m.srv, m.ln = nil, nil
	m.mu.Unlock()
	if s != nil {
		ln.Close() // Serve may not have registered it yet
		s.Close()
	}
}

func (m *mailServer) hostPort() (string, int) {
	host, port, _ := net.SplitHostPort(m.addr)
	n := 0
	for _, c := range port {
		n = n*10 + int(c-'0')
	}
	return host, n
}

func (m *mailServer) messages() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.msgs...)
}

type mailSession struct {
	m    *mailServer
	from string
	to   []string
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.mu.Lock()
	refused := s.m.refuse[to]
	s.m.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, received{From: s.from, To: s.to, Data: string(b)})
	s.m.mu.Unlock()
	return nil
}

// header returns the value of a header of a raw message (first occurrence, unfolded).
func header(data, name string) string {
	head, _, _ := strings.Cut(strings.ReplaceAll(data, "\r\n", "\n"), "\n\n")
	var out string
	found := false
	for _, line := range strings.Split(head, "\n") {
		if found && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) {
			out += " " + strings.TrimSpace(line)
			continue
		}
		if found {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			out, found = strings.TrimSpace(v), true
		}
	}
	return strings.TrimSpace(out)
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/laiyuan-edz/chaincrm/cmd/chaincrm/wire"
	"github.com/laiyuan-edz/chaincrm/configs"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
)

// buildJobs wires the scheduled jobs on the open database: the repository's stores, the
// mailer (SMTP, or .eml files under <data_dir>/mail without a host) and the schedules.
func (m *Main) buildJobs() (*jobs.Service, error) {
	c := m.Config
	loc, err := c.Location()
	if err != nil {
		return nil, err
	}
	mailer, err := jobs.NewMailer(jobs.MailConfig{Host: c.SMTP.Host, Port: c.SMTP.Port, Username: c.SMTP.Username,
		Password: c.SMTP.Password, From: c.SMTP.From, Dir: filepath.Join(c.DataDir, "mail")})
	if err != nil {
		return nil, err
	}
	robots, err := robotPolicy(c)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	r := c.Reminders
	return jobs.New(jobs.Config{
		Location: loc,
		Instance: fmt.Sprintf("%s/%d", host, os.Getpid()),
		Schedules: map[string]string{
			jobs.JobReminders:    c.Jobs.Reminders,
			jobs.JobDigest:       c.Jobs.Digest,
			jobs.JobOutbox:       c.Jobs.Outbox,
			jobs.JobRobotSummary: c.Jobs.RobotSummary,
			jobs.JobIdempotency:  c.Jobs.Idempotency,
		},
		Thresholds: jobs.Thresholds{LeadIdleDays: r.LeadIdleDays, LeadEscalateDays: r.LeadEscalateDays,
			IdentificationOpenDays: r.IdentificationOpenDays, RiskMissingDays: r.RiskMissingDays,
			RiskEscalateDays: r.RiskEscalateDays, DecisionPendingDays: r.DecisionPendingDays,
			DecisionEscalateDays: r.DecisionEscalateDays, MilestoneWindowDays: r.MilestoneWindowDays,
			ServiceIdleDays: r.ServiceIdleDays, NextStepWindowDays: r.NextStepWindowDays,
			RequestEscalateDays: c.Service.EscalateAfterDays},
		BaseURL:  c.HTTP.BaseURL,
		MailFrom: c.SMTP.From,
		Outbox:   jobs.OutboxOptions{MaxAttempts: c.Jobs.OutboxMaxAttempts},
		Robots:   robots,
		Log:      m.Log,
	}, wire.JobStores(m.DB, mailer))
}

// startJobs starts the scheduler when configuration enables it; stopJobs (in serve's
// shutdown, after HTTP and before the database) stops it.
func (m *Main) startJobs(svc *jobs.Service) error {
	if !m.Config.Jobs.Enabled {
		m.Log.Info("scheduled jobs disabled (jobs.enabled: false)")
		return nil
	}
	if err := svc.Start(); err != nil {
		return err
	}
	m.Jobs = svc
	return nil
}

func (m *Main) stopJobs() error {
	if m.Jobs == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := m.Jobs.Stop(ctx)
	m.Jobs = nil
	return err
}

// jobsCommand is `chaincrm jobs run NAME [--at RFC3339]`: one job now, as if the clock said
// --at (default now). It exits non-zero when the job fails.
func (m *Main) jobsCommand(ctx context.Context, args []string, at string) error {
	if len(args) != 2 || args[0] != "run" {
		return fmt.Errorf("usage: chaincrm jobs run reminders|digest|outbox|robot_summary|idempotency [--at RFC3339]")
	}
	name := args[1]
	when := time.Now()
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return fmt.Errorf("--at %q: want RFC3339, e.g. 2023-01-16T08:30:00+08:00", at)
		}
		when = t
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	svc, err := m.buildJobs()
	if err != nil {
		return err
	}
	known := svc.Names()
	found := false
	for _, n := range known {
		found = found || n == name
	}
	if !found {
		return fmt.Errorf("unknown job %q (want %s)", name, strings.Join(known, ", "))
	}
	run, err := svc.Run(ctx, name, when, "cli")
	if run != nil {
		fmt.Fprintf(m.Stdout, "%s %s (as of %s): %s\n", run.Job, run.Status, run.AsOf.In(mustLoc(m)).Format(time.RFC3339), run.Detail)
	}
	if err != nil {
		return fmt.Errorf("job %s: %w", name, err)
	}
	if run.Status != domain.JobOK {
		return fmt.Errorf("job %s failed", name)
	}
	return nil
}

func mustLoc(m *Main) *time.Location {
	if loc, err := m.Config.Location(); err == nil {
		return loc
	}
	return time.UTC
}

// robotPolicy is the group robots' allow-list, plain-http switch and quiet hours.
func robotPolicy(c *configs.Config) (domain.RobotPolicy, error) {
	return domain.ParseRobotPolicy(c.Robots.AllowedHosts, c.Robots.AllowHTTP, c.Robots.QuietHours)
}

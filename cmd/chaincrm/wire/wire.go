// Package wire is chaincrm's composition root: the one place where the repository's
// concrete services are bound to the interfaces the API and the scheduled jobs call. The
// binary (cmd/chaincrm) and the in-process test server (api/apitest) both build their
// servers from it, so a new service is wired once and tested as it runs.
package wire

import (
	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// Files are where attachments' bytes are kept and how large one may be.
type Files struct {
	Store    domain.FileStore
	MaxBytes int64
}

// Services are the API's services on db; roles changes go through the casbin enforcer
// (repository.NewEnforcer), jobSvc is the scheduler the API's job routes drive, and files
// keep the attachments' bytes.
func Services(db *repository.DB, roles repository.RoleManager, jobSvc *jobs.Service, files Files) api.Services {
	stats := repository.NewStatsService(db)
	return api.Services{
		Projects:     repository.NewProjectService(db),
		Activities:   repository.NewActivityService(db),
		Chains:       repository.NewChainService(db),
		Enterprises:  repository.NewEnterpriseService(db),
		Campaigns:    repository.NewCampaignService(db),
		Users:        repository.NewUserService(db),
		Maps:         repository.NewMapService(db),
		Accounts:     repository.NewAccountService(db, roles),
		Audit:        repository.NewAuditService(db),
		Stats:        stats,
		Targets:      stats,
		Imports:      repository.NewImportService(db),
		Exports:      repository.NewExportService(db),
		Workflow:     repository.NewWorkflowService(db),
		Investments:  repository.NewInvestmentService(db),
		Supervisions: repository.NewSupervisionService(db),
		Jobs:         jobSvc,
		ChainEdit:    repository.NewChainEditService(db),
		Contacts:     repository.NewContactService(db),
		Attachments:  repository.NewAttachmentService(db, files.Store, files.MaxBytes),
		Throttle:     repository.NewThrottleService(db, domain.DefaultThrottlePolicy),
		Tokens:       repository.NewTokenService(db),
		Requests:     repository.NewServiceRequestService(db), // issue 15
		// Group robots (issue 16).
		Robots: repository.NewRobotService(db),
		// issue 17: economic indicators and project operations
		Indicators: repository.NewIndicatorService(db),
		Operations: repository.NewOperationsService(db),
		// issue 19: the provincial platform
		Platform:      repository.NewPlatformService(db),
		PlatformAdmin: repository.NewPlatformService(db),
		ExportJobs:    repository.NewExportJobStore(db),
		Idempotency:   repository.NewIdempotencyService(db),
	}
}

// JobStores are the scheduled jobs' stores on db, sending through mailer.
func JobStores(db *repository.DB, mailer domain.Mailer) jobs.Stores {
	return jobs.Stores{
		Runs:          repository.NewJobRunStore(db),
		Reminders:     repository.NewReminderStore(db),
		Digest:        repository.NewDigestStore(db),
		Outbox:        repository.NewOutboxStore(db),
		Mailer:        mailer,
		UserReminders: repository.NewReminderService(db),
		Settings:      repository.NewSettingsService(db),
		// issue 15: overdue service requests (published to the group robots, robot_sink.go)
		Requests: repository.NewServiceRequestService(db),
		// group robots (issue 16)
		RobotDelivery:  repository.NewRobotService(db),
		RobotSummary:   repository.NewRobotService(db),
		RobotPublisher: repository.NewRobotService(db),
		Idempotency:    repository.NewIdempotencyService(db),
	}
}

package domain

import (
	"context"
	"io"
	"time"
)

// Background exports (issue 8) are shared by every replica (issue 19): a job's state and,
// once finished, its file live in the database, so that any replica behind a load balancer
// answers for any job. The replica that runs a job keeps its goroutine and a local copy of
// the file; the others read the rows.

// ExportJobRecord is a background export as the database keeps it.
type ExportJobRecord struct {
	ID           string
	ZoneID       int64
	UserID       int64
	Status       string // running, done, failed
	FileName     string
	Rows, Total  int64
	Size         int64
	Error        string
	Instance     string // the replica running it
	CreatedAt    time.Time
	HeartbeatAt  time.Time
	EndedAt      *time.Time
	DownloadedAt *time.Time
}

// ExportJobStore keeps the background exports. A job is seen only by the user who started
// it (ENOTFOUND for anyone else).
type ExportJobStore interface {
	// CreateExportJob stores a running job unless its user has perUser jobs running (with a
	// heartbeat not before alive): then ETHROTTLED naming how many.
	CreateExportJob(ctx context.Context, j *ExportJobRecord, perUser int, alive time.Time) error
	ExportJob(ctx context.Context, id string, userID int64) (*ExportJobRecord, error)
	// ExportJobProgress records rows written at at; false when the job is gone (cancelled
	// from any replica, or swept): the runner stops.
	ExportJobProgress(ctx context.Context, id string, rows int64, at time.Time) (bool, error)
	// FinishExportJob stores the file (size bytes) and marks the job done; false when the
	// job is gone.
	FinishExportJob(ctx context.Context, id string, rows, size int64, at time.Time, file io.Reader) (bool, error)
	FailExportJob(ctx context.Context, id, message string, at time.Time) error
	// MarkExportDownloaded notes the first download (the file is kept a grace period more).
	MarkExportDownloaded(ctx context.Context, id string, at time.Time) error
	// DeleteExportJob removes a job of userID and its file; false when there was none.
	DeleteExportJob(ctx context.Context, id string, userID int64) (bool, error)
	// OpenExportFile reads a finished job's file from the database.
	OpenExportFile(ctx context.Context, id string) (io.ReadCloser, error)
	// SweepExportJobs removes finished jobs ended ttl before now or downloaded grace
	// before now, and fails running jobs whose replica gave no sign of life since stale.
	SweepExportJobs(ctx context.Context, now time.Time, ttl, grace time.Duration, stale time.Time) error
}

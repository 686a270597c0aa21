package repository

import (
	"context"
	"errors"
	"io"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ExportJobStore implements domain.ExportJobStore on export_jobs and export_chunks (schema
// 19): the background exports' state and finished files, shared by every replica.
type ExportJobStore struct{ db *DB }

// NewExportJobStore returns the export jobs' store on db.
func NewExportJobStore(db *DB) *ExportJobStore { return &ExportJobStore{db: db} }

var _ domain.ExportJobStore = (*ExportJobStore)(nil)

type exportJobRow struct {
	ID           string `gorm:"primaryKey"`
	ZoneID       int64
	UserID       int64
	Status       string
	FileName     string
	Rows         int64
	Total        int64
	Size         int64
	Error        string
	Instance     string
	Cancelled    bool
	CreatedAt    time.Time
	HeartbeatAt  time.Time
	EndedAt      *time.Time
	DownloadedAt *time.Time
}

func (exportJobRow) TableName() string { return "export_jobs" }

type exportChunkRow struct {
	JobID string `gorm:"primaryKey"`
	Seq   int    `gorm:"primaryKey;autoIncrement:false"`
	Data  []byte
}

func (exportChunkRow) TableName() string { return "export_chunks" }

// exportChunkSize keeps each chunk well under MySQL's max_allowed_packet (16 MiB by default).
const exportChunkSize = 1 << 20

const exportRunning = "running"

func (s *ExportJobStore) CreateExportJob(ctx context.Context, j *domain.ExportJobRecord, perUser int, alive time.Time) error {
	var n int64
	q := s.db.gorm.WithContext(ctx)
	if err := q.Model(&exportJobRow{}).Where("user_id = ? AND status = ? AND heartbeat_at >= ?", j.UserID, exportRunning, alive).
		Count(&n).Error; err != nil {
		return err
	}
	if perUser > 0 && int(n) >= perUser {
		return domain.Errorf(domain.ETHROTTLED, "您已有 %d 个导出任务正在进行，请等其完成后再导出 (at most %d exports at a time)", n, perUser)
	}
	return q.Create(&exportJobRow{ID: j.ID, ZoneID: j.ZoneID, UserID: j.UserID, Status: exportRunning, FileName: j.FileName,
		Total: j.Total, Instance: j.Instance, CreatedAt: j.CreatedAt.UTC(), HeartbeatAt: j.HeartbeatAt.UTC()}).Error
}

func (s *ExportJobStore) ExportJob(ctx context.Context, id string, userID int64) (*domain.ExportJobRecord, error) {
	var rows []exportJobRow
	if err := s.db.gorm.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("导出任务")
	}
	r := rows[0]
	return &domain.ExportJobRecord{ID: r.ID, ZoneID: r.ZoneID, UserID: r.UserID, Status: r.Status, FileName: r.FileName,
		Rows: r.Rows, Total: r.Total, Size: r.Size, Error: r.Error, Instance: r.Instance, CreatedAt: r.CreatedAt,
		HeartbeatAt: r.HeartbeatAt, EndedAt: r.EndedAt, DownloadedAt: r.DownloadedAt}, nil
}

// exists tells whether a job's row is still there (an UPDATE that changed nothing may
// have found it unchanged on MySQL).
func (s *ExportJobStore) exists(q *gorm.DB, id string) (bool, error) {
	var n int64
	err := q.Model(&exportJobRow{}).Where("id = ?", id).Count(&n).Error
	return n > 0, err
}

func (s *ExportJobStore) ExportJobProgress(ctx context.Context, id string, rows int64, at time.Time) (bool, error) {
	q := s.db.gorm.WithContext(ctx)
	res := q.Model(&exportJobRow{}).Where("id = ? AND status = ?", id, exportRunning).
		Updates(map[string]any{"rows": rows, "heartbeat_at": at.UTC()})
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected > 0 {
		return true, nil
	}
	return s.exists(q, id)
}

func (s *ExportJobStore) FinishExportJob(ctx context.Context, id string, rows, size int64, at time.Time, file io.Reader) (bool, error) {
	alive := true
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.conn(ctx)
		var n int64
		if err := q.Model(&exportJobRow{}).Where("id = ? AND status = ?", id, exportRunning).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			alive = false
			return nil
		}
		buf := make([]byte, exportChunkSize)
		for seq := 0; ; seq++ {
			k, err := io.ReadFull(file, buf)
			if k > 0 {
				if err := q.Create(&exportChunkRow{JobID: id, Seq: seq, Data: buf[:k]}).Error; err != nil {
					return err
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		t := at.UTC()
		return q.Model(&exportJobRow{}).Where("id = ?", id).
			Updates(map[string]any{"status": "done", "rows": rows, "total": rows, "size": size, "ended_at": &t, "heartbeat_at": t}).Error
	})
	return alive, err
}

func (s *ExportJobStore) FailExportJob(ctx context.Context, id, message string, at time.Time) error {
	t := at.UTC()
	return s.db.gorm.WithContext(ctx).Model(&exportJobRow{}).Where("id = ? AND status = ?", id, exportRunning).
		Updates(map[string]any{"status": "failed", "error": clip(message, 500), "ended_at": &t}).Error
}

func (s *ExportJobStore) MarkExportDownloaded(ctx context.Context, id string, at time.Time) error {
	t := at.UTC()
	return s.db.gorm.WithContext(ctx).Model(&exportJobRow{}).Where("id = ? AND downloaded_at IS NULL", id).
		Update("downloaded_at", &t).Error
}

func (s *ExportJobStore) DeleteExportJob(ctx context.Context, id string, userID int64) (bool, error) {
	found := false
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.conn(ctx)
		res := q.Where("id = ? AND user_id = ?", id, userID).Delete(&exportJobRow{})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		found = true
		return q.Where("job_id = ?", id).Delete(&exportChunkRow{}).Error
	})
	return found, err
}

// chunkReader reads a job's chunks one query at a time, so that a large file is never
// held in memory whole.
type chunkReader struct {
	ctx  context.Context
	s    *ExportJobStore
	id   string
	seq  int
	buf  []byte
	done bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var rows []exportChunkRow
		if err := r.s.db.gorm.WithContext(r.ctx).Where("job_id = ? AND seq = ?", r.id, r.seq).Limit(1).Find(&rows).Error; err != nil {
			return 0, err
		}
		if len(rows) == 0 {
			r.done = true
			continue
		}
		r.buf, r.seq = rows[0].Data, r.seq+1
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *chunkReader) Close() error { return nil }

func (s *ExportJobStore) OpenExportFile(ctx context.Context, id string) (io.ReadCloser, error) {
	return &chunkReader{ctx: ctx, s: s, id: id}, nil
}

func (s *ExportJobStore) SweepExportJobs(ctx context.Context, now time.Time, ttl, grace time.Duration, stale time.Time) error {
	q := s.db.gorm.WithContext(ctx)
	var ids []string
	err := q.Model(&exportJobRow{}).Where("status <> ? AND (ended_at <= ? OR downloaded_at <= ?)", exportRunning,
		now.Add(-ttl).UTC(), now.Add(-grace).UTC()).Pluck("id", &ids).Error
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.db.WithTx(ctx, func(ctx context.Context) error {
			c := s.db.conn(ctx)
			if err := c.Where("id = ?", id).Delete(&exportJobRow{}).Error; err != nil {
				return err
			}
			return c.Where("job_id = ?", id).Delete(&exportChunkRow{}).Error
		}); err != nil {
			return err
		}
	}
	t := now.UTC()
	return q.Model(&exportJobRow{}).Where("status = ? AND heartbeat_at < ?", exportRunning, stale.UTC()).
		Updates(map[string]any{"status": "failed", "error": "导出中断（服务重启），请重新导出 (interrupted)", "ended_at": &t}).Error
}

package repository

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// AttachmentService implements domain.AttachmentService: attachment rows here, bytes in a
// domain.FileStore. An attachment is visible exactly to those who see its parent — the
// project (project scope) or the enterprise (enterprise scope, and not to agents, who read
// no enterprises) — else ENOTFOUND. Uploading needs the right to log activities on the
// project, or to edit the enterprise; deleting is soft, by the uploader, the project's
// owner or an administrator, in the parent's history and the audit log.
type AttachmentService struct {
	db       *DB
	store    domain.FileStore
	maxBytes int64
}

// NewAttachmentService returns the attachment service on db and store; uploads larger than
// maxBytes are refused.
func NewAttachmentService(db *DB, store domain.FileStore, maxBytes int64) *AttachmentService {
	return &AttachmentService{db: db, store: store, maxBytes: maxBytes}
}

var _ domain.AttachmentService = (*AttachmentService)(nil)

func attachmentObject(id int64) string { return fmt.Sprintf("attachment/%d", id) }

// canReadEnterprises: every role but an outside agent reads the 客商库 (casbin gives agents
// no enterprise/read).
func canReadEnterprises(a *domain.Actor) bool {
	if a == nil || a.User == nil {
		return false
	}
	for _, r := range a.User.Roles {
		if r != domain.RoleAgent {
			return true
		}
	}
	return false
}

// parent checks that the caller sees parent; with write, also that they may attach to it.
// It returns the project (nil for an enterprise) and the zone.
func (s *AttachmentService) parent(ctx context.Context, parent domain.AttachmentParent, write bool) (*domain.Project, int64, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	if parent.ProjectID != 0 {
		p, err := NewProjectService(s.db).load(ctx, parent.ProjectID, false)
		if err != nil {
			return nil, 0, err
		}
		if write && !domain.CanAttach(a, p) {
			return nil, 0, forbidden("为该项目上传附件")
		}
		return p, p.ZoneID, nil
	}
	if !canReadEnterprises(a) {
		return nil, 0, domain.NotFound("企业")
	}
	e, err := (&EnterpriseService{db: s.db}).visible(ctx, parent.EnterpriseID, false)
	if err != nil {
		return nil, 0, err
	}
	if write && !domain.CanEditEnterprise(a) {
		return nil, 0, forbidden("为该企业上传附件")
	}
	return nil, e.ZoneID, nil
}

// CheckUpload: see domain.AttachmentService.
func (s *AttachmentService) CheckUpload(ctx context.Context, parent domain.AttachmentParent) error {
	_, _, err := s.parent(ctx, parent, true)
	return err
}

// Stage streams an upload into the store.
func (s *AttachmentService) Stage(ctx context.Context, r io.Reader) (domain.StagedFile, error) {
	return s.store.Stage(ctx, r, s.maxBytes)
}

// CreateAttachment records f on parent and commits it to the store, or discards it.
func (s *AttachmentService) CreateAttachment(ctx context.Context, parent domain.AttachmentParent, in domain.AttachmentInput, f domain.StagedFile) (*domain.Attachment, error) {
	defer f.Discard() // a no-op once committed
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(f.ContentType()); err != nil {
		return nil, err
	}
	existed, err := s.store.Exists(ctx, f.SHA256())
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, zoneID, err := s.parent(ctx, parent, true)
		if err != nil {
			return err
		}
		row := &attachmentRow{ZoneID: zoneID, Name: in.Name, Title: in.Title, Size: f.Size(), ContentType: f.ContentType(),
			SHA256: f.SHA256(), UploadedByID: a.User.ID, CreatedAt: s.db.now()}
		if p != nil {
			row.ProjectID = &p.ID
			if in.ActivityID != nil {
				var n int64
				if err := s.db.conn(ctx).Model(&activityRow{}).Where("id = ? AND project_id = ? AND deleted_at IS NULL", *in.ActivityID, p.ID).
					Count(&n).Error; err != nil {
					return err
				}
				if n == 0 {
					return &domain.Error{Code: domain.EINVALID, Message: "走访记录不属于该项目 (activity_id is not an activity of this project)",
						Fields: map[string]string{"activity_id": "不是该项目的走访记录 (not an activity of this project)"}}
				}
				row.ActivityID = in.ActivityID
			}
		} else {
			if in.ActivityID != nil {
				return &domain.Error{Code: domain.EINVALID, Message: "企业附件不能关联走访记录 (activity_id is for project attachments)",
					Fields: map[string]string{"activity_id": "企业附件不能关联走访记录 (only on project attachments)"}}
			}
			row.EnterpriseID = &parent.EnterpriseID
		}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		id = row.ID
		label := in.Name
		if p != nil {
			obj := attachmentObject(row.ID)
			if row.ActivityID != nil {
				label = fmt.Sprintf("%s（%s）", in.Name, activityObject(*row.ActivityID))
			}
			if err := s.db.historyOf(ctx, a, zoneID, p.ID, obj, "attachment_added", "attachment", "", label); err != nil {
				return err
			}
		} else if err := s.db.enterpriseHistory(ctx, zoneID, parent.EnterpriseID, domain.EnterpriseFileAdded, attachmentObject(row.ID), "attachment", "", label); err != nil {
			return err
		}
		// last: the bytes reach their address only with the row that names them
		return s.store.Commit(ctx, f)
	})
	if err != nil {
		if !existed {
			s.dropIfOrphan(ctx, f.SHA256())
		}
		return nil, err
	}
	return s.FindAttachment(ctx, id)
}

// dropIfOrphan removes a stored file no row names (after a transaction that committed the
// file failed to commit its row).
func (s *AttachmentService) dropIfOrphan(ctx context.Context, sum string) {
	var n int64
	if err := s.db.conn(context.WithoutCancel(ctx)).Model(&attachmentRow{}).Where("sha256 = ?", sum).Count(&n).Error; err != nil || n > 0 {
		return
	}
	if ok, _ := s.store.Exists(ctx, sum); ok {
		if err := s.store.Remove(ctx, sum); err != nil {
			slog.WarnContext(ctx, "attachment: orphan file left", "sha256", sum, "err", err)
		}
	}
}

type attachmentView struct {
	Row      attachmentRow `gorm:"embedded"`
	Uploader string
}

func (s *AttachmentService) rows(ctx context.Context, where string, args ...any) ([]*domain.Attachment, error) {
	var rows []attachmentView
	err := s.db.conn(ctx).Table("attachments AS t").Select("t.*, u.username AS uploader").Joins("JOIN users u ON u.id = t.uploaded_by_id").
		Where(where, args...).Where("t.deleted_at IS NULL").Order("t.created_at DESC, t.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Attachment, len(rows))
	for i, v := range rows {
		r := v.Row
		out[i] = &domain.Attachment{ID: r.ID, ZoneID: r.ZoneID, ProjectID: r.ProjectID, EnterpriseID: r.EnterpriseID,
			ActivityID: r.ActivityID, Name: r.Name, Title: r.Title, Size: r.Size, ContentType: r.ContentType, SHA256: r.SHA256,
			UploadedByID: r.UploadedByID, UploadedBy: v.Uploader, UploadedAt: r.CreatedAt.UTC(), Thumbnail: domain.IsImageType(r.ContentType)}
	}
	return out, nil
}

// FindAttachments lists a visible parent's attachments, newest first.
func (s *AttachmentService) FindAttachments(ctx context.Context, parent domain.AttachmentParent) ([]*domain.Attachment, error) {
	if _, _, err := s.parent(ctx, parent, false); err != nil {
		return nil, err
	}
	if parent.ProjectID != 0 {
		return s.rows(ctx, "t.project_id = ?", parent.ProjectID)
	}
	return s.rows(ctx, "t.enterprise_id = ?", parent.EnterpriseID)
}

// FindAttachment returns an attachment whose parent the caller sees.
func (s *AttachmentService) FindAttachment(ctx context.Context, id int64) (*domain.Attachment, error) {
	list, err := s.rows(ctx, "t.id = ? AND t.zone_id = ?", id, zoneOf(ctx))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, domain.NotFound("附件")
	}
	att := list[0]
	parent := domain.AttachmentParent{}
	if att.ProjectID != nil {
		parent.ProjectID = *att.ProjectID
	} else if att.EnterpriseID != nil {
		parent.EnterpriseID = *att.EnterpriseID
	}
	if _, _, err := s.parent(ctx, parent, false); domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.NotFound("附件")
	} else if err != nil {
		return nil, err
	}
	return att, nil
}

// Open returns a visible attachment with its bytes.
func (s *AttachmentService) Open(ctx context.Context, id int64) (*domain.Attachment, domain.ReadSeekCloser, error) {
	att, err := s.FindAttachment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.store.Open(ctx, att.SHA256)
	return att, f, err
}

// Thumbnail returns a visible image attachment's thumbnail.
func (s *AttachmentService) Thumbnail(ctx context.Context, id int64) (*domain.Attachment, domain.ReadSeekCloser, string, error) {
	att, err := s.FindAttachment(ctx, id)
	if err != nil {
		return nil, nil, "", err
	}
	f, ctype, err := s.store.Thumbnail(ctx, att.SHA256, att.ContentType)
	return att, f, ctype, err
}

// DeleteAttachment soft-deletes a visible attachment.
func (s *AttachmentService) DeleteAttachment(ctx context.Context, id int64) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		att, err := s.FindAttachment(ctx, id)
		if err != nil {
			return err
		}
		var owner int64
		if att.ProjectID != nil {
			p, err := NewProjectService(s.db).load(ctx, *att.ProjectID, false)
			if err != nil {
				return err
			}
			owner = p.OwnerID
		}
		if !domain.CanDeleteAttachment(a, att, owner) {
			return forbidden("删除该附件（上传人、项目负责人或管理员可以删除）")
		}
		now := s.db.now()
		res := s.db.conn(ctx).Model(&attachmentRow{}).Where("id = ? AND deleted_at IS NULL", id).
			Updates(map[string]any{"deleted_at": now, "deleted_by_id": a.User.ID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.NotFound("附件")
		}
		if att.ProjectID != nil {
			if err := s.db.historyOf(ctx, a, att.ZoneID, *att.ProjectID, attachmentObject(id), "attachment_deleted", "attachment", att.Name, ""); err != nil {
				return err
			}
		} else if err := s.db.enterpriseHistory(ctx, att.ZoneID, *att.EnterpriseID, domain.EnterpriseFileRemoved, attachmentObject(id), "attachment", att.Name, ""); err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: "attachment_deleted", Object: attachmentObject(id),
			Detail: auditDetail(map[string]any{"name": att.Name, "sha256": att.SHA256, "size": att.Size, "uploaded_by": att.UploadedBy,
				"project_id": att.ProjectID, "enterprise_id": att.EnterpriseID})})
	})
}

package domain

import (
	"context"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
)

// Attachments (附件) on projects, their activities and enterprises: the signed agreement,
// the risk file, a business card, a site photo. The database keeps only the metadata; the
// bytes live in a FileStore under their SHA-256 (content-addressed), so one file uploaded
// twice is stored once. An attachment is visible exactly to those who see its project or
// enterprise; deleting one is soft (the row is kept with deleted_at and audited).

// Attachment is the metadata of one uploaded file.
type Attachment struct {
	ID           int64     `json:"id"`
	ZoneID       int64     `json:"-"`
	ProjectID    *int64    `json:"project_id"`
	EnterpriseID *int64    `json:"enterprise_id"`
	ActivityID   *int64    `json:"activity_id"`
	Name         string    `json:"name"`  // the display name, sanitised
	Title        string    `json:"title"` // an optional caption
	Size         int64     `json:"size"`
	ContentType  string    `json:"content_type"`
	SHA256       string    `json:"sha256"`
	UploadedByID int64     `json:"-"`
	UploadedBy   string    `json:"uploaded_by"`
	UploadedAt   time.Time `json:"uploaded_at"`
	Thumbnail    bool      `json:"thumbnail"` // GET …/thumbnail answers (an image)
}

// AttachmentParent names what an attachment hangs on: a project (and optionally one of its
// activities) or an enterprise.
type AttachmentParent struct {
	ProjectID    int64
	EnterpriseID int64
}

// AttachmentInput is an upload's form fields beside the file.
type AttachmentInput struct {
	Name       string // the file name the client sent
	Title      string
	ActivityID *int64
}

// Validate sanitises the name (SafeFileName) and checks the title.
func (in *AttachmentInput) Validate(contentType string) error {
	fe := FieldErrors{}
	in.Name = SafeFileName(in.Name, contentType)
	in.Title = strings.TrimSpace(in.Title)
	checkText(fe, "title", in.Title, MaxNameLen, false)
	CheckText(fe, "title", in.Title)
	return fe.Err()
}

// SafeFileName keeps only the last element of a client's file name (no directories, no
// "..", no control or bidi characters), shortens it to 120 characters and gives it the
// extension of its sniffed type when its own does not match: "../../etc/passwd.pdf" is
// stored as "passwd.pdf", a nameless photo as "附件.jpg".
func SafeFileName(name, contentType string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '\uFEFF':
		case strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Trim(strings.TrimSpace(b.String()), ".")
	if name == "" || name == "_" {
		name = "附件"
	}
	ext := TypeExtension[contentType]
	lower := strings.ToLower(name)
	if ext != "" && !strings.HasSuffix(lower, ext) && !(ext == ".jpg" && strings.HasSuffix(lower, ".jpeg")) &&
		!(ext == ".txt" && (strings.HasSuffix(lower, ".csv") || strings.HasSuffix(lower, ".md"))) {
		name += ext
	}
	if r := []rune(name); len(r) > 120 {
		keep := []rune(ext)
		name = string(r[:120-len(keep)]) + string(keep)
	}
	return name
}

// StagedFile is an upload streamed to the store's staging area and hashed on the way; it
// is not visible until an attachment row names it. Discard removes it (a no-op after it was
// committed).
type StagedFile interface {
	SHA256() string
	Size() int64
	ContentType() string
	Discard() error
}

// FileStore keeps the bytes of attachments under content addresses (like gitea's
// modules/storage: a local directory by default, an object store later).
type FileStore interface {
	// Stage streams r into a staging file, hashing it, and judges its type by content:
	// more than max bytes is ETOOLARGE, an unaccepted type EUNSUPPORTED; either way nothing stays.
	Stage(ctx context.Context, r io.Reader, max int64) (StagedFile, error)
	// Commit moves a staged file to its content address (nothing to do if the same bytes
	// are stored already).
	Commit(ctx context.Context, f StagedFile) error
	// Open reads a stored file.
	Open(ctx context.Context, sha256 string) (ReadSeekCloser, error)
	// Exists reports whether a file is stored (used to clean up after a failed commit).
	Exists(ctx context.Context, sha256 string) (bool, error)
	// Remove deletes a stored file.
	Remove(ctx context.Context, sha256 string) error
	// Thumbnail returns the cached thumbnail of an image (made on first request): JPEG, or
	// PNG for images with transparency, the longest side at most 320 px, EXIF orientation
	// applied. ENOTFOUND when the file is no image that can be thumbnailed.
	Thumbnail(ctx context.Context, sha256, contentType string) (ReadSeekCloser, string, error)
}

// ReadSeekCloser is a stored file opened for serving (http.ServeContent seeks).
type ReadSeekCloser interface {
	io.ReadSeeker
	io.Closer
}

// ThumbnailMaxSide is the longest side of a thumbnail, in pixels.
const ThumbnailMaxSide = 320

// AttachmentService manages attachments' metadata on top of a FileStore.
type AttachmentService interface {
	// CheckUpload says, before the file is read, whether the caller may attach to parent:
	// ENOTFOUND outside their scope, EFORBIDDEN when they see it but may not attach.
	CheckUpload(ctx context.Context, parent AttachmentParent) error
	// Stage streams an upload to the store (see FileStore.Stage) with the configured limit.
	Stage(ctx context.Context, r io.Reader) (StagedFile, error)
	// CreateAttachment records a staged file on parent and commits it; on any error the
	// staged file is discarded and nothing is written.
	CreateAttachment(ctx context.Context, parent AttachmentParent, in AttachmentInput, f StagedFile) (*Attachment, error)
	FindAttachments(ctx context.Context, parent AttachmentParent) ([]*Attachment, error)
	FindAttachment(ctx context.Context, id int64) (*Attachment, error)
	// Open returns the bytes of a visible attachment.
	Open(ctx context.Context, id int64) (*Attachment, ReadSeekCloser, error)
	// Thumbnail returns a visible image attachment's thumbnail and its content type.
	Thumbnail(ctx context.Context, id int64) (*Attachment, ReadSeekCloser, string, error)
	// DeleteAttachment soft-deletes: its uploader, the project's owner or an administrator.
	DeleteAttachment(ctx context.Context, id int64) error
}

// CanAttach: whoever may log activities on the project (recruiters, the director,
// administrators, an agent on what they submitted).
func CanAttach(a *Actor, p *Project) bool { return CanLogActivity(a, p) }

// CanDeleteAttachment: the uploader, the owner of the attachment's project, an
// administrator.
func CanDeleteAttachment(a *Actor, att *Attachment, projectOwnerID int64) bool {
	if a == nil || a.User == nil {
		return false
	}
	return IsAdmin(a) || att.UploadedByID == a.User.ID || (att.ProjectID != nil && projectOwnerID == a.User.ID)
}

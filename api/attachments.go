package api

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// attachmentRoutes: files on projects (and their activities) and on enterprises. Uploads
// are multipart (file, title, activity_id), streamed part by part to the file store — the
// request is never held in memory — after the parent has been checked, so a caller who may
// not attach never gets a byte stored. casbin: attachment/read and attachment/create for
// project files (the project scope and CanAttach decide the row), enterprise/read and
// enterprise/update for enterprise files, attachment/delete with the uploader / owner /
// admin rule.
func (s *Server) attachmentRoutes() []route {
	limit := s.opts.AttachmentMaxBytes + uploadSlack
	refused := []int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType}
	return []route{
		{Method: http.MethodPost, Path: v1 + "/projects/:id/attachments", Obj: "attachment", Act: "create", Upload: true, MaxBytes: limit,
			Summary: "Attach a file to a project (multipart: file, title?, activity_id?): type by content (PDF, JPEG, PNG, WebP, docx/xlsx/pptx, text) else 415; over the limit 413",
			Body:    attachmentForm{}, Out: domain.Attachment{}, Status: http.StatusCreated, Errors: refused, Handler: s.uploadAttachment(false)},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/attachments", Obj: "attachment", Act: "read", Summary: "A project's attachments, newest first",
			Out: itemList[*domain.Attachment]{}, Handler: s.listAttachments(false)},
		{Method: http.MethodPost, Path: v1 + "/enterprises/:id/attachments", Obj: "enterprise", Act: "update", Upload: true, MaxBytes: limit,
			Summary: "Attach a file to an enterprise (multipart: file, title?)",
			Body:    enterpriseAttachmentForm{}, Out: domain.Attachment{}, Status: http.StatusCreated, Errors: refused, Handler: s.uploadAttachment(true)},
		{Method: http.MethodGet, Path: v1 + "/enterprises/:id/attachments", Obj: "enterprise", Act: "read", Summary: "An enterprise's attachments, newest first",
			Out: itemList[*domain.Attachment]{}, Handler: s.listAttachments(true)},
		{Method: http.MethodGet, Path: v1 + "/attachments/:id", Obj: "attachment", Act: "read", Summary: "The file as uploaded (Content-Disposition: attachment; filename*=UTF-8''…; X-Content-Type-Options: nosniff)",
			Files: attachmentTypes, Handler: s.downloadAttachment},
		{Method: http.MethodGet, Path: v1 + "/attachments/:id/thumbnail", Obj: "attachment", Act: "read", Summary: "An image's thumbnail: JPEG or PNG, longest side ≤ 320 px, upright (404 for a file that is no image)",
			Files: []string{domain.TypeJPEG, domain.TypePNG}, Handler: s.attachmentThumbnail},
		{Method: http.MethodDelete, Path: v1 + "/attachments/:id", Obj: "attachment", Act: "delete", Summary: "Delete an attachment (soft, audited): its uploader, the project's owner or an administrator",
			Status: http.StatusNoContent, Handler: s.deleteAttachment},
	}
}

// attachmentTypes are the media types a stored file is served as.
var attachmentTypes = []string{domain.TypePDF, domain.TypeJPEG, domain.TypePNG, domain.TypeWebP, domain.TypeDOCX, domain.TypeXLSX,
	domain.TypePPTX, "text/plain"}

// attachmentForm is the multipart form of a project attachment.
type attachmentForm struct {
	File       multipart.File `formData:"file" required:"true" description:"the file: PDF, JPEG, PNG, WebP, docx, xlsx, pptx or UTF-8 text, judged by content"`
	Title      string         `formData:"title" maxLength:"200" description:"a caption"`
	ActivityID int64          `formData:"activity_id" minimum:"1" description:"the activity (visit) of this project the file belongs to"`
}

// enterpriseAttachmentForm is the multipart form of an enterprise attachment.
type enterpriseAttachmentForm struct {
	File  multipart.File `formData:"file" required:"true" description:"the file: PDF, JPEG, PNG, WebP, docx, xlsx, pptx or UTF-8 text, judged by content"`
	Title string         `formData:"title" maxLength:"200" description:"a caption"`
}

// uploadSlack is what a multipart body may carry beyond the file itself (boundaries,
// headers, the title).
const uploadSlack = 64 << 10

func parentOf(enterprise bool, id int64) domain.AttachmentParent {
	if enterprise {
		return domain.AttachmentParent{EnterpriseID: id}
	}
	return domain.AttachmentParent{ProjectID: id}
}

func (s *Server) uploadAttachment(enterprise bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		parent := parentOf(enterprise, id)
		if err := s.svc.Attachments.CheckUpload(ctx, parent); err != nil {
			Abort(c, err)
			return
		}
		mr, err := c.Request.MultipartReader()
		if err != nil {
			Abort(c, &domain.Error{Code: domain.EINVALID, Message: "请以 multipart/form-data 上传文件，字段名 file (expected a multipart form with a file)",
				Fields: map[string]string{"file": "必填 (required)"}})
			return
		}
		var staged domain.StagedFile
		defer func() {
			if staged != nil {
				staged.Discard()
			}
		}()
		var in domain.AttachmentInput
		fe := domain.FieldErrors{}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					Abort(c, domain.Errorf(domain.ETOOLARGE, "文件过大，最大 %d MB (file too large)", s.opts.AttachmentMaxBytes>>20))
				} else {
					Abort(c, domain.Errorf(domain.EINVALID, "上传内容无法读取 (malformed multipart body)"))
				}
				return
			}
			switch part.FormName() {
			case "file":
				if staged != nil {
					fe.Add("file", "一次只能上传一个文件 (one file per request)")
					continue
				}
				in.Name = part.FileName()
				if staged, err = s.svc.Attachments.Stage(ctx, part); err != nil {
					Abort(c, err)
					return
				}
			case "title", "activity_id":
				b, err := io.ReadAll(io.LimitReader(part, 4<<10))
				if err != nil {
					Abort(c, err)
					return
				}
				v := strings.TrimSpace(string(b))
				if part.FormName() == "title" {
					in.Title = v
				} else if v != "" {
					n, err := strconv.ParseInt(v, 10, 64)
					if err != nil || n < 1 {
						fe.Add("activity_id", "应为走访记录的编号 (must be an activity id)")
					} else {
						in.ActivityID = &n
					}
				}
			default:
				io.Copy(io.Discard, io.LimitReader(part, 1<<20))
			}
			part.Close()
		}
		if staged == nil {
			fe.Add("file", "请选择要上传的文件 (required)")
		}
		if err := fe.Err(); err != nil {
			Abort(c, err)
			return
		}
		f := staged
		staged = nil // CreateAttachment commits or discards it
		att, err := s.svc.Attachments.CreateAttachment(ctx, parent, in, f)
		if err != nil {
			Abort(c, err)
			return
		}
		c.Header("Location", "/api/v1/attachments/"+strconv.FormatInt(att.ID, 10))
		c.JSON(http.StatusCreated, att)
	}
}

func (s *Server) listAttachments(enterprise bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c)
		if !ok {
			return
		}
		items, err := s.svc.Attachments.FindAttachments(c.Request.Context(), parentOf(enterprise, id))
		if err != nil {
			Abort(c, err)
			return
		}
		c.JSON(http.StatusOK, listOf(items))
	}
}

// serveFile answers with f: the headers a stored file needs so that no browser renders or
// sniffs what another user uploaded.
func serveFile(c *gin.Context, f domain.ReadSeekCloser, name, ctype, etag string, download bool) {
	defer f.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	h.Set("ETag", `"`+etag+`"`)
	if download {
		h.Set("Content-Disposition", spreadsheet.ContentDispositionUTF8(name))
	} else {
		h.Set("Content-Disposition", "inline")
	}
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, f)
}

func (s *Server) downloadAttachment(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	att, f, err := s.svc.Attachments.Open(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	serveFile(c, f, att.Name, att.ContentType, att.SHA256, true)
}

func (s *Server) attachmentThumbnail(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	att, f, ctype, err := s.svc.Attachments.Thumbnail(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	serveFile(c, f, att.Name, ctype, att.SHA256+"-thumb", false)
}

func (s *Server) deleteAttachment(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	if err := s.svc.Attachments.DeleteAttachment(c.Request.Context(), id); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

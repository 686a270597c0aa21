package api_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// testJPEG is a w×h photo, red on its left half and blue on its right, with an EXIF
// orientation tag when orientation > 0 (6: the camera was turned 90° clockwise).
func testJPEG(w, h, orientation int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	b := buf.Bytes()
	if orientation == 0 {
		return b
	}
	// APP1 Exif: a little-endian TIFF header and one IFD entry, Orientation (0x0112) SHORT.
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	binary.Write(&tiff, binary.LittleEndian, uint32(8))
	binary.Write(&tiff, binary.LittleEndian, uint16(1))
	binary.Write(&tiff, binary.LittleEndian, []uint16{0x0112, 3})
	binary.Write(&tiff, binary.LittleEndian, uint32(1))
	binary.Write(&tiff, binary.LittleEndian, []uint16{uint16(orientation), 0})
	binary.Write(&tiff, binary.LittleEndian, uint32(0))
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, b[:2]...) // SOI
	out = append(out, app1...)
	out = append(out, payload...)
	return append(out, b[2:]...)
}

func uploadFile(t *testing.T, e *apitest.Env, user, path string, m apitest.Multipart) *apitest.Response {
	t.Helper()
	return e.As(user, http.MethodPost, path, m)
}

// storedFiles lists the files under the store's directory (staging included).
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return out
}

func TestAttachmentUploadAndDownload(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("附件测试项目"))
		base := fmt.Sprintf("/api/v1/projects/%v/attachments", p["id"])
		pdf := []byte("%PDF-1.7\n" + strings.Repeat("协议条款 ", 200))
		r := uploadFile(t, e, "recruiter1", base, apitest.Multipart{FileName: "投资合作协议（签字版）.pdf", File: pdf, Fields: map[string]string{"title": "正式协议"}})
		expect(t, r, http.StatusCreated, "upload")
		att := r.Map(t)
		for _, k := range []string{"id", "name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at"} {
			if _, ok := att[k]; !ok {
				t.Errorf("attachment lacks %q: %v", k, att)
			}
		}
		if att["name"] != "投资合作协议（签字版）.pdf" || att["content_type"] != "application/pdf" || att["size"] != float64(len(pdf)) ||
			att["uploaded_by"] != "recruiter1" || att["title"] != "正式协议" {
			t.Errorf("attachment = %v", att)
		}
		// a chain chief of the chain reads it
		d := e.As("chief_food", http.MethodGet, fmt.Sprintf("/api/v1/attachments/%v", att["id"]), nil)
		expect(t, d, http.StatusOK, "download")
		if !bytes.Equal(d.Body, pdf) {
			t.Errorf("downloaded %d bytes, want the %d uploaded", len(d.Body), len(pdf))
		}
		cd := d.Header.Get("Content-Disposition")
		if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''"+strings.ReplaceAll(url.PathEscape("投资合作协议（签字版）.pdf"), "%28", "(")) &&
			!strings.Contains(cd, "filename*=UTF-8''%E6%8A%95%E8%B5%84") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		if d.Header.Get("X-Content-Type-Options") != "nosniff" || d.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("headers %v", d.Header)
		}
		// an ASCII name carries filename* too
		r = uploadFile(t, e, "recruiter1", base, apitest.Multipart{FileName: "notes.txt", File: []byte("meeting notes\n")})
		expect(t, r, http.StatusCreated, "upload text")
		d = e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/attachments/%v", r.Map(t)["id"]), nil)
		if cd := d.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''notes.txt") {
			t.Errorf("ASCII Content-Disposition = %q", cd)
		}
		var l listBody
		e.As("viewer", http.MethodGet, base, nil).JSON(t, &l)
		if l.Total != 2 || l.Items[0]["name"] != "notes.txt" {
			t.Errorf("list = %+v", l)
		}
		// the history names it
		var hist []map[string]any
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/projects/%v/history", p["id"]), nil).JSON(t, &hist)
		found := false
		for _, h := range hist {
			found = found || (h["action"] == "attachment_added" && h["to"] == "投资合作协议（签字版）.pdf")
		}
		if !found {
			t.Errorf("history lacks the attachment: %v", hist)
		}
	})
}

// TestAttachmentRefusals: every refusal leaves nothing behind, neither a row nor a file.
func TestAttachmentRefusals(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("附件拒绝测试"))
		base := fmt.Sprintf("/api/v1/projects/%v/attachments", p["id"])
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), bytes.Repeat([]byte{0, 0xff, 0x10}, 500)...)
		for _, c := range []struct {
			name   string
			body   apitest.Multipart
			status int
			field  string
		}{
			{"an executable renamed .pdf", apitest.Multipart{FileName: "协议.pdf", File: exe}, http.StatusUnsupportedMediaType, "file"},
			{"an SVG", apitest.Multipart{FileName: "logo.svg", File: []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)}, http.StatusUnsupportedMediaType, "file"},
			{"one byte over the limit", apitest.Multipart{FileName: "big.txt", File: bytes.Repeat([]byte("a"), apitest.AttachmentMaxBytes+1)}, http.StatusRequestEntityTooLarge, ""},
			{"no file", apitest.Multipart{FileField: "-", Fields: map[string]string{"title": "x"}}, http.StatusBadRequest, "file"},
			{"an activity of another project", apitest.Multipart{FileName: "a.txt", File: []byte("x"), Fields: map[string]string{"activity_id": "999999"}}, http.StatusBadRequest, "activity_id"},
			{"a malformed activity", apitest.Multipart{FileName: "a.txt", File: []byte("x"), Fields: map[string]string{"activity_id": "abc"}}, http.StatusBadRequest, "activity_id"},
		} {
			r := uploadFile(t, e, "recruiter1", base, c.body)
			if r.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
				continue
			}
			var b struct {
				Error struct {
					Fields map[string]string
				}
			}
			r.JSON(t, &b)
			if c.field != "" && b.Error.Fields[c.field] == "" {
				t.Errorf("%s: fields %v lack %q", c.name, b.Error.Fields, c.field)
			}
		}
		// a JSON body is no upload
		if r := e.As("recruiter1", http.MethodPost, base, map[string]any{"file": "x"}); r.Status != http.StatusBadRequest {
			t.Errorf("JSON body: %d %s", r.Status, r.Body)
		}
		// a viewer may not upload (casbin), a chain chief neither; nothing is read or kept
		if r := uploadFile(t, e, "viewer", base, apitest.Multipart{FileName: "a.txt", File: []byte("x")}); r.Status != http.StatusForbidden {
			t.Errorf("viewer: %d", r.Status)
		}
		var l listBody
		e.As("admin", http.MethodGet, base, nil).JSON(t, &l)
		if l.Total != 0 {
			t.Errorf("refused uploads left rows: %+v", l.Items)
		}
		if files := storedFiles(t, e.FilesDir); len(files) != 0 {
			t.Errorf("refused uploads left files: %v", files)
		}
		// a path in the name is cut to its last element
		r := uploadFile(t, e, "recruiter1", base, apitest.Multipart{FileName: "../../../../etc/passwd", File: []byte("root:x:0:0\n")})
		expect(t, r, http.StatusCreated, "path in name")
		if name := r.Map(t)["name"]; name != "passwd.txt" {
			t.Errorf("stored name %q", name)
		}
		for _, f := range storedFiles(t, e.FilesDir) {
			if strings.Contains(f, "passwd") {
				t.Errorf("the client's name reached the store: %s", f)
			}
		}
	})
}

// TestAttachmentThumbnail: a photo taken with the phone turned (EXIF orientation 6) gets an
// upright thumbnail no larger than 320 px; a PNG's thumbnail is a PNG; a PDF has none.
func TestAttachmentThumbnail(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("缩略图测试"))
		base := fmt.Sprintf("/api/v1/projects/%v/attachments", p["id"])
		r := uploadFile(t, e, "recruiter1", base, apitest.Multipart{FileName: "现场.jpg", File: testJPEG(800, 400, 6)})
		expect(t, r, http.StatusCreated, "upload photo")
		id := r.Map(t)["id"]
		for round := 0; round < 2; round++ { // made, then read from the cache
			th := e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/attachments/%v/thumbnail", id), nil)
			expect(t, th, http.StatusOK, "thumbnail")
			if th.Header.Get("Content-Type") != "image/jpeg" || th.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("thumbnail headers %v", th.Header)
			}
			img, err := jpeg.Decode(bytes.NewReader(th.Body))
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			// 800×400 turned 90° clockwise is 400×800; fitted into 320: 160×320
			if b.Dx() != 160 || b.Dy() != 320 {
				t.Fatalf("thumbnail %dx%d, want 160x320 (upright)", b.Dx(), b.Dy())
			}
			// red was on the left; after turning clockwise it is on top
			top, bottom := img.At(80, 20), img.At(80, 300)
			if r, _, bl, _ := top.RGBA(); r < bl {
				t.Errorf("top of the thumbnail is not red: %v", top)
			}
			if r, _, bl, _ := bottom.RGBA(); bl < r {
				t.Errorf("bottom of the thumbnail is not blue: %v", bottom)
			}
		}
		var pngBuf bytes.Buffer
		png.Encode(&pngBuf, image.NewNRGBA(image.Rect(0, 0, 100, 50)))
		r = uploadFile(t, e, "recruiter1", base, apitest.Multipart{FileName: "图.png", File: pngBuf.Bytes()})
		expect(t, r, http.StatusCreated, "upload png")
		th := e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/attachments/%v/thumbnail", r.Map(t)["id"]), nil)
		expect(t, th, http.StatusOK, "png thumbnail")
		if cfg, err := png.DecodeConfig(bytes.NewReader(th.Body)); err != nil || cfg.Width != 100 || cfg.Height != 50 {
			t.Errorf("png thumbnail %+v %v (a small image keeps its size)", cfg, err)
		}
		r = uploadFile(t, e, "recruiter1", base, apitest.Multipart{FileName: "a.pdf", File: []byte("%PDF-1.4\n")})
		if th := e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/attachments/%v/thumbnail", r.Map(t)["id"]), nil); th.Status != http.StatusNotFound {
			t.Errorf("a PDF's thumbnail: %d", th.Status)
		}
	})
}

// TestAttachmentOnVisitAndDelete: a photo on a visit names the activity; deleting it is
// soft, audited, and the uploader's, the owner's or an admin's.
func TestAttachmentOnVisitAndDelete(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("走访照片测试"))
		act := e.As("recruiter2", http.MethodPost, fmt.Sprintf("/api/v1/projects/%v/activities", p["id"]), activityBody())
		expect(t, act, http.StatusCreated, "visit")
		aid := act.Map(t)["id"]
		base := fmt.Sprintf("/api/v1/projects/%v/attachments", p["id"])
		r := uploadFile(t, e, "recruiter2", base, apitest.Multipart{FileName: "1.jpg", File: testJPEG(64, 48, 0), Fields: map[string]string{"activity_id": fmt.Sprint(aid)}})
		expect(t, r, http.StatusCreated, "photo on the visit")
		att := r.Map(t)
		if att["activity_id"] != aid {
			t.Errorf("activity_id = %v, want %v", att["activity_id"], aid)
		}
		path := fmt.Sprintf("/api/v1/attachments/%v", att["id"])
		if r := e.As("director", http.MethodDelete, path, nil); r.Status != http.StatusForbidden {
			t.Errorf("director (neither uploader nor owner): %d", r.Status)
		}
		expect(t, e.As("recruiter2", http.MethodDelete, path, nil), http.StatusNoContent, "uploader deletes")
		if r := e.As("recruiter2", http.MethodGet, path, nil); r.Status != http.StatusNotFound {
			t.Errorf("deleted attachment: %d", r.Status)
		}
		var audit listBody
		e.As("admin", http.MethodGet, "/api/v1/audit?action=attachment_deleted", nil).JSON(t, &audit)
		if audit.Total != 1 || audit.Items[0]["actor"] != "recruiter2" {
			t.Errorf("audit = %+v", audit)
		}
		// the file stays for recovery (soft delete)
		if len(storedFiles(t, e.FilesDir)) == 0 {
			t.Error("soft delete removed the file")
		}
		// the project's owner deletes another's upload
		r = uploadFile(t, e, "recruiter2", base, apitest.Multipart{FileName: "2.jpg", File: testJPEG(64, 48, 0)})
		expect(t, e.As("recruiter1", http.MethodDelete, fmt.Sprintf("/api/v1/attachments/%v", r.Map(t)["id"]), nil), http.StatusNoContent, "owner deletes")
	})
}

// TestAttachmentsSurviveRestart: files written by one server are read by the next one on
// the same database and files directory.
func TestAttachmentsSurviveRestart(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("重启测试"))
		photo := testJPEG(200, 100, 0)
		r := uploadFile(t, e, "recruiter1", fmt.Sprintf("/api/v1/projects/%v/attachments", p["id"]), apitest.Multipart{FileName: "照片.jpg", File: photo})
		expect(t, r, http.StatusCreated, "upload")
		id := r.Map(t)["id"]
		e2 := e.Restart()
		d := e2.As("recruiter1", http.MethodGet, fmt.Sprintf("/api/v1/attachments/%v", id), nil)
		expect(t, d, http.StatusOK, "download after restart")
		if !bytes.Equal(d.Body, photo) {
			t.Error("the file changed across the restart")
		}
		expect(t, e2.As("recruiter1", http.MethodGet, fmt.Sprintf("/api/v1/attachments/%v/thumbnail", id), nil), http.StatusOK, "thumbnail after restart")
		if _, err := os.Stat(e2.FilesDir); err != nil {
			t.Fatal(err)
		}
	})
}

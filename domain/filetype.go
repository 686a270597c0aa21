package domain

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// Attachment types are judged by content, never by the file's name (like gitea's
// modules/typesniffer): the magic bytes of PDF, JPEG, PNG and WebP; for a ZIP, the Office
// Open XML parts inside it; for text, valid UTF-8 without binary control characters.
// Anything else is refused, so an executable renamed .pdf, a ZIP of anything else or an SVG
// (which can carry script) never reaches another user's browser.

// Accepted content types.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	TypeText = "text/plain; charset=utf-8"
)

// TypeExtension is the file extension that goes with each accepted type.
var TypeExtension = map[string]string{
	TypePDF: ".pdf", TypeJPEG: ".jpg", TypePNG: ".png", TypeWebP: ".webp",
	TypeDOCX: ".docx", TypeXLSX: ".xlsx", TypePPTX: ".pptx", TypeText: ".txt",
}

// IsImageType reports whether t is one of the image types (thumbnails are made of these).
func IsImageType(t string) bool { return t == TypeJPEG || t == TypePNG || t == TypeWebP }

// maxOOXMLEntries bounds how many ZIP entries are looked at.
const maxOOXMLEntries = 10000

// SniffFileType returns the content type of the size bytes readable from r, or EUNSUPPORTED.
func SniffFileType(r io.ReaderAt, size int64) (string, error) {
	head := make([]byte, 512)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return "", err
	}
	head = head[:n]
	switch {
	case n == 0:
		return "", unsupported("文件是空的 (empty file)")
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG, nil
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return TypeWebP, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return sniffOOXML(r, size)
	}
	if isText(r, size) {
		trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
		lower := bytes.ToLower(trimmed[:min(len(trimmed), 256)])
		for _, markup := range []string{"<svg", "<?xml", "<!doctype", "<html", "<script"} {
			if bytes.HasPrefix(lower, []byte(markup)) || (markup == "<svg" && bytes.Contains(lower, []byte(markup))) {
				return "", unsupported("不接受 SVG、HTML 或 XML 文件 (markup is not accepted)")
			}
		}
		return TypeText, nil
	}
	return "", unsupported("")
}

func unsupported(why string) error {
	msg := "不支持的文件类型：只接受 PDF、JPEG、PNG、WebP 图片、Word/Excel/PowerPoint（docx、xlsx、pptx）和纯文本 (unsupported file type)"
	if why != "" {
		msg = why + "；" + msg
	}
	return &Error{Code: EUNSUPPORTED, Message: msg, Fields: map[string]string{"file": msg}}
}

// sniffOOXML accepts a ZIP that is an Office Open XML document: [Content_Types].xml and
// the main part of a Word, Excel or PowerPoint file, with its content type declared.
func sniffOOXML(r io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil || len(zr.File) > maxOOXMLEntries {
		return "", unsupported("压缩包无法识别 (unreadable ZIP)")
	}
	var types *zip.File
	parts := map[string]bool{}
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, "/")
		parts[name] = true
		if name == "[Content_Types].xml" {
			types = f
		}
	}
	if types == nil || types.UncompressedSize64 > 1<<20 {
		return "", unsupported("压缩包不是 Office 文档 (a ZIP that is not an Office document)")
	}
	rc, err := types.Open()
	if err != nil {
		return "", unsupported("压缩包无法识别 (unreadable ZIP)")
	}
	decl, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	rc.Close()
	if err != nil {
		return "", unsupported("压缩包无法识别 (unreadable ZIP)")
	}
	for _, k := range []struct{ part, main, typ string }{
		{"word/document.xml", "wordprocessingml.document.main+xml", TypeDOCX},
		{"xl/workbook.xml", "spreadsheetml.sheet.main+xml", TypeXLSX},
		{"ppt/presentation.xml", "presentationml.presentation.main+xml", TypePPTX},
	} {
		if parts[k.part] && bytes.Contains(decl, []byte(k.main)) {
			return k.typ, nil
		}
	}
	return "", unsupported("压缩包不是 Word、Excel 或 PowerPoint 文档 (a ZIP that is not docx, xlsx or pptx)")
}

// isText: valid UTF-8 (a BOM allowed) with no control characters but tab, CR, LF and FF,
// read in chunks so that memory stays flat.
func isText(r io.ReaderAt, size int64) bool {
	buf := make([]byte, 32<<10)
	var carry []byte
	for off := int64(0); off < size; {
		n, err := r.ReadAt(buf, off)
		if n == 0 && err != nil {
			return err == io.EOF && len(carry) == 0
		}
		chunk := append(carry, buf[:n]...)
		off += int64(n)
		// keep an incomplete rune at the end for the next chunk
		cut := len(chunk)
		for i := 1; i <= utf8.UTFMax && i <= len(chunk); i++ {
			if utf8.RuneStart(chunk[len(chunk)-i]) {
				if !utf8.FullRune(chunk[len(chunk)-i:]) {
					cut = len(chunk) - i
				}
				break
			}
		}
		if off >= size {
			cut = len(chunk)
		}
		body := chunk[:cut]
		if !utf8.Valid(body) {
			return false
		}
		for _, c := range body {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7F {
				return false
			}
		}
		carry = append([]byte(nil), chunk[cut:]...)
	}
	return len(carry) == 0
}

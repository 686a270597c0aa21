package domain

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// zipOf builds a ZIP archive of the named parts (contents are the part names' XML stubs).
func zipOf(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range parts {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func contentTypes(main string) string {
	return `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Override PartName="/x" ContentType="application/vnd.openxmlformats-officedocument.` + main + `"/></Types>`
}

func TestSniffFileType(t *testing.T) {
	docx := zipOf(t, map[string]string{"[Content_Types].xml": contentTypes("wordprocessingml.document.main+xml"), "word/document.xml": "<w:document/>"})
	xlsx := zipOf(t, map[string]string{"[Content_Types].xml": contentTypes("spreadsheetml.sheet.main+xml"), "xl/workbook.xml": "<workbook/>"})
	pptx := zipOf(t, map[string]string{"[Content_Types].xml": contentTypes("presentationml.presentation.main+xml"), "ppt/presentation.xml": "<p/>"})
	plainZip := zipOf(t, map[string]string{"readme.txt": "hello", "bin/tool.exe": "MZ"})
	fakeDocx := zipOf(t, map[string]string{"[Content_Types].xml": contentTypes("wordprocessingml.document.main+xml"), "evil.js": "x"})
	jar := zipOf(t, map[string]string{"META-INF/MANIFEST.MF": "Main-Class: x", "x.class": "\xca\xfe\xba\xbe"})
	for _, c := range []struct {
		name string
		data []byte
		want string // "" means 415
	}{
		{"PDF", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), TypePDF},
		{"JPEG", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), TypeJPEG},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), TypePNG},
		{"WebP", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), TypeWebP},
		{"docx", docx, TypeDOCX},
		{"xlsx", xlsx, TypeXLSX},
		{"pptx", pptx, TypePPTX},
		{"UTF-8 text", []byte("涞源经济开发区招商项目对接记录\n第二行\t制表符\r\n"), TypeText},
		{"text with BOM", []byte("\xEF\xBB\xBF合同要点"), TypeText},
		{"Windows executable renamed .pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...), ""},
		{"ELF executable", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), ""},
		{"shell script with NUL", []byte("#!/bin/sh\nrm -rf /\x00"), ""},
		{"ZIP that is not OOXML", plainZip, ""},
		{"ZIP claiming docx without word/document.xml", fakeDocx, ""},
		{"JAR", jar, ""},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"SVG after an XML declaration", []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
		{"HTML", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), ""},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00"), ""},
		{"UTF-16 text", []byte("\xFF\xFE\x2B\x00\x2C\x00"), ""},
		{"Latin-1 text", []byte("caf\xe9 cr\xe8me"), ""},
		{"empty", nil, ""},
		{"truncated ZIP", []byte("PK\x03\x04\x14\x00\x00\x00"), ""},
	} {
		got, err := SniffFileType(bytes.NewReader(c.data), int64(len(c.data)))
		if c.want == "" {
			if ErrorCode(err) != EUNSUPPORTED {
				t.Errorf("%s: type %q, error %v; want %s", c.name, got, err, EUNSUPPORTED)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

// TestSniffLongText: a text longer than one read chunk, with a multi-byte character across
// the chunk boundary, is text.
func TestSniffLongText(t *testing.T) {
	s := strings.Repeat("a", 32<<10-1) + "涞源" + strings.Repeat("b", 1000)
	if got, err := SniffFileType(strings.NewReader(s), int64(len(s))); err != nil || got != TypeText {
		t.Fatalf("long text: %q, %v", got, err)
	}
	bad := strings.Repeat("a", 40<<10) + "\x01"
	if _, err := SniffFileType(strings.NewReader(bad), int64(len(bad))); ErrorCode(err) != EUNSUPPORTED {
		t.Fatalf("control character after the first chunk: %v", err)
	}
}

func TestSafeFileName(t *testing.T) {
	for _, c := range []struct{ in, ctype, want string }{
		{"../../etc/passwd.pdf", TypePDF, "passwd.pdf"},
		{`C:\Users\张三\Desktop\投资协议.pdf`, TypePDF, "投资协议.pdf"},
		{"合同.exe", TypePDF, "合同.exe.pdf"},
		{"IMG_0001.JPEG", TypeJPEG, "IMG_0001.JPEG"},
		{"", TypeJPEG, "附件.jpg"},
		{"..", TypePNG, "附件.png"},
		{"a\u202Egnp.exe", TypePNG, "agnp.exe.png"},
		{"名片\x00.png", TypePNG, "名片.png"},
		{"数据.csv", TypeText, "数据.csv"},
		{`what?"<>|.docx`, TypeDOCX, "what_____.docx"},
	} {
		if got := SafeFileName(c.in, c.ctype); got != c.want {
			t.Errorf("SafeFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("长", 300) + ".pdf"
	if got := SafeFileName(long, TypePDF); len([]rune(got)) != 120 || !strings.HasSuffix(got, ".pdf") {
		t.Errorf("long name → %d runes %q", len([]rune(got)), got)
	}
}

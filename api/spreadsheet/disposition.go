package spreadsheet

import (
	"path"
	"strings"
	"unicode"
)

// ContentDisposition is the header value for downloading a file named filename, e.g.
// 招商项目.xlsx. Browsers read the RFC 5987 filename* (UTF-8, percent-encoded); the plain
// filename is an ASCII fallback for old clients (RFC 6266 §4.3), made from the name's ASCII
// letters, or "download" when none are left. Path separators, quotes and control
// characters never reach the header.
func ContentDisposition(filename string) string {
	name := cleanName(filename)
	ext := path.Ext(name)
	if !isASCII(ext) {
		ext = ""
	}
	stem := strings.TrimSuffix(name, ext)

	var fb strings.Builder
	for _, r := range stem {
		switch {
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.()[] ", r)):
			fb.WriteRune(r)
		case fb.Len() > 0 && !strings.HasSuffix(fb.String(), "_"):
			fb.WriteByte('_')
		}
	}
	fallback := strings.Trim(fb.String(), "_ .")
	if fallback == "" {
		fallback = "download"
	}
	fallback += ext

	if fallback == name {
		return `attachment; filename="` + name + `"`
	}
	return `attachment; filename="` + fallback + `"; filename*=UTF-8''` + encodeRFC5987(name)
}

// ContentDispositionUTF8 is ContentDisposition that always carries filename*, also for an
// ASCII name (attachments: clients may rely on the UTF-8 form alone).
func ContentDispositionUTF8(filename string) string {
	d := ContentDisposition(filename)
	if !strings.Contains(d, "filename*=") {
		d += `; filename*=UTF-8''` + encodeRFC5987(cleanName(filename))
	}
	return d
}

// cleanName keeps the last path element and drops characters no file name should carry
// in a header.
func cleanName(s string) string {
	s = strings.ReplaceAll(s, `\`, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if s == "" || s == "." || s == ".." {
		return "download"
	}
	return s
}

// encodeRFC5987 percent-encodes every byte outside RFC 5987's attr-char.
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

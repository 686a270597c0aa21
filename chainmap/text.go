package chainmap

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text on the printed map is laid out without a font engine, so widths are estimated the way
// a typesetter would for a Chinese sans-serif: every CJK ideograph, kana, Hangul syllable
// and full-width form (and the punctuation Chinese fonts draw full width, like “ ” 、 …) is
// one em; ASCII is narrower, by a small table that errs on the wide side. An estimate
// that is never short is what keeps boxes from overflowing.

// runeEm is the advance width of r in ems.
func runeEm(r rune, bold bool) float64 {
	if r < 0x80 {
		var w float64
		switch {
		case r == ' ':
			w = 0.3
		case strings.ContainsRune("iIl.,:;!|'`", r):
			w = 0.3
		case strings.ContainsRune("fjrt()[]{}/\\\"-", r):
			w = 0.4
		case r == 'm' || r == 'w':
			w = 0.85
		case r == 'M' || r == 'W' || r == '@' || r == '%':
			w = 0.92
		case r >= 'A' && r <= 'Z':
			w = 0.7
		default: // lower case, digits, other symbols
			w = 0.58
		}
		if bold {
			w *= 1.08
		}
		return w
	}
	if r == '·' || r == '\u00a0' {
		return 0.6
	}
	// Latin letters with accents and the like.
	if r < 0x0370 {
		return 0.7
	}
	// Everything else (CJK, full-width forms, Chinese punctuation, symbols) is full width.
	return 1
}

// textWidth is the estimated width of s in user units at the given font size.
func textWidth(s string, size float64, bold bool) float64 {
	em := 0.0
	for _, r := range s {
		em += runeEm(r, bold)
	}
	return em * size
}

// isWide reports whether r is a character after which a line may break (CJK text breaks
// between any two characters).
func isWide(r rune) bool { return r >= 0x2E80 || runeEm(r, false) >= 1 }

// noLineStart are characters Chinese typesetting keeps off the start of a line (避头点).
const noLineStart = "，。、；：！？）》」』】〕〉”’…·,.;:!?)]}%"

// wrapText breaks s into lines no wider than width. CJK text breaks between characters,
// Latin words at spaces (a word longer than a line is cut), and closing punctuation is kept
// off the start of a line when the previous line has room to spare a character. At most
// maxLines lines are returned; if the text is cut, the last line ends in an ellipsis.
// Every character of s is kept, in order, in the returned lines (unless cut), so joining
// the lines gives back s.
func wrapText(s string, size, width float64, bold bool, maxLines int) []string {
	s = cleanText(s)
	if s == "" {
		return []string{""}
	}
	if maxLines < 1 {
		maxLines = 1
	}
	var lines []string
	rs := []rune(s)
	for len(rs) > 0 {
		if len(lines) == maxLines-1 {
			lines = append(lines, ellipsize(string(rs), size, width, bold))
			break
		}
		// Longest prefix that fits.
		w, n := 0.0, 0
		for n < len(rs) {
			cw := runeEm(rs[n], bold) * size
			if w+cw > width {
				break
			}
			w += cw
			n++
		}
		if n == len(rs) {
			lines = append(lines, string(rs))
			break
		}
		if n == 0 { // a single character wider than the line: take it anyway
			n = 1
		}
		cut := n
		// Latin word in progress: break after the last space or wide character instead.
		if !isWide(rs[cut]) && !isWide(rs[cut-1]) && rs[cut-1] != ' ' && rs[cut] != ' ' {
			for i := cut - 1; i > 0; i-- {
				if rs[i-1] == ' ' || rs[i-1] == '/' || rs[i-1] == '-' || isWide(rs[i-1]) || isWide(rs[i]) {
					cut = i
					break
				}
			}
		}
		// Keep closing punctuation off the start of the next line by moving one more
		// character down with it.
		if cut > 1 && strings.ContainsRune(noLineStart, rs[cut]) {
			cut--
		}
		lines = append(lines, string(rs[:cut]))
		rs = rs[cut:]
	}
	return lines
}

// ellipsize shortens s to fit width, ending in "…" when it had to cut.
func ellipsize(s string, size, width float64, bold bool) string {
	s = cleanText(s)
	if textWidth(s, size, bold) <= width {
		return s
	}
	limit := width - runeEm('…', bold)*size
	w := 0.0
	var b strings.Builder
	for _, r := range s {
		cw := runeEm(r, bold) * size
		if w+cw > limit {
			break
		}
		w += cw
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ") + "…"
}

// cleanText makes s safe for one line of XML text: invalid UTF-8 becomes U+FFFD, control
// characters and line breaks become spaces, characters XML 1.0 forbids are dropped, and
// surrounding spaces are trimmed.
func cleanText(s string) string {
	ok := true
	for _, r := range s {
		if r < 0x20 || r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF || (r >= 0x7F && r < 0xA0) {
			ok = false
			break
		}
	}
	if ok {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == 0xFFFE || r == 0xFFFF:
		case unicode.IsControl(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// xmlEscaper escapes text for both element content and double-quoted attributes.
var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// esc returns s cleaned and escaped for XML.
func esc(s string) string { return xmlEscaper.Replace(cleanText(s)) }

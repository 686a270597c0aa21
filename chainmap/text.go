package chainmap

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text on the printed map is laid out without a font engine, so widths are estimated the way
// a typesetter would for a Chinese sans-serif: every CJK ideograph, kana, Hangul syllable
// and full-width form (and the punctuation Chinese fonts draw full width, like “ ” 、 · …)
// is one em; ASCII (about 0.55 em on average) is taken from the advance widths of Noto
// Sans CJK SC, regular and bold, plus 5 % so that narrower fallbacks (Microsoft YaHei,
// PingFang) never come out wider than estimated. An estimate that is never short is what
// keeps boxes from overflowing.

// asciiWidths are Noto Sans CJK SC advance widths in hundredths of an em for ' ' … '~'.
var asciiWidths = [2][95]uint8{
	{22, 32, 47, 55, 55, 92, 68, 28, 34, 34, 47, 55, 28, 35, 28, 39, 55, 55, 55, 55, 55, 55, 55, 55, 55, 55, 28, 28, 55, 55, 55, 47,
		95, 61, 66, 64, 69, 59, 55, 69, 73, 29, 53, 65, 54, 81, 72, 74, 63, 74, 63, 60, 60, 72, 57, 88, 57, 53, 60, 34, 39, 34, 55, 56,
		61, 56, 62, 51, 62, 55, 32, 56, 61, 27, 27, 55, 28, 93, 61, 61, 62, 62, 39, 47, 38, 61, 52, 80, 50, 52, 47, 34, 27, 34, 55},
	{23, 37, 57, 59, 59, 96, 74, 32, 38, 38, 51, 59, 32, 37, 32, 39, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59, 32, 32, 59, 59, 59, 51,
		101, 64, 68, 66, 71, 61, 58, 72, 76, 33, 57, 69, 58, 85, 75, 77, 67, 77, 68, 62, 62, 75, 62, 91, 63, 58, 61, 38, 39, 38, 59, 57,
		63, 59, 64, 53, 64, 58, 37, 60, 64, 30, 31, 60, 31, 96, 64, 63, 64, 64, 44, 49, 42, 64, 58, 86, 56, 57, 51, 38, 30, 38, 59},
}

// runeEm is the advance width of r in ems.
func runeEm(r rune, bold bool) float64 {
	if r >= ' ' && r <= '~' {
		b := 0
		if bold {
			b = 1
		}
		return float64(asciiWidths[b][r-' ']) * 1.05 / 100
	}
	if r < 0x20 {
		return 0.3
	}
	// Latin letters with accents and the like (but not ·, which CJK fonts draw full width).
	if r < 0x0370 && r != '·' {
		return 0.8
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

// wrapText breaks s into lines no wider than width (not counting trailing spaces). CJK text breaks between characters,
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
		// A space at the break stays at the end of the line, where it takes no room; closing
		// punctuation is kept off the start of the next line by moving one more character
		// down with it.
		for cut < len(rs) && rs[cut] == ' ' {
			cut++
		}
		if cut > 1 && cut < len(rs) && strings.ContainsRune(noLineStart, rs[cut]) {
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

// cleanText is sanitize with surrounding spaces trimmed: one line of text as shown.
func cleanText(s string) string { return strings.TrimSpace(sanitize(s)) }

// sanitize makes s safe for one line of XML text: invalid UTF-8 becomes U+FFFD, control
// characters and line breaks become spaces, and U+FFFE and U+FFFF (which XML forbids) are
// dropped.
func sanitize(s string) string {
	ok := true
	for _, r := range s {
		if r < 0x20 || r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF || (r >= 0x7F && r < 0xA0) {
			ok = false
			break
		}
	}
	if ok {
		return s
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
	return b.String()
}

// xmlEscaper escapes text for both element content and double-quoted attributes.
var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// esc returns s sanitized and escaped for XML.
func esc(s string) string { return xmlEscaper.Replace(sanitize(s)) }

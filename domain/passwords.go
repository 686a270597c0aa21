package domain

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

// Password policy (OWASP ASVS 5.0 V6.2; issue 12): at least 8 and at most 128 characters
// (runes: a Chinese password counts by character), no composition rules (no "one digit,
// one capital"), refused when
//
//   - it is on the embedded list of common passwords (common_passwords.txt: the most common
//     passwords of the international leak lists and of the Chinese ones, and the demo
//     zone's published password), compared case-insensitively;
//   - it is built on a word of its context: the user name (also reversed), the display
//     name, the zone's code and name, or the product's own words (chaincrm, laiyuan, 涞源,
//     招商, demo, …) with fewer than 6 other characters around it;
//   - it is made of fewer than 4 different characters (seven spaces and an x);
//   - and, applied by the account service (repository.CheckPasswordPolicy), when the zxcvbn
//     strength estimate, told the context words, scores it below 3 (fewer than 10^8
//     guesses): keyboard walks, sequences, dates, dictionary words with digits.
//
// The demo zone's users get the published demo password without this check (a demo);
// nobody can choose it through the API.

// Password length bounds, in characters.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// MinPasswordScore is the lowest zxcvbn score (0–4) a password may have.
const MinPasswordScore = 3

// productWords are this product's and the demo zone's own words, which a password must not
// be built on.
var productWords = []string{"chaincrm", "laiyuan", "涞源", "laiyuanedz", "zhaoshang", "招商", "zhaoshangyinzi", "招商引资",
	"kaifaqu", "开发区", "demo"}

// PasswordContext is what a password must not be built on.
type PasswordContext struct {
	Username, DisplayName string
	ZoneCode, ZoneName    string
}

// Words are the context's words, lower-cased, with the product's words: what the
// contextual rule and the strength estimate are told.
func (pc PasswordContext) Words() []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		w = strings.ToLower(strings.TrimSpace(w))
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	add(pc.Username)
	add(reverse(pc.Username))
	// li.wei → liwei, li, wei (and the reversals of the joined form)
	parts := strings.FieldsFunc(pc.Username, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	add(strings.Join(parts, ""))
	add(reverse(strings.Join(parts, "")))
	for _, p := range parts {
		add(p)
	}
	add(pc.DisplayName)
	for _, f := range strings.FieldsFunc(pc.DisplayName, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) {
		add(f)
	}
	add(pc.ZoneCode)
	add(pc.ZoneName)
	for _, w := range productWords {
		add(w)
	}
	return out
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// Messages of the password policy, for people.
const (
	msgPasswordShort    = "密码至少需要 8 个字符，建议 12 个以上 (at least 8 characters)"
	msgPasswordLong     = "密码最多 128 个字符 (at most 128 characters)"
	msgPasswordCommon   = "这是常见密码，很容易被猜中，请换一个 (a common password)"
	msgPasswordContext  = "密码不能以用户名、姓名、开发区名称或本系统的名称为主体 (built on your name, the zone or the product)"
	msgPasswordRepeats  = "密码所含的不同字符太少，请不要只重复几个字符 (too few different characters)"
	MsgPasswordTooWeak  = "密码太容易被猜中：请加长，例如用几个不相关的词组成一句话，不必加符号 (too easy to guess: use a longer passphrase)"
	minOtherCharsAround = 6
)

// CheckPassword applies the rules of the policy that need no strength estimate and returns
// why password is refused ("" when it is not).
func CheckPassword(password string, pc PasswordContext) string {
	runes := []rune(password)
	switch n := len(runes); {
	case n < MinPasswordLen:
		return msgPasswordShort
	case n > MaxPasswordLen:
		return msgPasswordLong
	}
	if IsCommonPassword(password) || IsCommonPassword(strings.TrimSpace(password)) {
		return msgPasswordCommon
	}
	distinct := map[rune]bool{}
	for _, r := range runes {
		distinct[unicode.ToLower(r)] = true
	}
	if len(distinct) < 4 {
		return msgPasswordRepeats
	}
	lower := strings.ToLower(password)
	for _, w := range pc.Words() {
		if len([]rune(w)) < 3 && w != "涞源" && w != "招商" {
			continue
		}
		if !strings.Contains(lower, w) && !strings.Contains(lower, reverse(w)) {
			continue
		}
		rest := strings.ReplaceAll(strings.ReplaceAll(lower, w, ""), reverse(w), "")
		if len([]rune(rest)) < minOtherCharsAround {
			return msgPasswordContext
		}
	}
	return ""
}

//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "# ") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
})

// IsCommonPassword reports whether p is on the embedded list of the most common passwords,
// ignoring case.
func IsCommonPassword(p string) bool { return commonPasswords()[strings.ToLower(p)] }

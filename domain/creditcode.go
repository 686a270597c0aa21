package domain

import "strings"

// creditAlphabet is the 31 characters of GB 32100-2015 in value order (no I, O, S, V, Z).
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeCreditCode trims and upper-cases a unified social credit code (统一社会信用代码).
func NormalizeCreditCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ValidCreditCode reports whether code is an 18-character unified social credit code per
// GB 32100-2015: registration authority and kind, a 6-digit region code, the 9-character
// organisation code and the final check character (weighted sum modulo 31). The embedded
// organisation code's own GB 11714 check is not enforced: codes issued to individual
// businesses do not always satisfy it.
func ValidCreditCode(code string) bool {
	if len(code) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, code[i])
		if v < 0 {
			return false
		}
		sum += v * creditWeights[i]
	}
	for i := 2; i < 8; i++ { // region code is digits
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	want := (31 - sum%31) % 31
	return code[17] == creditAlphabet[want]
}

// CreditCodeCheckChar computes the 18th character for the first 17; it returns 0 when the
// prefix has characters outside the alphabet. Used by the demo and synthetic data.
func CreditCodeCheckChar(prefix17 string) byte {
	if len(prefix17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, prefix17[i])
		if v < 0 {
			return 0
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31]
}

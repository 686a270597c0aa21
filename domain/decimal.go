package domain

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in 元 (yuan). The API speaks 万元 (10 000 元) as a JSON number
// with at most four decimals, so every amount a user can type is represented exactly and
// sums never drift.
type Money int64

// Wan formats m in 万元 without trailing zeros, e.g. 38000 or 0.5.
func (m Money) Wan() string { return formatFixed(int64(m), 4) }

// ParseWan reads a decimal string in 万元 ("38000", "1.25", "1,200") into Money.
func ParseWan(s string) (Money, error) {
	v, err := parseFixed(s, 4)
	return Money(v), err
}

// MarshalJSON writes m as a number of 万元.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.Wan()), nil }

// UnmarshalJSON reads a number (or numeric string) of 万元 exactly, without float rounding.
func (m *Money) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := ParseWan(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Yi formats m in 亿元 with up to two decimals, as the zone's reports do (3.8, 1.05, 8.05).
func (m Money) Yi() string {
	// round half up to 0.01 亿 = 1 000 000 元
	units := (int64(m) + 500000) / 1000000
	return formatFixed(units, 2)
}

// Area is an exact land area in hundredths of a 亩 (mu). The API speaks 亩 as a number.
type Area int64

// Mu formats a in 亩, e.g. 200 or 12.5.
func (a Area) Mu() string { return formatFixed(int64(a), 2) }

// ParseMu reads a decimal string in 亩.
func ParseMu(s string) (Area, error) {
	v, err := parseFixed(s, 2)
	return Area(v), err
}

// MarshalJSON writes a as a number of 亩.
func (a Area) MarshalJSON() ([]byte, error) { return []byte(a.Mu()), nil }

// UnmarshalJSON reads a number of 亩 exactly.
func (a *Area) UnmarshalJSON(b []byte) error {
	v, err := ParseMu(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Value and Scan let Money and Area live in integer columns.
func (m Money) Value() (driver.Value, error) { return int64(m), nil }
func (a Area) Value() (driver.Value, error)  { return int64(a), nil }

func formatFixed(v int64, scale int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	intPart, frac := s[:len(s)-scale], strings.TrimRight(s[len(s)-scale:], "0")
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func parseFixed(s string, scale int) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), "，", ""))
	if s == "" {
		return 0, fmt.Errorf("不是数字 (not a number)")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, fmt.Errorf("不是数字 (not a number)")
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("不是数字 (not a number)")
		}
	}
	if len(frac) > scale {
		if strings.Trim(frac[scale:], "0") != "" {
			return 0, fmt.Errorf("最多 %d 位小数 (at most %d decimals)", scale, scale)
		}
		frac = frac[:scale]
	}
	frac += strings.Repeat("0", scale-len(frac))
	if intPart == "" {
		intPart = "0"
	}
	if len(intPart) > 14 {
		return 0, fmt.Errorf("数值过大 (too large)")
	}
	v, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("不是数字 (not a number)")
	}
	if neg {
		v = -v
	}
	return v, nil
}

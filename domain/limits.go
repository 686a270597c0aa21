package domain

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// Limits every write obeys (contract, "Limits every write obeys"; issue 12). They live here,
// once, and every write path applies them: the API's JSON decoder walks each request body
// with CheckLimits, and the Validate methods of the inputs (which the services call, so the
// import and the command line too) call it again. A figure the zone reports is a sum of
// records; bounding each record is what keeps the sums meaningful and within int64.

// MaxMoney is the largest amount one record may hold: 10 000 000 万元 (one 万亿元), in 元.
// Ten million records at the bound still sum within int64 (9.2 × 10¹⁸ 元).
const MaxMoney Money = 10_000_000 * 10_000

// MaxArea is the largest land area one record may hold: 10 000 000 亩 (about 6 700 km², more
// than any county), in hundredths of a 亩.
const MaxArea Area = 10_000_000 * 100

// MinDate and MaxDate bound every date a write may carry.
var (
	MinDate = NewDate(1990, 1, 1)
	MaxDate = NewDate(2100, 12, 31)
)

// Messages of the limits, Chinese first.
const (
	msgMoneyNeg   = "金额不能为负，应在 0 到 10 000 000 万元之间 (must be ≥ 0)"
	msgMoneyRange = "金额不能超过 10 000 000 万元（1 万亿元）(at most 10,000,000 万元)"
	msgAreaNeg    = "面积不能为负 (must be ≥ 0)"
	msgAreaRange  = "面积不能超过 10 000 000 亩 (at most 10,000,000 亩)"
	msgDateRange  = "日期应在 1990-01-01 至 2100-12-31 之间 (a date from 1990-01-01 to 2100-12-31)"
	msgControl    = "含有不允许的控制字符（如 NUL 或文字方向控制符）(control characters are not allowed)"
	msgLineBreak  = "名称中不能有换行、制表符或其他控制字符 (no line breaks or control characters in a name)"
	msgBadUTF8    = "不是有效的 UTF-8 文本 (invalid text)"
)

// CheckMoney records field when m lies outside 0 … MaxMoney.
func CheckMoney(fe FieldErrors, field string, m Money) {
	switch {
	case m < 0:
		fe.Add(field, msgMoneyNeg)
	case m > MaxMoney:
		fe.Add(field, msgMoneyRange)
	}
}

// CheckArea records field when a lies outside 0 … MaxArea.
func CheckArea(fe FieldErrors, field string, a Area) {
	switch {
	case a < 0:
		fe.Add(field, msgAreaNeg)
	case a > MaxArea:
		fe.Add(field, msgAreaRange)
	}
}

// CheckDate records field when d is set and lies outside MinDate … MaxDate.
func CheckDate(fe FieldErrors, field string, d Date) {
	if !d.IsZero() && (d.Before(MinDate) || d.After(MaxDate)) {
		fe.Add(field, msgDateRange)
	}
}

// DateInRange reports whether d (set) lies within MinDate … MaxDate.
func DateInRange(d Date) bool { return !d.Before(MinDate) && !d.After(MaxDate) }

// CheckText records field when s is not valid UTF-8 or holds a character no name or text
// may hold: C0 controls (NUL …) other than tab and line breaks, DEL, C1 controls, and the
// bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
// make "invoice‮fdp.exe" read as "invoiceexe.pdf". A single-line field (a name: see
// singleLine) refuses tab and line breaks too.
func CheckText(fe FieldErrors, field, s string) {
	if why := textProblem(field, s); why != "" {
		fe.Add(field, why)
	}
}

func textProblem(field, s string) string {
	if !utf8.ValidString(s) {
		return msgBadUTF8
	}
	line := singleLine(field)
	if line {
		s = strings.TrimSpace(s) // what the services keep of a name
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			if line {
				return msgLineBreak
			}
		case r < 0x20, r >= 0x7F && r <= 0x9F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			if line {
				return msgLineBreak
			}
			return msgControl
		}
	}
	return ""
}

// ForbiddenRune reports whether r may appear in no name or text at all (the control
// characters CheckText refuses everywhere).
func ForbiddenRune(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return r < 0x20 || (r >= 0x7F && r <= 0x9F) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// singleLineNames are the JSON names of fields that hold one line: names, codes and
// addresses of people, enterprises and places. Every other text (notes, summaries, replies)
// may hold line breaks and tabs.
var singleLineNames = map[string]bool{
	"name": true, "username": true, "investor": true, "title": true, "referrer": true, "agency": true,
	"owner": true, "city": true, "industry": true, "region": true, "credit_code": true, "code": true,
	"email": true, "phone": true, "mobile": true, "wechat": true, "website": true, "label": true,
	"place": true, "zone": true, "chain": true, "segment": true, "tags": true,
}

func singleLine(field string) bool {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	return singleLineNames[field] || strings.HasSuffix(field, "_name")
}

var (
	moneyType = reflect.TypeOf(Money(0))
	areaType  = reflect.TypeOf(Area(0))
	dateType  = reflect.TypeOf(Date{})
)

// CheckLimits walks v (a struct or a pointer to one, as decoded from a request or built by
// an import) and records in fe, by JSON field name, every value past a limit: Money and
// Area fields and every number whose name ends in "_wan" (万元: 0 … 10 000 000), Date fields
// (1990-01-01 … 2100-12-31) and every string (CheckText), in nested structs ("parent.child"),
// slices and maps too. Fields tagged json:"-" are not input and are skipped.
func CheckLimits(fe FieldErrors, v any) {
	walkLimits(fe, "", reflect.ValueOf(v), 0)
}

// Limits is CheckLimits as an error: nil, or EINVALID naming each field.
func Limits(v any) error {
	fe := FieldErrors{}
	CheckLimits(fe, v)
	return fe.Err()
}

func walkLimits(fe FieldErrors, name string, v reflect.Value, depth int) {
	if depth > 8 || !v.IsValid() {
		return
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Type() {
	case moneyType:
		CheckMoney(fe, name, Money(v.Int()))
		return
	case areaType:
		CheckArea(fe, name, Area(v.Int()))
		return
	case dateType:
		CheckDate(fe, name, v.Interface().(Date))
		return
	}
	wan := strings.HasSuffix(name, "_wan")
	switch v.Kind() {
	case reflect.String:
		CheckText(fe, name, v.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if wan && v.Int() < 0 {
			fe.Add(name, msgMoneyNeg)
		} else if wan && v.Int() > int64(MaxMoney/10000) {
			fe.Add(name, msgMoneyRange)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if wan && v.Uint() > uint64(MaxMoney/10000) {
			fe.Add(name, msgMoneyRange)
		}
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); wan && f < 0 {
			fe.Add(name, msgMoneyNeg)
		} else if wan && !(f <= float64(MaxMoney/10000)) { // NaN fails too
			fe.Add(name, msgMoneyRange)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes are not text
		}
		for i := 0; i < v.Len(); i++ {
			walkLimits(fe, name, v.Index(i), depth+1)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			child := name
			if k.Kind() == reflect.String {
				if child != "" {
					child += "."
				}
				child += k.String()
				CheckText(fe, name, k.String())
			}
			walkLimits(fe, child, it.Value(), depth+1)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := strings.Split(f.Tag.Get("json"), ",")[0]
			if tag == "-" {
				continue
			}
			if f.Anonymous && tag == "" {
				walkLimits(fe, name, v.Field(i), depth+1)
				continue
			}
			if tag == "" {
				tag = f.Name
			}
			child := tag
			if name != "" {
				child = name + "." + tag
			}
			walkLimits(fe, child, v.Field(i), depth+1)
		}
	}
}

// ClampMoney is m within 0 … MaxMoney: what a figure counts of a record stored before the
// bound existed, so that no old record can make a sum overflow or turn negative.
func ClampMoney(m Money) Money {
	switch {
	case m < 0:
		return 0
	case m > MaxMoney:
		return MaxMoney
	}
	return m
}

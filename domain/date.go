package domain

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// Date is a calendar day (docked, signed, milestone, visit dates) with no time of day and no
// time zone: "2022-03-01" means that day in the zone, whoever reads it. The zero Date is
// "no date" and is stored as NULL and written as JSON null.
type Date struct {
	t time.Time // midnight UTC of the day; zero for none
}

// NewDate returns the given day.
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the calendar day of t as seen in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// ParseDate reads YYYY-MM-DD and refuses impossible days such as 2023-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("日期格式应为 YYYY-MM-DD 且真实存在 (date must be a real YYYY-MM-DD)")
	}
	return Date{t}, nil
}

// MustDate is ParseDate for literals in code and tests.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) IsZero() bool         { return d.t.IsZero() }
func (d Date) Time() time.Time      { return d.t }
func (d Date) Year() int            { return d.t.Year() }
func (d Date) Before(o Date) bool   { return d.t.Before(o.t) }
func (d Date) After(o Date) bool    { return d.t.After(o.t) }
func (d Date) AddDays(n int) Date   { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) DaysSince(o Date) int { return int(d.t.Sub(o.t).Hours() / 24) }

// String is YYYY-MM-DD, or "" for no date.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format("2006-01-02")
}

// Chinese is the date as the zone writes it: 2022年3月1日.
func (d Date) Chinese() string {
	if d.t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.t.Year(), int(d.t.Month()), d.t.Day())
}

func (d Date) MarshalJSON() ([]byte, error) {
	if d.t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("日期应为字符串 YYYY-MM-DD (date must be a string)")
	}
	v, err := ParseDate(s[1 : len(s)-1])
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores the day as YYYY-MM-DD text (a DATE column on MySQL), NULL when zero.
func (d Date) Value() (driver.Value, error) {
	if d.t.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan accepts what either database returns for a DATE column.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = NewDate(v.Year(), v.Month(), v.Day())
		return nil
	case []byte:
		return d.scanString(string(v))
	case string:
		return d.scanString(v)
	}
	return fmt.Errorf("domain.Date: cannot scan %T", src)
}

func (d *Date) scanString(s string) error {
	if s == "" {
		*d = Date{}
		return nil
	}
	if len(s) > 10 {
		s = s[:10]
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

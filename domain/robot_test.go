package domain

import (
	"testing"
	"time"
)

func TestRobotQuietHours(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	p, err := ParseRobotPolicy(DefaultRobotHosts, false, "21:00-08:00")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.ParseInLocation("2006-01-02 15:04", s, loc); return v }
	for _, c := range []struct {
		now, until string
		quiet      bool
	}{
		{"2023-01-16 20:59", "", false},
		{"2023-01-16 21:00", "2023-01-17 08:00", true},
		{"2023-01-16 23:59", "2023-01-17 08:00", true},
		{"2023-01-17 00:00", "2023-01-17 08:00", true},
		{"2023-01-17 07:59", "2023-01-17 08:00", true},
		{"2023-01-17 08:00", "", false},
		{"2023-01-17 12:00", "", false},
	} {
		until, quiet := p.QuietUntil(at(c.now).UTC(), loc)
		if quiet != c.quiet || (quiet && !until.Equal(at(c.until))) {
			t.Errorf("%s: %v %v, want %v %s", c.now, until.In(loc), quiet, c.quiet, c.until)
		}
	}
	day, _ := ParseRobotPolicy("", false, "12:00-14:00")
	if _, q := day.QuietUntil(at("2023-01-16 13:00"), loc); !q {
		t.Error("12:00-14:00 at 13:00")
	}
	off, _ := ParseRobotPolicy("", false, "off")
	if _, q := off.QuietUntil(at("2023-01-16 23:00"), loc); q {
		t.Error("off")
	}
	for _, bad := range []string{"21-08", "25:00-08:00", "21:00"} {
		if _, err := ParseRobotPolicy("", false, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRobotInputValidate(t *testing.T) {
	p, _ := ParseRobotPolicy(DefaultRobotHosts, false, "")
	s := func(v string) *string { return &v }
	evs := []string{"weekly_digest", "supervision", "supervision"}
	in := RobotInput{Kind: s("wecom"), Name: s(" 食品群 "), Webhook: s(" https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k "), Events: &evs}
	if err := in.Validate(true, p); err != nil {
		t.Fatal(err)
	}
	if *in.Name != "食品群" || len(*in.Events) != 2 || (*in.Events)[0] != "supervision" {
		t.Errorf("normalised: %q %v", *in.Name, *in.Events)
	}
	bad := RobotInput{Name: s("a\u202eb")}
	err := bad.Validate(true, p)
	f := ErrorFields(err)
	for _, k := range []string{"kind", "name", "webhook"} {
		if f[k] == "" {
			t.Errorf("no error on %s: %v", k, f)
		}
	}
	if m, err := CheckUserMobile("+86 138-0000-0001"); err != nil || m != "13800000001" {
		t.Errorf("mobile: %q %v", m, err)
	}
	if _, err := CheckUserMobile("23800000001"); ErrorFields(err)["mobile"] == "" {
		t.Error("bad mobile accepted")
	}
}

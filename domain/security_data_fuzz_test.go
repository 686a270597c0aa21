package domain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLimits (issue 12): whatever a request or an import row carries, a project input that
// validates holds an amount within 0 … 10 000 000 万元, a date within 1990–2100, and no
// control or bidi character in any text (nor a line break in a name); and each of those is
// refused exactly when it breaks its limit.
func FuzzLimits(f *testing.F) {
	f.Add("誉柯新材料项目", "备注\n第二行", "38000", "2022-03-01")
	f.Add("a\x00b", "\u202e", "99999999999999", "0000-01-01")
	f.Add("\u2066名\u2069", "\t", "10000000.0001", "9999-12-31")
	f.Add(" 名称 ", "x\u0085", "-1", "1989-12-31")
	f.Add("换\n行", "", "10000000", "2100-12-31")
	f.Fuzz(func(t *testing.T, name, notes, wan, date string) {
		in := ProjectInput{Name: name, Investor: "某投资有限公司", Channel: ChannelSelfSourced, AssetType: AssetHeavy,
			Notes: notes, DockedAt: NewDate(2023, 1, 1)}
		if m, err := ParseWan(wan); err == nil {
			in.PlannedInvestment = m
		}
		if d, err := ParseDate(date); err == nil {
			in.DockedAt = d
		}
		in.Normalize()
		fields := ErrorFields(in.Validate())
		_, badMoney := fields["planned_investment_wan"]
		if want := in.PlannedInvestment < 0 || in.PlannedInvestment > MaxMoney; badMoney != want {
			t.Fatalf("planned %d: refused %v, want %v", in.PlannedInvestment, badMoney, want)
		}
		_, badDate := fields["docked_at"]
		if want := in.DockedAt.Before(MinDate) || in.DockedAt.After(MaxDate); badDate != want {
			t.Fatalf("docked_at %s: refused %v, want %v", in.DockedAt, badDate, want)
		}
		forbidden := func(s string, line bool) bool {
			for _, r := range s {
				if r < 0x20 && (line || (r != '\t' && r != '\n' && r != '\r')) || r >= 0x7F && r <= 0x9F ||
					r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
					return true
				}
			}
			return false
		}
		_, badName := fields["name"]
		nameOK := utf8.ValidString(in.Name) && strings.TrimSpace(in.Name) != "" && utf8.RuneCountInString(in.Name) <= MaxNameLen
		if want := !nameOK || forbidden(in.Name, true); badName != want {
			t.Fatalf("name %q: refused %v, want %v (%v)", in.Name, badName, want, fields)
		}
		_, badNotes := fields["notes"]
		notesOK := utf8.ValidString(in.Notes) && utf8.RuneCountInString(in.Notes) <= MaxTextLen
		if want := !notesOK || forbidden(in.Notes, false); badNotes != want {
			t.Fatalf("notes %q: refused %v, want %v (%v)", in.Notes, badNotes, want, fields)
		}
	})
}

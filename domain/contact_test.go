package domain

import "testing"

func TestContactValidate(t *testing.T) {
	for _, c := range []struct {
		in    ContactInput
		field string // "" when valid
	}{
		{ContactInput{Name: "张经理", Mobile: "13800138000"}, ""},
		{ContactInput{Name: "张经理", Mobile: "138 0013 8000"}, ""},
		{ContactInput{Name: "张经理", Mobile: "+86 138-0013-8000"}, ""},
		{ContactInput{Name: "张经理", Mobile: "1380013800"}, "mobile"},
		{ContactInput{Name: "张经理", Mobile: "12800138000"}, "mobile"},
		{ContactInput{Name: "张经理", Mobile: "0312-1234567"}, "mobile"},
		{ContactInput{Name: "张经理", Mobile: "138001380001"}, "mobile"},
		{ContactInput{Name: "张经理", Phone: "0312-1234567"}, ""},
		{ContactInput{Name: "张经理", Phone: "010-8888 6666 转 123"}, ""},
		{ContactInput{Name: "张经理", Phone: "call me"}, "phone"},
		{ContactInput{Name: "张经理", Email: "zhang@huaneng.example.cn"}, ""},
		{ContactInput{Name: "张经理", Email: "zhang at huaneng"}, "email"},
		{ContactInput{Name: "张经理", Wechat: "zhang_jl-2023"}, ""},
		{ContactInput{Name: "张经理", Wechat: "张经理"}, "wechat"},
		{ContactInput{Name: " "}, "name"},
	} {
		err := c.in.Validate()
		got := ""
		for f := range ErrorFields(err) {
			got = f
		}
		if got != c.field {
			t.Errorf("%+v: field %q (%v), want %q", c.in, got, err, c.field)
		}
	}
}

func TestParseLegacyContact(t *testing.T) {
	for _, c := range []struct {
		text             string
		ok               bool
		name, title, mob string
		phone, email     string
		keepsTextInNotes bool
	}{
		{"张经理 13800138000", true, "张经理", "经理", "13800138000", "", "", false},
		{"联系人：李总，电话 0312-7654321", true, "李总", "", "", "0312-7654321", "", false},
		{"王建国（总经理）139-1234-5678 wang@example.cn", true, "王建国", "总经理", "13912345678", "", "wang@example.cn", false},
		{"赵主任 办公室 0312-1234567 周一至周五", true, "赵主任", "主任", "", "0312-1234567", "", true},
		{"13800138000", false, "", "", "", "", "", false},
		{"请联系招商部", false, "", "", "", "", "", false},
	} {
		got, ok := ParseLegacyContact(c.text)
		if ok != c.ok {
			t.Errorf("%q: ok = %v, want %v (%+v)", c.text, ok, c.ok, got)
			continue
		}
		if !ok {
			continue
		}
		if got.Name != c.name || got.Title != c.title || got.Mobile != c.mob || got.Phone != c.phone || got.Email != c.email {
			t.Errorf("%q → %+v", c.text, got)
		}
		if (got.Notes != "") != c.keepsTextInNotes {
			t.Errorf("%q: notes %q", c.text, got.Notes)
		}
	}
}

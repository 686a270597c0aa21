package domain

import (
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	cases := []struct {
		password, username string
		ok                 bool
	}{
		{"Demo@2023", "admin", false}, // the demo's published password: on the list
		{"Cloud-ferry-lantern", "admin", true},
		{"correct horse battery staple", "admin", true},
		{"招商引资管理系统密码", "admin", true},                   // 10 characters, 30 bytes
		{strings.Repeat("招商引资管理系统", 16), "admin", true}, // the maximum, 384 bytes
		{strings.Repeat("招商引资管理系统", 16) + "!", "admin", false},
		{strings.Repeat("a", 128) + "b", "admin", false},
		{"Ab1!xyz", "admin", false}, // 7 characters
		{"", "admin", false},
		{"        ", "admin", false},
		{"aaaaaaaaaaaa", "admin", false},
		// the common ones, whatever their case
		{"12345678", "admin", false},
		{"123456789", "admin", false},
		{"woaini1314", "admin", false},
		{"WoAiNi1314", "admin", false},
		{"qwerty123", "admin", false},
		{"password", "admin", false},
		{"Password1", "admin", false},
		{"a12345678", "admin", false},
		{"1qaz2wsx", "admin", false},
		{"5201314520", "admin", false},
		{"123456", "admin", false},
		{"a123456", "admin", false},
		// close to the username
		{"recruiter1", "recruiter1", false},
		{"recruiter1!", "recruiter1", false},
		{"recruiter1 walks to Beijing", "recruiter1", true},
	}
	for _, c := range cases {
		msg := CheckPassword(c.password, PasswordContext{Username: c.username})
		if (msg == "") != c.ok {
			t.Errorf("CheckPassword(%q) = %q, want ok=%v", c.password, msg, c.ok)
		}
	}
	for _, p := range []string{"123456", "12345678", "a123456", "woaini1314", "qwerty123", "password"} {
		if !IsCommonPassword(p) {
			t.Errorf("%q is not on the common list", p)
		}
	}
	if len(commonPasswords()) < 10000 {
		t.Errorf("common list has %d entries", len(commonPasswords()))
	}
}

func TestUserInputValidate(t *testing.T) {
	ok := func() UserInput {
		return UserInput{Username: "li.wei", DisplayName: "李伟", Email: "li.wei@example.cn", Password: "Laiyuan-2023!",
			Roles: []Role{RoleChainChief, RoleRecruiter}, Chains: []string{"food"}}
	}
	in := ok()
	if err := in.Validate(); err != nil {
		t.Fatalf("valid input: %v", err)
	}
	cases := []struct {
		field string
		edit  func(*UserInput)
	}{
		{"username", func(u *UserInput) { u.Username = "a" }},
		{"username", func(u *UserInput) { u.Username = "has space" }},
		{"username", func(u *UserInput) { u.Username = "李伟" }},
		{"username", func(u *UserInput) { u.Username = "system" }},
		{"display_name", func(u *UserInput) { u.DisplayName = " " }},
		{"email", func(u *UserInput) { u.Email = "not-an-address" }},
		{"email", func(u *UserInput) { u.Email = "Li Wei <li@example.cn>" }},
		{"password", func(u *UserInput) { u.Password = "12345678" }},
		{"roles", func(u *UserInput) { u.Roles = nil }},
		{"roles", func(u *UserInput) { u.Roles = []Role{"superuser"} }},
		{"chains", func(u *UserInput) { u.Roles = []Role{RoleRecruiter} }},
		{"agency", func(u *UserInput) { u.Roles = []Role{RoleAgent}; u.Chains = nil }},
	}
	for _, c := range cases {
		in := ok()
		c.edit(&in)
		if ErrorFields(in.Validate())[c.field] == "" {
			t.Errorf("%s: no error on %s: %v", c.field, c.field, in.Validate())
		}
	}
}

func TestCanGrantRole(t *testing.T) {
	admin := &Actor{User: &User{Roles: []Role{RoleAdmin}}}
	director := &Actor{User: &User{Roles: []Role{RoleDirector}}}
	if !CanGrantRole(admin, RoleAdmin) || CanGrantRole(director, RoleAdmin) || !CanGrantRole(director, RoleViewer) {
		t.Error("only administrators grant the administrator role")
	}
}

package domain

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Contact people (联系人) of an enterprise. An activity records which of them were met
// (contact_ids), so "who did we meet at 华能, and when" is a contact's meetings.

// Contact is a person at an enterprise. LastMet and Meetings count the activities of
// projects the caller may see.
type Contact struct {
	ID           int64     `json:"id"`
	EnterpriseID int64     `json:"enterprise_id"`
	Name         string    `json:"name"`
	Title        string    `json:"title"`
	Mobile       string    `json:"mobile"`
	Phone        string    `json:"phone"`
	Email        string    `json:"email"`
	Wechat       string    `json:"wechat"`
	Notes        string    `json:"notes"`
	Version      int64     `json:"version"`
	LastMet      Date      `json:"last_met"`
	Meetings     int       `json:"meetings"`
	CreatedAt    time.Time `json:"created_at"`
}

// ContactRef names a contact on an activity.
type ContactRef struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Title        string `json:"title"`
	EnterpriseID int64  `json:"enterprise_id"`
}

// ContactInput is a new contact; Name is required, the rest optional.
type ContactInput struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Mobile string `json:"mobile"`
	Phone  string `json:"phone"`
	Email  string `json:"email"`
	Wechat string `json:"wechat"`
	Notes  string `json:"notes"`
}

// ContactUpdate edits a contact; nil fields stay. Version, when given, must be current.
type ContactUpdate struct {
	Version *int64  `json:"version"`
	Name    *string `json:"name"`
	Title   *string `json:"title"`
	Mobile  *string `json:"mobile"`
	Phone   *string `json:"phone"`
	Email   *string `json:"email"`
	Wechat  *string `json:"wechat"`
	Notes   *string `json:"notes"`
}

var (
	mobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	phoneRE  = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{4,30}([,，;；/]?\s*(转|ext\.?|x)\s*[0-9]{1,6})?$`)
	emailRE  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	wechatRE = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,64}$`)
)

// NormalizeMobile strips spaces, dashes and a +86 prefix from a mainland mobile number.
func NormalizeMobile(s string) string {
	s = strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+86"), "0086")
	return s
}

// Apply returns the input with the update's fields.
func (u ContactUpdate) Apply(in ContactInput) ContactInput {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Name, u.Name)
	set(&in.Title, u.Title)
	set(&in.Mobile, u.Mobile)
	set(&in.Phone, u.Phone)
	set(&in.Email, u.Email)
	set(&in.Wechat, u.Wechat)
	set(&in.Notes, u.Notes)
	return in
}

// Validate trims and checks the contact: a mobile, when given, is a mainland mobile number
// (11 digits, 1[3-9]…).
func (in *ContactInput) Validate() error {
	fe := FieldErrors{}
	in.Name, in.Title = strings.TrimSpace(in.Name), strings.TrimSpace(in.Title)
	in.Phone, in.Email, in.Wechat = strings.TrimSpace(in.Phone), strings.TrimSpace(in.Email), strings.TrimSpace(in.Wechat)
	in.Mobile = NormalizeMobile(in.Mobile)
	checkText(fe, "name", in.Name, MaxShortLen, true)
	checkText(fe, "title", in.Title, MaxShortLen, false)
	if in.Mobile != "" && !mobileRE.MatchString(in.Mobile) {
		fe.Add("mobile", "手机号应为 11 位中国大陆手机号码，以 13–19 开头 (a mainland mobile number: 11 digits, 1[3-9]…)")
	}
	if in.Phone != "" && !phoneRE.MatchString(in.Phone) {
		fe.Add("phone", "电话号码格式不对，例如 0312-1234567 (not a phone number)")
	}
	if in.Email != "" && (len(in.Email) > 200 || !emailRE.MatchString(in.Email)) {
		fe.Add("email", "邮箱格式不对 (not an email address)")
	}
	if in.Wechat != "" && !wechatRE.MatchString(in.Wechat) && !mobileRE.MatchString(in.Wechat) {
		fe.Add("wechat", "微信号只能含字母、数字、下划线和减号 (letters, digits, _ and -)")
	}
	checkText(fe, "notes", in.Notes, MaxTextLen, false)
	CheckLimits(fe, in)
	return fe.Err()
}

var (
	legacyMobile = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}`)
	legacyPhone  = regexp.MustCompile(`0[0-9]{2,3}-?[0-9]{7,8}`)
	legacyEmail  = regexp.MustCompile(`[^@\s，,;；]+@[^@\s，,;；]+\.[A-Za-z]{2,}`)
	legacyTitles = []string{"董事长", "总经理", "副总经理", "副总裁", "总裁", "总监", "经理", "主任", "部长", "处长", "科长", "主管",
		"秘书", "助理", "书记", "局长", "院长", "所长", "厂长", "负责人", "联系人", "总工", "总"}
)

// ParseLegacyContact reads the old free-text contact field ("张经理 13800138000",
// "王总（总经理）0312-1234567") into a contact person, best effort: a name, a title, a
// mobile, a phone and an email where it finds them. It returns false when it finds no name;
// the text then belongs in the enterprise's notes. The text itself is kept in the
// contact's notes when anything was left over.
func ParseLegacyContact(text string) (ContactInput, bool) {
	text = strings.TrimSpace(text)
	var c ContactInput
	rest := text
	if m := legacyMobile.FindString(rest); m != "" {
		c.Mobile = NormalizeMobile(strings.TrimPrefix(strings.TrimPrefix(m, "+"), "86"))
		if len(c.Mobile) != 11 {
			c.Mobile = NormalizeMobile(m)
		}
		rest = strings.Replace(rest, m, " ", 1)
	}
	if m := legacyEmail.FindString(rest); m != "" {
		c.Email = m
		rest = strings.Replace(rest, m, " ", 1)
	}
	if m := legacyPhone.FindString(rest); m != "" {
		c.Phone = m
		rest = strings.Replace(rest, m, " ", 1)
	}
	words := strings.FieldsFunc(rest, func(r rune) bool {
		return strings.ContainsRune(" \t,，;；:：、/|()（）[]【】\u3000", r)
	})
	for _, w := range words {
		w = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(w, "联系人"), "电话"))
		if w == "" {
			continue
		}
		if c.Name == "" && isPersonName(w) {
			c.Name = w
			for _, t := range legacyTitles {
				if n := []rune(w); len(n) > len([]rune(t)) && strings.HasSuffix(w, t) {
					c.Title = t
					break
				}
			}
			continue
		}
		if c.Title == "" && isTitle(w) {
			c.Title = w
		}
	}
	if c.Name == "" {
		return ContactInput{}, false
	}
	if c.Title == "总" {
		c.Title = ""
	}
	leftover := strings.TrimSpace(strings.NewReplacer(c.Name, "", c.Title, "", "联系人", "", "联系方式", "", "电话", "",
		"手机", "", "邮箱", "").Replace(rest))
	if strings.Trim(leftover, " \t,，;；:：、/|()（）[]【】") != "" {
		c.Notes = "原联系方式：" + text
	}
	if c.Validate() != nil { // something did not parse cleanly: keep the text
		c.Mobile, c.Phone, c.Email = "", "", ""
		c.Notes = "原联系方式：" + text
		if c.Validate() != nil {
			return ContactInput{}, false
		}
	}
	return c, true
}

// isPersonName: 2–6 Han characters (张经理, 李总, 欧阳明), or a Latin name of letters and
// spaces; not a number.
func isPersonName(w string) bool {
	r := []rune(w)
	if len(r) < 2 || len(r) > 8 {
		return false
	}
	han := 0
	for _, c := range r {
		switch {
		case c >= 0x4E00 && c <= 0x9FFF:
			han++
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c == '.':
		default:
			return false
		}
	}
	if han == 0 {
		return true
	}
	return han == len(r) && (han <= 4 || isTitle(w))
}

func isTitle(w string) bool {
	for _, t := range legacyTitles {
		if strings.HasSuffix(w, t) && len([]rune(w)) <= 8 {
			return true
		}
	}
	return false
}

// ContactMeeting is one activity a contact was met at.
type ContactMeeting struct {
	ActivityID  int64        `json:"activity_id"`
	ProjectID   int64        `json:"project_id"`
	ProjectName string       `json:"project_name"`
	Kind        ActivityKind `json:"kind"`
	OccurredAt  Date         `json:"occurred_at"`
	Place       string       `json:"place"`
	Summary     string       `json:"summary"`
	Author      string       `json:"author"`
}

// ContactService manages contact people. Reading follows the enterprise's scope; writing
// needs CanEditEnterprise. Every change is in the enterprise's history.
type ContactService interface {
	FindContacts(ctx context.Context, enterpriseID int64) ([]*Contact, error)
	CreateContact(ctx context.Context, enterpriseID int64, in ContactInput) (*Contact, error)
	UpdateContact(ctx context.Context, id int64, upd ContactUpdate) (*Contact, error)
	DeleteContact(ctx context.Context, id int64) error
	// Meetings lists the activities the contact was met at, of projects the caller may see,
	// newest first.
	Meetings(ctx context.Context, id int64) ([]*ContactMeeting, error)
	// ProjectContacts lists the contacts of a visible project's investor and referrer (what
	// an activity on it may name).
	ProjectContacts(ctx context.Context, projectID int64) ([]*Contact, error)
}

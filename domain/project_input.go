package domain

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text limits, in characters.
const (
	MaxNameLen  = 200
	MaxShortLen = 100
	MaxTextLen  = 5000
	// MaxContactsMet is how many contacts one activity may name.
	MaxContactsMet = 50
)

// ProjectInput is what creating a project takes. Chain is a chain code or nil; Owner is a
// username, empty for the creator.
type ProjectInput struct {
	Name               string    `json:"name"`
	Investor           string    `json:"investor"`
	InvestorCreditCode string    `json:"credit_code"`
	Channel            Channel   `json:"channel"`
	Chain              *string   `json:"chain"`
	NodeIDs            []int64   `json:"chain_node_ids"`
	AssetType          AssetType `json:"asset_type"`
	PlannedInvestment  Money     `json:"planned_investment_wan"`
	LandArea           Area      `json:"land_area_mu"`
	Stage              Stage     `json:"-"` // imports only; the API always starts at lead
	Owner              string    `json:"owner"`
	DockedAt           Date      `json:"docked_at"`
	SignedAt           Date      `json:"signed_at"`
	CampaignID         *int64    `json:"campaign_id"`
	Referrer           string    `json:"referrer"`
	Agency             string    `json:"agency"`
	Industry           string    `json:"industry"`
	Notes              string    `json:"notes"`
	Sample             bool      `json:"-"`
}

// Normalize trims text fields.
func (in *ProjectInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Investor = strings.TrimSpace(in.Investor)
	in.InvestorCreditCode = NormalizeCreditCode(in.InvestorCreditCode)
	in.Owner = strings.TrimSpace(in.Owner)
	in.Referrer = strings.TrimSpace(in.Referrer)
	in.Agency = strings.TrimSpace(in.Agency)
	if in.Chain != nil {
		c := strings.TrimSpace(*in.Chain)
		if c == "" {
			in.Chain = nil
		} else {
			in.Chain = &c
		}
	}
}

// Validate checks every field and reports all problems at once.
func (in *ProjectInput) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", in.Name, MaxNameLen, true)
	checkText(fe, "investor", in.Investor, MaxNameLen, true)
	if in.InvestorCreditCode != "" && !ValidCreditCode(in.InvestorCreditCode) {
		fe.Add("credit_code", "统一社会信用代码无效 (invalid unified social credit code)")
	}
	if !in.Channel.Valid() {
		fe.Add("channel", "招商渠道应为 entrusted / business_referral / self_sourced / resource_plus")
	}
	if !in.AssetType.Valid() {
		fe.Add("asset_type", "资产类型应为 heavy（重资产）或 light（轻资产）")
	}
	CheckMoney(fe, "planned_investment_wan", in.PlannedInvestment)
	CheckArea(fe, "land_area_mu", in.LandArea)
	CheckDate(fe, "docked_at", in.DockedAt)
	CheckDate(fe, "signed_at", in.SignedAt)
	if in.DockedAt.IsZero() {
		fe.Add("docked_at", "请填写对接日期 (required)")
	}
	if !in.SignedAt.IsZero() && !in.DockedAt.IsZero() && in.SignedAt.Before(in.DockedAt) {
		fe.Add("signed_at", "签约日期不能早于对接日期 (before docked_at)")
	}
	if in.Stage != "" && !in.Stage.Valid() {
		fe.Add("stage", "未知的阶段 (unknown stage)")
	}
	checkText(fe, "referrer", in.Referrer, MaxNameLen, false)
	checkText(fe, "agency", in.Agency, MaxNameLen, false)
	checkText(fe, "industry", in.Industry, MaxShortLen, false)
	checkText(fe, "notes", in.Notes, MaxTextLen, false)
	checkText(fe, "owner", in.Owner, MaxShortLen, false)
	CheckLimits(fe, in)
	return fe.Err()
}

// ProjectUpdate is a PATCH: nil fields stay as they are. Version must equal the stored
// version, or nothing is written (ECONFLICT).
type ProjectUpdate struct {
	Version           int64       `json:"version"`
	Name              *string     `json:"name"`
	Investor          *string     `json:"investor"`
	Channel           *Channel    `json:"channel"`
	Chain             *string     `json:"chain"` // "" clears the chain
	ClearChain        bool        `json:"-"`
	NodeIDs           *[]int64    `json:"chain_node_ids"`
	AssetType         *AssetType  `json:"asset_type"`
	PlannedInvestment *Money      `json:"planned_investment_wan"`
	LandArea          *Area       `json:"land_area_mu"`
	Owner             *string     `json:"owner"`
	DockedAt          *Date       `json:"docked_at"`
	SignedAt          *Date       `json:"signed_at" description:"refused (400): signed_at is set only by the transition to follow_up"`
	CampaignID        *int64      `json:"campaign_id"`
	Referrer          *string     `json:"referrer"`
	Agency            *string     `json:"agency"`
	Industry          *string     `json:"industry"`
	Notes             *string     `json:"notes"`
	Milestones        *Milestones `json:"milestones"`
	// Stage is here only to be refused: the stage, like signed_at, changes only through
	// /transition, so a PATCH naming either is 400 (issue 12).
	Stage *Stage `json:"stage" description:"refused (400): the stage changes only through POST /projects/{id}/transition"`
}

// Validate checks the fields that are present.
func (u *ProjectUpdate) Validate() error {
	fe := FieldErrors{}
	if u.Stage != nil {
		fe.Add("stage", "阶段只能通过阶段流转（/transition）改变 (stage changes only through /transition)")
	}
	if u.SignedAt != nil {
		fe.Add("signed_at", "签约日期只能在转入跟踪服务阶段时填写（/transition）(signed_at changes only through /transition)")
	}
	if u.Version < 1 {
		fe.Add("version", "请带上当前版本号 version (required)")
	}
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
		checkText(fe, "name", *u.Name, MaxNameLen, true)
	}
	if u.Investor != nil {
		*u.Investor = strings.TrimSpace(*u.Investor)
		checkText(fe, "investor", *u.Investor, MaxNameLen, true)
	}
	if u.Channel != nil && !u.Channel.Valid() {
		fe.Add("channel", "招商渠道应为 entrusted / business_referral / self_sourced / resource_plus")
	}
	if u.AssetType != nil && !u.AssetType.Valid() {
		fe.Add("asset_type", "资产类型应为 heavy（重资产）或 light（轻资产）")
	}
	if u.PlannedInvestment != nil {
		CheckMoney(fe, "planned_investment_wan", *u.PlannedInvestment)
	}
	if u.LandArea != nil {
		CheckArea(fe, "land_area_mu", *u.LandArea)
	}
	if u.DockedAt != nil && u.DockedAt.IsZero() {
		fe.Add("docked_at", "对接日期不能为空 (required)")
	}
	for name, p := range map[string]*string{"referrer": u.Referrer, "agency": u.Agency} {
		if p != nil {
			checkText(fe, name, *p, MaxNameLen, false)
		}
	}
	if u.Industry != nil {
		checkText(fe, "industry", *u.Industry, MaxShortLen, false)
	}
	if u.Notes != nil {
		checkText(fe, "notes", *u.Notes, MaxTextLen, false)
	}
	CheckLimits(fe, u)
	return fe.Err()
}

// ActivityInput is what logging an activity takes; kind, date and summary are required,
// the rest optional so that logging on a phone is quick.
type ActivityInput struct {
	Kind        ActivityKind `json:"kind"`
	OccurredAt  Date         `json:"occurred_at"`
	Place       string       `json:"place"`
	OurPeople   string       `json:"our_people"`
	TheirPeople string       `json:"their_people"`
	Summary     string       `json:"summary"`
	NextStep    string       `json:"next_step"`
	NextDue     Date         `json:"next_due"`
	// ContactIDs are the contacts met: people of the project's investor or referrer.
	ContactIDs []int64 `json:"contact_ids"`
}

// Validate checks the activity.
func (in *ActivityInput) Validate() error {
	fe := FieldErrors{}
	if !in.Kind.Valid() {
		fe.Add("kind", "类型应为 visit / reception / meeting / call / service")
	}
	if in.OccurredAt.IsZero() {
		fe.Add("occurred_at", "请填写日期 (required)")
	}
	in.Summary = strings.TrimSpace(in.Summary)
	checkText(fe, "summary", in.Summary, MaxTextLen, true)
	checkText(fe, "place", in.Place, MaxNameLen, false)
	checkText(fe, "our_people", in.OurPeople, MaxNameLen, false)
	checkText(fe, "their_people", in.TheirPeople, MaxNameLen, false)
	checkText(fe, "next_step", in.NextStep, MaxTextLen, false)
	if !in.NextDue.IsZero() && !in.OccurredAt.IsZero() && in.NextDue.Before(in.OccurredAt) {
		fe.Add("next_due", "下一步期限不能早于发生日期 (before occurred_at)")
	}
	if len(in.ContactIDs) > MaxContactsMet {
		fe.Add("contact_ids", "一次最多记录 50 位联系人 (at most 50)")
	}
	CheckLimits(fe, in)
	return fe.Err()
}

// Validate checks a campaign before it is created.
func (c *Campaign) Validate() error {
	fe := FieldErrors{}
	c.Title = strings.TrimSpace(c.Title)
	if !c.Kind.Valid() {
		fe.Add("kind", "类型应为 trip（外出招商）或 conference（推介会）")
	}
	checkText(fe, "title", c.Title, MaxNameLen, true)
	checkText(fe, "city", c.City, MaxShortLen, true)
	if c.StartDate.IsZero() {
		fe.Add("start_date", "请填写开始日期 (required)")
	}
	if c.EndDate.IsZero() {
		c.EndDate = c.StartDate
	}
	if !c.StartDate.IsZero() && c.EndDate.Before(c.StartDate) {
		fe.Add("end_date", "结束日期不能早于开始日期 (before start_date)")
	}
	checkText(fe, "notes", c.Notes, MaxTextLen, false)
	CheckLimits(fe, c)
	return fe.Err()
}

func checkText(fe FieldErrors, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, "必填 (required)")
	case !utf8.ValidString(v):
		fe.Add(field, "不是有效的 UTF-8 文本 (invalid text)")
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, "过长，最多 "+strconv.Itoa(max)+" 个字符 (too long)")
	}
}

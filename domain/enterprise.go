package domain

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// The enterprise (客商) as a first-class record: its profile, contact people, duplicate
// checks and merge. Kind says how the zone relates to an enterprise (local, investor, …)
// and drives the chain maps and scopes; Ownership says what the company is (央企, 民企, …).

// Ownership is the enterprise's ownership type (企业性质).
type Ownership string

const (
	OwnershipCentralSOE        Ownership = "central_soe"        // 央企
	OwnershipLocalSOE          Ownership = "local_soe"          // 国企（地方国有）
	OwnershipPrivate           Ownership = "private"            // 民企
	OwnershipForeign           Ownership = "foreign"            // 外资
	OwnershipHKMacaoTaiwan     Ownership = "hk_macao_taiwan"    // 港澳台
	OwnershipListed            Ownership = "listed"             // 上市公司
	OwnershipPublicInstitution Ownership = "public_institution" // 事业单位
)

// Ownerships lists the ownership types in the order forms show them.
var Ownerships = []Ownership{OwnershipCentralSOE, OwnershipLocalSOE, OwnershipPrivate, OwnershipForeign,
	OwnershipHKMacaoTaiwan, OwnershipListed, OwnershipPublicInstitution}

var ownershipLabels = map[Ownership]string{
	OwnershipCentralSOE: "央企", OwnershipLocalSOE: "国企", OwnershipPrivate: "民企", OwnershipForeign: "外资",
	OwnershipHKMacaoTaiwan: "港澳台", OwnershipListed: "上市", OwnershipPublicInstitution: "事业单位",
}

// Valid reports whether o is a known ownership type; "" (unknown) is valid too.
func (o Ownership) Valid() bool { _, ok := ownershipLabels[o]; return ok || o == "" }

// Label is the Chinese label (央企, 国企, …).
func (o Ownership) Label() string { return ownershipLabels[o] }

// Limits of the enterprise profile.
const (
	MaxTags    = 20
	MaxTagLen  = 20
	MaxURLLen  = 300
	MaxAddrLen = 200
)

// EnterpriseInput is what creating an enterprise takes. Contact is the old free-text
// contact ("张经理 13800138000"): it becomes a contact person. ConfirmNew creates the
// enterprise although its name equals an existing one's once normalised.
type EnterpriseInput struct {
	Name       string         `json:"name"`
	CreditCode string         `json:"credit_code"`
	Kind       EnterpriseKind `json:"kind"`
	Ownership  Ownership      `json:"ownership"`
	Industry   string         `json:"industry"`
	Region     string         `json:"region"`
	Address    string         `json:"address"`
	Website    string         `json:"website"`
	Tags       []string       `json:"tags"`
	Notes      string         `json:"notes"`
	NodeIDs    []int64        `json:"chain_node_ids"`
	Contact    string         `json:"contact"`
	ConfirmNew bool           `json:"confirm_new"`
	Sample     bool           `json:"-"`
}

// Validate trims and checks every field.
func (in *EnterpriseInput) Validate() error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	in.CreditCode = NormalizeCreditCode(in.CreditCode)
	checkText(fe, "name", in.Name, MaxNameLen, true)
	if in.Name != "" && NormalizeEnterpriseName(in.Name) == "" {
		fe.Add("name", "企业名称应含文字 (a name needs letters)")
	}
	if in.CreditCode != "" && !ValidCreditCode(in.CreditCode) {
		fe.Add("credit_code", "统一社会信用代码无效 (invalid unified social credit code)")
	}
	if in.Kind == "" {
		in.Kind = EnterpriseInvestor
	}
	if !in.Kind.Valid() {
		fe.Add("kind", "类型应为 local / investor / referrer / friendly / target")
	}
	checkOwnership(fe, in.Ownership)
	in.Industry, in.Region, in.Address, in.Website = strings.TrimSpace(in.Industry), strings.TrimSpace(in.Region),
		strings.TrimSpace(in.Address), strings.TrimSpace(in.Website)
	checkText(fe, "industry", in.Industry, MaxShortLen, false)
	checkText(fe, "region", in.Region, MaxShortLen, false)
	checkText(fe, "address", in.Address, MaxAddrLen, false)
	checkWebsite(fe, in.Website)
	in.Tags = checkTags(fe, in.Tags)
	checkText(fe, "notes", in.Notes, MaxTextLen, false)
	in.Contact = strings.TrimSpace(in.Contact)
	checkText(fe, "contact", in.Contact, MaxNameLen, false)
	CheckLimits(fe, in)
	return fe.Err()
}

// EnterpriseUpdate edits an enterprise; nil fields stay. Version must be current (else
// ECONFLICT, nothing written). A new name equal to another enterprise's once normalised
// needs ConfirmNew; a credit code of another enterprise is refused always.
type EnterpriseUpdate struct {
	Version    int64           `json:"version"`
	Name       *string         `json:"name"`
	CreditCode *string         `json:"credit_code"`
	Kind       *EnterpriseKind `json:"kind"`
	Ownership  *Ownership      `json:"ownership"`
	Industry   *string         `json:"industry"`
	Region     *string         `json:"region"`
	Address    *string         `json:"address"`
	Website    *string         `json:"website"`
	Tags       *[]string       `json:"tags"`
	Notes      *string         `json:"notes"`
	ConfirmNew bool            `json:"confirm_new"`
}

// Validate trims and checks the fields given.
func (u *EnterpriseUpdate) Validate() error {
	fe := FieldErrors{}
	if u.Version < 1 {
		fe.Add("version", "请带上当前版本号 version (required)")
	}
	trim := func(p *string) {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	trim(u.Name)
	trim(u.Industry)
	trim(u.Region)
	trim(u.Address)
	trim(u.Website)
	if u.Name != nil {
		checkText(fe, "name", *u.Name, MaxNameLen, true)
		if *u.Name != "" && NormalizeEnterpriseName(*u.Name) == "" {
			fe.Add("name", "企业名称应含文字 (a name needs letters)")
		}
	}
	if u.CreditCode != nil {
		*u.CreditCode = NormalizeCreditCode(*u.CreditCode)
		if *u.CreditCode != "" && !ValidCreditCode(*u.CreditCode) {
			fe.Add("credit_code", "统一社会信用代码无效 (invalid unified social credit code)")
		}
	}
	if u.Kind != nil && !u.Kind.Valid() {
		fe.Add("kind", "类型应为 local / investor / referrer / friendly / target")
	}
	if u.Ownership != nil {
		checkOwnership(fe, *u.Ownership)
	}
	if u.Industry != nil {
		checkText(fe, "industry", *u.Industry, MaxShortLen, false)
	}
	if u.Region != nil {
		checkText(fe, "region", *u.Region, MaxShortLen, false)
	}
	if u.Address != nil {
		checkText(fe, "address", *u.Address, MaxAddrLen, false)
	}
	if u.Website != nil {
		checkWebsite(fe, *u.Website)
	}
	if u.Tags != nil {
		tags := checkTags(fe, *u.Tags)
		u.Tags = &tags
	}
	if u.Notes != nil {
		checkText(fe, "notes", *u.Notes, MaxTextLen, false)
	}
	CheckLimits(fe, u)
	return fe.Err()
}

func checkOwnership(fe FieldErrors, o Ownership) {
	if !o.Valid() {
		fe.Add("ownership", "企业性质应为 central_soe（央企）/ local_soe（国企）/ private（民企）/ foreign（外资）/ hk_macao_taiwan（港澳台）/ listed（上市）/ public_institution（事业单位）")
	}
}

func checkWebsite(fe FieldErrors, v string) {
	if v == "" {
		return
	}
	checkText(fe, "website", v, MaxURLLen, false)
	raw := v
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(v, " \t") {
		fe.Add("website", "网址格式不对，例如 www.example.com.cn (not a web address)")
	}
}

// checkTags trims, drops empty and repeated tags, and checks the rest.
func checkTags(fe FieldErrors, tags []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
		checkText(fe, "tags", t, MaxTagLen, false)
	}
	if len(out) > MaxTags {
		fe.Add("tags", "标签最多 20 个 (at most 20 tags)")
	}
	return out
}

// Candidate names an existing enterprise a new one may duplicate.
type Candidate struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Duplicate is the error for a name or credit code an existing enterprise already has
// (409, code "duplicate", with the candidates).
func Duplicate(field, msg string, candidates []Candidate) error {
	return &Error{Code: EDUPLICATE, Message: msg, Fields: map[string]string{field: msg}, Candidates: candidates}
}

// EnterpriseProject is a project on an enterprise's page: as its investor or its referrer.
type EnterpriseProject struct {
	ID                int64   `json:"id"`
	Name              string  `json:"name"`
	Stage             Stage   `json:"stage"`
	Role              string  `json:"role"` // investor | referrer
	Channel           Channel `json:"channel"`
	Chain             *string `json:"chain"`
	PlannedInvestment Money   `json:"planned_investment_wan"`
	DockedAt          Date    `json:"docked_at"`
	Owner             string  `json:"owner"`
}

// EnterpriseLink is another enterprise on a page (referrals, duplicates).
type EnterpriseLink struct {
	ID   int64          `json:"id"`
	Name string         `json:"name"`
	Kind EnterpriseKind `json:"kind"`
}

// EnterpriseDetail is GET /enterprises/{id}: the profile with its people, the projects the
// caller may see, its chain links and referrals, and the newest page of its timeline.
type EnterpriseDetail struct {
	*Enterprise
	Contacts        []*Contact           `json:"contacts"`
	Projects        []*EnterpriseProject `json:"projects"`
	Nodes           []*ChainNodeRef      `json:"chain_nodes"`
	ReferralsTo     []*EnterpriseLink    `json:"referrals"`   // enterprises it can introduce (以商招商)
	ReferredBy      []*EnterpriseLink    `json:"referred_by"` // enterprises that can introduce it
	AttachmentCount int                  `json:"attachment_count"`
	Timeline        TimelinePage         `json:"timeline"`
}

// ChainNodeRef names a chain node with its chain.
type ChainNodeRef struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Chain string `json:"chain"`
}

// TimelineEntry is one thing that touched an enterprise: a line of its own history
// (Source "enterprise") or of one of its projects' (Source "project": visits, stage moves,
// 督办, edits).
type TimelineEntry struct {
	At          time.Time `json:"at"`
	Actor       string    `json:"actor"`
	Source      string    `json:"source"`
	ProjectID   int64     `json:"project_id,omitempty"`
	ProjectName string    `json:"project_name,omitempty"`
	Action      string    `json:"action"`
	Object      string    `json:"object,omitempty"`
	Field       string    `json:"field,omitempty"`
	From        string    `json:"from,omitempty"`
	To          string    `json:"to,omitempty"`
}

// TimelinePage is a page of a timeline, newest first.
type TimelinePage struct {
	Items    []*TimelineEntry `json:"items"`
	Total    int              `json:"total"`
	Page     int              `json:"page"`
	PageSize int              `json:"page_size"`
}

// EnterpriseHistoryEntry is one line of an enterprise's own history.
type EnterpriseHistoryEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Object string    `json:"object,omitempty"`
	Field  string    `json:"field,omitempty"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
}

// Enterprise history actions.
const (
	EnterpriseCreated        = "created"
	EnterpriseUpdated        = "updated"
	EnterpriseMergedFrom     = "merged"      // on the survivor: another enterprise merged into it
	EnterpriseMergedInto     = "merged_into" // on the merged one
	EnterpriseContactAdded   = "contact_added"
	EnterpriseContactUpdated = "contact_updated"
	EnterpriseContactRemoved = "contact_removed"
	EnterpriseFileAdded      = "attachment_added"
	EnterpriseFileRemoved    = "attachment_removed"
)

// MergeResult says what a merge moved.
type MergeResult struct {
	ID          int64             `json:"id"`
	Into        int64             `json:"into"`
	Projects    int               `json:"projects"`
	Contacts    int               `json:"contacts"`
	Nodes       int               `json:"chain_nodes"`
	Masters     int               `json:"chain_masters"`
	Referrals   int               `json:"referrals"`
	Attachments int               `json:"attachments"`
	Enterprise  *EnterpriseDetail `json:"enterprise"`
}

// CanEditEnterprise: administrators, the director and recruiters keep the 客商库 (the same
// roles that may create enterprises).
func CanEditEnterprise(a *Actor) bool {
	return a != nil && a.User != nil && isAny(a.User, RoleAdmin, RoleDirector, RoleRecruiter)
}

// CanMergeEnterprises: administrators and the director.
func CanMergeEnterprises(a *Actor) bool {
	return a != nil && a.User != nil && isAny(a.User, RoleAdmin, RoleDirector)
}

// EnterpriseService manages enterprises. Reads follow the enterprise scope (a chain chief
// does not see the investors of other chains' projects); a merged enterprise is ENOTFOUND.
type EnterpriseService interface {
	FindEnterprises(ctx context.Context, f EnterpriseFilter) ([]*Enterprise, int, error)
	FindEnterpriseByID(ctx context.Context, id int64) (*Enterprise, error)
	// EnterprisePage is the enterprise with everything on its page; the timeline page p.
	EnterprisePage(ctx context.Context, id int64, p Page) (*EnterpriseDetail, error)
	// CreateEnterprise: a name equal to an existing one's once normalised is EDUPLICATE with
	// the candidates unless in.ConfirmNew; the same credit code is EDUPLICATE always.
	CreateEnterprise(ctx context.Context, in EnterpriseInput) (*Enterprise, error)
	UpdateEnterprise(ctx context.Context, id int64, upd EnterpriseUpdate) (*Enterprise, error)
	// Duplicates lists groups of enterprises whose names are equal once normalised.
	Duplicates(ctx context.Context) ([][]Candidate, error)
	// Merge moves everything that names id to into and retires id; admin and director.
	Merge(ctx context.Context, id, into int64) (*MergeResult, error)
	History(ctx context.Context, id int64) ([]*EnterpriseHistoryEntry, error)
	Timeline(ctx context.Context, id int64, p Page) (*TimelinePage, error)
}

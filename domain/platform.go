package domain

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// bidiControls are the Unicode bidirectional overrides and isolates (not in unicode.Cc).
const bidiControls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

// The provincial platform (issue 19): one deployment serves many development zones, and
// the people above a county zone — the city's and the province's 商务 and 开发区 offices —
// read the zones granted to them side by side. They are users of the role RoleProvince,
// kept in the platform's own row of zones (code PlatformZoneCode), granted zones by the
// command line (`chaincrm user create … --role province --zones Z1,Z2`), and never write.

// RoleProvince reads the figures of the zones granted to it, read-only (省、市级).
const RoleProvince Role = "province"

// RolePlatformAdmin administers the platform (issue 19): lists every zone and edits the
// province users' grants. Kept, like province users, in the platform's row of zones; made
// on the command line (`chaincrm user create NAME --role platform_admin --password P`).
// It reads no zone's data and writes nothing but grants.
const RolePlatformAdmin Role = "platform_admin"

// PlatformZoneCode is the code of the zones row that holds the province users; no
// development zone may take it.
const PlatformZoneCode = "platform"

// PlatformSigned are a year's signings: how many, and their planned investment as it
// stood at the end of the year (as the zone's own dashboard counts them).
type PlatformSigned struct {
	Count             int   `json:"count"`
	PlannedInvestment Money `json:"planned_investment_wan"`
	// Increase are the increments made during the year on projects signed earlier.
	Increase Money `json:"increase_wan"`
	// Total is the two together (the zone's 签约投资 of the year).
	Total Money `json:"total_wan"`
}

// PlatformZone is one zone's figures for a year, counted exactly as the zone's own
// GET /stats/overview counts them for a zone-wide reader.
type PlatformZone struct {
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	DockedTotal int            `json:"docked_total"`
	ByChannel   map[string]int `json:"by_channel"`
	ByStage     map[string]int `json:"by_stage"`
	Signed      PlatformSigned `json:"signed"`
}

// PlatformTotal is the sum over the zones of an overview.
type PlatformTotal struct {
	Zones       int            `json:"zones"`
	DockedTotal int            `json:"docked_total"`
	ByChannel   map[string]int `json:"by_channel"`
	ByStage     map[string]int `json:"by_stage"`
	Signed      PlatformSigned `json:"signed"`
}

// PlatformOverview compares the granted zones' figures of one year.
type PlatformOverview struct {
	Year  int            `json:"year"`
	Zones []PlatformZone `json:"zones"`
	Total PlatformTotal  `json:"total"`
}

// PlatformChainZone is one zone's chain of a given code in a year.
type PlatformChainZone struct {
	Code        string         `json:"code" description:"the zone's code"`
	Name        string         `json:"name" description:"the zone's name"`
	ChainName   string         `json:"chain_name" description:"the chain's name in that zone"`
	NodeCount   int            `json:"node_count"`
	DockedTotal int            `json:"docked_total" description:"projects of the chain docked in the year (the zone's by_chain)"`
	Signed      PlatformSigned `json:"signed"`
}

// PlatformChain is the chains of one code across the zones that have one.
type PlatformChain struct {
	Code        string              `json:"code"`
	Name        string              `json:"name" description:"the name most zones give it"`
	DockedTotal int                 `json:"docked_total"`
	Signed      PlatformSigned      `json:"signed"`
	Zones       []PlatformChainZone `json:"zones"`
}

// PlatformChains compares the chains of the same code across the granted zones.
type PlatformChains struct {
	Year   int             `json:"year"`
	Chains []PlatformChain `json:"chains"`
}

// PlatformService is what a province user reads: only the zones granted to them (the
// caller's grants; a caller without the province role has none and reads nothing).
type PlatformService interface {
	// GrantedZones lists the caller's zones, by code.
	GrantedZones(ctx context.Context) ([]*Zone, error)
	Overview(ctx context.Context, year int) (*PlatformOverview, error)
	Chains(ctx context.Context, year int) (*PlatformChains, error)
	// LoginZone is the zone a log-in without a zone means: the default zone when it has a
	// user of that name, else the platform when a province user has it, else the default.
	LoginZone(ctx context.Context, defaultZone, username string) (string, error)
}

var zoneCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{1,31}$`)

// ZoneInput is a new development zone (chaincrm zone create).
type ZoneInput struct {
	Code     string
	Name     string
	TimeZone string
}

// Validate checks a new zone: a code of 2–32 lower-case letters, digits, "_" and "-"
// starting with a letter, not the platform's; a name; a time zone (default Asia/Shanghai).
func (in *ZoneInput) Validate() error {
	fe := FieldErrors{}
	in.Code, in.Name, in.TimeZone = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.TimeZone)
	switch {
	case !zoneCodeRE.MatchString(in.Code):
		fe.Add("code", "开发区代码应为 2–32 位小写字母、数字、_ 或 -，以字母开头 (2–32 of a-z 0-9 _ -, starting with a letter)")
	case in.Code == PlatformZoneCode:
		fe.Add("code", "platform 为平台保留代码 (reserved)")
	}
	switch {
	case in.Name == "":
		fe.Add("name", "请填写开发区名称 (required)")
	case !utf8.ValidString(in.Name) || strings.ContainsFunc(in.Name, unicode.IsControl) || strings.ContainsAny(in.Name, bidiControls):
		fe.Add("name", "名称不能含控制字符 (no control characters)")
	case utf8.RuneCountInString(in.Name) > 100:
		fe.Add("name", "名称过长，最多 100 字 (too long)")
	}
	if in.TimeZone == "" {
		in.TimeZone = "Asia/Shanghai"
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "Local" {
		fe.Add("time_zone", "未知的时区，例如 Asia/Shanghai (unknown time zone)")
	}
	return fe.Err()
}

// ProvinceUserInput is a new province user (chaincrm user create USERNAME --role province
// --zones Z1,Z2 --password P): a person above the zones, granted the zones Zones to read.
type ProvinceUserInput struct {
	// Role is RoleProvince (the default) or RolePlatformAdmin, who is granted no zones.
	Role        Role
	Username    string
	DisplayName string
	Email       string
	Password    string
	Zones       []string
}

// Validate checks the fields that need no database: the user name's form, the display name
// and e-mail, at least one zone, and the password rules of CheckPassword (the repository
// adds the strength estimate).
func (in *ProvinceUserInput) Validate() error {
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Email = strings.TrimSpace(in.Email)
	fe := FieldErrors{}
	if !validUsername.MatchString(in.Username) {
		fe.Add("username", "用户名为 2–64 个字母、数字或 _ . - (2–64 letters, digits, _ . -)")
	}
	if strings.EqualFold(in.Username, "system") {
		fe.Add("username", "该用户名为系统保留 (reserved)")
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	phone, agency := "", ""
	checkAccountFields(fe, &in.DisplayName, &in.Email, &phone, &agency)
	zones := []string{}
	for _, z := range in.Zones {
		if z = strings.TrimSpace(z); z != "" && !slicesContains(zones, z) {
			zones = append(zones, z)
		}
	}
	in.Zones = zones
	if in.Role == "" {
		in.Role = RoleProvince
	}
	switch {
	case in.Role != RoleProvince && in.Role != RolePlatformAdmin:
		fe.Add("role", "命令行只能创建 province 或 platform_admin 用户 (province or platform_admin)")
	case in.Role == RolePlatformAdmin && len(zones) > 0:
		fe.Add("zones", "平台管理员不授权开发区，他管理省市级用户的授权 (a platform administrator is granted no zones)")
	case in.Role == RoleProvince && len(zones) == 0:
		fe.Add("zones", "至少授权一个开发区 (at least one zone)")
	}
	if msg := CheckPassword(in.Password, PasswordContext{Username: in.Username, DisplayName: in.DisplayName}); msg != "" {
		fe.Add("password", msg)
	}
	return fe.Err()
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// PlatformRankings are what zones can be ranked by (GET /platform/ranking?by=): the year's
// dockings, signings, and signed investment (签约投资: planned at the year's end plus the
// year's increases on earlier signings, the overview's signed.total_wan).
var PlatformRankings = []string{"docked", "signed", "investment"}

// PlatformRankItem is one zone's place in a ranking, with the three figures it can be
// ranked by.
type PlatformRankItem struct {
	Rank          int    `json:"rank" description:"1 for the first; zones with equal figures share a rank (1, 1, 3)"`
	Code          string `json:"code"`
	Name          string `json:"name"`
	DockedTotal   int    `json:"docked_total"`
	SignedCount   int    `json:"signed_count"`
	InvestmentWan Money  `json:"investment_wan" description:"the year's signed investment (signed.total_wan of the overview)"`
}

// PlatformRanking ranks the granted zones by one figure of a year.
type PlatformRanking struct {
	Year  int                `json:"year"`
	By    string             `json:"by" enum:"docked,signed,investment"`
	Items []PlatformRankItem `json:"items"`
}

// RankZones ranks an overview's zones by by (one of PlatformRankings), highest first; equal
// figures share a rank (standard competition ranking) and are listed by code.
func RankZones(o *PlatformOverview, by string) (*PlatformRanking, error) {
	if !slicesContains(PlatformRankings, by) {
		return nil, &Error{Code: EINVALID, Message: "排名依据无效 (unknown ranking)",
			Fields: map[string]string{"by": "应为 docked、signed 或 investment (docked, signed or investment)"}}
	}
	out := &PlatformRanking{Year: o.Year, By: by, Items: make([]PlatformRankItem, 0, len(o.Zones))}
	for _, z := range o.Zones {
		out.Items = append(out.Items, PlatformRankItem{Code: z.Code, Name: z.Name, DockedTotal: z.DockedTotal,
			SignedCount: z.Signed.Count, InvestmentWan: z.Signed.Total})
	}
	value := func(it PlatformRankItem) int64 {
		switch by {
		case "signed":
			return int64(it.SignedCount)
		case "investment":
			return int64(it.InvestmentWan)
		}
		return int64(it.DockedTotal)
	}
	sort.SliceStable(out.Items, func(i, j int) bool {
		a, b := out.Items[i], out.Items[j]
		if va, vb := value(a), value(b); va != vb {
			return va > vb
		}
		return a.Code < b.Code
	})
	for i := range out.Items {
		if i > 0 && value(out.Items[i]) == value(out.Items[i-1]) {
			out.Items[i].Rank = out.Items[i-1].Rank
		} else {
			out.Items[i].Rank = i + 1
		}
	}
	return out, nil
}

// PlatformAdminZone is a zone as the platform administrator lists it.
type PlatformAdminZone struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	TimeZone  string    `json:"time_zone"`
	Kind      string    `json:"kind" enum:"zone,platform" description:"zone: a development zone; platform: the platform's own row (province users)"`
	Users     int       `json:"users" description:"its user accounts"`
	Projects  int       `json:"projects" description:"its projects (not deleted)"`
	Grants    int       `json:"grants" description:"province users granted it"`
	CreatedAt time.Time `json:"created_at"`
}

// PlatformUser is a user of the platform's row: a province user with their zones, or a
// platform administrator.
type PlatformUser struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Roles       []Role    `json:"roles"`
	Disabled    bool      `json:"disabled"`
	Zones       []string  `json:"zones" description:"codes of the zones granted (province users)"`
	CreatedAt   time.Time `json:"created_at"`
}

// PlatformGrants are the zones a province user reads.
type PlatformGrants struct {
	UserID   int64    `json:"user_id"`
	Username string   `json:"username"`
	Zones    []string `json:"zones" description:"zone codes, sorted"`
}

// PlatformGrantsInput replaces a province user's zones.
type PlatformGrantsInput struct {
	Zones []string `json:"zones" required:"true" description:"every zone code the user is to read; [] revokes all"`
}

// PlatformAdminService is the platform administrator's (RolePlatformAdmin): every zone,
// the platform's users and the province users' grants. Anyone else is refused (403).
type PlatformAdminService interface {
	AdminZones(ctx context.Context) ([]*PlatformAdminZone, error)
	PlatformUsers(ctx context.Context) ([]*PlatformUser, error)
	Grants(ctx context.Context, userID int64) (*PlatformGrants, error)
	// SetGrants replaces a province user's grants, auditing each zone granted or revoked in
	// that zone's log and the change in the platform's.
	SetGrants(ctx context.Context, userID int64, zones []string) (*PlatformGrants, error)
}

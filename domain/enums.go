package domain

// Channel is one of the zone's four recruitment channels (招商渠道).
type Channel string

const (
	ChannelEntrusted        Channel = "entrusted"         // 委托招商: an outside agency
	ChannelBusinessReferral Channel = "business_referral" // 以商招商: referred by an enterprise
	ChannelSelfSourced      Channel = "self_sourced"      // 自主招商
	ChannelResourcePlus     Channel = "resource_plus"     // “资源+”招商
)

// Channels lists the channels in the order the zone reports them.
var Channels = []Channel{ChannelEntrusted, ChannelBusinessReferral, ChannelSelfSourced, ChannelResourcePlus}

var channelNames = map[Channel]string{
	ChannelEntrusted: "委托招商", ChannelBusinessReferral: "以商招商",
	ChannelSelfSourced: "自主招商", ChannelResourcePlus: "“资源+”招商",
}

func (c Channel) Valid() bool   { _, ok := channelNames[c]; return ok }
func (c Channel) Label() string { return channelNames[c] }

// AssetType says whether a project needs land and plant (重资产) or goes into the science
// park's standard buildings (轻资产).
type AssetType string

const (
	AssetHeavy AssetType = "heavy"
	AssetLight AssetType = "light"
)

var AssetTypes = []AssetType{AssetHeavy, AssetLight}

func (a AssetType) Valid() bool { return a == AssetHeavy || a == AssetLight }
func (a AssetType) Label() string {
	switch a {
	case AssetHeavy:
		return "重资产"
	case AssetLight:
		return "轻资产"
	}
	return ""
}

// Segment places a chain node upstream, midstream or downstream.
type Segment string

const (
	SegmentUpstream   Segment = "upstream"
	SegmentMidstream  Segment = "midstream"
	SegmentDownstream Segment = "downstream"
)

var Segments = []Segment{SegmentUpstream, SegmentMidstream, SegmentDownstream}

func (s Segment) Valid() bool {
	return s == SegmentUpstream || s == SegmentMidstream || s == SegmentDownstream
}
func (s Segment) Label() string {
	return map[Segment]string{SegmentUpstream: "上游", SegmentMidstream: "中游", SegmentDownstream: "下游"}[s]
}

// ActivityKind is what kind of contact an activity records.
type ActivityKind string

const (
	ActivityVisit        ActivityKind = "visit"     // 外出拜访
	ActivityReception    ActivityKind = "reception" // 来访接待
	ActivityMeeting      ActivityKind = "meeting"   // 洽谈
	ActivityCall         ActivityKind = "call"      // 电话
	ActivityServiceVisit ActivityKind = "service"   // 跟踪服务
)

var ActivityKinds = []ActivityKind{ActivityVisit, ActivityReception, ActivityMeeting, ActivityCall, ActivityServiceVisit}

func (k ActivityKind) Valid() bool {
	for _, v := range ActivityKinds {
		if v == k {
			return true
		}
	}
	return false
}

// CampaignKind distinguishes an outbound trip (外出招商) from a promotion conference (推介会).
type CampaignKind string

const (
	CampaignTrip       CampaignKind = "trip"
	CampaignConference CampaignKind = "conference"
)

func (k CampaignKind) Valid() bool { return k == CampaignTrip || k == CampaignConference }

// EnterpriseKind says how the zone relates to an enterprise.
type EnterpriseKind string

const (
	EnterpriseLocal    EnterpriseKind = "local"    // 区内企业
	EnterpriseInvestor EnterpriseKind = "investor" // 投资方
	EnterpriseReferrer EnterpriseKind = "referrer" // 以商招商的推荐企业
	EnterpriseFriendly EnterpriseKind = "friendly" // 友好合作企业
	EnterpriseTarget   EnterpriseKind = "target"   // 目标企业（尚未接触）
)

var EnterpriseKinds = []EnterpriseKind{EnterpriseLocal, EnterpriseInvestor, EnterpriseReferrer, EnterpriseFriendly, EnterpriseTarget}

func (k EnterpriseKind) Valid() bool {
	for _, v := range EnterpriseKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Role is what a user is to the zone; the casbin policy maps roles to actions.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleDirector   Role = "director"
	RoleChainChief Role = "chain_chief"
	RoleRecruiter  Role = "recruiter"
	RoleAgent      Role = "agent"
	RoleViewer     Role = "viewer"
	// RoleDepartment is a county department's liaison (部门联络员, issue 15): sees only their
	// department's service requests and the minimum of those requests' projects.
	RoleDepartment Role = "department"
)

var Roles = []Role{RoleAdmin, RoleDirector, RoleChainChief, RoleRecruiter, RoleAgent, RoleViewer, RoleDepartment}

func (r Role) Valid() bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}

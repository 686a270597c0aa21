package domain

import "context"

// The figures the zone reports (dashboard, annual report, targets) and the spreadsheet
// import that feeds them. Counting rules, as provincial investment statistics use them:
//
//   - a docked project (对接项目) counts in the year of its docked_at;
//   - a signed project (签约项目) counts once, in the year of its signing (signed_at), with
//     its planned investment as it stood at the end of that year; a later increase of a
//     project signed in an earlier year counts only the increment, in the year it was made;
//   - soft-deleted projects never count; everything is counted within the caller's scope.

// Overview is the dashboard's figures for one year.
type Overview struct {
	Year        int            `json:"year"`
	DockedTotal int            `json:"docked_total"`
	ByChannel   map[string]int `json:"by_channel"`
	ByStage     map[string]int `json:"by_stage"`
	ByChain     map[string]int `json:"by_chain"` // chain code, or "none"
	ByAssetType map[string]int `json:"by_asset_type"`
	// IntendedByAssetType counts the year's dockings now in risk assessment or decision and
	// not signed (有意向入驻), heavy (needing land) and light (for the science park).
	IntendedByAssetType map[string]int `json:"intended_by_asset_type"`
	Signed              SignedFigures  `json:"signed"`
	Campaigns           CampaignTotals `json:"campaigns"`
	// Conversion counts the year's docked projects that reached each pipeline stage (a
	// dropped project by the stage it left), and how many were dropped.
	Conversion map[string]int `json:"conversion"`
	// StageDays is, per stage, the median number of days projects spent in it before
	// leaving it during the year (from the history's stage moves).
	StageDays      map[string]StageDuration `json:"stage_days"`
	ChannelResults []SourceResult           `json:"channel_results"`
	SourceResults  []SourceResult           `json:"source_results"` // agencies and referrers
	Investment     InvestmentFigures        `json:"investment"`
}

// SignedFigures are the year's signings.
type SignedFigures struct {
	Count             int            `json:"count"`
	PlannedInvestment Money          `json:"planned_investment_wan"` // of projects signed this year
	Increase          Money          `json:"increase_wan"`           // increments on earlier signings
	Total             Money          `json:"total_wan"`              // the two together
	ByChannel         map[string]int `json:"by_channel"`
	ByAssetType       map[string]int `json:"by_asset_type"`
}

// CampaignTotals are the year's trips and conferences, zone-wide, and the visible projects
// docked on one of them.
type CampaignTotals struct {
	Trips            int      `json:"trip"`
	Conferences      int      `json:"conference"`
	TripCities       []string `json:"trip_cities"`       // in the order of each city's first trip
	ConferenceCities []string `json:"conference_cities"` // likewise
	ProjectsDocked   int      `json:"projects_docked"`
}

// StageDuration is a median with the number of stage exits it is taken over.
type StageDuration struct {
	MedianDays float64 `json:"median_days"`
	Samples    int     `json:"samples"`
}

// SourceResult is what one channel, agency (委托招商机构) or referrer (以商招商的推荐企业)
// brought: leads docked in the year, projects signed in it and their investment.
type SourceResult struct {
	Kind       string `json:"kind"` // "channel", "agency" or "referrer"
	Key        string `json:"key"`  // the channel code, agency name or referrer name
	Label      string `json:"label"`
	Leads      int    `json:"leads"`
	Signed     int    `json:"signed"`
	Investment Money  `json:"investment_wan"`
}

// InvestmentFigures compare planned with realised investment (到资).
type InvestmentFigures struct {
	Planned  Money `json:"planned_wan"`  // planned investment counted as signed this year
	Realised Money `json:"realised_wan"` // capital arrived (到资) in the year, on any project
}

// ReportProject is a project named in the annual report.
type ReportProject struct {
	ID                int64     `json:"id"`
	Name              string    `json:"name"`
	Investor          string    `json:"investor"`
	Chain             *string   `json:"chain"`
	Stage             Stage     `json:"stage"`
	AssetType         AssetType `json:"asset_type"`
	PlannedInvestment Money     `json:"planned_investment_wan"`
	LandArea          Area      `json:"land_area_mu"`
	DockedAt          Date      `json:"docked_at"`
	SignedAt          Date      `json:"signed_at"`
}

// ReportList is a count and the first projects of a kind, largest investment first or in
// date order as the report names them.
type ReportList struct {
	Count    int              `json:"count"`
	Projects []*ReportProject `json:"projects"`
}

// AnnualFigures are what the annual report's paragraph (seed 一(七)) is written from.
type AnnualFigures struct {
	Year int    `json:"year"`
	Zone string `json:"zone"`
	// Scope is what the figures cover: "zone" (every project of the zone), "chains" (the
	// caller's chains, listed in Chains) or "submitted" (an agency's own leads).
	Scope    string     `json:"scope"`
	Chains   []string   `json:"chains"`
	Overview *Overview  `json:"overview"`
	Signed   ReportList `json:"signed_projects"`
	// Intended projects (有意向入驻): docked in the year, in risk assessment or decision,
	// not signed; heavy-asset ones need land, light-asset ones go to the science park.
	IntendedHeavy ReportList `json:"intended_heavy"`
	IntendedLight ReportList `json:"intended_light"`
	// Service is what the year's service requests solved (issue 15, seed 一(六)).
	Service *AnnualService `json:"service"`

	// The economic indicators (issue 17): the latest month of the year with figures (zone
	// scope only; null otherwise or when the year has none), and the investment the visible
	// projects completed in the year (一(六)), largest first.
	Indicators          *MonthIndicators       `json:"indicators"`
	CompletedInvestment []*CompletedInvestment `json:"completed_investment"`
}

// AnnualService is what the annual report says of the year's service requests: the titles
// of those resolved in the year, in the order they were solved, and the financing the
// resolved finance requests arranged.
type AnnualService struct {
	Solved    []string `json:"solved"`
	Financing Money    `json:"financing_wan"`
}

// StatsService computes figures; every number is within the caller's scope.
type StatsService interface {
	Overview(ctx context.Context, year int) (*Overview, error)
	AnnualFigures(ctx context.Context, year int) (*AnnualFigures, error)
}

// TargetMetric is a quantity a yearly target can be set on.
type TargetMetric struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Unit  string `json:"unit"`
}

// TargetMetrics are the metrics progress is computed for.
var TargetMetrics = []TargetMetric{
	{"signed_projects", "签约项目数", "个"},
	{"light_signed_science_park", "科创园轻资产项目签约落地数", "个"},
	{"heavy_signed", "重资产项目签约数", "个"},
	{"investment_signed_wan", "签约投资额", "万元"},
	{"docked_projects", "对接项目数", "个"},
	{"trips_made", "外出招商次数", "次"},
	{"conferences_held", "举办招商推介会次数", "次"},
	{"projects_started", "签约项目开工数", "个"},
	// issue 17: the zone's indicators, as of the latest month of the year with the figure
	{"revenue_wan", "营业收入", "万元"},
	{"tax_wan", "税收收入", "万元"},
	{"output_wan", "工业总产值", "万元"},
	{"fixed_asset_investment_wan", "固定资产投资", "万元"},
}

// MetricByCode returns the metric of that code.
func MetricByCode(code string) (TargetMetric, bool) {
	for _, m := range TargetMetrics {
		if m.Code == code {
			return m, true
		}
	}
	return TargetMetric{}, false
}

// TargetUpdate is a PATCH of a target; nil fields stay.
type TargetUpdate struct {
	Value *int64  `json:"target"`
	Label *string `json:"label"`
	Notes *string `json:"notes"`
}

// TargetService manages yearly targets. Reading needs no special role; creating and
// changing them is for administrators and the director (casbin "target manage").
// Progress is computed from the data within the caller's scope.
type TargetService interface {
	FindTargets(ctx context.Context, year int) ([]*Target, error)
	CreateTarget(ctx context.Context, t *Target) error
	UpdateTarget(ctx context.Context, id int64, upd TargetUpdate) (*Target, error)
}

// ImportRow is one row of an import file: its row number as the spreadsheet shows it and
// the project it describes.
type ImportRow struct {
	Row   int
	Input ProjectInput
}

// ImportOptions say how to apply an import.
type ImportOptions struct {
	DryRun bool
	// Columns are the ProjectInput JSON names the file has a column for; an existing
	// project's other fields are left as they are. Nil means every column.
	Columns map[string]bool
}

// ImportError is one problem with one row; Field is a ProjectInput JSON name.
type ImportError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportResult says what an import did (or, for a dry run or a refused file, would do).
type ImportResult struct {
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Errors    []ImportError `json:"errors"`
}

// ProjectImporter applies an import file's rows all or nothing: a row whose project name
// and investor match an existing project updates it (version bump, history), any other row
// creates one; investors are matched by name or created. When any row is wrong nothing is
// written and Errors lists every wrong row.
type ProjectImporter interface {
	ImportProjects(ctx context.Context, rows []ImportRow, opts ImportOptions) (*ImportResult, error)
}

// Exporter streams what the spreadsheet exports hold, within the caller's scope.
type Exporter interface {
	// EachExportProject is ProjectStreamer.EachProject with the investor's credit code,
	// so that an export re-imports unchanged.
	EachExportProject(ctx context.Context, f ProjectFilter, fn func(p *Project, creditCode string) error) error
	// EachActivity walks the activities of the visible projects matching f, oldest first;
	// from and to (when not zero) bound the activity's date.
	EachActivity(ctx context.Context, f ProjectFilter, from, to Date, fn func(projectName string, a *Activity) error) error
}

package domain

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The zone's economic indicators (经济指标, seed 一(一) and 三(五)) and the operations of its
// landed projects (项目质量, seed 三(三) and 一(六)).
//
// Indicators are the zone's year-to-date figures for a month as reported to the statistics
// bureau (1-10月份营业收入 …): one record per zone and month, re-entered as often as the
// bureau revises them; every change is kept in the month's history. A figure not reported
// is null, never 0, so that growth on a missing base is null rather than infinite.
//
// Growth is (this − same month a year before) ÷ the year before, rounded half away from
// zero to four decimals (a percentage to two: 0.3592 = 35.92%); null when either figure is
// missing or the base is 0. Shares are rounded the same way, each on its own.

// MaxRecordMoney is the largest amount one record may hold: 10 000 000 万元 (one 万亿元).
const MaxRecordMoney = Money(10_000_000 * 10_000)

// IndicatorFigures are one month's year-to-date figures; nil is "not reported".
type IndicatorFigures struct {
	EnterprisesInStatistics *int64 `json:"enterprises_in_statistics" minimum:"0" description:"入统企业数"`
	AboveScaleEnterprises   *int64 `json:"above_scale_enterprises" minimum:"0" description:"四上企业数 (≤ 入统企业数)"`
	Output                  *Money `json:"output_wan" description:"工业总产值，万元，年初至本月"`
	Revenue                 *Money `json:"revenue_wan" description:"营业收入，万元，年初至本月"`
	Tax                     *Money `json:"tax_wan" description:"税收收入，万元，年初至本月"`
	FixedAssetInvestment    *Money `json:"fixed_asset_investment_wan" description:"固定资产投资（统计口径），万元，年初至本月"`
	GovernmentInvestment    *Money `json:"government_investment_wan" description:"实施项目完成固定资产投资中的政府财政性投资，万元"`
	SocialInvestment        *Money `json:"social_investment_wan" description:"实施项目完成固定资产投资中的社会资本投资，万元"`
}

// IndicatorGrowth is each figure's growth on the same month a year before (0.3592 = 35.92%).
type IndicatorGrowth struct {
	EnterprisesInStatistics *float64 `json:"enterprises_in_statistics"`
	AboveScaleEnterprises   *float64 `json:"above_scale_enterprises"`
	Output                  *float64 `json:"output"`
	Revenue                 *float64 `json:"revenue"`
	Tax                     *float64 `json:"tax"`
	FixedAssetInvestment    *float64 `json:"fixed_asset_investment"`
	GovernmentInvestment    *float64 `json:"government_investment"`
	SocialInvestment        *float64 `json:"social_investment"`
}

// MonthIndicators is a month's record with its growth.
type MonthIndicators struct {
	Month string `json:"month" description:"YYYY-MM"`
	IndicatorFigures
	Growth    IndicatorGrowth `json:"growth"`
	UpdatedAt time.Time       `json:"updated_at"`
	UpdatedBy string          `json:"updated_by"`
}

// IndicatorChange is one figure changed by one entry of a month (its history).
type IndicatorChange struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Field string    `json:"field"`
	From  *string   `json:"from"`
	To    *string   `json:"to"`
}

// IndicatorService keeps the zone's monthly indicators. Reading is for whoever may read the
// zone's figures (casbin "indicator read"); entering them for administrators and the
// director ("indicator manage"). Records belong to the caller's zone.
type IndicatorService interface {
	// PutMonth replaces the month's figures (nil: not reported); changes go to its history.
	PutMonth(ctx context.Context, month Month, in IndicatorFigures) (*MonthIndicators, error)
	// FindYear lists the year's months that have a record, in order, with growth.
	FindYear(ctx context.Context, year int) ([]*MonthIndicators, error)
	// MonthHistory lists every change of a month, oldest first.
	MonthHistory(ctx context.Context, month Month) ([]*IndicatorChange, error)
}

// Month is a calendar month.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads YYYY-MM (01–12, years 1990–2100).
func ParseMonth(s string) (Month, error) {
	bad := fmt.Errorf("月份应为 YYYY-MM，如 2022-10 (month must be YYYY-MM)")
	if len(s) != 7 || s[4] != '-' {
		return Month{}, bad
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || !digits(s[:4]) || !digits(s[5:]) || m < 1 || m > 12 {
		return Month{}, bad
	}
	if y < 1990 || y > 2100 {
		return Month{}, fmt.Errorf("年份应在 1990–2100 之间 (year out of range)")
	}
	return Month{y, time.Month(m)}, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// After reports whether m lies after the month of day d.
func (m Month) After(d Date) bool {
	return m.Year > d.Year() || (m.Year == d.Year() && m.Month > d.Time().Month())
}

// CheckMonth refuses a month later than today's (figures are reported after the fact).
func CheckMonth(m Month, today Date) error {
	if m.After(today) {
		return &Error{Code: EINVALID, Message: "不能填报未来月份的指标 (month in the future)",
			Fields: map[string]string{"month": fmt.Sprintf("%s 晚于本月 (in the future)", m)}}
	}
	return nil
}

func checkMoney(fe FieldErrors, field string, m *Money) {
	switch {
	case m == nil:
	case *m < 0:
		fe.Add(field, "不能为负 (must be ≥ 0)")
	case *m > MaxRecordMoney:
		fe.Add(field, "不能超过 10000000 万元 (at most 10 000 000 万元)")
	}
}

func checkCount(fe FieldErrors, field string, n *int64) {
	switch {
	case n == nil:
	case *n < 0:
		fe.Add(field, "不能为负 (must be ≥ 0)")
	case *n > 10_000_000:
		fe.Add(field, "数值过大 (too large)")
	}
}

// Validate checks every figure: counts and amounts ≥ 0, amounts within the record limit,
// 四上 enterprises no more than 入统 ones (every 四上 enterprise is 入统).
func (in *IndicatorFigures) Validate() error {
	fe := FieldErrors{}
	checkCount(fe, "enterprises_in_statistics", in.EnterprisesInStatistics)
	checkCount(fe, "above_scale_enterprises", in.AboveScaleEnterprises)
	if in.EnterprisesInStatistics != nil && in.AboveScaleEnterprises != nil && *in.AboveScaleEnterprises > *in.EnterprisesInStatistics {
		fe.Add("above_scale_enterprises", "四上企业数不能多于入统企业数 (above-scale enterprises are all in statistics)")
	}
	checkMoney(fe, "output_wan", in.Output)
	checkMoney(fe, "revenue_wan", in.Revenue)
	checkMoney(fe, "tax_wan", in.Tax)
	checkMoney(fe, "fixed_asset_investment_wan", in.FixedAssetInvestment)
	checkMoney(fe, "government_investment_wan", in.GovernmentInvestment)
	checkMoney(fe, "social_investment_wan", in.SocialInvestment)
	return fe.Err()
}

// Empty reports whether no figure is reported.
func (in *IndicatorFigures) Empty() bool {
	return in.EnterprisesInStatistics == nil && in.AboveScaleEnterprises == nil && in.Output == nil && in.Revenue == nil &&
		in.Tax == nil && in.FixedAssetInvestment == nil && in.GovernmentInvestment == nil && in.SocialInvestment == nil
}

// IndicatorField is one figure by its JSON name, for histories and growth.
type IndicatorField struct {
	Name  string
	Label string
	Count *int64
	Money *Money
}

// Fields lists the figures in their order.
func (in *IndicatorFigures) Fields() []IndicatorField {
	return []IndicatorField{
		{"enterprises_in_statistics", "入统企业", in.EnterprisesInStatistics, nil},
		{"above_scale_enterprises", "四上企业", in.AboveScaleEnterprises, nil},
		{"output_wan", "工业总产值", nil, in.Output},
		{"revenue_wan", "营业收入", nil, in.Revenue},
		{"tax_wan", "税收收入", nil, in.Tax},
		{"fixed_asset_investment_wan", "固定资产投资", nil, in.FixedAssetInvestment},
		{"government_investment_wan", "政府财政性投资", nil, in.GovernmentInvestment},
		{"social_investment_wan", "社会资本投资", nil, in.SocialInvestment},
	}
}

// Text is the figure as written in a history (万元 for amounts), nil when not reported.
func (f IndicatorField) Text() *string {
	var s string
	switch {
	case f.Count != nil:
		s = strconv.FormatInt(*f.Count, 10)
	case f.Money != nil:
		s = f.Money.Wan()
	default:
		return nil
	}
	return &s
}

func (f IndicatorField) value() (int64, bool) {
	switch {
	case f.Count != nil:
		return *f.Count, true
	case f.Money != nil:
		return int64(*f.Money), true
	}
	return 0, false
}

// GrowthOf computes cur's growth on prev (nil prev: every growth is null).
func GrowthOf(cur, prev *IndicatorFigures) IndicatorGrowth {
	var g IndicatorGrowth
	if prev == nil {
		return g
	}
	dst := []**float64{&g.EnterprisesInStatistics, &g.AboveScaleEnterprises, &g.Output, &g.Revenue, &g.Tax,
		&g.FixedAssetInvestment, &g.GovernmentInvestment, &g.SocialInvestment}
	pf := prev.Fields()
	for i, f := range cur.Fields() {
		c, ok1 := f.value()
		p, ok2 := pf[i].value()
		if ok1 && ok2 {
			*dst[i] = GrowthRate(c, p)
		}
	}
	return g
}

// GrowthRate is (cur − prev) ÷ prev rounded half away from zero to four decimals; nil when
// prev is 0 (no base).
func GrowthRate(cur, prev int64) *float64 {
	bp, ok := GrowthBasisPoints(cur, prev)
	if !ok {
		return nil
	}
	v := float64(bp) / 10000
	return &v
}

// GrowthBasisPoints is the growth in hundredths of a percent (3592 = 35.92%), exactly.
func GrowthBasisPoints(cur, prev int64) (int64, bool) {
	if prev <= 0 {
		return 0, false
	}
	return divRound((cur-prev)*10000, prev), true
}

// ShareBasisPoints is part ÷ whole in hundredths of a percent (6595 = 65.95%), exactly.
func ShareBasisPoints(part, whole int64) (int64, bool) {
	if whole <= 0 {
		return 0, false
	}
	return divRound(part*10000, whole), true
}

// divRound is a ÷ b (b > 0) rounded half away from zero.
func divRound(a, b int64) int64 {
	if a < 0 {
		return -divRound(-a, b)
	}
	return (2*a + b) / (2 * b)
}

// Percent writes basis points as a percentage with two decimals: 3592 → "35.92%".
func Percent(bp int64) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, bp/100, bp%100)
}

// Yi4 writes m in 亿元 to four decimals, rounded half up, as the seed's 一(一) does
// ("56.7559"); trailing zeros are kept.
func (m Money) Yi4() string {
	neg := m < 0
	v := int64(m)
	if neg {
		v = -v
	}
	units := (v + 5000) / 10000 // 0.0001 亿元 = 10 000 元
	s := fmt.Sprintf("%d.%04d", units/10000, units%10000)
	if neg {
		s = "-" + s
	}
	return s
}

// ---- project operations (项目运营) ----

// Period is a reporting period of a project's operations: a year (2022), a quarter
// (2022-Q3) or a month (2022-10).
type Period struct {
	Year  int
	Kind  string // "year", "quarter" or "month"
	Index int    // the quarter (1–4) or month (1–12); 0 for a year
}

// ParsePeriod reads YYYY, YYYY-Qn or YYYY-MM.
func ParsePeriod(s string) (Period, error) {
	bad := fmt.Errorf("期间应为 YYYY、YYYY-Qn 或 YYYY-MM，如 2022、2022-Q3、2022-10 (period must be YYYY, YYYY-Qn or YYYY-MM)")
	if len(s) < 4 || !digits(s[:4]) {
		return Period{}, bad
	}
	y, _ := strconv.Atoi(s[:4])
	p := Period{Year: y, Kind: "year"}
	switch {
	case len(s) == 4:
	case len(s) == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q') && s[6] >= '1' && s[6] <= '4':
		p.Kind, p.Index = "quarter", int(s[6]-'0')
	case len(s) == 7 && s[4] == '-':
		m, err := ParseMonth(s)
		if err != nil {
			return Period{}, bad
		}
		p.Kind, p.Index = "month", int(m.Month)
	default:
		return Period{}, bad
	}
	if y < 1990 || y > 2100 {
		return Period{}, fmt.Errorf("年份应在 1990–2100 之间 (year out of range)")
	}
	return p, nil
}

func (p Period) String() string {
	switch p.Kind {
	case "quarter":
		return fmt.Sprintf("%04d-Q%d", p.Year, p.Index)
	case "month":
		return fmt.Sprintf("%04d-%02d", p.Year, p.Index)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// First is the period's first day.
func (p Period) First() Date {
	switch p.Kind {
	case "quarter":
		return NewDate(p.Year, time.Month(3*p.Index-2), 1)
	case "month":
		return NewDate(p.Year, time.Month(p.Index), 1)
	}
	return NewDate(p.Year, 1, 1)
}

// OperationsInput is what a project reported for a period; nil amounts are not reported.
type OperationsInput struct {
	Output              *Money `json:"output_wan" description:"产值，万元"`
	Revenue             *Money `json:"revenue_wan" description:"营业收入，万元"`
	Tax                 *Money `json:"tax_wan" description:"税收，万元"`
	Employees           *int64 `json:"employees" minimum:"0" description:"用工人数"`
	InvestmentCompleted *Money `json:"investment_completed_wan" description:"本期完成投资，万元"`
	InStatistics        bool   `json:"in_statistics" description:"入统"`
	AboveScale          bool   `json:"above_scale" description:"四上企业 (implies in_statistics)"`
}

// Validate checks amounts and counts, and that a 四上 project is 入统.
func (in *OperationsInput) Validate() error {
	fe := FieldErrors{}
	checkMoney(fe, "output_wan", in.Output)
	checkMoney(fe, "revenue_wan", in.Revenue)
	checkMoney(fe, "tax_wan", in.Tax)
	checkMoney(fe, "investment_completed_wan", in.InvestmentCompleted)
	checkCount(fe, "employees", in.Employees)
	if in.AboveScale && !in.InStatistics {
		fe.Add("above_scale", "四上企业必须先入统 (an above-scale enterprise is in statistics)")
	}
	return fe.Err()
}

// ProjectOperations is one period of a project's operations, with the per-亩 figures where
// the project's land is known (税收 ÷ 占地亩, 产值 ÷ 占地亩).
type ProjectOperations struct {
	Period string `json:"period"`
	Kind   string `json:"kind" enum:"year,quarter,month"`
	OperationsInput
	TaxPerMu    *Money    `json:"tax_per_mu_wan" description:"亩均税收，万元/亩"`
	OutputPerMu *Money    `json:"output_per_mu_wan" description:"亩均产值，万元/亩"`
	UpdatedAt   time.Time `json:"updated_at"`
	UpdatedBy   string    `json:"updated_by"`
}

// PerMu is m ÷ land (hundredths of a 亩), rounded half up to 0.0001 万元; nil without land.
func PerMu(m *Money, land Area) *Money {
	if m == nil || land <= 0 {
		return nil
	}
	v := Money(divRound(int64(*m)*100, int64(land)))
	return &v
}

// ProjectOperationsList is a project's periods, newest first: as "periods", and as "items"
// with "total" like every other list of the API.
type ProjectOperationsList struct {
	ProjectID int64                `json:"project_id"`
	LandArea  Area                 `json:"land_area_mu"`
	Periods   []*ProjectOperations `json:"periods"`
	Items     []*ProjectOperations `json:"items" description:"the same periods, under the API's usual list name"`
	Total     int                  `json:"total"`
}

// OperationsRow is one project's figures for a year in the quality ranking (项目质量).
type OperationsRow struct {
	ProjectID           int64   `json:"project_id"`
	Name                string  `json:"name"`
	Investor            string  `json:"investor"`
	Chain               *string `json:"chain"`
	Stage               Stage   `json:"stage"`
	LandArea            Area    `json:"land_area_mu"`
	PlannedInvestment   Money   `json:"planned_investment_wan"`
	Output              *Money  `json:"output_wan"`
	Tax                 *Money  `json:"tax_wan"`
	Employees           *int64  `json:"employees"`
	InvestmentCompleted *Money  `json:"investment_completed_wan"`
	TaxPerMu            *Money  `json:"tax_per_mu_wan"`
	OutputPerMu         *Money  `json:"output_per_mu_wan"`
	// CompletedShare is investment completed ÷ planned investment (0.5 = 50%), four decimals.
	CompletedShare  *float64 `json:"completed_share"`
	InStatistics    bool     `json:"in_statistics"`
	AboveScale      bool     `json:"above_scale"`
	ConstructionAt  Date     `json:"construction_started_at"`
	ContinuedInYear bool     `json:"continued" description:"续建: construction started before the year"`
}

// OperationsService keeps projects' operations. Reading follows the project (whoever sees
// it); writing is for whoever may edit the project (CanEditProject).
type OperationsService interface {
	PutOperations(ctx context.Context, projectID int64, period Period, in OperationsInput) (*ProjectOperations, error)
	FindOperations(ctx context.Context, projectID int64) (*ProjectOperationsList, error)
	// YearOperations are the visible projects' figures for a year: the year's record where
	// there is one, else the sum of its quarters, else of its months; chain filters by code.
	YearOperations(ctx context.Context, year int, chain string) ([]*OperationsRow, error)
}

// ---- the annual report's indicator paragraphs ----

// CompletedInvestment is a project's investment completed in the report's year (一(六)).
type CompletedInvestment struct {
	ProjectID int64  `json:"project_id"`
	Name      string `json:"name"`
	Amount    Money  `json:"investment_completed_wan"`
	Continued bool   `json:"continued" description:"续建 (started before the year) rather than 新开工"`
}

// chineseCount writes small counts as the seed does (两个, 一个), larger ones in digits.
func chineseCount(n int) string {
	words := []string{"零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}

// IndicatorSentences are the 一(一) and 三(五) sentences for year from m (the latest month
// with figures), in the seed's wording; a figure not reported leaves its clause out, and a
// sentence with nothing to say is "".
func IndicatorSentences(year int, m *MonthIndicators) (first, structure string) {
	if m == nil {
		return "", ""
	}
	var b strings.Builder
	f := m.IndicatorFigures
	switch {
	case f.EnterprisesInStatistics != nil && f.AboveScaleEnterprises != nil:
		fmt.Fprintf(&b, "入统企业%d家，其中四上企业%d家。", *f.EnterprisesInStatistics, *f.AboveScaleEnterprises)
	case f.EnterprisesInStatistics != nil:
		fmt.Fprintf(&b, "入统企业%d家。", *f.EnterprisesInStatistics)
	case f.AboveScaleEnterprises != nil:
		fmt.Fprintf(&b, "四上企业%d家。", *f.AboveScaleEnterprises)
	}
	var groups []string
	if f.Revenue != nil {
		s := "营业收入" + f.Revenue.Yi4() + "亿元"
		if g := m.Growth.Revenue; g != nil {
			s += "，营业收入增长率" + Percent(int64(roundFloat(*g*10000)))
		}
		groups = append(groups, s)
	}
	var rest []string
	if f.Tax != nil {
		rest = append(rest, "税收收入"+f.Tax.Yi4()+"亿元")
	}
	if f.FixedAssetInvestment != nil {
		rest = append(rest, "固定资产投资"+f.FixedAssetInvestment.Yi4()+"亿元")
	}
	if len(rest) > 0 {
		groups = append(groups, strings.Join(rest, "，"))
	}
	if len(groups) > 0 {
		mon, _ := ParseMonth(m.Month)
		span := "1月份"
		if mon.Month > 1 {
			span = fmt.Sprintf("1-%d月份", int(mon.Month))
		}
		b.WriteString(span + strings.Join(groups, "；") + "。")
	}
	if b.Len() > 0 {
		first = "截止目前，" + b.String()
	}
	if f.GovernmentInvestment != nil && f.SocialInvestment != nil {
		gov, soc := int64(*f.GovernmentInvestment), int64(*f.SocialInvestment)
		total := Money(gov + soc)
		structure = fmt.Sprintf("%d年开发区内实际实施项目完成固定资产投资%s万元", year, total.Wan())
		gs, ok1 := ShareBasisPoints(gov, gov+soc)
		ss, ok2 := ShareBasisPoints(soc, gov+soc)
		if ok1 && ok2 {
			structure += fmt.Sprintf("，其中政府财政性投资%s万元，占总投资%s，社会资本投资%s万元，占%s",
				f.GovernmentInvestment.Wan(), Percent(gs), f.SocialInvestment.Wan(), Percent(ss))
		}
		structure += "。"
	}
	return first, structure
}

// roundFloat rounds a float that holds a whole number of basis points back to it.
func roundFloat(v float64) float64 {
	if v < 0 {
		return -float64(int64(-v + 0.5))
	}
	return float64(int64(v + 0.5))
}

// CompletedSentence is the 一(六) sentence on the year's completed investment: projects
// continued from earlier years (续建) first, then those started in the year (新开工), each
// with its amount in 亿元 as the seed writes them (1.12亿元, 0.77亿元).
func CompletedSentence(year int, items []*CompletedInvestment) string {
	var cont, fresh []*CompletedInvestment
	for _, it := range items {
		if it.Continued {
			cont = append(cont, it)
		} else {
			fresh = append(fresh, it)
		}
	}
	yi := func(m Money) string { return m.Yi() + "亿元" }
	group := func(kind string, l []*CompletedInvestment) string {
		if len(l) == 1 {
			return "一个" + kind + "项目" + l[0].Name + "，完成投资" + yi(l[0].Amount) + "。"
		}
		var sum Money
		parts := make([]string, len(l))
		for i, it := range l {
			sum += it.Amount
			parts[i] = it.Name + "完成投资" + yi(it.Amount)
		}
		return fmt.Sprintf("%s个%s项目累计完成投资%s，其中：%s。", chineseCount(len(l)), kind, yi(sum), strings.Join(parts, "；"))
	}
	var b strings.Builder
	if len(cont) > 0 {
		b.WriteString(group("续建", cont))
	}
	if len(fresh) > 0 {
		b.WriteString(group("新开工", fresh))
	}
	if b.Len() == 0 {
		return ""
	}
	return fmt.Sprintf("%d年，", year) + b.String()
}

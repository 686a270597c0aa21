package spreadsheet

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// field indexes the contract's import columns.
type field int

const (
	fName field = iota
	fInvestor
	fCreditCode
	fChannel
	fChain
	fAssetType
	fPlanned
	fLand
	fStage
	fDocked
	fSigned
	fOwner
	fNotes
	numFields
)

// column is one row of the contract's "Import format" table. key is the ProjectInput JSON
// name, which is also what domain validation reports; zh is the header the template and
// the export write. aliases are further spellings people use, compared after headerKey.
type column struct {
	key      string
	zh       string
	aliases  []string
	required bool
	width    float64 // in Excel character units; a Chinese character takes about two
	hint     string  // the template's comment
}

var columns = [numFields]column{
	fName:       {"name", "项目名称", []string{"项目", "project", "projectname"}, true, 36, "必填 (required)"},
	fInvestor:   {"investor", "投资主体", []string{"投资方", "投资企业", "investorname"}, true, 32, "必填，企业名称 (required; an enterprise name)"},
	fCreditCode: {"credit_code", "统一社会信用代码", []string{"信用代码", "社会信用代码", "creditcode"}, false, 22, "选填，18 位 (optional; 18 characters)"},
	fChannel:    {"channel", "招商渠道", []string{"渠道"}, true, 14, "委托招商 / 以商招商 / 自主招商 / “资源+”招商"},
	fChain:      {"chain", "产业链", []string{"所属产业链"}, false, 14, "现代食品 / 矿业 / 第三代半导体 / 空 (or empty)"},
	fAssetType:  {"asset_type", "资产类型", nil, true, 10, "重资产 / 轻资产"},
	fPlanned:    {"planned_investment_wan", "计划投资(万元)", []string{"计划投资", "计划投资额(万元)", "计划投资额", "投资额(万元)", "plannedinvestment"}, true, 16, "万元，≥ 0 (in 10k yuan)"},
	fLand:       {"land_area_mu", "占地面积(亩)", []string{"占地面积", "占地(亩)", "用地面积(亩)", "landarea"}, false, 14, "亩，选填 (mu; optional)"},
	fStage:      {"stage", "阶段", []string{"项目阶段"}, false, 12, "洽谈对接 / 项目识别 / 风险评估 / 落地决策 / 跟踪服务 / 已终止；空为洽谈对接"},
	fDocked:     {"docked_at", "对接日期", []string{"对接时间"}, true, 12, "日期，如 2024-01-05 (a date)"},
	fSigned:     {"signed_at", "签约日期", []string{"签约时间"}, false, 12, "日期，选填 (a date; optional)"},
	fOwner:      {"owner", "负责人", []string{"ownerusername"}, false, 12, "用户名，选填 (a username; optional)"},
	fNotes:      {"notes", "备注", []string{"note", "remarks", "说明"}, false, 40, "选填 (optional)"},
}

// headerIndex maps every accepted spelling, after headerKey, to its field.
var headerIndex = func() map[string]field {
	m := map[string]field{}
	for i, c := range columns {
		for _, s := range append([]string{c.key, c.zh}, c.aliases...) {
			m[headerKey(s)] = field(i)
		}
	}
	return m
}()

// headerKey folds the ways people vary a header: full-width brackets and letters, spaces
// anywhere (including U+3000), case, underscores and hyphens, required-field asterisks.
func headerKey(s string) string {
	s = narrow(s)
	if !strings.ContainsFunc(s, foldable) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '*', r == '\uFEFF', r == '\u200B':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func foldable(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsUpper(r) || r == '_' || r == '-' || r == '*' || r == '\uFEFF' || r == '\u200B'
}

// narrow maps full-width forms (（１２，） and the ideographic space) to their ASCII
// counterparts; most cells have none, so the common case costs one scan and no allocation.
func narrow(s string) string {
	for _, r := range s {
		if r == '\u3000' || r >= 0xFF01 && r <= 0xFF5E {
			return width.Narrow.String(s)
		}
	}
	return s
}

// valueKey folds an enum value: as headerKey, and quotes of any kind are dropped so that
// “资源+”招商, "资源+"招商 and 资源+招商 agree.
func valueKey(s string) string {
	s = headerKey(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case '"', '\'', '“', '”', '‘', '’', '「', '」', '『', '』', '《', '》', '`':
			return -1
		}
		return r
	}, s)
}

func enumIndex[T ~string](pairs map[T][]string) map[string]T {
	m := map[string]T{}
	for v, names := range pairs {
		m[valueKey(string(v))] = v
		for _, n := range names {
			m[valueKey(n)] = v
		}
	}
	return m
}

var channelIndex = enumIndex(map[domain.Channel][]string{
	domain.ChannelEntrusted:        {"委托招商", "委托"},
	domain.ChannelBusinessReferral: {"以商招商", "以商"},
	domain.ChannelSelfSourced:      {"自主招商", "自主"},
	domain.ChannelResourcePlus:     {"资源+招商", "资源+", "资源加招商"},
})

var assetIndex = enumIndex(map[domain.AssetType][]string{
	domain.AssetHeavy: {"重资产", "重"},
	domain.AssetLight: {"轻资产", "轻"},
})

var stageIndex = func() map[string]domain.Stage {
	m := map[string]domain.Stage{}
	for _, s := range domain.Stages {
		m[valueKey(string(s))] = s
		m[valueKey(s.Label())] = s
	}
	m[valueKey("终止")] = domain.StageDropped
	return m
}()

// chainNames are the contract's chains (docs/contract.md, Import format). Chains are fixed
// by the zone's plan; a new one would be added here and in the seed together.
var chainNames = []struct{ code, name string }{
	{"food", "现代食品"},
	{"mining", "矿业"},
	{"semiconductor", "第三代半导体"},
}

var chainIndex = func() map[string]string {
	m := map[string]string{}
	for _, c := range chainNames {
		for _, s := range []string{c.code, c.name, c.name + "产业链", c.name + "链"} {
			m[valueKey(s)] = c.code
		}
	}
	m[valueKey("食品")] = "food"
	m[valueKey("半导体")] = "semiconductor"
	m[valueKey("semi")] = "semiconductor"
	return m
}()

// noChain are the ways people write "belongs to no chain".
var noChain = map[string]bool{"": true, "无": true, "none": true, "/": true, "—": true, "-": true, "其他": true, "其它": true}

// chainLabel is what the export writes for a chain code: its name, or the code itself for a
// chain this package does not know (which still re-imports as that code's error).
func chainLabel(code string) string {
	for _, c := range chainNames {
		if c.code == code {
			return c.name
		}
	}
	return code
}

// unguard undoes the export's formula guard, so that an exported "'=A" reads back as "=A".
func unguard(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.IndexByte(formulaStarts, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

func parseChannel(s string) (domain.Channel, string) {
	if c, ok := channelIndex[valueKey(s)]; ok {
		return c, ""
	}
	if strings.TrimSpace(s) == "" {
		return "", "必填，应为 委托招商 / 以商招商 / 自主招商 / 资源+招商 (required)"
	}
	return "", fmt.Sprintf("未知的招商渠道「%s」，应为 委托招商 / 以商招商 / 自主招商 / 资源+招商 (unknown channel)", clip(s))
}

func parseAsset(s string) (domain.AssetType, string) {
	if a, ok := assetIndex[valueKey(s)]; ok {
		return a, ""
	}
	if strings.TrimSpace(s) == "" {
		return "", "必填，应为 重资产 或 轻资产 (required)"
	}
	return "", fmt.Sprintf("未知的资产类型「%s」，应为 重资产 或 轻资产 (unknown asset type)", clip(s))
}

func parseStage(s string) (domain.Stage, string) {
	if strings.TrimSpace(s) == "" {
		return domain.StageLead, ""
	}
	if st, ok := stageIndex[valueKey(s)]; ok {
		return st, ""
	}
	return "", fmt.Sprintf("未知的阶段「%s」，应为 洽谈对接 / 项目识别 / 风险评估 / 落地决策 / 跟踪服务 / 已终止 (unknown stage)", clip(s))
}

func parseChain(s string) (*string, string) {
	k := valueKey(s)
	if noChain[k] {
		return nil, ""
	}
	if code, ok := chainIndex[k]; ok {
		return &code, ""
	}
	return nil, fmt.Sprintf("未知的产业链「%s」，应为 现代食品 / 矿业 / 第三代半导体 或留空 (unknown chain)", clip(s))
}

// parseAmount reads a non-negative-looking decimal with at most scale decimals. Numbers
// from .xlsx cells arrive as the XML's raw text, where binary floating point sometimes
// shows (1234.5600000000001, 1E-3); such a value is rounded to scale, but a typed value with
// too many decimals is refused rather than silently changed.
func parseAmount(s string, scale int, unitSuffixes ...string) (int64, string) {
	t := narrow(strings.TrimSpace(s))
	t = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, t)
	for _, u := range unitSuffixes {
		t = strings.TrimSuffix(t, u)
	}
	parse := domainParser(scale)
	v, err := parse(t)
	if err == nil {
		return v, ""
	}
	if f, ferr := strconv.ParseFloat(t, 64); ferr == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && floatNoise(t) {
		if v, err2 := parse(strconv.FormatFloat(f, 'f', scale, 64)); err2 == nil {
			return v, ""
		}
	}
	return 0, fmt.Sprintf("「%s」不是有效的数字：%s", clip(s), err.Error())
}

func domainParser(scale int) func(string) (int64, error) {
	if scale == 4 {
		return func(s string) (int64, error) { m, err := domain.ParseWan(s); return int64(m), err }
	}
	return func(s string) (int64, error) { a, err := domain.ParseMu(s); return int64(a), err }
}

// floatNoise reports whether t looks like a float64 printed in full (15+ significant
// digits) or in exponent form, as spreadsheet XML stores numbers.
func floatNoise(t string) bool {
	if strings.ContainsAny(t, "eE") {
		return true
	}
	digits := 0
	started := false
	for _, r := range t {
		if r >= '1' && r <= '9' {
			started = true
		}
		if started && r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 15
}

// Dates people type, after digits have been narrowed and the time of day cut off.
// Excel serial numbers are handled separately.
const dateMsg = "日期无法识别「%s」，应为 2024-01-05、2024/1/5、2024.1.5 或 2024年1月5日 (unrecognised date)"

// parseDate reads a date cell: an Excel serial (the raw value of a date-formatted cell;
// date1904 for workbooks on the 1904 system), yyyymmdd, or y-m-d with -, /, . or 年月日.
// Years outside 1950–2100 are refused: in this domain they are typing mistakes, and a
// stray small number would otherwise become a day in 1900.
func parseDate(s string, date1904 bool) (domain.Date, string) {
	t := strings.TrimSpace(narrow(s))
	if t == "" {
		return domain.Date{}, ""
	}
	var y, m, d int
	var ok bool
	switch {
	case isSerial(t):
		if len(t) == 8 && !strings.Contains(t, ".") {
			y, _ = strconv.Atoi(t[:4])
			m, _ = strconv.Atoi(t[4:6])
			d, _ = strconv.Atoi(t[6:])
			ok = true
			break
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || f < 1 || f >= 2958466 {
			return domain.Date{}, fmt.Sprintf(dateMsg, clip(s))
		}
		day := excelDay(int(f), date1904)
		y, m, d, ok = day.Year(), int(day.Month()), day.Day(), true
	default:
		y, m, d, ok = splitDate(t)
	}
	if !ok {
		return domain.Date{}, fmt.Sprintf(dateMsg, clip(s))
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return domain.Date{}, fmt.Sprintf(dateMsg, clip(s))
	}
	date := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if date.Day() != d { // 2023-02-30 rolled over
		return domain.Date{}, fmt.Sprintf("日期不存在「%s」(no such day)", clip(s))
	}
	if y < 1950 || y > 2100 {
		return domain.Date{}, fmt.Sprintf("日期「%s」超出合理范围 1950–2100 (date out of range)", clip(s))
	}
	return domain.NewDate(y, time.Month(m), d), ""
}

func isSerial(t string) bool {
	dot := false
	for i, r := range t {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return t != ""
}

// excelDay converts a serial day number. On the 1900 system serial 1 is 1900-01-01 and
// Excel counts a 29 February 1900 that never was (serial 60), so serials from 61 on are
// days since 1899-12-30. On the 1904 system serial 0 is 1904-01-01.
func excelDay(serial int, date1904 bool) time.Time {
	if date1904 {
		return time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, serial)
	}
	if serial < 61 {
		return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, serial)
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, serial)
}

// excelSerial is the inverse of excelDay on the 1900 system, for days after 1900-02-28.
func excelSerial(d domain.Date) float64 {
	return math.Round(d.Time().Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

var dateSeparators = strings.NewReplacer("年", "-", "月", "-", "/", "-", ".", "-")

// splitDate reads 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日 and ISO datetimes.
func splitDate(t string) (y, m, d int, ok bool) {
	if i := strings.IndexAny(t, " T"); i > 0 { // a time of day follows
		t = t[:i]
	}
	t = strings.TrimSuffix(t, "日")
	t = strings.TrimSuffix(t, "号")
	t = dateSeparators.Replace(t)
	parts := strings.Split(t, "-")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) == 0 || len(parts[1]) > 2 || len(parts[2]) == 0 || len(parts[2]) > 2 {
		return 0, 0, 0, false
	}
	for _, p := range parts {
		if !allDigits(p) {
			return 0, 0, 0, false
		}
	}
	y, _ = strconv.Atoi(parts[0])
	m, _ = strconv.Atoi(parts[1])
	d, _ = strconv.Atoi(parts[2])
	return y, m, d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens a value quoted back in a message.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

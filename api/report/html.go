package report

import (
	"html/template"
	"io"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// HTML writes the report as a printable A4 page: the paragraph, then the figures it rests
// on as tables. Everything from the data is escaped by html/template.
func HTML(w io.Writer, f *domain.AnnualFigures) error {
	type channelRow struct {
		Label         string
		Leads, Signed int
		Investment    string
	}
	var channels []channelRow
	for _, r := range f.Overview.ChannelResults {
		channels = append(channels, channelRow{r.Label, r.Leads, r.Signed, Amount(r.Investment)})
	}
	type stageRow struct {
		Label        string
		Now, Reached int
	}
	var stages []stageRow
	for _, st := range domain.Stages {
		stages = append(stages, stageRow{st.Label(), f.Overview.ByStage[string(st)], f.Overview.Conversion[string(st)]})
	}
	scope := "全区"
	if f.Scope == "chains" {
		scope = "产业链：" + strings.Join(f.Chains, "、")
	} else if f.Scope == "submitted" {
		scope = "本机构报送的项目"
	}
	return page.Execute(w, map[string]any{
		"F": f, "Paragraphs": Paragraphs(f), "Scope": scope, "Channels": channels, "Stages": stages,
		"Realised": Amount(f.Overview.Investment.Realised), "Planned": Amount(f.Overview.Investment.Planned),
	})
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"amount": Amount,
	"label":  func(s domain.Stage) string { return s.Label() },
}).Parse(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.F.Year}}年招商引资工作情况</title>
<style>
@page { size: A4; margin: 2.2cm 2cm; }
body { font-family: "FangSong", "STFangsong", "仿宋", "Songti SC", serif; font-size: 16pt; line-height: 1.8; color: #000; max-width: 46em; margin: 2em auto; }
h1 { font-family: "SimHei", "Heiti SC", sans-serif; font-size: 20pt; text-align: center; margin-bottom: .2em; }
.meta { text-align: center; font-size: 11pt; color: #444; margin-bottom: 1.5em; }
p.text { text-indent: 2em; text-align: justify; }
h2 { font-family: "SimHei", "Heiti SC", sans-serif; font-size: 14pt; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; font-size: 11pt; line-height: 1.5; page-break-inside: auto; }
th, td { border: 1px solid #666; padding: .25em .5em; }
th { background: #eee; }
td.n { text-align: right; }
tr { page-break-inside: avoid; }
</style>
</head>
<body>
<h1>{{.F.Year}}年招商引资工作情况</h1>
<div class="meta">{{.F.Zone}} · 统计范围：{{.Scope}}</div>
{{range .Paragraphs}}<p class="text">{{.}}</p>
{{end}}

<h2>一、各渠道对接与签约</h2>
<table>
<tr><th>招商渠道</th><th>对接项目（个）</th><th>签约项目（个）</th><th>签约投资</th></tr>
{{range .Channels}}<tr><td>{{.Label}}</td><td class="n">{{.Leads}}</td><td class="n">{{.Signed}}</td><td class="n">{{.Investment}}</td></tr>
{{end}}<tr><th>合计</th><th class="n">{{.F.Overview.DockedTotal}}</th><th class="n">{{.F.Overview.Signed.Count}}</th><th class="n">{{amount .F.Overview.Signed.PlannedInvestment}}</th></tr>
</table>

{{with .F.Signed}}{{if .Count}}<h2>二、新签约落地项目（{{.Count}}个）</h2>
<table>
<tr><th>项目名称</th><th>投资主体</th><th>签约日期</th><th>计划总投资</th></tr>
{{range .Projects}}<tr><td>{{.Name}}</td><td>{{.Investor}}</td><td>{{.SignedAt.Chinese}}</td><td class="n">{{amount .PlannedInvestment}}</td></tr>
{{end}}</table>{{end}}{{end}}

{{with .F.IntendedHeavy}}{{if .Count}}<h2>三、有意向入驻的重资产类项目（{{.Count}}个）</h2>
<table>
<tr><th>项目名称</th><th>阶段</th><th>计划投资</th><th>占地（亩）</th></tr>
{{range .Projects}}<tr><td>{{.Name}}</td><td>{{label .Stage}}</td><td class="n">{{amount .PlannedInvestment}}</td><td class="n">{{if .LandArea}}{{.LandArea.Mu}}{{end}}</td></tr>
{{end}}</table>{{end}}{{end}}

{{with .F.IntendedLight}}{{if .Count}}<h2>四、有意向入驻科创园轻资产项目（{{.Count}}个）</h2>
<table>
<tr><th>项目名称</th><th>阶段</th><th>计划投资</th></tr>
{{range .Projects}}<tr><td>{{.Name}}</td><td>{{label .Stage}}</td><td class="n">{{amount .PlannedInvestment}}</td></tr>
{{end}}</table>{{end}}{{end}}

<h2>附：{{.F.Year}}年对接项目所处阶段</h2>
<table>
<tr><th>阶段</th><th>目前处于该阶段（个）</th><th>曾到达该阶段（个）</th></tr>
{{range .Stages}}<tr><td>{{.Label}}</td><td class="n">{{.Now}}</td><td class="n">{{.Reached}}</td></tr>
{{end}}</table>
<p style="font-size:11pt">计划投资（计入本年）{{.Planned}}；本年到资{{.Realised}}。外出招商{{.F.Overview.Campaigns.Trips}}次，举办推介会{{.F.Overview.Campaigns.Conferences}}次，活动中对接项目{{.F.Overview.Campaigns.ProjectsDocked}}个。</p>
</body>
</html>
`))

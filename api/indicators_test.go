package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// The contract's two sentences, verbatim.
const (
	seedIndicators = "入统企业43家，其中四上企业24家。1-10月份营业收入56.7559亿元，营业收入增长率35.92%；税收收入3.2061亿元，固定资产投资20.5017亿元"
	seedStructure  = "完成固定资产投资90859万元，其中政府财政性投资59917万元，占总投资65.95%，社会资本投资30942万元，占34.05%"
	seedCompleted  = "2022年，两个续建项目累计完成投资1.89亿元，其中：同光高质量碳化硅单晶衬底及外延片产业化项目完成投资1.12亿元；" +
		"桃木疙瘩屠宰厂项目完成投资0.77亿元。一个新开工项目驷乾新能源光伏组件项目，完成投资0.31亿元。"
)

type monthBody struct {
	Month                   string              `json:"month"`
	EnterprisesInStatistics *int64              `json:"enterprises_in_statistics"`
	AboveScaleEnterprises   *int64              `json:"above_scale_enterprises"`
	Output                  *float64            `json:"output_wan"`
	Revenue                 *float64            `json:"revenue_wan"`
	Tax                     *float64            `json:"tax_wan"`
	FixedAssetInvestment    *float64            `json:"fixed_asset_investment_wan"`
	GovernmentInvestment    *float64            `json:"government_investment_wan"`
	SocialInvestment        *float64            `json:"social_investment_wan"`
	Growth                  map[string]*float64 `json:"growth"`
	UpdatedBy               string              `json:"updated_by"`
}

func indicatorYear(t *testing.T, e *apitest.Env, user string, year int) []monthBody {
	t.Helper()
	r := e.As(user, http.MethodGet, fmt.Sprintf("/api/v1/indicators?year=%d", year), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("indicators %d as %s: %d %s", year, user, r.Status, r.Body)
	}
	var b struct {
		Months []monthBody `json:"months"`
	}
	r.JSON(t, &b)
	return b.Months
}

func putMonth(t *testing.T, e *apitest.Env, month string, body any) monthBody {
	t.Helper()
	r := e.As("director", http.MethodPut, "/api/v1/indicators/"+month, body)
	if r.Status != http.StatusOK {
		t.Fatalf("PUT %s: %d %s", month, r.Status, r.Body)
	}
	var m monthBody
	r.JSON(t, &m)
	return m
}

func projectIDByName(t *testing.T, e *apitest.Env, name string) int64 {
	t.Helper()
	var l listBody
	e.As("admin", http.MethodGet, "/api/v1/projects?q="+url.QueryEscape(name), nil).JSON(t, &l)
	for _, p := range l.Items {
		if p["name"] == name {
			return int64(p["id"].(float64))
		}
	}
	t.Fatalf("no project %s", name)
	return 0
}

func TestIndicatorsDemo2022(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		months := indicatorYear(t, e, "viewer", 2022)
		if len(months) != 1 || months[0].Month != "2022-10" {
			t.Fatalf("2022 months: %+v", months)
		}
		m := months[0]
		if *m.Revenue != 567559 || *m.Tax != 32061 || *m.FixedAssetInvestment != 205017 || *m.EnterprisesInStatistics != 43 ||
			*m.AboveScaleEnterprises != 24 || *m.GovernmentInvestment != 59917 || *m.SocialInvestment != 30942 || m.Output != nil {
			t.Errorf("2022-10: %+v", m)
		}
		if g := m.Growth["revenue"]; g == nil || *g != 0.3592 {
			t.Errorf("revenue growth %v", g)
		}
		if g, ok := m.Growth["tax"]; !ok || g != nil {
			t.Errorf("tax growth without a 2021 figure: %v %v", ok, g)
		}
		if got := indicatorYear(t, e, "director", 2021); len(got) != 1 || *got[0].Revenue != 417568 || got[0].Growth["revenue"] != nil {
			t.Errorf("2021: %+v", got)
		}

		text, figures := annual(t, e, "director", 2022)
		for _, want := range []string{seedIndicators, seedStructure, seedCompleted} {
			if !strings.Contains(text, want) {
				t.Errorf("report lacks %q:\n%s", want, text)
			}
		}
		paras := strings.Split(text, "\n")
		if len(paras) != 4 || paras[2] != seedText || !strings.HasPrefix(paras[0], "截止目前，"+seedIndicators+"。") ||
			paras[3] != "2022年开发区内实际实施项目"+seedStructure+"。" ||
			// 一(六): the service requests' sentence (issue 15), then the completed investment
			!strings.HasPrefix(paras[1], "先后解决了") || !strings.HasSuffix(paras[1], seedCompleted) {
			t.Errorf("paragraphs:\n%s", strings.Join(paras, "\n---\n"))
		}
		if ind := figures["indicators"].(map[string]any); ind["month"] != "2022-10" {
			t.Errorf("figures.indicators: %v", ind)
		}
		// a chain chief's report covers the chain: no zone indicators, its own projects only
		text, _ = annual(t, e, "chief_food", 2022)
		if strings.Contains(text, "入统企业") || strings.Contains(text, "政府财政性投资") ||
			!strings.Contains(text, "2022年，一个续建项目桃木疙瘩屠宰厂项目，完成投资0.77亿元。") || strings.Contains(text, "同光") {
			t.Errorf("chief_food report: %s", text)
		}
		// Word and the printable page carry the sentences
		r := e.As("viewer", http.MethodGet, "/api/v1/reports/annual?year=2022&format=docx", nil)
		if doc := docxDocument(t, r.Body); !strings.Contains(doc, seedIndicators) || !strings.Contains(doc, seedStructure) {
			t.Errorf("docx lacks the indicator sentences: %.400s", doc)
		}
		r = e.As("viewer", http.MethodGet, "/api/v1/reports/annual?year=2022&format=html", nil)
		if !strings.Contains(string(r.Body), seedIndicators) || !strings.Contains(string(r.Body), seedStructure) {
			t.Error("html lacks the indicator sentences")
		}
		// a year the demo does not have: no indicator sentence at all
		if text, _ := annual(t, e, "admin", 2019); text != "共对接项目0个。至目前，暂无新签约落地项目。" {
			t.Errorf("2019: %s", text)
		}
	})
}

func TestIndicatorsEntryGrowthAndHistory(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		// no previous year: every growth null
		m := putMonth(t, e, "2020-05", map[string]any{"revenue_wan": 100, "tax_wan": json.Number("12.3456"), "enterprises_in_statistics": 10,
			"above_scale_enterprises": nil, "output_wan": 50})
		if m.Month != "2020-05" || *m.Tax != 12.3456 || m.AboveScaleEnterprises != nil || m.FixedAssetInvestment != nil || m.UpdatedBy != "director" {
			t.Errorf("put: %+v", m)
		}
		for k, g := range m.Growth {
			if g != nil {
				t.Errorf("growth %s = %v without a previous year", k, *g)
			}
		}
		// a zero base gives no growth; a known base does, rounded to four decimals
		putMonth(t, e, "2019-05", map[string]any{"revenue_wan": 80, "tax_wan": 0, "enterprises_in_statistics": 15, "output_wan": 30})
		got := indicatorYear(t, e, "viewer", 2020)
		if len(got) != 1 {
			t.Fatalf("2020: %+v", got)
		}
		g := got[0].Growth
		if *g["revenue"] != 0.25 || g["tax"] != nil || *g["enterprises_in_statistics"] != -0.3333 || *g["output"] != 0.6667 ||
			g["fixed_asset_investment"] != nil {
			t.Errorf("growth: %v", func() map[string]any {
				out := map[string]any{}
				for k, v := range g {
					if v != nil {
						out[k] = *v
					} else {
						out[k] = nil
					}
				}
				return out
			}())
		}
		// re-entering the month replaces it (absent fields are not reported) and keeps history
		m = putMonth(t, e, "2020-05", map[string]any{"revenue_wan": 120, "tax_wan": json.Number("12.3456")})
		if *m.Revenue != 120 || m.EnterprisesInStatistics != nil || m.Output != nil || *m.Growth["revenue"] != 0.5 {
			t.Errorf("re-entered: %+v", m)
		}
		r := e.As("viewer", http.MethodGet, "/api/v1/indicators/2020-05/history", nil)
		var h struct {
			Items []struct {
				Actor, Field string
				From, To     *string
			} `json:"items"`
		}
		r.JSON(t, &h)
		seen := map[string]string{}
		for _, c := range h.Items {
			from, to := "null", "null"
			if c.From != nil {
				from = *c.From
			}
			if c.To != nil {
				to = *c.To
			}
			seen[c.Field] += from + "→" + to + ";"
		}
		if seen["revenue_wan"] != "null→100;100→120;" || seen["tax_wan"] != "null→12.3456;" || seen["enterprises_in_statistics"] != "null→10;10→null;" {
			t.Errorf("history: %v", seen)
		}
		// the audit log records the entry
		r = e.As("admin", http.MethodGet, "/api/v1/audit?action=indicators.put", nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "indicators/2020-05") {
			t.Errorf("audit: %d %.300s", r.Status, r.Body)
		}
	})
}

func TestIndicatorsRefuseBadInput(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		for _, c := range []struct {
			month string
			body  map[string]any
			field string
		}{
			{"2022-09", map[string]any{"enterprises_in_statistics": -1}, "enterprises_in_statistics"},
			{"2022-09", map[string]any{"enterprises_in_statistics": 3, "above_scale_enterprises": 4}, "above_scale_enterprises"},
			{"2022-09", map[string]any{"revenue_wan": -0.0001}, "revenue_wan"},
			{"2022-09", map[string]any{"tax_wan": 10000000.0001}, "tax_wan"},
			{"2022-09", map[string]any{"output_wan": json.Number("1.23456")}, "output_wan"},
			{"2022-09", map[string]any{"social_investment_wan": "abc"}, "social_investment_wan"},
			{"2022-09", map[string]any{"above_scale_enterprises": 2.5}, "above_scale_enterprises"},
			{"2022-13", map[string]any{"revenue_wan": 1}, "month"},
			{"2022-00", map[string]any{"revenue_wan": 1}, "month"},
			{"2023-02", map[string]any{"revenue_wan": 1}, "month"}, // the clock says 2023-01-16
		} {
			r := e.As("director", http.MethodPut, "/api/v1/indicators/"+c.month, c.body)
			if r.Status != http.StatusBadRequest {
				t.Errorf("%s %v: %d %s", c.month, c.body, r.Status, r.Body)
				continue
			}
			var b struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			r.JSON(t, &b)
			if b.Error.Fields[c.field] == "" {
				t.Errorf("%s %v: fields %v, want %s", c.month, c.body, b.Error.Fields, c.field)
			}
		}
		// the limit itself is allowed; nothing refused was written
		putMonth(t, e, "2023-01", map[string]any{"tax_wan": 10000000, "enterprises_in_statistics": 0, "above_scale_enterprises": 0})
		if got := indicatorYear(t, e, "admin", 2022); len(got) != 1 {
			t.Errorf("a refused entry was written: %+v", got)
		}
		// roles: only admin and director enter; staff and viewers read; agents do not
		for _, u := range []string{"recruiter1", "chief_food", "viewer", "agent1"} {
			if r := e.As(u, http.MethodPut, "/api/v1/indicators/2022-09", map[string]any{"revenue_wan": 1}); r.Status != http.StatusForbidden {
				t.Errorf("PUT as %s: %d", u, r.Status)
			}
		}
		if r := e.As("admin", http.MethodPut, "/api/v1/indicators/2022-09", map[string]any{"revenue_wan": 1}); r.Status != http.StatusOK {
			t.Errorf("PUT as admin: %d %s", r.Status, r.Body)
		}
		for u, want := range map[string]int{"viewer": 200, "recruiter2": 200, "chief_semi": 200, "agent1": 403} {
			if r := e.As(u, http.MethodGet, "/api/v1/indicators?year=2022", nil); r.Status != want {
				t.Errorf("GET as %s: %d, want %d", u, r.Status, want)
			}
		}
	})
}

func TestIndicatorSentencesForAnotherYear(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		// the latest month of the year with figures speaks; shares are each rounded on their own
		putMonth(t, e, "2018-03", map[string]any{"revenue_wan": 1000, "enterprises_in_statistics": 5})
		putMonth(t, e, "2019-02", map[string]any{"revenue_wan": 9999})
		r := e.As("director", http.MethodPut, "/api/v1/indicators/2019-03", map[string]any{"revenue_wan": json.Number("1234.56785")})
		if r.Status != http.StatusBadRequest {
			t.Fatalf("five decimals: %d", r.Status)
		}
		putMonth(t, e, "2019-03", map[string]any{"revenue_wan": json.Number("1234.5650"), "tax_wan": json.Number("0.4999"), "fixed_asset_investment_wan": 0,
			"government_investment_wan": 1, "social_investment_wan": 2, "enterprises_in_statistics": 6})
		text, _ := annual(t, e, "director", 2019)
		want := "截止目前，入统企业6家。1-3月份营业收入0.1235亿元，营业收入增长率23.46%；税收收入0.0000亿元，固定资产投资0.0000亿元。"
		if !strings.HasPrefix(text, want) {
			t.Errorf("2019 first paragraph:\n got %s\nwant %s", text, want)
		}
		if !strings.HasSuffix(text, "\n2019年开发区内实际实施项目完成固定资产投资3万元，其中政府财政性投资1万元，占总投资33.33%，社会资本投资2万元，占66.67%。") {
			t.Errorf("2019 structure: %s", text)
		}
		// zero investment: the total without shares
		putMonth(t, e, "2019-04", map[string]any{"government_investment_wan": 0, "social_investment_wan": 0})
		text, _ = annual(t, e, "director", 2019)
		if !strings.HasPrefix(text, "2019年开发区内实际实施项目完成固定资产投资0万元。") && !strings.Contains(text, "\n2019年开发区内实际实施项目完成固定资产投资0万元。") {
			t.Errorf("zero investment: %s", text)
		}
		if strings.Contains(text, "入统企业") {
			t.Errorf("April has no counts, yet: %s", text)
		}
	})
}

func TestProjectOperations(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		land := projectIDByName(t, e, "中材绿建超低能耗被动式节能建筑产业园项目（一期）") // 200 亩, recruiter1's
		tg := projectIDByName(t, e, "同光高质量碳化硅单晶衬底及外延片产业化项目")
		path := func(id int64, period string) string {
			return fmt.Sprintf("/api/v1/projects/%d/operations/%s", id, period)
		}

		r := e.As("recruiter1", http.MethodPut, path(land, "2022-Q3"), map[string]any{"output_wan": 1000, "revenue_wan": 900,
			"tax_wan": json.Number("100.0001"), "employees": 35, "investment_completed_wan": 2500, "in_statistics": true, "above_scale": false})
		if r.Status != http.StatusOK {
			t.Fatalf("PUT as owner: %d %s", r.Status, r.Body)
		}
		var op map[string]any
		r.JSON(t, &op)
		if op["period"] != "2022-Q3" || op["kind"] != "quarter" || op["tax_per_mu_wan"] != 0.5 || op["output_per_mu_wan"] != 5.0 || op["employees"] != 35.0 {
			t.Errorf("operations: %v", op)
		}
		for _, c := range []struct {
			user, period string
			body         map[string]any
			status       int
			field        string
		}{
			{"recruiter2", "2022-Q3", map[string]any{"tax_wan": 1}, 403, ""}, // not the owner
			{"viewer", "2022", map[string]any{"tax_wan": 1}, 403, ""},
			{"chief_mining", "2022", map[string]any{"tax_wan": 1}, 403, ""},
			{"agent1", "2022", map[string]any{"tax_wan": 1}, 403, ""},
			{"director", "2022-Q5", map[string]any{"tax_wan": 1}, 400, "period"},
			{"director", "2022-13", map[string]any{"tax_wan": 1}, 400, "period"},
			{"director", "20221", map[string]any{"tax_wan": 1}, 400, "period"},
			{"director", "2023-Q2", map[string]any{"tax_wan": 1}, 400, "period"},
			{"director", "2022", map[string]any{"above_scale": true}, 400, "above_scale"},
			{"director", "2022", map[string]any{"employees": -3}, 400, "employees"},
			{"director", "2022", map[string]any{"tax_wan": -1}, 400, "tax_wan"},
			{"director", "2022", map[string]any{"investment_completed_wan": 10000001}, 400, "investment_completed_wan"},
		} {
			r := e.As(c.user, http.MethodPut, path(land, c.period), c.body)
			if r.Status != c.status {
				t.Errorf("%s %s %v: %d %s", c.user, c.period, c.body, r.Status, r.Body)
			} else if c.field != "" && !strings.Contains(string(r.Body), `"`+c.field+`"`) {
				t.Errorf("%s %v: %s does not name %s", c.period, c.body, r.Body, c.field)
			}
		}
		if r := e.As("director", http.MethodPut, path(999999, "2022"), map[string]any{"tax_wan": 1}); r.Status != http.StatusNotFound {
			t.Errorf("unknown project: %d", r.Status)
		}
		// the owner's months and the director's year; land unknown → no per-亩 figure
		e.As("recruiter1", http.MethodPut, path(land, "2022-10"), map[string]any{"tax_wan": 20})
		r = e.As("director", http.MethodPut, path(tg, "2022-12"), map[string]any{"tax_wan": 50, "in_statistics": true, "above_scale": true})
		if r.Status != http.StatusOK || strings.Contains(string(r.Body), `"tax_per_mu_wan":0`) {
			t.Errorf("no land: %d %s", r.Status, r.Body)
		}
		var l struct {
			LandArea float64          `json:"land_area_mu"`
			Periods  []map[string]any `json:"periods"`
			Items    []map[string]any `json:"items"`
			Total    int              `json:"total"`
		}
		e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d/operations", land), nil).JSON(t, &l)
		if l.LandArea != 200 || len(l.Periods) != 2 || len(l.Items) != 2 || l.Total != 2 || l.Periods[0]["period"] != "2022-Q3" || l.Periods[1]["period"] != "2022-10" ||
			l.Periods[1]["tax_per_mu_wan"] != 0.1 || l.Periods[1]["output_wan"] != nil {
			t.Errorf("list: %+v", l)
		}
		e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d/operations", tg), nil).JSON(t, &l)
		if len(l.Periods) != 2 || l.Periods[0]["period"] != "2022" || l.Periods[0]["investment_completed_wan"] != 11200.0 ||
			l.Periods[1]["tax_per_mu_wan"] != nil {
			t.Errorf("同光: %+v", l)
		}
		// re-entering replaces; the project's history says what changed
		e.As("recruiter1", http.MethodPut, path(land, "2022-Q3"), map[string]any{"output_wan": 1000, "revenue_wan": 900,
			"tax_wan": 120, "employees": 35, "investment_completed_wan": 2500, "in_statistics": true})
		var hist []map[string]any
		e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d/history", land), nil).JSON(t, &hist)
		found := false
		for _, h := range hist {
			if h["object"] == "operations/2022-Q3" && h["field"] == "tax_wan" && h["from"] == "100.0001" && h["to"] == "120" && h["actor"] == "recruiter1" {
				found = true
			}
		}
		if !found {
			t.Errorf("history lacks the change: %v", hist)
		}
		// agents do not see other projects' operations
		if r := e.As("agent1", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d/operations", land), nil); r.Status != http.StatusNotFound {
			t.Errorf("agent reads operations: %d", r.Status)
		}
		// the year's ranking by tax per 亩: the project with land and tax first (quarters and
		// months: the quarter's figures stand, months are not added to them)
		var rk struct {
			Items []map[string]any `json:"items"`
		}
		e.As("viewer", http.MethodGet, "/api/v1/operations?year=2022", nil).JSON(t, &rk)
		if len(rk.Items) < 4 || rk.Items[0]["project_id"] != float64(land) || rk.Items[0]["tax_wan"] != 120.0 || rk.Items[0]["tax_per_mu_wan"] != 0.6 ||
			rk.Items[0]["completed_share"] != 0.0313 {
			t.Errorf("ranking: %v", rk.Items)
		}
		e.As("viewer", http.MethodGet, "/api/v1/operations?year=2022&sort=completed_share&chain=food", nil).JSON(t, &rk)
		if len(rk.Items) != 1 || rk.Items[0]["name"] != "桃木疙瘩屠宰厂项目" || rk.Items[0]["completed_share"] != 1.0 {
			t.Errorf("food ranking: %v", rk.Items)
		}
	})
}

func TestIndicatorTargets(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		r := e.As("director", http.MethodPost, "/api/v1/targets", map[string]any{"year": 2022, "metric": "revenue_wan", "target": 600000})
		if r.Status != http.StatusCreated {
			t.Fatalf("target: %d %s", r.Status, r.Body)
		}
		var list struct {
			Items []struct {
				Metric   string  `json:"metric"`
				Progress int64   `json:"progress"`
				Percent  float64 `json:"percent"`
				Unit     string  `json:"unit"`
			} `json:"items"`
		}
		e.As("viewer", http.MethodGet, "/api/v1/targets?year=2022", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Progress != 567559 || list.Items[0].Unit != "万元" || list.Items[0].Percent != 94.5 {
			t.Errorf("revenue target: %+v", list.Items)
		}
		// a chain chief's scope does not cover the zone's indicators
		e.As("chief_food", http.MethodGet, "/api/v1/targets?year=2022", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Progress != 0 {
			t.Errorf("chief's revenue target: %+v", list.Items)
		}
	})
}

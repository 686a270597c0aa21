package api_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

type overviewBody struct {
	Year        int            `json:"year"`
	DockedTotal int            `json:"docked_total"`
	ByChannel   map[string]int `json:"by_channel"`
	ByStage     map[string]int `json:"by_stage"`
	ByChain     map[string]int `json:"by_chain"`
	ByAssetType map[string]int `json:"by_asset_type"`
	Intended    map[string]int `json:"intended_by_asset_type"`
	Signed      struct {
		Count       int            `json:"count"`
		Planned     float64        `json:"planned_investment_wan"`
		Increase    float64        `json:"increase_wan"`
		Total       float64        `json:"total_wan"`
		ByAssetType map[string]int `json:"by_asset_type"`
	} `json:"signed"`
	Campaigns struct {
		Trip             int      `json:"trip"`
		Conference       int      `json:"conference"`
		TripCities       []string `json:"trip_cities"`
		ConferenceCities []string `json:"conference_cities"`
		ProjectsDocked   int      `json:"projects_docked"`
	} `json:"campaigns"`
	Conversion map[string]int `json:"conversion"`
	StageDays  map[string]struct {
		MedianDays float64 `json:"median_days"`
		Samples    int     `json:"samples"`
	} `json:"stage_days"`
	ChannelResults []sourceBody `json:"channel_results"`
	SourceResults  []sourceBody `json:"source_results"`
	Investment     struct {
		Planned  float64 `json:"planned_wan"`
		Realised float64 `json:"realised_wan"`
	} `json:"investment"`
}

type sourceBody struct {
	Kind, Key     string
	Leads, Signed int
	Investment    float64 `json:"investment_wan"`
}

func overview(t *testing.T, e *apitest.Env, user string, year int) overviewBody {
	t.Helper()
	r := e.As(user, http.MethodGet, fmt.Sprintf("/api/v1/stats/overview?year=%d", year), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("overview %d as %s: %d %s", year, user, r.Status, r.Body)
	}
	var o overviewBody
	r.JSON(t, &o)
	return o
}

func annual(t *testing.T, e *apitest.Env, user string, year int) (string, map[string]any) {
	t.Helper()
	r := e.As(user, http.MethodGet, fmt.Sprintf("/api/v1/reports/annual?year=%d", year), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("report %d as %s: %d %s", year, user, r.Status, r.Body)
	}
	var b struct {
		Text    string         `json:"text"`
		Figures map[string]any `json:"figures"`
	}
	r.JSON(t, &b)
	return b.Text, b.Figures
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestOverviewDemo2022(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		for _, user := range []string{"admin", "director", "viewer", "recruiter1"} {
			o := overview(t, e, user, 2022)
			if o.DockedTotal != 87 {
				t.Errorf("%s: docked_total = %d, want 87", user, o.DockedTotal)
			}
			want := map[string]int{"entrusted": 26, "business_referral": 15, "self_sourced": 21, "resource_plus": 25}
			if fmt.Sprint(o.ByChannel) != fmt.Sprint(want) {
				t.Errorf("%s: by_channel = %v, want %v", user, o.ByChannel, want)
			}
			if o.Signed.Count != 4 || o.Signed.Planned != 80500 || o.Signed.Total != 80500 || o.Signed.Increase != 0 {
				t.Errorf("%s: signed = %+v, want 4 and 80500", user, o.Signed)
			}
			if sum(o.ByStage) != 87 || sum(o.ByChain) != 87 || sum(o.ByAssetType) != 87 {
				t.Errorf("%s: by_stage %v, by_chain %v, by_asset_type %v do not add up to 87", user, o.ByStage, o.ByChain, o.ByAssetType)
			}
			if o.ByStage["follow_up"] != 4 || o.ByStage["risk"] != 3 || o.ByStage["decision"] != 3 {
				t.Errorf("%s: by_stage = %v", user, o.ByStage)
			}
			if fmt.Sprint(o.Intended) != "map[heavy:3 light:3]" {
				t.Errorf("%s: intended = %v, want 3 heavy and 3 light", user, o.Intended)
			}
			if o.Campaigns.Trip != 15 || strings.Join(o.Campaigns.TripCities, "、") != "北京、天津、雄安、石家庄" {
				t.Errorf("%s: campaigns = %+v", user, o.Campaigns)
			}
			// conversion: everything docked was a lead; signed ones reached every stage
			if o.Conversion["lead"] != 87 || o.Conversion["follow_up"] != 4 || o.Conversion["decision"] != 7 || o.Conversion["risk"] != 10 ||
				o.Conversion["dropped"] != o.ByStage["dropped"] {
				t.Errorf("%s: conversion = %v", user, o.Conversion)
			}
			chTotal, chInv := 0, 0.0
			for _, r := range o.ChannelResults {
				chTotal += r.Leads
				chInv += r.Investment
			}
			if len(o.ChannelResults) != 4 || chTotal != 87 || chInv != 80500 {
				t.Errorf("%s: channel_results = %+v", user, o.ChannelResults)
			}
		}
		// the chain chief of food sees food only
		food := overview(t, e, "chief_food", 2022)
		all := overview(t, e, "admin", 2022)
		if food.DockedTotal != all.ByChain["food"] || food.DockedTotal == 0 || food.DockedTotal == 87 {
			t.Errorf("chief_food docked_total = %d, admin's food = %d", food.DockedTotal, all.ByChain["food"])
		}
		for code, n := range food.ByChain {
			if code != "food" && n != 0 {
				t.Errorf("chief_food sees %d projects of %s", n, code)
			}
		}
		if food.Signed.Count != 1 || food.Signed.Planned != 12000 { // 千喜鹤中央厨房
			t.Errorf("chief_food signed = %+v", food.Signed)
		}
		// agents have no figures; years are checked
		if r := e.As("agent1", http.MethodGet, "/api/v1/stats/overview?year=2022", nil); r.Status != http.StatusForbidden {
			t.Errorf("agent overview: %d", r.Status)
		}
		for _, bad := range []string{"year=22x", "year=99"} {
			if r := e.As("admin", http.MethodGet, "/api/v1/stats/overview?"+bad, nil); r.Status != http.StatusBadRequest {
				t.Errorf("%s: %d %s", bad, r.Status, r.Body)
			}
		}
		// the current zone year is the default (the test clock says 2023)
		if o := e.As("admin", http.MethodGet, "/api/v1/stats/overview", nil).Map(t); o["year"] != 2023.0 {
			t.Errorf("default year: %v", o["year"])
		}
	})
}

// seedText is the seed's 一(七) paragraph as generated from the demo data: the seed's
// figures and wording, with one phrasing for each kind of project.
const seedText = "先后到北京、天津、雄安、石家庄等开展招商15次，共对接项目87个，其中：委托招商26个、以商招商15个、自主招商21个、“资源+”招商25个。" +
	"至目前，新签约落地项目4个，签约投资额8.05亿元，（誉柯防水建材生产项目计划总投资3.8亿元，氢阳制氢项目计划总投资1.05亿元，" +
	"巽欣锂离子电池制造项目计划总投资2亿元，千喜鹤中央厨房项目计划总投资1.2亿元）。" +
	"有意向入驻的重资产类项目3个（中材绿建超低能耗被动式节能建筑产业园项目（一期）计划投资8亿元，占地200亩；" +
	"河北知行合一电器设备制造项目计划投资1.5亿元，占地50亩；乾城绿色建材产业园项目计划投资5.8亿元，占地200亩）。" +
	"有意向入驻科创园轻资产项目3个（江苏国科智能光伏组件生产线项目计划投资3000万元；" +
	"香河富都华创家具制造有限公司现代家居制造项目计划投资8000万元；中科纳米新材料产业园项目计划投资1亿元）。"

// seedService is the seed's 一(六) paragraph as generated from the demo: the service requests
// closed in 2022 (issue 15), then the investment the projects completed (issue 17).
const seedService = "先后解决了道路亮化、公交车通行、甲村部队道路平交等具体问题，帮助在建企业融资到位800万元。" +
	"2022年，两个续建项目累计完成投资1.89亿元"

func TestAnnualReportDemo2022(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		text, figures := annual(t, e, "director", 2022)
		// the investment paragraph (一(七)) is one of the report's paragraphs (issue 17 adds the
		// indicators around it: api/indicators_test.go)
		if !slices.Contains(strings.Split(text, "\n"), seedText) {
			t.Errorf("report text:\n got %s\nwant %s", text, seedText)
		}
		if lines := strings.Split(text, "\n"); len(lines) < 2 || !strings.HasPrefix(lines[1], seedService) {
			t.Errorf("report's 一(六) paragraph:\n got %s\nwant it to start %s", text, seedService)
		}
		// the contract's example, verbatim
		if !strings.Contains(text, "共对接项目87个，其中：委托招商26个、以商招商15个、自主招商21个、“资源+”招商25个") {
			t.Error("contract phrase missing")
		}
		if figures["signed_projects"].(map[string]any)["count"] != 4.0 || figures["scope"] != "zone" {
			t.Errorf("figures: %v", figures)
		}
		// a chain chief's report covers the chain
		text, figures = annual(t, e, "chief_food", 2022)
		if !strings.Contains(text, "新签约落地项目1个，签约投资额1.2亿元，（千喜鹤中央厨房项目计划总投资1.2亿元）") ||
			strings.Contains(text, "誉柯") || figures["scope"] != "chains" {
			t.Errorf("chief_food report: %s %v", text, figures["scope"])
		}
		// printable HTML
		r := e.As("viewer", http.MethodGet, "/api/v1/reports/annual?year=2022&format=html", nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(r.Body), "共对接项目87个") || !strings.Contains(string(r.Body), "<table>") {
			t.Errorf("html: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		// Word: the same paragraph, in a .docx named for the year
		r = e.As("viewer", http.MethodGet, "/api/v1/reports/annual?year=2022&format=docx", nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
			!strings.Contains(r.Header.Get("Content-Disposition"), url.PathEscape("2022年招商引资工作情况.docx")) {
			t.Errorf("docx: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
		} else if doc := docxDocument(t, r.Body); !strings.Contains(doc, "共对接项目87个，其中：委托招商26个、以商招商15个、自主招商21个、“资源+”招商25个") {
			t.Errorf("docx text: %.300s", doc)
		}
		if r := e.As("viewer", http.MethodGet, "/api/v1/reports/annual?year=2022&format=pdf", nil); r.Status != http.StatusBadRequest {
			t.Errorf("format=pdf: %d", r.Status)
		}
		if r := e.As("agent1", http.MethodGet, "/api/v1/reports/annual?year=2022", nil); r.Status != http.StatusForbidden {
			t.Errorf("agent report: %d", r.Status)
		}
		// a year without data says so
		if text, _ := annual(t, e, "admin", 2019); text != "共对接项目0个。至目前，暂无新签约落地项目。" {
			t.Errorf("empty year: %s", text)
		}
	})
}

// ownData builds a second, different data set for 2024 through the API, moving projects
// through the stages on a clock so that the stage durations are known.
type ownData struct {
	a, b, c, d map[string]any
}

// timeTravel moves the test clock; sessions expire on the way, so it logs in afresh.
type timeTravel struct {
	t      *testing.T
	e      *apitest.Env
	tokens map[string]string
}

func (tt *timeTravel) set(at time.Time) {
	tt.e.Clock.Set(at)
	tt.tokens = map[string]string{}
}

func (tt *timeTravel) as(user, method, path string, body any) *apitest.Response {
	tt.t.Helper()
	tok, ok := tt.tokens[user]
	if !ok {
		r := tt.e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": user, "password": apitest.DemoPassword})
		if r.Status != http.StatusOK {
			tt.t.Fatalf("login %s: %d %s", user, r.Status, r.Body)
		}
		tok = r.Map(tt.t)["token"].(string)
		tt.tokens[user] = tok
	}
	return tt.e.Do(method, path, tok, body)
}

func buildOwnData(t *testing.T, e *apitest.Env) (ownData, *timeTravel) {
	tt := &timeTravel{t: t, e: e}
	t0 := time.Date(2024, 1, 10, 2, 0, 0, 0, time.UTC)
	tt.set(t0)
	day := func(n int) { tt.set(t0.Add(time.Duration(n) * 24 * time.Hour)) }
	campaign := func(kind, city, date string) float64 {
		r := tt.as("director", http.MethodPost, "/api/v1/campaigns", map[string]any{"kind": kind, "title": "赴" + city + "招商", "city": city, "start_date": date})
		if r.Status != http.StatusCreated {
			t.Fatalf("campaign: %d %s", r.Status, r.Body)
		}
		return r.Map(t)["id"].(float64)
	}
	campaign("trip", "保定", "2024-03-01")
	langfang := campaign("trip", "廊坊", "2024-02-01")
	campaign("conference", "北京", "2024-05-10")
	p := func(name, channel string, chain any, asset string, wan float64, docked string, extra map[string]any) map[string]any {
		body := map[string]any{"name": name, "investor": name + "投资有限公司", "channel": channel, "chain": chain,
			"asset_type": asset, "planned_investment_wan": wan, "docked_at": docked}
		for k, v := range extra {
			body[k] = v
		}
		r := tt.as("director", http.MethodPost, "/api/v1/projects", body)
		if r.Status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", name, r.Status, r.Body)
		}
		return r.Map(t)
	}
	d := ownData{
		a: p("甲食品精深加工项目", "self_sourced", "food", "heavy", 50000, "2024-01-10", map[string]any{"land_area_mu": 120, "campaign_id": langfang}),
		b: p("乙矿山装备维修中心", "entrusted", "mining", "light", 2500, "2024-02-20", map[string]any{"agency": "保定招商代理公司"}),
		c: p("丙新型建材项目", "business_referral", nil, "heavy", 12345.5, "2024-03-05", map[string]any{"referrer": "某链主推荐企业"}),
		d: p("丁碳化硅外延项目", "resource_plus", "semiconductor", "light", 800, "2023-12-20", nil),
	}
	move := func(pr map[string]any, to string, extra map[string]any) {
		t.Helper()
		path := fmt.Sprintf("/api/v1/projects/%v", pr["id"])
		switch to {
		case "decision":
			if r := tt.as("director", http.MethodPost, path+"/risk-assessment", map[string]any{"level": "low", "summary": "风险可控"}); r.Status != http.StatusCreated {
				t.Fatalf("assess: %d %s", r.Status, r.Body)
			}
		case "follow_up":
			if r := tt.as("director", http.MethodPost, path+"/decision", map[string]any{"outcome": "approved", "notes": "同意"}); r.Status != http.StatusCreated {
				t.Fatalf("decide: %d %s", r.Status, r.Body)
			}
		}
		body := map[string]any{"to": to}
		for k, v := range extra {
			body[k] = v
		}
		if r := tt.as("director", http.MethodPost, path+"/transition", body); r.Status != http.StatusOK {
			t.Fatalf("%v → %s: %d %s", pr["name"], to, r.Status, r.Body)
		}
	}
	day(10)
	move(d.a, "identification", nil)
	day(20)
	move(d.d, "identification", nil)
	day(30)
	move(d.a, "risk", nil)
	day(35)
	move(d.a, "decision", nil)
	day(38)
	move(d.a, "follow_up", map[string]any{"signed_at": "2024-02-17"})
	day(40)
	move(d.d, "risk", nil)
	move(d.d, "decision", nil)
	day(41)
	move(d.d, "follow_up", map[string]any{"signed_at": "2024-02-20"})
	day(45)
	move(d.c, "identification", nil)
	day(46)
	move(d.c, "risk", nil)
	day(47)
	move(d.b, "identification", nil)
	day(48)
	move(d.b, "risk", nil)
	move(d.b, "decision", nil)
	return d, tt
}

func TestFiguresOnOwnData(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		d, tt := buildOwnData(t, e)
		ov := func(user string, year int) overviewBody {
			t.Helper()
			r := tt.as(user, http.MethodGet, fmt.Sprintf("/api/v1/stats/overview?year=%d", year), nil)
			if r.Status != http.StatusOK {
				t.Fatalf("overview: %d %s", r.Status, r.Body)
			}
			var o overviewBody
			r.JSON(t, &o)
			return o
		}
		report := func(user string, year int) string {
			t.Helper()
			r := tt.as(user, http.MethodGet, fmt.Sprintf("/api/v1/reports/annual?year=%d", year), nil)
			if r.Status != http.StatusOK {
				t.Fatalf("report: %d %s", r.Status, r.Body)
			}
			return r.Map(t)["text"].(string)
		}
		o := ov("admin", 2024)
		if o.DockedTotal != 3 || fmt.Sprint(o.ByChannel) != "map[business_referral:1 entrusted:1 resource_plus:0 self_sourced:1]" {
			t.Errorf("docked %d by channel %v", o.DockedTotal, o.ByChannel)
		}
		if fmt.Sprint(o.ByChain) != "map[food:1 mining:1 none:1 semiconductor:0]" || fmt.Sprint(o.ByAssetType) != "map[heavy:2 light:1]" {
			t.Errorf("by chain %v, by asset %v", o.ByChain, o.ByAssetType)
		}
		if fmt.Sprint(o.ByStage) != "map[decision:1 dropped:0 follow_up:1 identification:0 lead:0 risk:1]" {
			t.Errorf("by stage %v", o.ByStage)
		}
		// D was docked in 2023 and signed in 2024: it counts as a 2024 signing
		if o.Signed.Count != 2 || o.Signed.Planned != 50800 || o.Signed.ByAssetType["light"] != 1 {
			t.Errorf("signed %+v", o.Signed)
		}
		if o.Campaigns.Trip != 2 || o.Campaigns.Conference != 1 || strings.Join(o.Campaigns.TripCities, ",") != "廊坊,保定" ||
			o.Campaigns.ProjectsDocked != 1 {
			t.Errorf("campaigns %+v", o.Campaigns)
		}
		if fmt.Sprint(o.Conversion) != "map[decision:2 dropped:0 follow_up:1 identification:3 lead:3 risk:3]" {
			t.Errorf("conversion %v", o.Conversion)
		}
		// lead 10, 20, 45, 47 days; identification 20, 20, 1, 1; risk 5, 0, 0; decision 3, 1
		wantDays := map[string][2]float64{"lead": {32.5, 4}, "identification": {10.5, 4}, "risk": {0, 3}, "decision": {2, 2}}
		for st, w := range wantDays {
			if got := o.StageDays[st]; got.MedianDays != w[0] || float64(got.Samples) != w[1] {
				t.Errorf("stage_days[%s] = %+v, want median %v over %v", st, got, w[0], w[1])
			}
		}
		if _, ok := o.StageDays["follow_up"]; ok {
			t.Errorf("follow_up has not been left: %v", o.StageDays)
		}
		var agency, referrer *sourceBody
		for i, s := range o.SourceResults {
			switch s.Key {
			case "保定招商代理公司":
				agency = &o.SourceResults[i]
			case "某链主推荐企业":
				referrer = &o.SourceResults[i]
			}
		}
		if agency == nil || agency.Kind != "agency" || agency.Leads != 1 || referrer == nil || referrer.Kind != "referrer" || referrer.Leads != 1 {
			t.Errorf("source results %+v", o.SourceResults)
		}
		for _, r := range o.ChannelResults {
			if r.Key == "self_sourced" && (r.Leads != 1 || r.Signed != 1 || r.Investment != 50000) {
				t.Errorf("self_sourced result %+v", r)
			}
		}

		// capital arrived (到资) on A counts as realised in its year
		if r := tt.as("director", http.MethodPost, fmt.Sprintf("/api/v1/projects/%v/investments", d.a["id"]),
			map[string]any{"date": "2024-02-25", "amount_wan": 3000}); r.Status != http.StatusCreated {
			t.Fatalf("record investment: %d %s", r.Status, r.Body)
		}
		if o := ov("admin", 2024); o.Investment.Planned != 50800 || o.Investment.Realised != 3000 {
			t.Errorf("planned vs realised %+v", o.Investment)
		}
		if o := ov("chief_mining", 2024); o.Investment.Realised != 0 {
			t.Errorf("chief_mining sees realised %v of a food project", o.Investment.Realised)
		}

		text := report("admin", 2024)
		want := "先后到廊坊、保定等开展招商2次，在北京举办招商推介会1次，共对接项目3个，其中：委托招商1个、以商招商1个、自主招商1个。" +
			"至目前，新签约落地项目2个，签约投资额5.08亿元，（甲食品精深加工项目计划总投资5亿元，丁碳化硅外延项目计划总投资800万元）。" +
			"有意向入驻的重资产类项目1个（丙新型建材项目计划投资1.23亿元）。有意向入驻科创园轻资产项目1个（乙矿山装备维修中心计划投资2500万元）。"
		if text != want {
			t.Errorf("2024 report:\n got %s\nwant %s", text, want)
		}
		text = report("chief_food", 2024)
		if !strings.Contains(text, "共对接项目1个，其中：自主招商1个。至目前，新签约落地项目1个，签约投资额5亿元，（甲食品精深加工项目计划总投资5亿元）。") {
			t.Errorf("chief_food 2024 report: %s", text)
		}
		if f := ov("chief_food", 2024); f.DockedTotal != 1 || f.Signed.Count != 1 || f.Signed.Planned != 50000 {
			t.Errorf("chief_food 2024: %+v", f)
		}

		// A later increase counts only the increment, in its own year; the signing year keeps
		// the amount it had at its end.
		tt.set(time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC))
		path := fmt.Sprintf("/api/v1/projects/%v", d.d["id"])
		cur := tt.as("director", http.MethodGet, path, nil).Map(t)
		if r := tt.as("director", http.MethodPatch, path, map[string]any{"version": cur["version"], "planned_investment_wan": 1000}); r.Status != http.StatusOK {
			t.Fatalf("raise D: %d %s", r.Status, r.Body)
		}
		if o := ov("admin", 2025); o.Signed.Count != 0 || o.Signed.Increase != 200 || o.Signed.Total != 200 {
			t.Errorf("2025 signed %+v, want the 200 increment only", o.Signed)
		}
		if o := ov("admin", 2024); o.Signed.Count != 2 || o.Signed.Planned != 50800 || o.Signed.Increase != 0 {
			t.Errorf("2024 signed after the 2025 increase %+v", o.Signed)
		}
	})
}

func TestTargets(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		// the demo's 2023 targets
		var list struct {
			Items []struct {
				ID       float64
				Metric   string
				Target   int64
				Progress int64
				Label    string
				Percent  float64
			}
			Metrics []struct{ Code string }
		}
		e.As("viewer", http.MethodGet, "/api/v1/targets?year=2023", nil).JSON(t, &list)
		got := map[string]int64{}
		for _, it := range list.Items {
			got[it.Metric] = it.Target
		}
		if fmt.Sprint(got) != "map[conferences_held:3 light_signed_science_park:5 projects_started:4]" || len(list.Metrics) < 5 {
			t.Errorf("2023 targets %v, metrics %v", got, list.Metrics)
		}

		_, tt := buildOwnData(t, e)
		for metric, target := range map[string]int{"signed_projects": 4, "light_signed_science_park": 2, "conferences_held": 2,
			"investment_signed_wan": 100000, "docked_projects": 3, "trips_made": 4} {
			r := tt.as("director", http.MethodPost, "/api/v1/targets", map[string]any{"year": 2024, "metric": metric, "target": target})
			if r.Status != http.StatusCreated {
				t.Fatalf("create %s: %d %s", metric, r.Status, r.Body)
			}
		}
		list.Items = nil
		tt.as("chief_food", http.MethodGet, "/api/v1/targets?year=2024", nil).JSON(t, &list)
		food := map[string]int64{}
		for _, it := range list.Items {
			food[it.Metric] = it.Progress
		}
		list.Items = nil
		tt.as("admin", http.MethodGet, "/api/v1/targets?year=2024", nil).JSON(t, &list)
		progress := map[string]int64{}
		var signedID float64
		for _, it := range list.Items {
			progress[it.Metric] = it.Progress
			if it.Metric == "signed_projects" {
				signedID = it.ID
				if it.Percent != 50 || it.Label != "签约项目数" {
					t.Errorf("signed target %+v", it)
				}
			}
		}
		want := map[string]int64{"signed_projects": 2, "light_signed_science_park": 1, "conferences_held": 1,
			"investment_signed_wan": 50800, "docked_projects": 3, "trips_made": 2}
		if fmt.Sprint(progress) != fmt.Sprint(want) {
			t.Errorf("progress %v, want %v", progress, want)
		}
		if food["signed_projects"] != 1 || food["docked_projects"] != 1 || food["trips_made"] != 2 {
			t.Errorf("chief_food progress %v", food)
		}
		path := fmt.Sprintf("/api/v1/targets/%v", signedID)
		if r := tt.as("admin", http.MethodPatch, path, map[string]any{"target": 2, "label": "签约项目不少于2个"}); r.Status != http.StatusOK ||
			r.Map(t)["percent"] != 100.0 {
			t.Errorf("patch: %d %s", r.Status, r.Body)
		}
		for _, c := range []struct {
			user   string
			body   map[string]any
			status int
			code   string
		}{
			{"director", map[string]any{"year": 2024, "metric": "signed_projects", "target": 9}, http.StatusConflict, "conflict"},
			{"director", map[string]any{"year": 2024, "metric": "happiness", "target": 9}, http.StatusBadRequest, "invalid"},
			{"director", map[string]any{"year": 1990, "metric": "trips_made", "target": -1}, http.StatusBadRequest, "invalid"},
			{"director", map[string]any{"year": "2024", "metric": "trips_made", "target": 1}, http.StatusBadRequest, "invalid"},
			{"recruiter1", map[string]any{"year": 2024, "metric": "projects_started", "target": 1}, http.StatusForbidden, "forbidden"},
			{"viewer", map[string]any{"year": 2024, "metric": "projects_started", "target": 1}, http.StatusForbidden, "forbidden"},
			{"chief_food", map[string]any{"year": 2024, "metric": "projects_started", "target": 1}, http.StatusForbidden, "forbidden"},
		} {
			r := tt.as(c.user, http.MethodPost, "/api/v1/targets", c.body)
			if r.Status != c.status || r.ErrorCode() != c.code {
				t.Errorf("%s %v: %d %s", c.user, c.body, r.Status, r.Body)
			}
		}
		if r := tt.as("recruiter1", http.MethodPatch, path, map[string]any{"target": 1}); r.Status != http.StatusForbidden {
			t.Errorf("recruiter patch: %d", r.Status)
		}
		if r := tt.as("admin", http.MethodPatch, "/api/v1/targets/99999", map[string]any{"target": 1}); r.Status != http.StatusNotFound {
			t.Errorf("patch unknown: %d", r.Status)
		}
		if r := tt.as("agent1", http.MethodGet, "/api/v1/targets?year=2024", nil); r.Status != http.StatusForbidden {
			t.Errorf("agent targets: %d", r.Status)
		}
	})
}

// docxDocument returns word/document.xml of a .docx.
func docxDocument(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			doc, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(doc)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/domain"
)

type importBody struct {
	Created   int  `json:"created"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	DryRun    bool `json:"dry_run"`
	Applied   bool `json:"applied"`
	Errors    []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Message string `json:"message"`
	} `json:"errors"`
	Error *struct{ Code string } `json:"error"`
}

// upload posts data as the multipart field "file".
func upload(t *testing.T, e *apitest.Env, user, query, filename string, data []byte) *apitest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	return send(t, e, user, "/api/v1/import/projects"+query, w.FormDataContentType(), bytes.NewReader(body.Bytes()))
}

func send(t *testing.T, e *apitest.Env, user, path, contentType string, body io.Reader) *apitest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.HTTP.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.Token(user))
	res, err := e.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &apitest.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func imported(t *testing.T, r *apitest.Response, status int) importBody {
	t.Helper()
	if r.Status != status {
		t.Fatalf("import: %d, want %d: %s", r.Status, status, r.Body)
	}
	var b importBody
	r.JSON(t, &b)
	return b
}

const header = "项目名称,投资主体,统一社会信用代码,招商渠道,产业链,资产类型,计划投资(万元),占地面积(亩),阶段,对接日期,签约日期,负责人,备注\n"

// creditCode makes a valid unified social credit code from a 7-character tail.
func creditCode(tail string) string {
	p := "9113063000" + tail
	return p + string(domain.CreditCodeCheckChar(p))
}

func total(t *testing.T, e *apitest.Env) int { return list(t, e, "admin", "deleted=true").Total }

func TestImportRefusesBadFiles(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		code := creditCode("MA0B2C3")
		ok := imported(t, upload(t, e, "admin", "", "seed.csv",
			[]byte(header+"已有项目,已登记企业有限公司,"+code+",自主招商,,重资产,100,,洽谈对接,2024-01-05,,,\n")), http.StatusOK)
		if ok.Created != 1 || !ok.Applied {
			t.Fatalf("setup import: %+v", ok)
		}
		good := "新项目甲,新投资甲有限公司,,自主招商,现代食品,重资产,100,10,洽谈对接,2024-01-05,,recruiter1,\n"
		cases := []struct {
			name        string
			file        string
			row         int
			column, msg string
		}{
			{"missing required column", "项目名称,招商渠道,资产类型,计划投资(万元),对接日期\n甲,自主招商,重资产,1,2024-01-05\n", 1, "投资主体", "缺少"},
			{"empty name", header + good + ",某公司,,自主招商,,重资产,1,,,2024-01-05,,,\n", 3, "项目名称", "必填"},
			{"unknown channel", header + good + "乙,某公司,,招商引资,,重资产,1,,,2024-01-05,,,\n", 3, "招商渠道", ""},
			{"impossible date", header + good + "乙,某公司,,自主招商,,重资产,1,,,2024-02-30,,,\n", 3, "对接日期", ""},
			{"negative amount", header + good + "乙,某公司,,自主招商,,重资产,-5,,,2024-01-05,,,\n", 3, "计划投资(万元)", "负"},
			{"text amount", header + good + "乙,某公司,,自主招商,,重资产,很多,,,2024-01-05,,,\n", 3, "计划投资(万元)", ""},
			{"unknown chain", header + good + "乙,某公司,,自主招商,纺织,重资产,1,,,2024-01-05,,,\n", 3, "产业链", ""},
			{"unknown stage", header + good + "乙,某公司,,自主招商,,重资产,1,,签约,2024-01-05,,,\n", 3, "阶段", ""},
			{"bad credit code", header + good + "乙,某公司,91130630MA0B2C3XX1,自主招商,,重资产,1,,,2024-01-05,,,\n", 3, "统一社会信用代码", ""},
			{"signed before docked", header + good + "乙,某公司,,自主招商,,重资产,1,,,2024-01-05,2023-12-31,,\n", 3, "签约日期", ""},
			{"duplicate row", header + good + good, 3, "项目名称", "重复"},
			// found by the database, not the parser
			{"unknown owner", header + good + "乙,某公司,,自主招商,,重资产,1,,,2024-01-05,,nobody,\n", 3, "负责人", "没有这个用户"},
			{"code of another enterprise", header + good + "乙,另一家公司," + code + ",自主招商,,重资产,1,,,2024-01-05,,,\n", 3, "统一社会信用代码", "另一家企业"},
			{"code differs from the registered one", header + good + "乙,已登记企业有限公司," + creditCode("MA0B2C4") + ",自主招商,,重资产,1,,,2024-01-05,,,\n", 3, "统一社会信用代码", "不一致"},
			{"follow-up without signing", header + good + "乙,某公司,,自主招商,,重资产,1,,跟踪服务,2024-01-05,,,\n", 3, "签约日期", "签约日期"},
		}
		before := total(t, e)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := imported(t, upload(t, e, "admin", "", "bad.csv", []byte(c.file)), http.StatusUnprocessableEntity)
				found := false
				for _, er := range b.Errors {
					if er.Row == c.row && er.Column == c.column && strings.Contains(er.Message, c.msg) {
						found = true
					}
					if er.Row == 2 && c.row != 1 {
						t.Errorf("the good row 2 is reported: %+v", er)
					}
				}
				if !found || b.Created != 0 || b.Applied || b.Error == nil || b.Error.Code != "rule" {
					t.Errorf("want row %d column %s (%s): %+v", c.row, c.column, c.msg, b)
				}
			})
		}
		if after := total(t, e); after != before {
			t.Errorf("refused imports wrote: %d projects before, %d after", before, after)
		}
		// every bad row is listed, whoever finds it
		b := imported(t, upload(t, e, "admin", "", "many.csv", []byte(header+
			"乙,,,自主招商,,重资产,1,,,2024-01-05,,,\n"+good+
			"丙,某公司,,自主招商,,重资产,1,,,2024-01-05,,nobody,\n"+
			"丁,某公司,,自主招商,,中资产,1,,,2024-01-05,,,\n")), http.StatusUnprocessableEntity)
		rows := map[int]string{}
		for _, er := range b.Errors {
			rows[er.Row] = er.Column
		}
		if fmt.Sprint(rows) != "map[2:投资主体 4:负责人 5:资产类型]" {
			t.Errorf("errors by row: %v", rows)
		}
		// not a spreadsheet, no file, not multipart
		if r := upload(t, e, "admin", "", "photo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")); r.Status != http.StatusBadRequest {
			t.Errorf("png: %d %s", r.Status, r.Body)
		}
		if r := upload(t, e, "admin", "", "old.xlsx", []byte("this is text")); r.Status != http.StatusBadRequest {
			t.Errorf("fake xlsx: %d %s", r.Status, r.Body)
		}
		if r := send(t, e, "admin", "/api/v1/import/projects", "application/json", strings.NewReader(`{}`)); r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid" {
			t.Errorf("json body: %d %s", r.Status, r.Body)
		}
		if r := upload(t, e, "admin", "?dry_run=maybe", "a.csv", []byte(header+good)); r.Status != http.StatusBadRequest {
			t.Errorf("dry_run=maybe: %d", r.Status)
		}
		if after := total(t, e); after != before {
			t.Errorf("refused uploads wrote: %d → %d", before, after)
		}
	})
}

func TestImportEncodingsAndDryRun(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		before := total(t, e)
		csv := header + "GBK导入项目,河北某某食品有限公司,,“资源+”招商,现代食品,轻资产,\"1,234.5\",,项目识别,2024年1月5日,,recruiter2,从旧台账导入\n"
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(csv)
		if err != nil {
			t.Fatal(err)
		}
		// a dry run says what would happen and writes nothing
		b := imported(t, upload(t, e, "admin", "?dry_run=true", "台账.csv", []byte(gbk)), http.StatusOK)
		if b.Created != 1 || !b.DryRun || b.Applied || total(t, e) != before {
			t.Fatalf("dry run: %+v, total %d → %d", b, before, total(t, e))
		}
		b = imported(t, upload(t, e, "director", "", "台账.csv", []byte(gbk)), http.StatusOK)
		if b.Created != 1 || !b.Applied {
			t.Fatalf("gbk import: %+v", b)
		}
		got := list(t, e, "admin", "q=GBK导入项目").Items
		if len(got) != 1 {
			t.Fatalf("gbk project: %v", got)
		}
		p := got[0]
		if p["investor"] != "河北某某食品有限公司" || p["channel"] != "resource_plus" || p["chain"] != "food" || p["asset_type"] != "light" ||
			p["planned_investment_wan"] != 1234.5 || p["stage"] != "identification" || p["docked_at"] != "2024-01-05" ||
			p["owner"] != "recruiter2" || p["notes"] != "从旧台账导入" || p["version"] != 1.0 {
			t.Errorf("gbk project: %v", p)
		}
		// UTF-8 with a BOM, English headers in another order
		bom := "\uFEFFinvestor,name,channel,asset_type,planned_investment_wan,docked_at,stage,signed_at\n" +
			"BOM投资有限公司,BOM导入项目,entrusted,heavy,300,2024-02-01,follow_up,2024-03-01\n"
		b = imported(t, upload(t, e, "admin", "", "bom.csv", []byte(bom)), http.StatusOK)
		if b.Created != 1 {
			t.Fatalf("bom import: %+v", b)
		}
		p = list(t, e, "admin", "q=BOM导入项目").Items[0]
		if p["stage"] != "follow_up" || p["signed_at"] != "2024-03-01" || p["owner"] != "admin" || p["channel"] != "entrusted" {
			t.Errorf("bom project: %v", p)
		}
		// an .xlsx with an Excel date serial and a number cell
		f := excelize.NewFile()
		sh := f.GetSheetName(0)
		for i, v := range []any{"项目名称", "投资主体", "招商渠道", "资产类型", "计划投资(万元)", "对接日期"} {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			f.SetCellValue(sh, cell, v)
		}
		for i, v := range []any{"XLSX导入项目", "XLSX投资有限公司", "以商招商", "重资产", 2500.25, 45296} {
			cell, _ := excelize.CoordinatesToCellName(i+1, 2)
			f.SetCellValue(sh, cell, v)
		}
		var buf bytes.Buffer
		f.WriteTo(&buf)
		b = imported(t, upload(t, e, "admin", "", "projects.xlsx", buf.Bytes()), http.StatusOK)
		if b.Created != 1 {
			t.Fatalf("xlsx import: %+v", b)
		}
		p = list(t, e, "admin", "q=XLSX导入项目").Items[0]
		if p["docked_at"] != "2024-01-05" || p["planned_investment_wan"] != 2500.25 || p["channel"] != "business_referral" {
			t.Errorf("xlsx project: %v", p)
		}
		if total(t, e) != before+3 {
			t.Errorf("total %d, want %d", total(t, e), before+3)
		}
	})
}

func TestReimportUpdatesNeverDuplicates(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		file := header +
			"复导项目一,复导投资有限公司," + creditCode("MA0R1X2") + ",自主招商,矿业,重资产,1000,50,洽谈对接,2024-01-05,,recruiter2,\n" +
			"复导项目二,复导投资有限公司,,委托招商,,轻资产,200,,项目识别,2024-01-06,,,备注\n"
		if b := imported(t, upload(t, e, "admin", "", "a.csv", []byte(file)), http.StatusOK); b.Created != 2 {
			t.Fatalf("first import: %+v", b)
		}
		before := total(t, e)
		if b := imported(t, upload(t, e, "admin", "", "a.csv", []byte(file)), http.StatusOK); b.Created != 0 || b.Updated != 0 || b.Unchanged != 2 {
			t.Errorf("same file again: %+v", b)
		}
		changed := strings.Replace(file, ",1000,50,洽谈对接,", ",1500,50,项目识别,", 1)
		if b := imported(t, upload(t, e, "admin", "", "a.csv", []byte(changed)), http.StatusOK); b.Created != 0 || b.Updated != 1 || b.Unchanged != 1 {
			t.Errorf("changed file: %+v", b)
		}
		if total(t, e) != before {
			t.Errorf("re-import duplicated: %d → %d", before, total(t, e))
		}
		p := list(t, e, "admin", "q=复导项目一").Items[0]
		if p["planned_investment_wan"] != 1500.0 || p["stage"] != "identification" || p["version"] != 2.0 || p["owner"] != "recruiter2" {
			t.Errorf("updated project: %v", p)
		}
		var hist []map[string]any
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/projects/%v/history", p["id"]), nil).JSON(t, &hist)
		fields := map[string]string{}
		for _, h := range hist {
			if h["action"] == "imported" && h["field"] != nil {
				fields[h["field"].(string)] = fmt.Sprint(h["from"], "→", h["to"])
			}
		}
		if fields["planned_investment_wan"] != "1000→1500" || fields["stage"] != "lead→identification" {
			t.Errorf("history: %v", hist)
		}
		// a file without the 负责人 and 备注 columns leaves them alone
		short := "项目名称,投资主体,招商渠道,资产类型,计划投资(万元),对接日期\n复导项目二,复导投资有限公司,委托招商,轻资产,250,2024-01-06\n"
		if b := imported(t, upload(t, e, "admin", "", "b.csv", []byte(short)), http.StatusOK); b.Updated != 1 {
			t.Errorf("short file: %+v", b)
		}
		p = list(t, e, "admin", "q=复导项目二").Items[0]
		if p["planned_investment_wan"] != 250.0 || p["notes"] != "备注" || p["owner"] != "admin" || p["stage"] != "identification" {
			t.Errorf("short-file update: %v", p)
		}
	})
}

func exportFile(t *testing.T, e *apitest.Env, user, query string) []byte {
	t.Helper()
	r := e.As(user, http.MethodGet, "/api/v1/export/projects.xlsx?"+query, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("export as %s: %d %s", user, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''%E6%8B%9B%E5%95%86%E9%A1%B9%E7%9B%AE") {
		t.Errorf("content disposition %q", cd)
	}
	return r.Body
}

func parseRows(t *testing.T, data []byte) []spreadsheet.ProjectRow {
	t.Helper()
	res, err := spreadsheet.ParseProjects(bytes.NewReader(data), int64(len(data)), "x.xlsx", spreadsheet.Limits{})
	if err != nil || !res.OK() {
		t.Fatalf("parse export: %v %v", err, res.Errors)
	}
	return res.Rows
}

func TestExportImportRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		// the whole demo: exported, it re-imports as unchanged
		all := exportFile(t, e, "admin", "")
		n := list(t, e, "admin", "").Total
		if rows := parseRows(t, all); len(rows) != n {
			t.Fatalf("export has %d rows, the list %d", len(rows), n)
		}
		if b := imported(t, upload(t, e, "admin", "", "export.xlsx", all), http.StatusOK); b.Unchanged != n || b.Created+b.Updated != 0 {
			t.Errorf("re-import of the export: %+v", b)
		}
		// projects with awkward values travel to a fresh database and back unchanged
		file := header +
			"=HYPERLINK(\"http://x\")往返项目,往返投资有限公司," + creditCode("MA0T9Y8") + ",以商招商,第三代半导体,轻资产,1234.5678,12.25,风险评估,2021-12-31,,recruiter1,\"多行\n备注, 带逗号\"\n" +
			"+往返项目二,-往返投资二,,“资源+”招商,,重资产,0,,已终止,2022-02-28,,,@提及\n" +
			"往返项目三,往返投资有限公司,,委托招商,矿业,重资产,80000,200,跟踪服务,2020-02-29,2020-03-01,director,\n"
		if b := imported(t, upload(t, e, "admin", "", "rt.csv", []byte(file)), http.StatusOK); b.Created != 3 {
			t.Fatalf("setup: %+v", b)
		}
		one := exportFile(t, e, "admin", "q=往返")
		other := apitest.New(t, e.Driver)
		if b := imported(t, upload(t, other, "admin", "", "rt.xlsx", one), http.StatusOK); b.Created != 3 {
			t.Fatalf("import into a fresh database: %+v", b)
		}
		two := exportFile(t, other, "admin", "q=往返")
		r1, r2 := parseRows(t, one), parseRows(t, two)
		j1, _ := json.Marshal(r1)
		j2, _ := json.Marshal(r2)
		if len(r1) != 3 || string(j1) != string(j2) {
			t.Errorf("round trip differs:\n%s\n%s", j1, j2)
		}
		byName := map[string]domain.ProjectInput{}
		for _, r := range r2 {
			byName[r.Input.Name] = r.Input
		}
		p := byName[`=HYPERLINK("http://x")往返项目`]
		if p.PlannedInvestment != 12345678 || p.LandArea != 1225 || p.Stage != "risk" || p.Notes != "多行\n备注, 带逗号" ||
			p.InvestorCreditCode != creditCode("MA0T9Y8") || p.Chain == nil || *p.Chain != "semiconductor" || p.Owner != "recruiter1" {
			t.Errorf("awkward project after the round trip: %+v", p)
		}
		if q := byName["+往返项目二"]; q.Investor != "-往返投资二" || q.Notes != "@提及" || q.Stage != "dropped" || q.Chain != nil {
			t.Errorf("guarded texts after the round trip: %+v", q)
		}
		// no exported cell starts a formula
		f, err := excelize.OpenReader(bytes.NewReader(one))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		for _, row := range rows[1:] {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Errorf("cell starts a formula: %q", cell)
				}
			}
		}
	})
}

func TestImportTooLarge(t *testing.T) {
	e := apitest.New(t, "sqlite")
	big := bytes.Repeat([]byte("a"), 21<<20) // the harness allows 20 MiB
	if r := upload(t, e, "admin", "", "big.csv", big); r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "too_large" {
		t.Errorf("declared length: %d %s", r.Status, r.Body)
	}
	// without a declared length the limit stops the read
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "big.csv")
	part.Write(big)
	w.Close()
	r := send(t, e, "admin", "/api/v1/import/projects", w.FormDataContentType(), struct{ io.Reader }{&body})
	if r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "too_large" {
		t.Errorf("chunked: %d %s", r.Status, r.Body)
	}
}

func TestTransferPermissions(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		file := []byte(header + "越权项目,某公司,,自主招商,,重资产,1,,,2024-01-05,,,\n")
		before := total(t, e)
		for _, user := range []string{"recruiter1", "agent1", "viewer", "chief_food"} {
			if r := upload(t, e, user, "", "a.csv", file); r.Status != http.StatusForbidden {
				t.Errorf("%s import: %d", user, r.Status)
			}
			if r := e.As(user, http.MethodGet, "/api/v1/import/template.xlsx", nil); r.Status != http.StatusForbidden {
				t.Errorf("%s template: %d", user, r.Status)
			}
		}
		if total(t, e) != before {
			t.Error("a forbidden import wrote")
		}
		r := e.As("director", http.MethodGet, "/api/v1/import/template.xlsx", nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
			t.Errorf("template: %d %v", r.Status, r.Header)
		}
		if res, err := spreadsheet.ParseProjects(bytes.NewReader(r.Body), int64(len(r.Body)), "t.xlsx", spreadsheet.Limits{}); err != nil || len(res.Ignored) > 0 {
			t.Errorf("template does not parse: %v %v", err, res)
		}
		for _, path := range []string{"/api/v1/export/projects.xlsx", "/api/v1/export/activities.xlsx"} {
			if r := e.As("agent1", http.MethodGet, path, nil); r.Status != http.StatusForbidden {
				t.Errorf("agent %s: %d", path, r.Status)
			}
		}
		// exports see what the caller sees, with the list's filters
		rows := parseRows(t, exportFile(t, e, "chief_food", ""))
		if want := list(t, e, "chief_food", "").Total; len(rows) != want || want == 0 {
			t.Errorf("chief_food export %d rows, list %d", len(rows), want)
		}
		for _, r := range rows {
			if r.Input.Chain == nil || *r.Input.Chain != "food" {
				t.Errorf("chief_food exported %s (%v)", r.Input.Name, r.Input.Chain)
			}
		}
		rows = parseRows(t, exportFile(t, e, "viewer", "channel=entrusted&docked_from=2022-01-01&docked_to=2022-12-31"))
		if len(rows) != 26 {
			t.Errorf("entrusted 2022 export: %d rows, want 26", len(rows))
		}
		if r := e.As("viewer", http.MethodGet, "/api/v1/export/projects.xlsx?stage=signed", nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad filter: %d", r.Status)
		}
	})
}

func TestExportActivities(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		read := func(user, query string) [][]string {
			t.Helper()
			r := e.As(user, http.MethodGet, "/api/v1/export/activities.xlsx?"+query, nil)
			if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
				t.Fatalf("activities export: %d %s", r.Status, r.Body)
			}
			f, err := excelize.OpenReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows(f.GetSheetName(0))
			if len(rows) == 0 || rows[0][0] != "项目" {
				t.Fatalf("header: %v", rows)
			}
			return rows[1:]
		}
		all := read("admin", "")
		food := read("chief_food", "")
		if len(all) == 0 || len(food) == 0 || len(food) >= len(all) {
			t.Errorf("activities: all %d, food %d", len(all), len(food))
		}
		foodNames := map[string]bool{}
		for _, p := range list(t, e, "chief_food", "page_size=200").Items {
			foodNames[p["name"].(string)] = true
		}
		for _, row := range food {
			if !foodNames[row[0]] {
				t.Errorf("chief_food sees an activity of %s", row[0])
			}
		}
		june := read("admin", "from=2022-06-01&to=2022-06-30")
		for _, row := range june {
			if row[2] < "2022-06-01" || row[2] > "2022-06-30" {
				t.Errorf("activity of %s outside June", row[2])
			}
		}
		if len(june) == 0 || len(june) >= len(all) {
			t.Errorf("june %d of %d", len(june), len(all))
		}
		if r := e.As("admin", http.MethodGet, "/api/v1/export/activities.xlsx?from=2022-13-01", nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad from: %d", r.Status)
		}
	})
}

package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

type errBody struct {
	Error struct {
		Code       string            `json:"code"`
		Message    string            `json:"message"`
		Fields     map[string]string `json:"fields"`
		Candidates []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"candidates"`
	} `json:"error"`
}

func TestEnterpriseDuplicatesOnCreate(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		tongguang := enterpriseID(t, e, "河北同光晶体有限公司")
		// the contract's example: the region in brackets after the trade name
		r := e.As("recruiter1", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "同光晶体（河北）有限责任公司", "kind": "investor"})
		var b errBody
		r.JSON(t, &b)
		if r.Status != http.StatusConflict || b.Error.Code != "duplicate" || len(b.Error.Candidates) == 0 {
			t.Fatalf("likely duplicate: %d %s", r.Status, r.Body)
		}
		found := false
		for _, c := range b.Error.Candidates {
			found = found || (c.ID == tongguang && c.Name == "河北同光晶体有限公司")
		}
		if !found {
			t.Errorf("candidates %+v lack 河北同光晶体有限公司 (%d)", b.Error.Candidates, tongguang)
		}
		// confirmed, it is created
		r = e.As("recruiter1", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "同光晶体（河北）有限责任公司", "kind": "investor", "confirm_new": true})
		expect(t, r, http.StatusCreated, "confirm_new")
		// a credit code already held: 409 always, even confirmed
		code := "91130600MA0CXY1234"
		code = code[:17] + creditCheck(code[:17])
		ent := createEnterprise(t, e, map[string]any{"name": "信用代码测试企业", "credit_code": code})
		for _, confirm := range []bool{false, true} {
			r = e.As("admin", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "另一家企业", "credit_code": code, "confirm_new": confirm})
			b = errBody{}
			r.JSON(t, &b)
			if r.Status != http.StatusConflict || b.Error.Code != "duplicate" || len(b.Error.Candidates) != 1 || b.Error.Candidates[0].ID != ent {
				t.Errorf("same credit code (confirm %v): %d %s", confirm, r.Status, r.Body)
			}
		}
		// the same name exactly: 409, confirm or not (names are unique)
		r = e.As("admin", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "信用代码测试企业", "confirm_new": true})
		if r.Status != http.StatusConflict || r.ErrorCode() != "duplicate" {
			t.Errorf("same name: %d %s", r.Status, r.Body)
		}
		// the duplicates list groups them (admin, director)
		var d struct {
			Groups [][]struct {
				ID   int64
				Name string
			}
		}
		e.As("director", http.MethodGet, "/api/v1/enterprises/duplicates", nil).JSON(t, &d)
		grouped := false
		for _, g := range d.Groups {
			names := []string{}
			for _, c := range g {
				names = append(names, c.Name)
			}
			grouped = grouped || (strings.Contains(strings.Join(names, "|"), "同光晶体（河北）有限责任公司") && strings.Contains(strings.Join(names, "|"), "河北同光晶体有限公司"))
		}
		if !grouped {
			t.Errorf("duplicates %+v lack the 同光 group", d.Groups)
		}
		// bad input names the field
		r = e.As("admin", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "网址测试", "website": "not a url", "ownership": "state"})
		b = errBody{}
		r.JSON(t, &b)
		if r.Status != http.StatusBadRequest || b.Error.Fields["website"] == "" || b.Error.Fields["ownership"] == "" {
			t.Errorf("bad website/ownership: %d %s", r.Status, r.Body)
		}
	})
}

// creditCheck computes a unified social credit code's check character (GB 32100-2015).
func creditCheck(prefix string) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(alphabet, prefix[i]) * w[i]
	}
	return string(alphabet[(31-sum%31)%31])
}

func TestEnterprisePageEditAndHistory(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		id := enterpriseID(t, e, "千喜鹤食品有限公司")
		path := fmt.Sprintf("/api/v1/enterprises/%d", id)
		page := e.As("chief_food", http.MethodGet, path, nil).Map(t)
		for _, k := range []string{"id", "name", "credit_code", "kind", "industry", "region", "address", "website", "tags", "notes", "version", "contacts", "projects", "timeline", "ownership"} {
			if _, ok := page[k]; !ok {
				t.Errorf("page lacks %q", k)
			}
		}
		projs := page["projects"].([]any)
		if len(projs) == 0 {
			t.Fatal("千喜鹤 has no projects on its page")
		}
		p0 := projs[0].(map[string]any)
		for _, k := range []string{"id", "name", "stage"} {
			if _, ok := p0[k]; !ok {
				t.Errorf("project entry lacks %q: %v", k, p0)
			}
		}
		version := page["version"].(float64)
		upd := map[string]any{"version": version, "ownership": "listed", "address": "河北省保定市涞源县经济开发区", "website": "www.qianxihe.example.cn",
			"tags": []string{"中央厨房", "链主候选", "中央厨房"}}
		r := e.As("recruiter2", http.MethodPatch, path, upd)
		expect(t, r, http.StatusOK, "edit")
		got := r.Map(t)
		if got["version"] != version+1 || got["ownership"] != "listed" || len(got["tags"].([]any)) != 2 {
			t.Errorf("edited = %v", got)
		}
		// stale → 409, nothing written
		r = e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": version, "industry": "被覆盖"})
		if r.Status != http.StatusConflict {
			t.Errorf("stale edit: %d %s", r.Status, r.Body)
		}
		if now := e.As("admin", http.MethodGet, path, nil).Map(t); now["industry"] == "被覆盖" || now["version"] != version+1 {
			t.Errorf("stale edit wrote: %v", now)
		}
		// chain chiefs and viewers read, not edit
		if r := e.As("chief_food", http.MethodPatch, path, map[string]any{"version": version + 1, "notes": "x"}); r.Status != http.StatusForbidden {
			t.Errorf("chief edit: %d", r.Status)
		}
		var hist []map[string]any
		e.As("viewer", http.MethodGet, path+"/history", nil).JSON(t, &hist)
		fields := map[string]bool{}
		for _, h := range hist {
			if h["actor"] == "recruiter2" {
				fields[h["field"].(string)] = true
			}
		}
		for _, f := range []string{"ownership", "address", "website", "tags"} {
			if !fields[f] {
				t.Errorf("history lacks %s: %v", f, hist)
			}
		}
		// the timeline has the edit and the projects' lines, newest first
		var tl struct {
			Items []map[string]any
			Total int
		}
		e.As("admin", http.MethodGet, path+"/timeline?page_size=5", nil).JSON(t, &tl)
		if tl.Total < 5 || len(tl.Items) != 5 || tl.Items[0]["source"] != "enterprise" {
			t.Errorf("timeline = %d %v", tl.Total, tl.Items)
		}
		// a chief does not see other chains' investors
		semi := enterpriseID(t, e, "京能巽欣新能源科技有限公司")
		if r := e.As("chief_food", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", semi), nil); r.Status != http.StatusNotFound {
			t.Errorf("chief_food reads a semiconductor investor: %d", r.Status)
		}
	})
}

func TestContactsAndMeetings(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", map[string]any{"name": "华能联系人测试项目", "investor": "华能誉柯防水材料有限公司", "referrer": "中国华能集团有限公司",
			"channel": "business_referral", "asset_type": "heavy", "docked_at": "2023-01-05"})
		investor, referrer := enterpriseID(t, e, "华能誉柯防水材料有限公司"), enterpriseID(t, e, "中国华能集团有限公司")
		add := func(ent int64, body map[string]any) *apitest.Response {
			return e.As("recruiter2", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/contacts", ent), body)
		}
		r := add(referrer, map[string]any{"name": "李副总", "title": "副总经理", "mobile": "139-1111-2222", "email": "li@chng.example.cn"})
		expect(t, r, http.StatusCreated, "contact")
		li := r.Map(t)
		if li["mobile"] != "13911112222" {
			t.Errorf("mobile = %v", li["mobile"])
		}
		r = add(referrer, map[string]any{"name": "坏号码", "mobile": "12345"})
		var b errBody
		r.JSON(t, &b)
		if r.Status != http.StatusBadRequest || b.Error.Fields["mobile"] == "" {
			t.Errorf("bad mobile: %d %s", r.Status, r.Body)
		}
		r = add(investor, map[string]any{"name": "王经理"})
		expect(t, r, http.StatusCreated, "contact 2")
		wang := r.Map(t)
		other := add(enterpriseID(t, e, "千喜鹤食品有限公司"), map[string]any{"name": "无关的人"})
		expect(t, other, http.StatusCreated, "contact 3")

		// the visit form lists the project's contacts
		var pc listBody
		e.As("agent1", http.MethodGet, fmt.Sprintf("/api/v1/projects/%v/contacts", p["id"]), nil).JSON(t, &pc)
		if r := e.As("agent1", http.MethodGet, fmt.Sprintf("/api/v1/projects/%v/contacts", p["id"]), nil); r.Status != http.StatusNotFound {
			t.Errorf("agent1 reads contacts of a project not theirs: %d", r.Status)
		}
		e.As("recruiter2", http.MethodGet, fmt.Sprintf("/api/v1/projects/%v/contacts", p["id"]), nil).JSON(t, &pc)
		names := map[any]bool{}
		for _, c := range pc.Items {
			names[c["name"]] = true
		}
		if !names["李副总"] || !names["王经理"] || names["无关的人"] {
			t.Errorf("project contacts = %+v", pc.Items)
		}
		acts := fmt.Sprintf("/api/v1/projects/%v/activities", p["id"])
		body := activityBody()
		body["contact_ids"] = []any{li["id"], wang["id"], li["id"]}
		r = e.As("recruiter1", http.MethodPost, acts, body)
		expect(t, r, http.StatusCreated, "visit with contacts")
		act := r.Map(t)
		if ids := act["contact_ids"].([]any); len(ids) != 2 {
			t.Errorf("contact_ids = %v", ids)
		}
		// a contact of another enterprise: 400 naming contact_ids, nothing written
		body["contact_ids"] = []any{other.Map(t)["id"]}
		r = e.As("recruiter1", http.MethodPost, acts, body)
		b = errBody{}
		r.JSON(t, &b)
		if r.Status != http.StatusBadRequest || b.Error.Fields["contact_ids"] == "" {
			t.Errorf("foreign contact: %d %s", r.Status, r.Body)
		}
		var al listBody
		e.As("recruiter1", http.MethodGet, acts, nil).JSON(t, &al)
		if al.Total != 1 || len(al.Items[0]["contacts"].([]any)) != 2 {
			t.Errorf("activities = %+v", al.Items)
		}
		// edit: only 王经理 was met
		r = e.As("recruiter1", http.MethodPatch, fmt.Sprintf("%s/%v", acts, act["id"]), map[string]any{"version": act["version"], "contact_ids": []any{wang["id"]}})
		expect(t, r, http.StatusOK, "edit contacts")
		if ids := r.Map(t)["contact_ids"].([]any); len(ids) != 1 || ids[0] != wang["id"] {
			t.Errorf("edited contact_ids = %v", ids)
		}
		// who did we meet at 华能誉柯, and when
		var m listBody
		e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/contacts/%v/activities", wang["id"]), nil).JSON(t, &m)
		if m.Total != 1 || m.Items[0]["occurred_at"] != "2023-01-12" || m.Items[0]["project_name"] != "华能联系人测试项目" {
			t.Errorf("meetings = %+v", m.Items)
		}
		page := e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", investor), nil).Map(t)
		met := false
		for _, c := range page["contacts"].([]any) {
			c := c.(map[string]any)
			met = met || (c["name"] == "王经理" && c["last_met"] == "2023-01-12" && c["meetings"] == 1.0)
		}
		if !met {
			t.Errorf("page contacts %v lack 王经理's last meeting", page["contacts"])
		}
		// edit and delete a contact
		cp := fmt.Sprintf("/api/v1/contacts/%v", li["id"])
		r = e.As("admin", http.MethodPatch, cp, map[string]any{"wechat": "li_chng", "version": 1})
		expect(t, r, http.StatusOK, "edit contact")
		if r := e.As("admin", http.MethodPatch, cp, map[string]any{"title": "x", "version": 1}); r.Status != http.StatusConflict {
			t.Errorf("stale contact: %d", r.Status)
		}
		expect(t, e.As("recruiter1", http.MethodDelete, cp, nil), http.StatusNoContent, "delete contact")
		var cl listBody
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/contacts", referrer), nil).JSON(t, &cl)
		for _, c := range cl.Items {
			if c["name"] == "李副总" {
				t.Errorf("deleted contact still listed: %+v", cl.Items)
			}
		}
	})
}

// TestLegacyContactOnCreate: the old free-text contact field becomes a contact person.
func TestLegacyContactOnCreate(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		id := createEnterprise(t, e, map[string]any{"name": "旧联系方式测试有限公司", "contact": "张经理 13800138000"})
		var cl listBody
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/contacts", id), nil).JSON(t, &cl)
		if cl.Total != 1 || cl.Items[0]["name"] != "张经理" || cl.Items[0]["mobile"] != "13800138000" {
			t.Errorf("contacts = %+v", cl.Items)
		}
		id = createEnterprise(t, e, map[string]any{"name": "旧联系方式测试二有限公司", "contact": "请找招商部"})
		if n := e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", id), nil).Map(t)["notes"]; !strings.Contains(n.(string), "请找招商部") {
			t.Errorf("unparsed contact not kept in notes: %v", n)
		}
	})
}

// TestImportFindsEnterprisesByNormalisedName: an import names investors as people type
// them; a spelling equal to a known enterprise's once normalised is that enterprise, and
// two spellings of one new investor in the file make one enterprise.
func TestImportFindsEnterprisesByNormalisedName(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		csv := "项目名称,投资主体,招商渠道,产业链,资产类型,计划投资(万元),阶段,对接日期\n" +
			"驷乾二期光伏组件项目,河北省驷乾新能源科技有限公司,以商招商,第三代半导体,重资产,5000,洽谈对接,2023-01-05\n" +
			"规范化测试一期项目,测试光电（北京）有限责任公司,自主招商,,轻资产,100,洽谈对接,2023-01-06\n" +
			"规范化测试二期项目,北京测试光电有限公司,自主招商,,轻资产,200,洽谈对接,2023-01-07\n"
		res := imported(t, upload(t, e, "admin", "", "企业名称.csv", []byte(csv)), http.StatusOK)
		if res.Created != 3 {
			t.Fatalf("created %d", res.Created)
		}
		var l listBody
		e.As("admin", http.MethodGet, "/api/v1/projects?q=规范化测试", nil).JSON(t, &l)
		if l.Total != 2 || l.Items[0]["investor"] != l.Items[1]["investor"] || l.Items[0]["investor"] != "测试光电（北京）有限责任公司" {
			t.Errorf("one new investor for both spellings: %+v", l.Items)
		}
		e.As("admin", http.MethodGet, "/api/v1/projects?q=驷乾二期", nil).JSON(t, &l)
		if l.Total != 1 || l.Items[0]["investor"] != "河北驷乾新能源科技有限公司" {
			t.Errorf("known investor under another spelling: %+v", l.Items)
		}
		var ents listBody
		e.As("admin", http.MethodGet, "/api/v1/enterprises?q=测试光电", nil).JSON(t, &ents)
		if ents.Total != 1 {
			t.Errorf("enterprises = %+v", ents.Items)
		}
		// importing the same file again updates nothing and creates nothing
		res = imported(t, upload(t, e, "admin", "", "企业名称.csv", []byte(csv)), http.StatusOK)
		if res.Created != 0 {
			t.Errorf("second import created %d", res.Created)
		}
	})
}

package api_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
)

type referralList struct {
	Items []struct {
		ID         int64    `json:"id"`
		Name       string   `json:"name"`
		Kind       string   `json:"kind"`
		CreditCode string   `json:"credit_code"`
		Chains     []string `json:"chains"`
	} `json:"items"`
	Total int `json:"total"`
}

func referralsOf(t *testing.T, e *apitest.Env, user string, id int64) referralList {
	t.Helper()
	r := e.As(user, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/referrals", id), nil)
	expect(t, r, http.StatusOK, "list referrals as "+user)
	if !strings.Contains(string(r.Body), `"items":[`) {
		t.Fatalf("items is not a list: %s", r.Body)
	}
	var l referralList
	r.JSON(t, &l)
	if l.Total != len(l.Items) {
		t.Fatalf("total %d for %d items", l.Total, len(l.Items))
	}
	return l
}

func (l referralList) names() string {
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i] = it.Name
	}
	return strings.Join(out, ",")
}

// TestReferralList: GET /enterprises/{id}/referrals lists what PUT records and DELETE
// removes, with each enterprise's chains; zone-wide readers read any enterprise's, a chief
// only their chains' masters', agents none, and another zone's enterprise is not there.
func TestReferralList(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		taomu := enterpriseID(t, e, "涞源县桃木疙瘩食品有限公司")  // the food chain's master
		tongguang := enterpriseID(t, e, "河北同光晶体有限公司") // the semiconductor chain's master
		siqian := enterpriseID(t, e, "河北驷乾新能源科技有限公司") // local, no chain's master
		guoke := enterpriseID(t, e, "江苏国科智能科技有限公司")   // invests in a semiconductor project only

		// the demo's referrals of the food master, each linked to food nodes
		l := referralsOf(t, e, "admin", taomu)
		demo := []string{"【示例】某冷链物流企业", "【示例】某饲料加工企业"}
		got := strings.Split(l.names(), ",")
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(demo, ",") {
			t.Fatalf("demo referrals of the food master: %s", l.names())
		}
		for _, it := range l.Items {
			if it.Kind != "target" || strings.Join(it.Chains, ",") != "food" || it.ID == 0 {
				t.Errorf("demo referral %+v", it)
			}
		}

		// a new target linked to a food and a mining node, recorded by the food chief
		food, mining := chainMapOf(t, e, "admin", "food"), chainMapOf(t, e, "admin", "mining")
		code := "91130630MA0REF001"
		code += string(domain.CreditCodeCheckChar(code))
		target := createEnterprise(t, e, map[string]any{"name": "A测试冷库企业", "kind": "target", "credit_code": code})
		for _, link := range []string{
			fmt.Sprintf("/api/v1/chains/food/nodes/%d/enterprises/%d", food.nodeID(t, "饲料加工"), target),
			fmt.Sprintf("/api/v1/chains/mining/nodes/%d/enterprises/%d", mining.nodeID(t, "选矿"), target),
		} {
			expect(t, e.As("admin", http.MethodPut, link, nil), http.StatusOK, "link the target")
		}
		ref := fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", taomu, target)
		expect(t, e.As("chief_food", http.MethodPut, ref, nil), http.StatusOK, "record a referral")
		l = referralsOf(t, e, "chief_food", taomu)
		if l.Total != 3 || l.Items[0].ID != target {
			t.Fatalf("after PUT, by name (the ASCII name first): %+v", l.Items)
		}
		first := l.Items[0]
		chains := append([]string(nil), first.Chains...)
		sort.Strings(chains)
		if first.Name != "A测试冷库企业" || first.Kind != "target" || first.CreditCode != code || strings.Join(chains, ",") != "food,mining" {
			t.Fatalf("the new referral: %+v", first)
		}
		// an investor the food chief does not see is listed for zone-wide readers only
		expect(t, e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", taomu, guoke), nil), http.StatusOK, "refer an investor")
		if l := referralsOf(t, e, "viewer", taomu); l.Total != 4 || !strings.Contains(l.names(), "江苏国科智能科技有限公司") {
			t.Errorf("viewer: %s", l.names())
		}
		if l := referralsOf(t, e, "chief_food", taomu); l.Total != 3 || strings.Contains(l.names(), "江苏国科智能科技有限公司") {
			t.Errorf("chief_food sees an investor of another chain: %s", l.names())
		}

		expect(t, e.As("chief_food", http.MethodDelete, ref, nil), http.StatusOK, "remove the referral")
		if l := referralsOf(t, e, "admin", taomu); l.Total != 3 || strings.Contains(l.names(), "A测试冷库企业") {
			t.Fatalf("after DELETE: %s", l.names())
		}

		// scope
		other := e.AddZone("xiongan")
		if l := referralsOf(t, e, "chief_semi", tongguang); l.Total != 3 {
			t.Errorf("chief_semi reads their master's referrals: %s", l.names())
		}
		for _, who := range []string{"director", "recruiter2", "viewer"} {
			if l := referralsOf(t, e, who, siqian); l.Total != 0 {
				t.Errorf("%s: a non-master's referrals: %s", who, l.names())
			}
		}
		path := func(id any) string { return fmt.Sprintf("/api/v1/enterprises/%v/referrals", id) }
		for _, c := range []struct {
			user, path string
			want       int
		}{
			{"chief_food", path(tongguang), http.StatusNotFound}, // another chain's master
			{"chief_semi", path(taomu), http.StatusNotFound},
			{"chief_semi", path(siqian), http.StatusNotFound}, // no chain's master
			{"chief_food", path(guoke), http.StatusNotFound},  // not seen at all
			{"admin", path(other.EnterpriseID), http.StatusNotFound},
			{"viewer", path(other.EnterpriseID), http.StatusNotFound},
			{"admin", path(999999), http.StatusNotFound},
			{"admin", path("abc"), http.StatusNotFound},
			{"agent1", path(taomu), http.StatusForbidden},
		} {
			if r := e.As(c.user, http.MethodGet, c.path, nil); r.Status != c.want {
				t.Errorf("%s GET %s: %d %s, want %d", c.user, c.path, r.Status, r.Body, c.want)
			}
		}
		if r := e.Do(http.MethodGet, path(taomu), e.TokenIn("xiongan", "admin"), nil); r.Status != http.StatusNotFound {
			t.Errorf("the other zone's admin reads laiyuan's referrals: %d %s", r.Status, r.Body)
		}
		if r := e.Do(http.MethodGet, path(taomu), "", nil); r.Status != http.StatusUnauthorized {
			t.Errorf("no token: %d", r.Status)
		}
	})
}

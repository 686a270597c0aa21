package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// TestOpenAPIDocument checks the generated document: valid OpenAPI 3 (kin-openapi loads
// and validates it in apitest), every operation answers something described, operations
// behind log-in declare 401 and 403, and no two Go types were given the same schema name.
func TestOpenAPIDocument(t *testing.T) {
	e := apitest.New(t, "sqlite")
	c, err := apitest.LoadContract(e.Server)
	if err != nil {
		t.Fatal(err)
	}
	ops := 0
	for path, item := range c.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops++
			what := method + " " + path
			if op.Summary == "" || op.OperationID == "" {
				t.Errorf("%s: no summary or operationId", what)
			}
			ok := false
			for code, r := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") && (len(r.Value.Content) > 0 || code == "204") {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: no success answer described (declare Out, Files or Status 204)", what)
			}
			public := op.Security != nil && len(*op.Security) == 1 && len((*op.Security)[0]) == 0
			if !public && (op.Responses.Status(401) == nil || op.Responses.Status(403) == nil) {
				t.Errorf("%s: behind log-in but 401/403 not declared", what)
			}
		}
	}
	if ops != len(e.Server.RouteRules()) {
		t.Errorf("%d operations for %d routes", ops, len(e.Server.RouteRules()))
	}
	for name := range c.Doc.Components.Schemas {
		if strings.Contains(name, "Type2") {
			t.Errorf("schema %s: two Go types share a name; rename one", name)
		}
	}
	if s := c.Doc.Components.Schemas["Project"]; s == nil || len(s.Value.Required) == 0 || s.Value.Properties["stage"] == nil {
		t.Errorf("Project is not described with its required properties: %+v", s)
	} else if enum := s.Value.Properties["stage"].Value; enum == nil {
		t.Error("Project.stage has no schema")
	}
	if s := c.Doc.Components.Schemas["Stage"]; s == nil || len(s.Value.Enum) != 6 {
		t.Errorf("Stage should list its 6 values: %+v", s)
	}
}

// TestContractCatchesDrift proves the check the API tests run fails on what the document
// does not say: a wrong type, an unnamed property, an undeclared status, and a request the
// server should have refused.
func TestContractCatchesDrift(t *testing.T) {
	e := apitest.New(t, "sqlite")
	c, err := apitest.LoadContract(e.Server)
	if err != nil {
		t.Fatal(err)
	}
	get := httptest.NewRequest(http.MethodGet, "/api/v1/projects/1", nil)
	get.Header.Set("Authorization", "Bearer x")
	json := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	good := e.As("admin", http.MethodGet, "/api/v1/projects/1", nil)
	if good.Status != http.StatusOK {
		t.Fatalf("GET /projects/1: %d", good.Status)
	}
	if ans, req := c.Check(get, nil, 200, json, good.Body); ans != nil || req != nil {
		t.Errorf("a real answer fails: %v / %v", ans, req)
	}
	for name, body := range map[string][]byte{
		"wrong type":       bytes.Replace(good.Body, []byte(`"version":`), []byte(`"version":"x","v":`), 1),
		"unnamed property": bytes.Replace(good.Body, []byte(`{`), []byte(`{"secret":1,`), 1),
		"not JSON":         []byte("oops"),
	} {
		if ans, _ := c.Check(get, nil, 200, json, body); ans == nil {
			t.Errorf("%s: not caught", name)
		}
	}
	if ans, _ := c.Check(get, nil, http.StatusTeapot, json, []byte(`{"error":{"code":"x","message":"y"}}`)); ans == nil {
		t.Error("an undeclared status is not caught")
	}
	if ans, _ := c.Check(get, nil, 404, json, []byte(`{"error":{"code":"not_found"}}`)); ans == nil {
		t.Error("an error without message is not caught")
	}
	post := httptest.NewRequest(http.MethodPost, "/api/v1/projects", nil)
	post.Header.Set("Authorization", "Bearer x")
	post.Header.Set("Content-Type", "application/json")
	if _, req := c.Check(post, []byte(`{"name":"x","channel":"bogus"}`), 400, json, []byte(`{"error":{"code":"invalid","message":"m"}}`)); req == nil {
		t.Error("an unknown enum value in a request is not caught")
	}
	list := httptest.NewRequest(http.MethodGet, "/api/v1/projects?colour=red", nil)
	list.Header.Set("Authorization", "Bearer x")
	if _, req := c.Check(list, nil, 200, json, []byte(`{"items":[],"total":0,"page":1,"page_size":20}`)); req == nil {
		t.Error("an undeclared query parameter is not caught")
	}
	anon := httptest.NewRequest(http.MethodGet, "/api/v1/projects", nil)
	if _, req := c.Check(anon, nil, 401, json, []byte(`{"error":{"code":"unauthorized","message":"m"}}`)); req == nil {
		t.Error("a request without credentials is not caught")
	}
}

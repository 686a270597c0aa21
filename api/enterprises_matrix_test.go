package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// The 客商库 routes' rows of the authorization matrix (api/matrix_test.go): enterprise
// profiles, contacts, merge and attachments. casbin: enterprise/update for admin, director
// and recruiters; enterprise/merge for admin and director; attachment/read for every role,
// attachment/create for those who log activities (not chain chiefs, not viewers); deleting
// an attachment is its uploader's, the project owner's or an administrator's. An attachment
// outside the caller's scope — another zone's, a semiconductor project's for chief_food and
// agent1, an enterprise's for agent1 (agents read no enterprises) — is 404.

func init() { matrixRows = append(matrixRows, enterpriseMatrixRows...) }

var (
	entWrite    = st(200, 200, 403, 200, 200, 403, 403)
	entWriteOut = st(404, 404, 403, 404, 404, 403, 403)
	entCreated  = st(201, 201, 403, 201, 201, 403, 403)
	entMerge    = st(200, 200, 403, 403, 403, 403, 403)
	entMergeOut = st(404, 404, 403, 403, 403, 403, 403)
)

// matrixJPEG is a small photo for the attachment cells.
var matrixJPEG = testJPEG(40, 30, 0)

func photo() apitest.Multipart {
	return apitest.Multipart{FileName: "现场照片.jpg", File: matrixJPEG, Fields: map[string]string{"title": "矩阵测试照片"}}
}

// fixtures of the 客商库 rows, made once per matrix.
type entFixtures struct {
	once                 sync.Once
	mergeInto            int64 // the enterprise merges go into
	contact              int64 // a contact of the shared project's investor
	outContact, semiCont int64 // another zone's contact; a contact of an investor chief_food does not see
	photo                int64 // an image on the shared project
	outPhoto, semiPhoto  int64 // another zone's; one on the semiconductor project
	entPhoto             int64 // one on the shared investor (agents read no enterprises)
}

var entFix sync.Map // *matrix → *entFixtures

func fixtures(m *matrix) *entFixtures {
	v, _ := entFix.LoadOrStore(m, &entFixtures{})
	f := v.(*entFixtures)
	f.once.Do(func() {
		t, e := m.t, m.e
		t.Helper()
		xiongan := e.TokenIn("xiongan", "admin")
		id := func(r *apitest.Response) int64 {
			t.Helper()
			if r.Status >= 300 {
				t.Fatalf("matrix fixture: %d %s", r.Status, r.Body)
			}
			return int64(r.Map(t)["id"].(float64))
		}
		f.mergeInto = cxEnterprise(m, "investor")
		contact := map[string]any{"name": "矩阵联系人", "title": "经理", "mobile": "13800138000"}
		f.contact = id(e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/contacts", m.inEnt), contact))
		f.outContact = id(e.Do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/contacts", m.zone.EnterpriseID), xiongan, contact))
		f.semiCont = id(e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/contacts", m.semiEnt), contact))
		f.photo = id(e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/attachments", m.shared), photo()))
		f.outPhoto = id(e.Do(http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/attachments", m.zone.ProjectIDs["food"]), xiongan, photo()))
		f.semiPhoto = id(e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/attachments", m.semi), photo()))
		f.entPhoto = id(e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/attachments", m.inEnt), photo()))
	})
	return f
}

// byID fills ":id" of route with in (a func making the object, for writes) or the
// out-of-scope objects.
func byID(route string, in func(m *matrix) int64, out func(m *matrix, user string) []int64) func(m *matrix, user string, in bool) []string {
	return func(m *matrix, user string, isIn bool) []string {
		_, path, _ := strings.Cut(route, " ")
		var ids []int64
		if isIn {
			ids = []int64{in(m)}
		} else {
			ids = out(m, user)
		}
		paths := make([]string, len(ids))
		for i, id := range ids {
			paths[i] = strings.Replace(path, ":id", fmt.Sprint(id), 1)
		}
		return paths
	}
}

func freshEnterprise(m *matrix) int64 { return cxEnterprise(m, "investor") }

func outEnterprises(m *matrix, user string) []int64 {
	if user == "chief_food" {
		return []int64{m.zone.EnterpriseID, m.semiEnt}
	}
	return []int64{m.zone.EnterpriseID}
}

func freshContact(m *matrix) int64 {
	r := m.e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/contacts", m.inEnt), map[string]any{"name": fmt.Sprintf("矩阵联系人%d", m.next())})
	if r.Status != http.StatusCreated {
		m.t.Fatalf("matrix contact: %d %s", r.Status, r.Body)
	}
	return int64(r.Map(m.t)["id"].(float64))
}

func outContacts(m *matrix, user string) []int64 {
	f := fixtures(m)
	if user == "chief_food" {
		return []int64{f.outContact, f.semiCont}
	}
	return []int64{f.outContact}
}

// freshPhoto is an image the administrator attached to a fresh project (owned by
// recruiter1, submitted by agent1).
func freshPhoto(m *matrix) int64 {
	r := m.e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/attachments", m.project("lead")), photo())
	if r.Status != http.StatusCreated {
		m.t.Fatalf("matrix attachment: %d %s", r.Status, r.Body)
	}
	return int64(r.Map(m.t)["id"].(float64))
}

func outPhotos(m *matrix, user string) []int64 {
	f := fixtures(m)
	switch user {
	case "chief_food":
		return []int64{f.outPhoto, f.semiPhoto}
	case "agent1":
		return []int64{f.outPhoto, f.semiPhoto, f.entPhoto}
	}
	return []int64{f.outPhoto}
}

var enterpriseMatrixRows = []matrixRow{
	{Route: "GET /api/v1/enterprises/duplicates", In: entMerge},
	{Route: "PATCH /api/v1/enterprises/:id", Body: map[string]any{"version": 1, "notes": "矩阵测试"},
		Object: byID("PATCH /api/v1/enterprises/:id", freshEnterprise, outEnterprises), In: entWrite, Out: entWriteOut},
	{Route: "GET /api/v1/enterprises/:id/history", In: mapRead, Out: mapOut},
	{Route: "GET /api/v1/enterprises/:id/timeline", In: mapRead, Out: mapOut},
	{Route: "POST /api/v1/enterprises/:id/merge", Body: func(m *matrix, user string) any { return map[string]any{"into": fixtures(m).mergeInto} },
		Object: byID("POST /api/v1/enterprises/:id/merge", freshEnterprise, outEnterprises), In: entMerge, Out: entMergeOut},
	{Route: "GET /api/v1/enterprises/:id/contacts", In: mapRead, Out: mapOut},
	{Route: "POST /api/v1/enterprises/:id/contacts", Body: map[string]any{"name": "矩阵测试联系人", "mobile": "13912345678"}, In: entCreated, Out: entWriteOut},
	{Route: "PATCH /api/v1/contacts/:id", Body: map[string]any{"title": "总经理"},
		Object: byID("PATCH /api/v1/contacts/:id", freshContact, outContacts), In: entWrite, Out: entWriteOut},
	{Route: "DELETE /api/v1/contacts/:id", Object: byID("DELETE /api/v1/contacts/:id", freshContact, outContacts),
		In: st(204, 204, 403, 204, 204, 403, 403), Out: entWriteOut},
	{Route: "GET /api/v1/contacts/:id/activities", Object: byID("GET /api/v1/contacts/:id/activities", func(m *matrix) int64 { return fixtures(m).contact }, outContacts),
		In: mapRead, Out: mapOut},
	{Route: "GET /api/v1/projects/:id/contacts", In: readAll, Out: readOut},

	{Route: "POST /api/v1/projects/:id/attachments", Body: photo(), In: st(201, 201, 403, 201, 201, 201, 403), Out: st(404, 404, 403, 404, 404, 404, 403)},
	{Route: "GET /api/v1/projects/:id/attachments", In: readAll, Out: readOut},
	{Route: "POST /api/v1/enterprises/:id/attachments", Body: photo(), In: entCreated, Out: entWriteOut},
	{Route: "GET /api/v1/enterprises/:id/attachments", In: mapRead, Out: mapOut},
	{Route: "GET /api/v1/attachments/:id", Object: byID("GET /api/v1/attachments/:id", func(m *matrix) int64 { return fixtures(m).photo }, outPhotos),
		In: readAll, Out: readOut},
	{Route: "GET /api/v1/attachments/:id/thumbnail", Object: byID("GET /api/v1/attachments/:id/thumbnail", func(m *matrix) int64 { return fixtures(m).photo }, outPhotos),
		In: readAll, Out: readOut},
	{Route: "DELETE /api/v1/attachments/:id", Object: byID("DELETE /api/v1/attachments/:id", freshPhoto, outPhotos),
		In: st(204, 403, 403, 204, 403, 403, 403), Out: st(404, 404, 403, 404, 404, 404, 403)},
}

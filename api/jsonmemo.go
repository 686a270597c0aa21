package api

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// jsonMemo keeps the JSON encoding of answers the services hand out again unchanged: the
// board and the dashboard's overview are kept by the repository for the change stamp and
// at most 30 s (listcache.go) and returned as the same pointer each time, so encoding
// them (350 cards on a busy board) once per build instead of once per request is most of
// what such a read costs (issue 13).
//
// An entry is keyed by the value's pointer and holds it, so the address cannot be reused by
// another value while its bytes are kept; values given to jsonMemo must never be changed
// after they are first answered. The memo is emptied when it reaches jsonMemoMax entries.
type jsonMemo struct {
	mu sync.Mutex
	m  map[any][]byte
}

const jsonMemoMax = 64

// write answers 200 with v's JSON, encoded once per v.
func (j *jsonMemo) write(c *gin.Context, v any) {
	j.mu.Lock()
	b, ok := j.m[v]
	j.mu.Unlock()
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			Abort(c, err)
			return
		}
		j.mu.Lock()
		if j.m == nil || len(j.m) >= jsonMemoMax {
			j.m = map[any][]byte{}
		}
		j.m[v] = b
		j.mu.Unlock()
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

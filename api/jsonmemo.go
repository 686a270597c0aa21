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
	m  map[any]*memoEntry
}

// memoEntry is one value's encoding, made once even when many requests ask at once.
type memoEntry struct {
	once sync.Once
	b    *compressedBody
	err  error
}

const jsonMemoMax = 64

// write answers 200 with v's JSON, encoded once per v.
func (j *jsonMemo) write(c *gin.Context, v any) {
	j.mu.Lock()
	e, ok := j.m[v]
	if !ok {
		if j.m == nil || len(j.m) >= jsonMemoMax {
			j.m = map[any]*memoEntry{}
		}
		e = &memoEntry{}
		j.m[v] = e
	}
	j.mu.Unlock()
	e.once.Do(func() {
		b, err := json.Marshal(v)
		e.b, e.err = newCompressedBody(b), err
	})
	if e.err != nil {
		Abort(c, e.err)
		return
	}
	e.b.write(c, http.StatusOK, "application/json; charset=utf-8")
}

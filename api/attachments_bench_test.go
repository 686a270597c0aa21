package api_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// BenchmarkAttachmentUpload: a 20 MB attachment through the whole server (multipart
// parsing, hashing, sniffing, the file store, the row), the client streaming it from a
// generator so that only the server's memory shows. A 1 MB upload in the same run is the
// baseline: the peak heap of both is the same when the upload streams.
//
//	go test -run '^$' -bench AttachmentUpload -benchtime 10x ./api/
//
// peak-heap-MB is the largest HeapInuse sampled every millisecond during the run;
// B/op counts every allocation of server and client per upload.
func BenchmarkAttachmentUpload(b *testing.B) {
	e := apitest.New(b, "sqlite")
	p := map[string]any{"name": "上传基准项目", "investor": "上传基准投资有限公司", "channel": "self_sourced", "asset_type": "heavy", "docked_at": "2023-01-10"}
	r := e.As("recruiter1", http.MethodPost, "/api/v1/projects", p)
	if r.Status != http.StatusCreated {
		b.Fatal(r.Status, string(r.Body))
	}
	path := fmt.Sprintf("%s/api/v1/projects/%v/attachments", e.HTTP.URL, r.Map(b)["id"])
	token := e.Token("recruiter1")
	for _, size := range []int64{1 << 20, 20_000_000} {
		b.Run(fmt.Sprintf("%dMB", size/1_000_000), func(b *testing.B) {
			var peak atomic.Uint64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ms runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
				}
			}()
			runtime.GC()
			b.SetBytes(size)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				pr, pw := io.Pipe()
				w := multipart.NewWriter(pw)
				go func(seed int) {
					part, _ := w.CreateFormFile("file", "扫描件.pdf")
					part.Write([]byte("%PDF-1.7\n"))
					rng := rand.New(rand.NewPCG(uint64(seed), uint64(size)))
					buf := make([]byte, 64<<10)
					for left := size - 9; left > 0; left -= int64(len(buf)) {
						for j := range buf {
							buf[j] = byte(rng.Uint32())
						}
						part.Write(buf[:min(left, int64(len(buf)))])
					}
					w.Close()
					pw.Close()
				}(i)
				req, _ := http.NewRequest(http.MethodPost, path, pr)
				req.Header.Set("Content-Type", w.FormDataContentType())
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := e.HTTP.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					b.Fatalf("upload: %d %s", res.StatusCode, body)
				}
			}
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// TestServeReplicasStartTogether (issue 19): replicas started at once on an empty database
// — a rolling deploy, an orchestrator starting several — migrate it once and make its first
// zone once. Before the start lock both ran the migrations side by side (MySQL: "table
// already exists") or both made the first zone.
func TestServeReplicasStartTogether(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			dsn := dbtest.EmptyDSN(t, driver)
			const n = 3
			type started struct {
				addr string
				out  *bytes.Buffer
				err  error
			}
			results := make(chan started, n)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, n)
			for i := range n {
				dir := t.TempDir()
				out := &bytes.Buffer{}
				m := &Main{Stdout: out, Stderr: &bytes.Buffer{}, Environ: []string{"CHAINCRM_DB_DRIVER=" + driver,
					"CHAINCRM_DB_DSN=" + dsn, "CHAINCRM_DATA_DIR=" + dir, "CHAINCRM_FILES_DIR=" + filepath.Join(dir, "files"),
					"CHAINCRM_HTTP_ADDR=127.0.0.1:0", "CHAINCRM_JOBS_ENABLED=false", fmt.Sprintf("CHAINCRM_HTTP_BASE_URL=http://r%d.test", i)}}
				ready := make(chan string, 1)
				m.Ready = ready
				go func() {
					err := m.Run(ctx, []string{"serve"})
					m.Close()
					select {
					case results <- started{err: err}: // failed before it was ready
					default:
					}
					done <- err
				}()
				go func() {
					select {
					case addr := <-ready:
						results <- started{addr: addr, out: out}
					case <-ctx.Done():
					}
				}()
			}
			var addrs []string
			var printed []string
			for range n {
				select {
				case r := <-results:
					if r.err != nil || r.addr == "" {
						t.Fatalf("a replica did not start: %v", r.err)
					}
					addrs = append(addrs, r.addr)
					printed = append(printed, r.out.String())
				case <-time.After(3 * time.Minute):
					t.Fatal("the replicas did not start")
				}
			}
			generated := regexp.MustCompile(`初始密码 first password: (\S{16})\n`)
			var passwords []string
			for _, out := range printed {
				if m := generated.FindStringSubmatch(out); m != nil {
					passwords = append(passwords, m[1])
				}
			}
			if len(passwords) != 1 {
				t.Fatalf("%d replicas made the first zone's administrator:\n%s", len(passwords), strings.Join(printed, "\n----\n"))
			}
			for _, addr := range addrs { // one administrator, known to every replica
				if s, body := loginStatus(t, addr, "admin", passwords[0]); s != 200 {
					t.Errorf("log-in on %s: %d %v", addr, s, body)
				}
			}
			cancel()
			for range n {
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			}
			db, err := repository.Open(driver, dsn, repository.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var zones, ledger int64
			db.Gorm().Table("zones").Count(&zones)
			db.Gorm().Table("schema_migrations").Count(&ledger)
			if v, _ := db.SchemaVersion(context.Background()); zones != 1 || v != repository.LatestSchemaVersion() {
				t.Errorf("after %d replicas started together: %d zones, schema version %d, %d ledger rows", n, zones, v, ledger)
			}
		})
	}
}

package filestore

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
)

func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return out
}

// TestStageCommitOpen: a staged file is invisible until committed, stored once under its
// hash however often it is uploaded, and readable by a store reopened on the directory.
func TestStageCommitOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("%PDF-1.7\n协议正文")
	for i := 0; i < 2; i++ {
		f, err := s.Stage(ctx, bytes.NewReader(body), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if f.ContentType() != domain.TypePDF || f.Size() != int64(len(body)) || len(f.SHA256()) != 64 {
			t.Fatalf("staged %s %d %s", f.ContentType(), f.Size(), f.SHA256())
		}
		if ok, _ := s.Exists(ctx, f.SHA256()); ok != (i == 1) {
			t.Fatalf("round %d: exists before commit = %v", i, ok)
		}
		if err := s.Commit(ctx, f); err != nil {
			t.Fatal(err)
		}
		f.Discard() // a no-op after the commit
	}
	got := files(t, dir)
	if len(got) != 1 || strings.Contains(got[0], "tmp") {
		t.Fatalf("files after two uploads of the same bytes: %v", got)
	}
	again, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum := filepath.Base(got[0])
	r, err := again.Open(ctx, sum)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(b, body) {
		t.Fatal("read back other bytes")
	}
	if err := again.Remove(ctx, sum); err != nil || len(files(t, dir)) != 0 {
		t.Fatalf("remove: %v %v", err, files(t, dir))
	}
	if _, err := again.Open(ctx, "../../etc/passwd"); err == nil {
		t.Fatal("a path was accepted as an address")
	}
}

// TestStageRefusals: too large or of a refused type, nothing stays in the store.
func TestStageRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, _ := Open(dir)
	if _, err := s.Stage(ctx, strings.NewReader(strings.Repeat("a", 101)), 100); domain.ErrorCode(err) != domain.ETOOLARGE {
		t.Fatalf("too large: %v", err)
	}
	if _, err := s.Stage(ctx, strings.NewReader("MZ\x90\x00\x03"), 100); domain.ErrorCode(err) != domain.EUNSUPPORTED {
		t.Fatalf("executable: %v", err)
	}
	if _, err := s.Stage(ctx, strings.NewReader(strings.Repeat("a", 100)), 100); err != nil {
		t.Fatalf("exactly the limit: %v", err)
	}
	for _, f := range files(t, dir) {
		if !strings.Contains(f, "upload-") {
			t.Errorf("unexpected file %s", f)
		}
	}
	if n := len(files(t, dir)); n != 1 { // only the accepted, uncommitted staging file
		t.Errorf("%d files left: %v", n, files(t, dir))
	}
}

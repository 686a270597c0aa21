package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs one chaincrm command on the database dsn and returns its output.
func run(t *testing.T, dsn string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: io.Discard, Environ: []string{"CHAINCRM_DB_DRIVER=sqlite", "CHAINCRM_DB_DSN=" + dsn}}
	err := m.Run(context.Background(), args)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), err
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "cli.db")
	if _, err := run(t, dsn, "seed", "--demo"); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := "项目名称,投资主体,招商渠道,产业链,资产类型,计划投资(万元),对接日期,负责人\n"
	good := write("good.csv", header+"命令行导入项目,命令行投资有限公司,自主招商,矿业,重资产,\"1,200\",2024/1/5,recruiter2\n")
	bad := write("bad.csv", header+
		"命令行坏行一,,委托招商,,重资产,1,2024-01-05,\n"+
		"命令行坏行二,某公司,自主招商,,重资产,1,2024-01-05,nobody\n")

	out, err := run(t, dsn, "import", good, "--dry-run")
	if err != nil || !strings.Contains(out, "以 admin 的身份导入") || !strings.Contains(out, "将新建 1 个项目") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	// flags before the command, the zone named
	out, err = run(t, dsn, "--zone", "laiyuan", "import", good)
	if err != nil || !strings.Contains(out, "导入完成：新建 1 个项目，更新 0 个，0 个无变化") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = run(t, dsn, "import", good)
	if err != nil || !strings.Contains(out, "新建 0 个项目，更新 0 个，1 个无变化") {
		t.Fatalf("import again: %v\n%s", err, out)
	}
	// every bad row printed, a non-zero exit, nothing written
	out, err = run(t, dsn, "import", bad)
	if err == nil || !strings.Contains(err.Error(), "共 2 处错误，未写入任何数据") ||
		!strings.Contains(out, "第 2 行「投资主体」：必填") || !strings.Contains(out, "第 3 行「负责人」：没有这个用户") {
		t.Fatalf("bad file: %v\n%s", err, out)
	}
	if _, err := run(t, dsn, "import", filepath.Join(dir, "missing.csv")); err == nil {
		t.Error("a missing file imported")
	}
	if _, err := run(t, dsn, "import"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no file: %v", err)
	}
	if _, err := run(t, dsn, "import", good, "--zone", "nowhere"); err == nil || !strings.Contains(err.Error(), "不存在") {
		t.Errorf("unknown zone: %v", err)
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// importCommand is `chaincrm import FILE [--zone Z] [--dry-run]`: the API's import, acting
// as the zone's administrator. It prints a summary and every row error, and fails (exit 1)
// when the file was refused.
func (m *Main) importCommand(ctx context.Context, args []string, zoneCode string, dryRun bool) error {
	if len(args) != 1 {
		return fmt.Errorf("用法 usage: chaincrm import FILE [--zone Z] [--dry-run]（请给出一个文件 give one file）")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	actor, err := m.zoneAdmin(ctx, zoneCode)
	if err != nil {
		return err
	}
	path := args[0]
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	ctx = domain.WithActor(ctx, actor)
	rep, err := api.ImportFile(ctx, repository.NewImportService(m.DB), f, st.Size(), filepath.Base(path),
		spreadsheet.Limits{MaxFileBytes: max(m.Config.HTTP.MaxUploadBytes, spreadsheet.DefaultLimits().MaxFileBytes)}, dryRun)
	if err != nil {
		return fmt.Errorf("import %s: %s", path, domain.ErrorMessage(err))
	}
	out := m.Stdout
	fmt.Fprintf(out, "开发区 %s，以 %s 的身份导入 %s（%s，%d 行）\n", actor.Zone.Code, actor.User.Username, path, rep.Format, rep.Rows)
	if len(rep.IgnoredColumns) > 0 {
		fmt.Fprintf(out, "未识别的列已忽略 (ignored columns): %v\n", rep.IgnoredColumns)
	}
	if !rep.OK() {
		for _, e := range rep.Errors {
			if e.Row > 0 {
				fmt.Fprintf(out, "第 %d 行「%s」：%s\n", e.Row, e.Column, e.Message)
			} else {
				fmt.Fprintln(out, e.Message)
			}
		}
		return fmt.Errorf("导入未执行：共 %d 处错误，未写入任何数据 (import refused: %d errors, nothing written)", len(rep.Errors), len(rep.Errors))
	}
	if dryRun {
		fmt.Fprintf(out, "检查通过（试导入，未写入任何数据）：将新建 %d 个项目，更新 %d 个，%d 个无变化 (dry run: %d to create, %d to update, %d unchanged)\n",
			rep.Created, rep.Updated, rep.Unchanged, rep.Created, rep.Updated, rep.Unchanged)
		return nil
	}
	fmt.Fprintf(out, "导入完成：新建 %d 个项目，更新 %d 个，%d 个无变化 (imported: %d created, %d updated, %d unchanged)\n",
		rep.Created, rep.Updated, rep.Unchanged, rep.Created, rep.Updated, rep.Unchanged)
	return nil
}

// zoneAdmin is the actor the command acts as: the first enabled administrator of the zone
// (the first zone when none is named).
func (m *Main) zoneAdmin(ctx context.Context, zoneCode string) (*domain.Actor, error) {
	if zoneCode == "" {
		codes, err := m.DB.ZoneCodes(ctx)
		if err != nil {
			return nil, err
		}
		if len(codes) == 0 {
			return nil, fmt.Errorf("数据库中还没有开发区，请先运行 chaincrm seed --demo (no zone)")
		}
		zoneCode = codes[0]
	}
	users := repository.NewUserService(m.DB)
	zone, err := users.FindZoneByCode(ctx, zoneCode)
	if err != nil {
		return nil, fmt.Errorf("开发区 %q 不存在 (no such zone)", zoneCode)
	}
	names := m.Enforcer.GetUsersForRoleInDomain(string(domain.RoleAdmin), zoneCode)
	sort.Strings(names)
	for _, name := range names {
		u, err := users.FindUserByUsername(ctx, zone.ID, name)
		if err == nil && !u.Disabled {
			return &domain.Actor{User: u, Zone: zone, IP: "cli"}, nil
		}
	}
	return nil, fmt.Errorf("开发区 %s 没有可用的系统管理员账号 (no enabled administrator)", zoneCode)
}

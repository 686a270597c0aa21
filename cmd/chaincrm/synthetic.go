package main

import (
	"context"
	"fmt"
	"time"

	"github.com/laiyuan-edz/chaincrm/repository"
)

// seedSynthetic fills the database with province-scale synthetic zones for benchmarks.
func (m *Main) seedSynthetic(ctx context.Context, zones, projects, activities int) error {
	start := time.Now()
	fmt.Fprintf(m.Stdout, "生成合成数据：%d 个开发区，项目 %d 个，走访记录 %d 条 (synthetic data)\n", zones, projects, activities)
	err := m.DB.SeedSynthetic(ctx, repository.SyntheticSpec{Zones: zones, Projects: projects, Activities: activities,
		Password: m.Config.Demo.Password, Seed: 1}, demoNodes(), m.Enforcer, func(msg string) { fmt.Fprintln(m.Stdout, msg) })
	if err != nil {
		return err
	}
	if err := m.ensurePolicies(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "完成，用时 %s (done)\n", time.Since(start).Round(time.Second))
	return nil
}

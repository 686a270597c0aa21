package main

import (
	"context"
	"fmt"
)

func (m *Main) seedSynthetic(ctx context.Context, zones, projects, activities int) error {
	return fmt.Errorf("seed --synthetic: not yet available")
}

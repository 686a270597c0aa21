//go:build !unix

package repository_test

import (
	"testing"
	"time"
)

func benchCPU() time.Duration                          { return 0 }
func reportBenchCPU(b *testing.B, start time.Duration) {}

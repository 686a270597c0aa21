//go:build unix

package repository_test

import (
	"syscall"
	"testing"
	"time"
)

// benchCPU is the user and system time this process has used so far.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportBenchCPU adds cpu-ms/op: this process's processor time per operation. Unlike ns/op
// it does not grow when other processes share the machine; on MySQL it leaves out the
// server's own time, which ns/op includes.
func reportBenchCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(benchCPU()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

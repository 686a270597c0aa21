//go:build unix

package chainmap

import (
	"syscall"
	"testing"
	"time"
)

// processCPU is the user and system time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-ms/op to a benchmark: the processor time per operation, garbage
// collection included. Unlike ns/op it does not grow when other processes share the
// machine, so it is the figure to compare with the targets on a busy host.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

//go:build unix

package abitest

import "syscall"

// CPUNanos is the process's user+system CPU time: on a shared machine it measures
// the work a benchmark did, not the time it waited for a core.
func CPUNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

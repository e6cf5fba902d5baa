//go:build !unix

package program

// cpuNanos is unavailable here; the cpu-ns metrics read 0.
func cpuNanos() int64 { return 0 }

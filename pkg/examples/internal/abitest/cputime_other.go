//go:build !unix

package abitest

import "time"

// CPUNanos falls back to wall time where getrusage does not exist.
func CPUNanos() int64 { return time.Now().UnixNano() }

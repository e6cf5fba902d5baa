//go:build unix

package workercli

import "syscall"

// lowerPriority makes the worker yield the CPU to everything else (nice 19).
func lowerPriority() { _ = syscall.Setpriority(syscall.PRIO_PROCESS, 0, 19) }

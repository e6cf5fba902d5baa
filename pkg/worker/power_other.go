//go:build !linux

package worker

// PowerPolicySupported reports whether this OS exposes power and heat to the
// worker: not here (macOS, Windows, BSDs); only Linux and Android sysfs is read.
const PowerPolicySupported = false

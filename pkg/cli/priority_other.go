//go:build !unix

package cli

func lowerPriority() {}

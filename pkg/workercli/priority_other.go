//go:build !unix

package workercli

func lowerPriority() {}

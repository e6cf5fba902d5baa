// Command maprange checks state-machine packages for two sources of
// nondeterminism the Go compiler accepts: ranging over a map (the iteration
// order is random, so anything order-dependent differs between validators) and
// go statements (goroutine scheduling differs between validators). `make lint`
// runs it on x/ and app/, without tests and off-chain client code.
//
// A loop whose order provably does not matter may be kept with
//
//	//nolint:maprange // reason
//
// on the loop's line or the line above it; the reason is required.
package main

import "golang.org/x/tools/go/analysis/singlechecker"

func main() { singlechecker.Main(Analyzer) }

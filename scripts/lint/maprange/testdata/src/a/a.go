package a

import "sort"

type balances map[string]int

func sum(m map[string]int) (total int) {
	for _, v := range m { // want `range over map m: iteration order is random`
		total += v
	}
	return total
}

func named(b balances) {
	for k := range b { // want `range over map b`
		_ = k
	}
}

func sorted(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	//nolint:maprange // collecting keys to sort them: the order is discarded
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys { // a slice: fine
		_ = m[k]
	}
	return keys
}

func unexplained(m map[int]bool) {
	/* want `needs a reason` */ //nolint:maprange
	for range m {               // want `range over map m`
	}
}

func generic[M ~map[string]V, V any](m M) {
	for range m { // want `range over map m`
	}
}

func notMaps(s []int, c chan int, n int, str string) {
	for range s {
	}
	for range c {
	}
	for range n {
	}
	for range str {
	}
}

func spawn() {
	go func() {}() // want `go statement: goroutine scheduling is not deterministic`
	done := make(chan struct{})
	go close(done) // want `go statement`
}

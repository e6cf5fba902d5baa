package program

import (
	"bytes"
	"sync"
	"testing"
)

// A recycled memory buffer is indistinguishable from a fresh one: after items that
// filled every byte of a grown memory, a clean item (on the same engine, serially and
// concurrently) sees what it sees on a new engine — zeros, the data segment and its
// params — and its memory has the size it asked for.
func TestRunMemoryIsFreshAfterReuse(t *testing.T) {
	code := fixture(t, "peek")
	call := func(grow, fill byte) Call {
		c := defaultCall()
		c.FuelLimit, c.MaxOutputBytes = 1<<40, 1<<22
		c.Params = []byte{grow, fill}
		return c
	}
	clean := func(grow byte) Result {
		e := NewEngine(EngineConfig{})
		defer func() { _ = e.Close() }()
		return mustRun(t, e, code, call(grow, 0))
	}
	wantSmall, wantLarge := clean(0), clean(3)
	if len(wantSmall.Output) != 1+65536 || len(wantLarge.Output) != 1+4*65536 ||
		!bytes.Contains(wantSmall.Output, []byte("segment")) || bytes.Count(wantLarge.Output, []byte{0}) < 4*65536-64 {
		t.Fatalf("a clean item's memory: %d and %d bytes", len(wantSmall.Output), len(wantLarge.Output))
	}
	for _, name := range engineNames {
		e := engines(t)[name]
		for round := range 3 {
			if res := mustRun(t, e, code, call(3, 0xab)); bytes.Count(res.Output, []byte{0xab}) != 4*65536 {
				t.Fatalf("%s: the dirty item did not fill its memory", name)
			}
			if res := mustRun(t, e, code, call(0, 0)); !bytes.Equal(res.Output, wantSmall.Output) || res.Fuel != wantSmall.Fuel {
				t.Fatalf("%s round %d: a clean item after a dirty one saw other memory (%d bytes, fuel %d, want %d)", name, round, len(res.Output), res.Fuel, wantSmall.Fuel)
			}
			if res := mustRun(t, e, code, call(3, 0)); !bytes.Equal(res.Output, wantLarge.Output) || res.Fuel != wantLarge.Fuel {
				t.Fatalf("%s round %d: a grown clean item after a dirty one saw other memory", name, round)
			}
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 8 {
					if g%2 == 0 {
						mustRun(t, e, code, call(3, byte(0x10+g)))
						continue
					}
					if res := mustRun(t, e, code, call(3, 0)); !bytes.Equal(res.Output, wantLarge.Output) {
						t.Errorf("%s: a concurrent clean item saw another item's memory", name)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
}

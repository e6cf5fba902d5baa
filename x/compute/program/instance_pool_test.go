package program

import (
	"bytes"
	"context"
	"testing"
)

// idleCount is how many finished instances e keeps for code.
func idleCount(e *Engine, code []byte) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.entries[string(code)]; ok {
		return len(ent.idle)
	}
	return -1
}

// A reused instance is a fresh one: after an item that overwrote every byte of its
// (ungrown) memory, data segment included, and moved the program's heap global, the
// next item on the same instance sees what it sees on a new engine: zeros, the
// segment, its params at the fresh heap address; the same fuel.
func TestRunReusedInstanceIsFresh(t *testing.T) {
	code := fixture(t, "peek")
	call := func(grow, fill byte) Call {
		c := defaultCall()
		c.FuelLimit, c.MaxOutputBytes = 1<<40, 1<<22
		c.Params = []byte{grow, fill}
		return c
	}
	fresh := NewEngine(EngineConfig{})
	want := mustRun(t, fresh, code, call(0, 0))
	_ = fresh.Close()
	for _, name := range engineNames {
		e := engines(t)[name]
		for round := range 3 {
			if res := mustRun(t, e, code, call(0, 0xab)); bytes.Count(res.Output, []byte{0xab}) != 65536 {
				t.Fatalf("%s: the dirty item did not fill its memory", name)
			}
			if n := idleCount(e, code); n != 1 {
				t.Fatalf("%s: %d idle instances after an item that did not grow, want 1 (reuse untested)", name, n)
			}
			if res := mustRun(t, e, code, call(0, 0)); !bytes.Equal(res.Output, want.Output) || res.Fuel != want.Fuel {
				t.Fatalf("%s round %d: the reused instance was not fresh (fuel %d, want %d; same bytes %v)",
					name, round, res.Fuel, want.Fuel, bytes.Equal(res.Output, want.Output))
			}
		}
	}
}

// Only an instance that ran to an output with its initial memory size is kept: one
// that grew, or trapped, is closed.
func TestRunKeepsOnlyRestorableInstances(t *testing.T) {
	peek, traps := fixture(t, "peek"), fixture(t, "traps")
	for _, name := range engineNames {
		e := engines(t)[name]
		c := defaultCall()
		c.FuelLimit, c.MaxOutputBytes = 1<<40, 1<<22
		c.Params = []byte{1, 0}
		mustRun(t, e, peek, c)
		if n := idleCount(e, peek); n != 0 {
			t.Fatalf("%s: an instance that grew its memory was kept (%d idle)", name, n)
		}
		c = defaultCall()
		c.Params = []byte{0} // unreachable
		if res := mustRun(t, e, traps, c); res.Output[0] != 1 {
			t.Fatalf("%s: traps mode 0 did not trap", name)
		}
		if n := idleCount(e, traps); n != 0 {
			t.Fatalf("%s: a trapped instance was kept (%d idle)", name, n)
		}
		c.Params = []byte{11} // a valid output
		mustRun(t, e, traps, c)
		if n := idleCount(e, traps); n != 1 {
			t.Fatalf("%s: %d idle after a clean item, want 1", name, n)
		}
	}
}

// An evicted program's idle instances are closed and leave the idle budget.
func TestRunEvictionClosesIdleInstances(t *testing.T) {
	peek, traps := fixture(t, "peek"), fixture(t, "traps")
	e := NewEngine(EngineConfig{CacheEntries: 1})
	defer func() { _ = e.Close() }()
	c := defaultCall()
	c.MaxOutputBytes = 1 << 22
	c.Params = []byte{0, 0}
	mustRun(t, e, peek, c)
	if e.idleBytes != 65536 {
		t.Fatalf("idle bytes %d after one peek item, want 65536", e.idleBytes)
	}
	c.Params = []byte{11}
	mustRun(t, e, traps, c) // evicts peek
	if idleCount(e, peek) != -1 || e.idleBytes != 65536 || idleCount(e, traps) != 1 {
		t.Fatalf("after eviction: idle bytes %d, traps idle %d", e.idleBytes, idleCount(e, traps))
	}
}

// endingCtx is a context that ends between Run's first look at it and the end of
// the item: its Err is nil once, then Canceled (its Done never closes, so no wazero
// watcher acts on it).
type endingCtx struct {
	context.Context
	calls int
}

func (c *endingCtx) Err() error {
	if c.calls++; c.calls > 1 {
		return context.Canceled
	}
	return nil
}

// An instance whose item's context ended is not kept: on platforms where wazero
// watches the context, its watcher could close the module after the call returned.
func TestRunDropsAnInstanceWhoseContextEnded(t *testing.T) {
	code := fixture(t, "traps")
	for _, name := range engineNames {
		e := engines(t)[name]
		c := defaultCall()
		c.Params = []byte{11} // a valid output
		mustRun(t, e, code, c)
		if n := idleCount(e, code); n != 1 {
			t.Fatalf("%s: %d idle after a clean item, want 1", name, n)
		}
		ctx := &endingCtx{Context: context.Background()}
		res, err := e.Run(ctx, code, c) // takes the idle instance
		if err != nil || !bytes.Equal(res.Output, []byte{0, 1, 2, 3, 4}) {
			t.Fatalf("%s: %x, %v", name, res.Output, err)
		}
		if ctx.calls < 2 {
			t.Fatalf("%s: Run looked at the context %d times, the test needs 2", name, ctx.calls)
		}
		if n := idleCount(e, code); n != 0 {
			t.Fatalf("%s: an instance whose context ended was kept (%d idle)", name, n)
		}
	}
}

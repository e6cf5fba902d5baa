package program

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestRunEchoBindsJobAndItem(t *testing.T) {
	code := fixture(t, "echo")
	for _, name := range engineNames {
		e := engines(t)[name]
		c := defaultCall()
		c.Params, c.Input = []byte("par"), []byte("input!")
		res := mustRun(t, e, code, c)
		want := append([]byte{0x00}, "parinput!"...)
		want = binary.LittleEndian.AppendUint64(want, 7)
		want = binary.LittleEndian.AppendUint64(want, 3)
		if !bytes.Equal(res.Output, want) {
			t.Fatalf("%s: output %x, want %x", name, res.Output, want)
		}
		// initial memory (1 page) plus the instructions of three calls
		if res.Fuel <= GrowPageCost {
			t.Fatalf("%s: fuel %d does not count the calls", name, res.Fuel)
		}
		c.Input = nil // an empty input still calls nightshift_alloc(0)
		res0 := mustRun(t, e, code, c)
		if !bytes.Equal(res0.Output[1:4], []byte("par")) || len(res0.Output) != 1+3+16 {
			t.Fatalf("%s: empty input output %x", name, res0.Output)
		}
		if res0.Fuel >= res.Fuel {
			t.Fatalf("%s: shorter input cost %d >= %d", name, res0.Fuel, res.Fuel)
		}
	}
}

func TestRunTrapCodes(t *testing.T) {
	traps := fixture(t, "traps")
	depth := func(n uint32) []byte { return binary.LittleEndian.AppendUint32(nil, n) }
	cases := []struct {
		name  string
		mode  byte
		input []byte
		pages uint32
		want  []byte
	}{
		{"unreachable", 0, nil, 16, []byte{1, TrapOther}},
		{"out of bounds", 1, nil, 16, []byte{1, TrapOther}},
		{"division by zero", 2, nil, 16, []byte{1, TrapOther}},
		{"null table entry", 3, nil, 16, []byte{1, TrapOther}},
		{"indirect type mismatch", 4, nil, 16, []byte{1, TrapOther}},
		{"range past memory", 5, nil, 16, []byte{1, TrapOutputRange}},
		{"output over the cap", 6, nil, 16, []byte{1, TrapOutputRange}},
		{"infinite loop", 7, nil, 16, []byte{1, TrapFuelExhausted}},
		{"runaway recursion", 8, nil, 16, []byte{1, TrapCallDepth}},
		{"deepest allowed recursion", 9, depth(MaxCallDepth - 2), 16, append([]byte{0}, binary.LittleEndian.AppendUint32(nil, MaxCallDepth-2)...)},
		{"one call too deep", 9, depth(MaxCallDepth - 1), 16, []byte{1, TrapCallDepth}},
		{"grow to the module's max then -1", 10, nil, 16, []byte{0, 4, 0, 0, 0}},
		{"grow past the job's cap", 10, nil, 2, []byte{1, TrapMemoryLimit}},
		{"valid output", 11, nil, 16, []byte{0, 1, 2, 3, 4}},
		{"empty output", 12, nil, 16, []byte{0}},
	}
	for _, name := range engineNames {
		e := engines(t)[name]
		for _, tc := range cases {
			c := defaultCall()
			c.Params, c.Input, c.MemoryPages = []byte{tc.mode}, tc.input, tc.pages
			res := mustRun(t, e, traps, c)
			if !bytes.Equal(res.Output, tc.want) {
				t.Errorf("%s %s: output %x, want %x", name, tc.name, res.Output, tc.want)
			}
			if res.Fuel > c.FuelLimit {
				t.Errorf("%s %s: fuel %d over the limit %d", name, tc.name, res.Fuel, c.FuelLimit)
			}
			if tc.want[0] == 1 && tc.want[1] == TrapFuelExhausted && res.Fuel != c.FuelLimit {
				t.Errorf("%s %s: exhausted fuel reported as %d, want the limit %d", name, tc.name, res.Fuel, c.FuelLimit)
			}
		}
	}
}

func TestRunMemoryBomb(t *testing.T) {
	bomb := fixture(t, "bomb")
	for _, name := range engineNames {
		e := engines(t)[name]
		c := defaultCall()
		c.MemoryPages = 64
		res := mustRun(t, e, bomb, c)
		if !bytes.Equal(res.Output, []byte{1, TrapMemoryLimit}) {
			t.Fatalf("%s: output %x, want the memory-limit trap", name, res.Output)
		}
		// every page it got was paid for: the initial one and 63 grown
		if res.Fuel < 64*GrowPageCost {
			t.Fatalf("%s: fuel %d below the pages' cost", name, res.Fuel)
		}
		// with less fuel than the pages cost, fuel runs out first
		c.FuelLimit = 10 * GrowPageCost
		res = mustRun(t, e, bomb, c)
		if !bytes.Equal(res.Output, []byte{1, TrapFuelExhausted}) || res.Fuel != c.FuelLimit {
			t.Fatalf("%s: output %x fuel %d, want fuel exhausted at %d", name, res.Output, res.Fuel, c.FuelLimit)
		}
	}
}

func TestRunInitialMemoryAndFuelChecks(t *testing.T) {
	echo := fixture(t, "echo") // 1 initial page
	e := engines(t)["compiler"]
	c := defaultCall()
	c.MemoryPages = 0
	if res := mustRun(t, e, echo, c); !bytes.Equal(res.Output, []byte{1, TrapMemoryLimit}) || res.Fuel != 0 {
		t.Fatalf("initial memory over the cap: %x fuel %d", res.Output, res.Fuel)
	}
	c = defaultCall()
	c.FuelLimit = GrowPageCost - 1
	if res := mustRun(t, e, echo, c); !bytes.Equal(res.Output, []byte{1, TrapFuelExhausted}) || res.Fuel != c.FuelLimit {
		t.Fatalf("initial memory over the fuel: %x fuel %d", res.Output, res.Fuel)
	}
	c.FuelLimit = 0
	if res := mustRun(t, e, echo, c); !bytes.Equal(res.Output, []byte{1, TrapFuelExhausted}) || res.Fuel != 0 {
		t.Fatalf("zero fuel: %x fuel %d", res.Output, res.Fuel)
	}
	c = defaultCall()
	c.FuelLimit = ^uint64(0) // clamped to MaxInt64, still a normal run
	if res := mustRun(t, e, echo, c); res.Output[0] != 0 {
		t.Fatalf("huge fuel limit: %x", res.Output)
	}
}

// The fuel of a run is exactly the cost table applied to what executed: badalloc's
// alloc is i32.const; end (2) and is called twice, its run is i64.const; end (2),
// and its one initial page costs GrowPageCost.
func TestRunFuelMatchesTheCostTable(t *testing.T) {
	for _, name := range engineNames {
		c := defaultCall()
		c.Params = []byte{9} // 65535 + 1 still fits the page
		res := mustRun(t, engines(t)[name], fixture(t, "badalloc"), c)
		if !bytes.Equal(res.Output, []byte{0}) || res.Fuel != GrowPageCost+2+2+2 {
			t.Fatalf("%s: output %x fuel %d, want 00 and %d", name, res.Output, res.Fuel, GrowPageCost+6)
		}
	}
}

// Declared locals (zeroed per call), data segments and the table (set up per
// instance) are paid for: an attacker cannot make a validator do that work for free.
func TestRunFuelChargesLocalsDataAndTable(t *testing.T) {
	m, err := decodeModule(fixture(t, "badalloc"))
	if err != nil {
		t.Fatal(err)
	}
	m.codes[1].locals = []localRun{{count: 30, valType: valI32}, {count: 10, valType: valI64}} // +10
	m.datas = []data{{offset: 100, init: make([]byte, 64)}}                                    // +4
	m.tables = []limits{{min: 10}}                                                             // +10
	for _, name := range engineNames {
		c := defaultCall()
		c.Params = []byte{9}
		res := mustRun(t, engines(t)[name], m.encode(), c)
		if want := uint64(GrowPageCost + 6 + 10 + 4 + 10); res.Fuel != want {
			t.Fatalf("%s: fuel %d, want %d", name, res.Fuel, want)
		}
	}
}

func TestRunBadAllocIsATrap(t *testing.T) {
	for _, name := range engineNames {
		c := defaultCall()
		c.Params = []byte("xy") // 65535 + 2 is past the single page
		res := mustRun(t, engines(t)[name], fixture(t, "badalloc"), c)
		if !bytes.Equal(res.Output, []byte{1, TrapOther}) {
			t.Fatalf("%s: output %x", name, res.Output)
		}
	}
}

// An exact fuel limit succeeds; one unit less exhausts: fuel is charged, not estimated.
func TestRunFuelLimitIsExact(t *testing.T) {
	mix := fixture(t, "mix")
	for _, name := range engineNames {
		e := engines(t)[name]
		c := defaultCall()
		c.Params = binary.LittleEndian.AppendUint32(nil, 50)
		full := mustRun(t, e, mix, c)
		c.FuelLimit = full.Fuel
		if res := mustRun(t, e, mix, c); !bytes.Equal(res.Output, full.Output) || res.Fuel != full.Fuel {
			t.Fatalf("%s: at the exact limit %x/%d, want %x/%d", name, res.Output, res.Fuel, full.Output, full.Fuel)
		}
		c.FuelLimit = full.Fuel - 1
		if res := mustRun(t, e, mix, c); !bytes.Equal(res.Output, []byte{1, TrapFuelExhausted}) {
			t.Fatalf("%s: one below the limit: %x", name, res.Output)
		}
	}
}

func TestRunRefusesInvalidModule(t *testing.T) {
	e := engines(t)["compiler"]
	_, err := e.Run(context.Background(), fixture(t, "invalid/float"), defaultCall())
	if !errors.Is(err, ErrFloatInstruction) {
		t.Fatalf("err %v, want ErrFloatInstruction", err)
	}
	lim := NewEngine(EngineConfig{Limits: Limits{MaxCodeBytes: 100}})
	defer func() { _ = lim.Close() }()
	if _, err := lim.Run(context.Background(), fixture(t, "echo"), defaultCall()); !errors.Is(err, ErrCodeTooLarge) {
		t.Fatalf("err %v, want ErrCodeTooLarge", err)
	}
}

func TestRunCanceledContextIsAnError(t *testing.T) {
	code := fixture(t, "traps")
	c := defaultCall()
	c.Params = []byte{7} // loops until the fuel (or, with closeOnContextDone, the context) stops it
	for _, name := range engineNames {
		e := engines(t)[name]
		mustRun(t, e, code, defaultCall()) // compiled and cached
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c.FuelLimit = 1 << 62
		if res, err := e.Run(ctx, code, c); err == nil {
			t.Fatalf("%s: canceled run returned a result %x", name, res.Output)
		}
		// A deadline passing mid-item: where the context is checked inside the item
		// the run is a host error; elsewhere the item runs out its fuel and its result
		// is the deterministic one. Never a different recorded output.
		// (tens of ms on either engine, well past the deadline)
		c.FuelLimit = map[string]uint64{"compiler": 100_000_000, "interpreter": 5_000_000}[name]
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
		res, err := e.Run(ctx, code, c)
		cancel()
		switch {
		case closeOnContextDone && (err == nil || !errors.Is(err, context.DeadlineExceeded)):
			t.Fatalf("%s: run past its deadline: %x, %v", name, res.Output, err)
		case !closeOnContextDone && (err != nil || !reflect.DeepEqual(res, trapResult(TrapFuelExhausted, c.FuelLimit))):
			t.Fatalf("%s: run past its deadline: %x fuel %d, %v", name, res.Output, res.Fuel, err)
		}
	}
}

// Results are the same cold or warm, through evictions, and under concurrent Runs.
func TestRunCacheAndConcurrency(t *testing.T) {
	programs := [][]byte{fixture(t, "echo"), fixture(t, "mix"), fixture(t, "traps"), fixture(t, "bomb")}
	call := func(i int) Call {
		c := defaultCall()
		c.Item = uint64(i)
		c.Params = []byte{byte(11 + i%2)}
		return c
	}
	want := make([][]Result, len(programs))
	for p, code := range programs {
		cold := NewEngine(EngineConfig{})
		for i := 0; i < 4; i++ {
			want[p] = append(want[p], mustRun(t, cold, code, call(i)))
		}
		_ = cold.Close()
	}
	// a one-entry cache evicts on every program switch, some while in use
	e := NewEngine(EngineConfig{CacheEntries: 1})
	defer func() { _ = e.Close() }()
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < 12; k++ {
				p, i := (g+k)%len(programs), k%4
				res, err := e.Run(context.Background(), programs[p], call(i))
				if err != nil || !bytes.Equal(res.Output, want[p][i].Output) || res.Fuel != want[p][i].Fuel {
					errs <- "mismatch"
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
}

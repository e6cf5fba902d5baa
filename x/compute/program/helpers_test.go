package program

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero/api"
)

// fixture reads testdata/<name>.wasm (built from the .wat beside it).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// engines returns one engine of each kind, closed when the test ends.
func engines(t testing.TB) map[string]*Engine {
	t.Helper()
	es := map[string]*Engine{
		"compiler":    NewEngine(EngineConfig{CacheEntries: 4}),
		"interpreter": NewEngine(EngineConfig{Interpreter: true, CacheEntries: 4}),
	}
	t.Cleanup(func() {
		for _, e := range es {
			_ = e.Close()
		}
	})
	return es
}

// engineNames fixes the order tests visit the engines in.
var engineNames = []string{"compiler", "interpreter"}

func defaultCall() Call {
	return Call{JobID: 7, Item: 3, FuelLimit: 2_000_000, MemoryPages: 16, MaxOutputBytes: 1024}
}

func mustRun(t testing.TB, e *Engine, code []byte, c Call) Result {
	t.Helper()
	res, err := e.Run(context.Background(), code, c)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// plainInstance wraps an uninstrumented module (no fuel or trap globals) for runItem,
// as the reference runs of the tests and benchmarks make the ABI's calls on it.
func plainInstance(mod api.Module) *instance {
	return &instance{mod: mod, mem: mod.Memory(), alloc: mod.ExportedFunction(exportAlloc), run: mod.ExportedFunction(exportRun)}
}

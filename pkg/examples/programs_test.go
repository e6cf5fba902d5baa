package examples_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero/api"

	"github.com/nightshift-network/nightshift/pkg/examples/internal/abitest"
	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
)

var programs = map[string][]byte{"proth": proth.Wasm, "montecarlo": montecarlo.Wasm, "tiles": tiles.Wasm}

// Every committed .wasm is what its source builds to (scripts/programs.sh check),
// whenever the toolchain is installed.
func TestProgramsReproduceFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the programs")
	}
	for _, tool := range []string{"clang", "/usr/bin/rustc", "wasm-objdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install -y clang lld wabt rustc libstd-rust-dev-wasm32)", tool)
		}
	}
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "programs.sh"), "check").CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/programs.sh check: %v\n%s", err, out)
	}
}

// The modules have ABI v1's shape: no imports, one memory exported as "memory",
// nightshift_alloc(i32) -> i32 and nightshift_run(i64, i64, i32, i32, i32, i32) -> i64.
func TestModulesHaveTheABIShape(t *testing.T) {
	ctx := context.Background()
	i32, i64 := api.ValueTypeI32, api.ValueTypeI64
	want := map[string][2][]api.ValueType{
		"nightshift_alloc": {{i32}, {i32}},
		"nightshift_run":   {{i64, i64, i32, i32, i32, i32}, {i64}},
	}
	for name, code := range programs {
		t.Run(name, func(t *testing.T) {
			r, err := abitest.New(ctx, code, true)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = r.Close(ctx) }()
			m := r.Compiled()
			if len(m.ImportedFunctions()) != 0 || len(m.ImportedMemories()) != 0 {
				t.Fatal("the module imports something")
			}
			if mems := m.ExportedMemories(); len(mems) != 1 || mems["memory"] == nil {
				t.Fatalf("exported memories %v", mems)
			}
			fns := m.ExportedFunctions()
			for fn, sig := range want {
				def := fns[fn]
				if def == nil {
					t.Fatalf("%s not exported", fn)
				}
				if !equalTypes(def.ParamTypes(), sig[0]) || !equalTypes(def.ResultTypes(), sig[1]) {
					t.Fatalf("%s has %v -> %v", fn, def.ParamTypes(), def.ResultTypes())
				}
			}
		})
	}
}

func equalTypes(a, b []api.ValueType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

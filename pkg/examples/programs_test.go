package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/x/compute/program"
)

var programs = map[string][]byte{"proth": proth.Wasm, "montecarlo": montecarlo.Wasm, "tiles": tiles.Wasm}

// Every committed .wasm is what its source builds to (scripts/programs.sh check),
// whenever the toolchain is installed; NIGHTSHIFT_REQUIRE_PROGRAM_TOOLCHAIN=1 (.ci/run)
// makes a missing toolchain a failure.
func TestProgramsReproduceFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the programs")
	}
	for _, tool := range []string{"clang", "wasm-opt", "/usr/bin/rustc", "wasm-objdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("NIGHTSHIFT_REQUIRE_PROGRAM_TOOLCHAIN") == "1" {
				t.Fatalf("%s not installed and NIGHTSHIFT_REQUIRE_PROGRAM_TOOLCHAIN=1", tool)
			}
			t.Skipf("%s not installed (apt-get install -y clang lld binaryen wabt rustc libstd-rust-dev-wasm32)", tool)
		}
	}
	if _, err := os.Stat("/usr/lib/rustlib/wasm32-unknown-unknown"); err != nil && os.Getenv("NIGHTSHIFT_REQUIRE_PROGRAM_TOOLCHAIN") != "1" {
		t.Skip("rustc's wasm32 std not installed (apt-get install -y libstd-rust-dev-wasm32)")
	}
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "programs.sh"), "check").CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/programs.sh check: %v\n%s", err, out)
	}
}

// The modules pass the store-time validation (ABI v1: no imports, no start
// function, no float instructions, one memory exported as "memory", the two exports
// with their signatures) and ask for 2 pages, at most 16.
func TestModulesPassValidate(t *testing.T) {
	for name, code := range programs {
		m, err := program.Validate(code, program.Limits{MaxCodeBytes: 64 << 10, MaxMemoryPages: 16})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m.MinMemoryPages != 2 || m.MaxMemoryPages != 16 {
			t.Fatalf("%s: memory %d..%d pages", name, m.MinMemoryPages, m.MaxMemoryPages)
		}
	}
}

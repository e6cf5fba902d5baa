package examples_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"image/png"
	"os"
	"testing"

	"github.com/nightshift-network/nightshift/pkg/examples/internal/abitest"
	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/x/compute/program"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden.json from the compiler engine")

// golden is one item of an example program: the sha256 of its recorded output and
// its fuel on program.Engine, as committed in testdata/golden.json. A change is a
// change of what workers and validators compute for real jobs: a new program
// build (make programs) or a new instrumentation version.
type golden struct {
	Name         string `json:"name"`
	OutputSHA256 string `json:"output_sha256"`
	Fuel         uint64 `json:"fuel"`
}

type goldenCase struct {
	name    string
	code    []byte
	call    program.Call
	trapped bool // the expected outcome is a trap
}

type goldenFile struct {
	InstrumentationVersion int      `json:"instrumentation_version"`
	Vectors                []golden `json:"vectors"`
}

func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	pr := proth.Params{N: 127, KStart: 3, KPerItem: 16}.Encode()
	big := proth.Params{N: 521, KStart: 1, KPerItem: 2}.Encode()
	eu, err := montecarlo.Option{Spot: 100, Strike: 105, Rate: 0.05, Volatility: 0.2, Maturity: 1, Steps: 64, PathsPerItem: 32}.Params()
	if err != nil {
		t.Fatal(err)
	}
	as, err := montecarlo.Option{Spot: 100, Strike: 105, Rate: 0.05, Volatility: 0.2, Maturity: 1, Steps: 252, PathsPerItem: 16, Style: montecarlo.Asian}.Params()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("tiles/testdata/sample.png")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	_, inputs, err := tiles.Split(img, 64)
	if err != nil {
		t.Fatal(err)
	}
	tile := func(filter tiles.Filter, item int) program.Call {
		return program.Call{JobID: 3, Item: uint64(item), Params: tiles.Params{Filter: filter}.Encode(), Input: inputs[item]}
	}
	return []goldenCase{
		{name: "proth-127-item0", code: proth.Wasm, call: program.Call{JobID: 1, Item: 0, Params: pr}},
		{name: "proth-127-item1", code: proth.Wasm, call: program.Call{JobID: 1, Item: 1, Params: pr}},
		{name: "proth-127-other-job", code: proth.Wasm, call: program.Call{JobID: 2, Item: 1, Params: pr}},
		{name: "proth-521", code: proth.Wasm, call: program.Call{JobID: 1, Item: 7, Params: big}},
		{name: "proth-k-not-below-2^n", code: proth.Wasm, call: program.Call{JobID: 1, Item: 1024, Params: proth.Params{N: 12, KStart: 1, KPerItem: 4}.Encode()}, trapped: true},
		{name: "proth-out-of-fuel", code: proth.Wasm, call: program.Call{JobID: 1, Item: 0, Params: big, FuelLimit: 1_000_000}, trapped: true},
		{name: "montecarlo-european-item0", code: montecarlo.Wasm, call: program.Call{JobID: 9, Item: 0, Params: eu.Encode()}},
		{name: "montecarlo-european-item1", code: montecarlo.Wasm, call: program.Call{JobID: 9, Item: 1, Params: eu.Encode()}},
		{name: "montecarlo-asian", code: montecarlo.Wasm, call: program.Call{JobID: 9, Item: 5, Params: as.Encode()}},
		{name: "montecarlo-memory-cap-1-page", code: montecarlo.Wasm, call: program.Call{JobID: 9, Item: 0, Params: eu.Encode(), MemoryPages: 1}, trapped: true},
		{name: "tiles-blur-0", code: tiles.Wasm, call: tile(tiles.Blur, 0)},
		{name: "tiles-edges-5", code: tiles.Wasm, call: tile(tiles.Edges, 5)},
		{name: "tiles-sharpen-11", code: tiles.Wasm, call: tile(tiles.Sharpen, 11)},
		{name: "tiles-output-cap", code: tiles.Wasm, call: program.Call{JobID: 3, Item: 0, Params: tiles.Params{}.Encode(), Input: inputs[0], MaxOutputBytes: 4000}, trapped: true},
	}
}

// TestGoldenVectors: every example item gives the committed output hash and fuel on
// the compiler and on the interpreter (make test-arm64 runs this package under
// GOARCH=arm64 too), so the programs compute the same on every validator.
func TestGoldenVectors(t *testing.T) {
	ctx := context.Background()
	cases := goldenCases(t)
	got := make([]golden, len(cases))
	for _, interpreter := range []bool{false, true} {
		runners := map[[32]byte]*abitest.Runner{}
		for i, c := range cases {
			key := sha256.Sum256(c.code)
			r := runners[key]
			if r == nil {
				var err error
				if r, err = abitest.New(c.code, interpreter); err != nil {
					t.Fatal(err)
				}
				defer func() { _ = r.Close() }()
				runners[key] = r
			}
			res, err := r.RunFuel(ctx, c.call)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if trapped := res.Output[0] == 0x01; trapped != c.trapped {
				t.Fatalf("%s: recorded output %x", c.name, res.Output[:min(len(res.Output), 8)])
			}
			sum := sha256.Sum256(res.Output)
			g := golden{Name: c.name, OutputSHA256: hex.EncodeToString(sum[:]), Fuel: res.Fuel}
			if interpreter && g != got[i] {
				t.Fatalf("%s: interpreter %+v, compiler %+v", c.name, g, got[i])
			}
			got[i] = g
		}
	}
	path := "testdata/golden.json"
	if *updateGolden {
		bz, err := json.MarshalIndent(goldenFile{InstrumentationVersion: program.InstrumentationVersion, Vectors: got}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(bz, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want goldenFile
	if err := json.Unmarshal(bz, &want); err != nil {
		t.Fatal(err)
	}
	if want.InstrumentationVersion != program.InstrumentationVersion {
		t.Fatalf("golden vectors of instrumentation version %d, the runtime is %d: regenerate with -update", want.InstrumentationVersion, program.InstrumentationVersion)
	}
	if len(want.Vectors) != len(got) {
		t.Fatalf("%d golden vectors, %d cases", len(want.Vectors), len(got))
	}
	for i := range got {
		if got[i] != want.Vectors[i] {
			t.Errorf("%s: got %+v, golden %+v", got[i].Name, got[i], want.Vectors[i])
		}
	}
}

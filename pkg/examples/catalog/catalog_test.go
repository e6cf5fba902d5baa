package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/nightshift-network/nightshift/pkg/examples/internal/abitest"
	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
)

// runJob runs every item of a job on program.Engine, as devices would.
func runJob(t *testing.T, p Program, params []byte, inputs [][]byte, items int) [][]byte {
	t.Helper()
	r, err := abitest.New(p.Wasm, false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	recorded := make([][]byte, items)
	for i := range recorded {
		var in []byte
		if inputs != nil {
			in = inputs[i]
		}
		if recorded[i], err = r.Run(context.Background(), 77, uint64(i), params, in); err != nil {
			t.Fatal(err)
		}
	}
	return recorded
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bz, v); err != nil {
		t.Fatal(err)
	}
}

func TestProthResult(t *testing.T) {
	params := proth.Params{N: 12, KStart: 1, KPerItem: 16}
	recorded := runJob(t, Programs["proth"], params.Encode(), nil, 8)
	want, err := proth.Reduce(params, recorded)
	if err != nil {
		t.Fatal(err)
	}
	recorded[2] = nil
	dir := t.TempDir()
	files, tally, err := Programs["proth"].WriteResult(dir, params.Encode(), recorded)
	if err != nil || len(files) != 1 || len(tally.Missing) != 1 {
		t.Fatalf("%v %v %+v", files, err, tally)
	}
	var got struct {
		Tested  uint64   `json:"tested"`
		K       []uint64 `json:"k"`
		Primes  []string `json:"primes"`
		Missing []uint64 `json:"missing"`
	}
	readJSON(t, filepath.Join(dir, "primes.json"), &got)
	if got.Tested != 7*16 || len(got.Missing) != 1 || got.Missing[0] != 2 || len(got.K) == 0 || len(got.K) >= len(want.Ks) || got.Primes[0] != "3*2^12+1" {
		t.Fatalf("primes.json %+v (all items: %v)", got, want.Ks)
	}
}

func TestMonteCarloResult(t *testing.T) {
	p, err := montecarlo.Option{Spot: 100, Strike: 100, Rate: 0.05, Volatility: 0.2, Maturity: 1, Steps: 32, PathsPerItem: 200}.Params()
	if err != nil {
		t.Fatal(err)
	}
	recorded := runJob(t, Programs["montecarlo"], p.Encode(), nil, 6)
	dir := t.TempDir()
	if _, _, err := Programs["montecarlo"].WriteResult(dir, p.Encode(), recorded); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Paths  uint64  `json:"paths"`
		Price  float64 `json:"price"`
		StdErr float64 `json:"std_err"`
	}
	readJSON(t, filepath.Join(dir, "estimate.json"), &got)
	// At the money, S=K=100, r=5%, σ=20%, T=1: Black–Scholes 10.45; 1,200 paths.
	if got.Paths != 1200 || got.StdErr <= 0 || got.Price < 10.45-4*got.StdErr || got.Price > 10.45+4*got.StdErr {
		t.Fatalf("estimate.json %+v", got)
	}
}

func TestTilesResult(t *testing.T) {
	f, err := os.Open("../tiles/testdata/sample.png")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	l, inputs, err := tiles.Split(img, 64)
	if err != nil {
		t.Fatal(err)
	}
	params := tiles.Params{Filter: tiles.Blur}.Encode()
	recorded := runJob(t, Programs["tiles"], params, inputs, len(inputs))
	want, _, err := tiles.Assemble(l, recorded)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, _, err := Programs["tiles"].WriteResult(dir, params, recorded)
	if err != nil || len(files) != 1 {
		t.Fatalf("%v %v", files, err)
	}
	back, err := os.ReadFile(filepath.Join(dir, "image.png"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(bytes.NewReader(back))
	if err != nil || !bytes.Equal(tiles.Gray(got).Pix, want.Pix) {
		t.Fatalf("image.png differs from the assembled tiles (%v)", err)
	}
	recorded[4] = nil
	files, _, err = Programs["tiles"].WriteResult(t.TempDir(), params, recorded)
	if err != nil || len(files) != 2 || files[1] != "missing-tiles.json" {
		t.Fatalf("with a tile missing: %v %v", files, err)
	}
}

func TestCheckParamsRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		program string
		params  []byte
		items   uint64
	}{
		"proth even k":         {"proth", proth.Params{N: 12, KStart: 2, KPerItem: 1}.Encode(), 1},
		"proth k beyond 2^n":   {"proth", proth.Params{N: 12, KStart: 1, KPerItem: 4}.Encode(), 513},
		"montecarlo short":     {"montecarlo", make([]byte, 51), 1},
		"montecarlo 0 steps":   {"montecarlo", montecarlo.Params{Up: 2, Down: 1, PathsPerItem: 1}.Encode(), 1},
		"tiles unknown filter": {"tiles", tiles.Params{Filter: 3}.Encode(), 1},
	} {
		if Programs[c.program].CheckParams(c.params, c.items) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := Programs["proth"].CheckParams(proth.Params{N: 12, KStart: 1, KPerItem: 4}.Encode(), 512); err != nil {
		t.Fatalf("good proth params refused: %v", err)
	}
	if n := Names(); len(n) != 3 || n[0] != "montecarlo" || n[2] != "tiles" {
		t.Fatalf("names %v", n)
	}
}

package programjob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// defaultLimits are the chain's default params' limits.
func defaultLimits() Limits { return LimitsOf(types.DefaultParams()) }

// record is what the chain stores for code (its declared memory).
func record(t *testing.T, code []byte) types.Program {
	t.Helper()
	m, err := program.Validate(code, program.Limits{})
	require.NoError(t, err)
	rec := types.Program{Id: m.ID[:], MinMemoryPages: m.MinMemoryPages, MaxMemoryPages: m.MaxMemoryPages}
	if m.MaxMemoryPages == 1<<16 {
		rec.MaxMemoryPages = 0
	}
	return rec
}

func newEngine(t *testing.T) *program.Engine {
	t.Helper()
	e := program.NewEngine(program.EngineConfig{CacheEntries: 2})
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func TestResolveProgram(t *testing.T) {
	ex := catalog.Programs["proth"]
	id := ex.ID()

	byID, err := ResolveProgram(strings.ToUpper(hex.EncodeToString(id[:])))
	require.NoError(t, err)
	require.Equal(t, id, byID.ID)
	require.Nil(t, byID.Code, "by id the code comes from the chain")
	require.Equal(t, "proth", byID.Example.Name)

	path := filepath.Join(t.TempDir(), "p.wasm")
	require.NoError(t, os.WriteFile(path, tiles.Wasm, 0o644))
	byFile, err := ResolveProgram(path)
	require.NoError(t, err)
	require.Equal(t, sha256.Sum256(tiles.Wasm), byFile.ID)
	require.Equal(t, tiles.Wasm, byFile.Code)
	require.Equal(t, "tiles", byFile.Example.Name)

	byName, err := ResolveProgram("montecarlo")
	require.NoError(t, err)
	require.Equal(t, catalog.Programs["montecarlo"].ID(), byName.ID)

	other := filepath.Join(t.TempDir(), "other.wasm")
	require.NoError(t, os.WriteFile(other, []byte("not an example"), 0o644))
	notExample, err := ResolveProgram(other)
	require.NoError(t, err)
	require.Nil(t, notExample.Example)

	_, err = ResolveProgram("no-such-thing")
	require.ErrorContains(t, err, "neither a program id")
}

func TestReadInputDirTakesFilesInNameOrder(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"b": "second", "10": "first", "c": "third", ".hidden": "skipped"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	ds, err := ReadDataset(dir, 0)
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("first"), []byte("second"), []byte("third")}, ds.Inputs)
	want, err := merkle.InputRoot(ds.Inputs)
	require.NoError(t, err)
	require.Equal(t, want, ds.Root)

	_, err = ReadInputDir(dir, 5)
	require.ErrorContains(t, err, "input of item 1 is 6 bytes")
	_, err = ReadInputDir(t.TempDir(), 0)
	require.ErrorContains(t, err, "no input files")
}

func TestBuildMeasuresFuelAndTakesDefaults(t *testing.T) {
	prog, err := ResolveProgram("proth")
	require.NoError(t, err)
	params := proth.Params{N: 127, KStart: 1, KPerItem: 2}.Encode()
	lim := defaultLimits()
	plan, err := Build(context.Background(), newEngine(t), Request{Program: prog, Record: record(t, prog.Code), Params: params, Items: 8}, lim)
	require.NoError(t, err)

	s := plan.Spec
	require.Equal(t, 8, plan.Measured, "every item of a small job")
	require.Greater(t, plan.MaxFuel, plan.Item0.Fuel, "proth items differ: item 0 alone would undersize the limit")
	require.Equal(t, FuelMargin*plan.MaxFuel, s.FuelLimit)
	require.Less(t, s.FuelLimit, lim.FuelCap())
	require.Equal(t, uint32(16), s.MemoryPages, "the module's declared maximum")
	require.Equal(t, lim.MaxOutputBytes, s.MaxOutputBytes)
	require.False(t, s.HasInputRoot)
	parsed, err := kinds.ParseWasmSpec(plan.Encoded, 8)
	require.NoError(t, err)
	require.Equal(t, s, parsed)

	want, ok := proth.Reference(0, 0, proth.Params{N: 127, KStart: 1, KPerItem: 2})
	require.True(t, ok)
	require.Equal(t, append([]byte{0}, want...), plan.Item0.Output, "item 0 ran as workers run it")
}

func TestBuildCapsFuelAtTheChainsLimit(t *testing.T) {
	prog, err := ResolveProgram("proth")
	require.NoError(t, err)
	params := proth.Params{N: 127, KStart: 1, KPerItem: 2}.Encode()
	req := Request{Program: prog, Record: record(t, prog.Code), Params: params, Items: 8}
	first, err := Build(context.Background(), newEngine(t), req, defaultLimits())
	require.NoError(t, err)

	lim := defaultLimits()
	lim.MaxVerifyGasPerItem = kinds.WasmItemWork(first.MaxFuel*3/2, lim.GasPerKilofuel)
	plan, err := Build(context.Background(), newEngine(t), req, lim)
	require.NoError(t, err)
	require.Equal(t, lim.FuelCap(), plan.Spec.FuelLimit, "the margin stops at the cap")
}

func TestBuildRefusesWhatTheChainRefuses(t *testing.T) {
	prog, err := ResolveProgram("proth")
	require.NoError(t, err)
	good := proth.Params{N: 127, KStart: 1, KPerItem: 2}.Encode()
	tilesProg := Program{ID: sha256.Sum256(tiles.Wasm), Code: tiles.Wasm} // not recognised as the example
	inputs, err := catalog.SplitTiles(mustRead(t, "../examples/tiles/testdata/sample.png"), 64)
	require.NoError(t, err)
	ds, err := NewDataset(inputs)
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		req  Request
		lim  func(*Limits)
		want string
	}{
		{"fuel over max_fuel_per_item", Request{FuelLimit: 200_000_000}, nil, "max_fuel_per_item"},
		{"fuel over the verification bound", Request{FuelLimit: 70_000_000}, nil, "max_verify_gas_per_item"}, // the cap is 62.3 M
		{"memory over the cap", Request{MemoryPages: 257}, nil, "max_program_memory_pages"},
		{"memory under the module's", Request{MemoryPages: 1}, nil, "initial memory"},
		{"output cap over the param", Request{MaxOutputBytes: 16384}, nil, "max_item_output_bytes"},
		{"item 0 needs more than the cap", Request{}, func(l *Limits) { l.MaxFuelPerItem = 20_000 }, "runs out of 20000 fuel"},
		{"item 0 needs more than --fuel-limit", Request{FuelLimit: 20_000}, nil, "runs out of 20000 fuel (--fuel-limit)"},
		{"the example's params check", Request{Params: proth.Params{N: 127, KStart: 2, KPerItem: 2}.Encode()}, nil, "params for proth"},
		{"no items", Request{Items: 0}, nil, "at least one item"},
		{"item 0 traps", Request{Program: tilesProg, Params: []byte{9, 0, 0, 0}, Dataset: &ds, InputsURL: "http://h/i"}, nil, "item 0 traps locally"},
		{"items and inputs differ", Request{Program: tilesProg, Params: []byte{1, 0, 0, 0}, Items: 11, Dataset: &ds, InputsURL: "http://h/i"}, nil, "11 items but 12 inputs"},
		{"input over the cap", Request{Program: tilesProg, Params: []byte{1, 0, 0, 0}, Dataset: &ds, InputsURL: "http://h/i"}, func(l *Limits) { l.MaxInputBytes = 1000 }, "max_item_input_bytes"},
		{"inputs without a URL", Request{Program: tilesProg, Params: []byte{1, 0, 0, 0}, Dataset: &ds}, nil, "inputs_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			if req.Program.Code == nil {
				req.Program = prog
			}
			req.Record = record(t, req.Program.Code)
			if req.Params == nil {
				req.Params = good
			}
			if req.Items == 0 && req.Dataset == nil && tc.name != "no items" {
				req.Items = 8
			}
			lim := defaultLimits()
			if tc.lim != nil {
				tc.lim(&lim)
			}
			_, err := Build(context.Background(), newEngine(t), req, lim)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestBuildTilesJobCommitsToTheDataset(t *testing.T) {
	prog, err := ResolveProgram("tiles")
	require.NoError(t, err)
	inputs, err := SplitInputFile(prog.Example, "../examples/tiles/testdata/sample.png", 64)
	require.NoError(t, err)
	require.Len(t, inputs, 12, "200x150 in 64x64 tiles")
	ds, err := NewDataset(inputs)
	require.NoError(t, err)
	plan, err := Build(context.Background(), newEngine(t), Request{
		Program: prog, Record: record(t, prog.Code), Params: tiles.Params{Filter: tiles.Edges}.Encode(),
		Dataset: &ds, InputsURL: "http://127.0.0.1:8090/v1/inputs/x",
	}, defaultLimits())
	require.NoError(t, err)
	s := plan.Spec
	require.Equal(t, uint64(12), s.Items())
	require.True(t, s.HasInputRoot)
	root, err := merkle.InputRoot(inputs)
	require.NoError(t, err)
	require.Equal(t, root, s.InputRoot)
	require.Equal(t, "http://127.0.0.1:8090/v1/inputs/x", s.InputsURL)

	proth0 := catalog.Programs["proth"]
	_, err = SplitInputFile(&proth0, "x.png", 64)
	require.ErrorContains(t, err, "only an example that takes data")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	return bz
}

func TestBuildMeasuresItemsSpreadOverTheJob(t *testing.T) {
	prog, err := ResolveProgram("proth")
	require.NoError(t, err)
	params := proth.Params{N: 31, KStart: 1, KPerItem: 1}.Encode()
	plan, err := Build(context.Background(), newEngine(t), Request{Program: prog, Record: record(t, prog.Code), Params: params, Items: 1000}, defaultLimits())
	require.NoError(t, err)
	require.Equal(t, MeasuredItems, plan.Measured)

	// From item 21 on k reaches 2^63 = 2^n, which the program refuses: item 0
	// alone would not see it. (CheckParams is the example's; a program of
	// one's own has only the local runs.)
	own := Program{ID: prog.ID, Code: prog.Code}
	wrap := proth.Params{N: 63, KStart: 1<<63 - 41, KPerItem: 1}.Encode()
	_, err = Build(context.Background(), newEngine(t), Request{Program: own, Record: record(t, prog.Code), Params: wrap, Items: 64}, defaultLimits())
	require.ErrorContains(t, err, "item 21 traps locally", "the first sampled item at or past 21 (5·63/15)")
}

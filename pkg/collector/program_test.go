package collector

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/pkg/programinputs"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/program"
)

// runProgram runs every item of a wasm job on program.Engine, as devices do.
func runProgram(t *testing.T, jobID uint64, code []byte, s *kinds.WasmSpec, inputs [][]byte) [][]byte {
	t.Helper()
	e := program.NewEngine(program.EngineConfig{CacheEntries: 1})
	defer func() { _ = e.Close() }()
	out := make([][]byte, s.Items())
	for i := range out {
		call := program.Call{JobID: jobID, Item: uint64(i), Params: s.Params, FuelLimit: s.FuelLimit, MemoryPages: s.MemoryPages, MaxOutputBytes: s.MaxOutputBytes}
		if inputs != nil {
			call.Input = inputs[i]
		}
		res, err := e.Run(context.Background(), code, call)
		require.NoError(t, err)
		out[i] = res.Output
	}
	return out
}

// collectAll claims, uploads and verifies every task with outputs and waits
// for the collector to assemble.
func collectAll(t *testing.T, f *fakeChain, url string, done <-chan error, outputs [][]byte) error {
	t.Helper()
	for i := uint64(0); i < f.job.NumTasks; i++ {
		f.claim(t, i, dev1, taskOutputs(f, outputs, i))
		require.NoError(t, Send(context.Background(), nil, url, f.job.Id, i, Upload{Device: dev1, Outputs: taskOutputs(f, outputs, i)}))
		f.verify(i)
	}
	return wait(t, done)
}

func TestCollectTilesServesInputsAndAssemblesTheImage(t *testing.T) {
	img, err := os.ReadFile("../examples/tiles/testdata/sample.png")
	require.NoError(t, err)
	inputs, err := catalog.SplitTiles(img, 64)
	require.NoError(t, err)
	root, err := merkle.InputRoot(inputs)
	require.NoError(t, err)
	ex := catalog.Programs["tiles"]
	s := &kinds.WasmSpec{Program: ex.ID(), Params: tiles.Params{Filter: tiles.Edges}.Encode(), FuelLimit: 1_000_000, MemoryPages: 16,
		MaxOutputBytes: 16383, HasInputRoot: true, InputRoot: root, InputsURL: "http://collector.example" + InputsPath(root)}
	s, err = kinds.ParseWasmSpec(s.Encode(), uint64(len(inputs)))
	require.NoError(t, err)
	f := newFakeChain(5, kinds.WasmKindName, string(s.Encode()), s.Items(), 4)

	srv, err := programinputs.NewServer(inputs)
	require.NoError(t, err)
	dir := t.TempDir()
	c, err := New(Config{JobID: 5, OutDir: dir, Query: f, PollInterval: 5e6, Inputs: srv})
	require.NoError(t, err)

	// Inputs are served at inputs_url/ITEM and check against the job's root.
	url, done := serve(t, c)
	base := url + InputsPath(root)
	in, err := (&programinputs.Client{MaxBytes: 1 << 16}).Fetch(context.Background(), programinputs.Dataset{URL: base, Items: s.Items(), Root: root}, 7)
	require.NoError(t, err)
	require.Equal(t, inputs[7], in.Bytes)
	var other [32]byte
	resp, err := http.Get(url + InputsPath(other) + "/7")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "another dataset's root is not served")

	outputs := runProgram(t, 5, ex.Wasm, s, inputs)
	outputs[5] = []byte{0x01, program.TrapFuelExhausted} // a tile that ran out of fuel
	require.NoError(t, collectAll(t, f, url, done, outputs))

	for i, want := range outputs {
		got, err := os.ReadFile(filepath.Join(dir, ProgramOutputsDir, programinputs.FileName(uint64(i))))
		require.NoError(t, err)
		require.Equal(t, want, got, "item %d's file is its recorded output", i)
	}
	var sum itemsSummary
	readJSONFile(t, filepath.Join(dir, ItemsFile), &sum)
	require.Equal(t, itemsSummary{
		Program: hex.EncodeToString(s.Program[:]), Example: "tiles", Items: 12, Succeeded: 11,
		Trapped: map[string]string{"5": "fuel exhausted"}, Missing: []uint64{},
		Files: []string{"image.png", "missing-tiles.json"},
	}, sum)

	want := t.TempDir()
	_, _, err = ex.WriteResult(want, s.Params, outputs)
	require.NoError(t, err)
	for _, name := range sum.Files {
		w, err := os.ReadFile(filepath.Join(want, name))
		require.NoError(t, err)
		g, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, w, g, "%s is the example's result of the outputs", name)
	}
	f2, err := os.Open(filepath.Join(dir, "image.png"))
	require.NoError(t, err)
	defer func() { _ = f2.Close() }()
	decoded, err := png.Decode(f2)
	require.NoError(t, err)
	require.Equal(t, 200, decoded.Bounds().Dx())
}

func TestCollectProthWritesPrimes(t *testing.T) {
	ex := catalog.Programs["proth"]
	p := proth.Params{N: 31, KStart: 1, KPerItem: 8}
	s, err := kinds.ParseWasmSpec((&kinds.WasmSpec{Program: ex.ID(), Params: p.Encode(), FuelLimit: 4_000_000, MemoryPages: 16, MaxOutputBytes: 16383}).Encode(), 6)
	require.NoError(t, err)
	f := newFakeChain(9, kinds.WasmKindName, string(s.Encode()), 6, 4)
	dir := t.TempDir()
	c, err := New(Config{JobID: 9, OutDir: dir, Query: f, PollInterval: 5e6})
	require.NoError(t, err)
	outputs := runProgram(t, 9, ex.Wasm, s, nil)
	url, done := serve(t, c)
	require.NoError(t, collectAll(t, f, url, done, outputs))

	summary, err := proth.Reduce(p, outputs)
	require.NoError(t, err)
	var got struct {
		K      []uint64 `json:"k"`
		Primes []string `json:"primes"`
	}
	readJSONFile(t, filepath.Join(dir, "primes.json"), &got)
	require.NotEmpty(t, summary.Ks)
	require.Equal(t, summary.Ks, got.K)
	require.Equal(t, summary.Primes(), got.Primes)
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, v))
}

package keeper_test

import (
	"bytes"
	"crypto/sha256"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// BenchmarkProofVerification measures what SubmitProof does per proof of k = 16
// samples from a 1,024-item task — the Merkle multi-proof plus the kind's
// re-verification — and reports, side by side for every kind, the gas the keeper
// charges and the work the kinds measure: ns/gas (the whole proof) and ns/work
// (the kind's re-execution alone). Both should be 1–2 ns and within 2× of each
// other across kinds (design note G1, G2); docs/benchmarks.md records a run
// (`make bench`).
func BenchmarkProofVerification(b *testing.B) {
	cases := []struct {
		name, kind, spec string
		items            uint64
	}{
		{"hashcash-d16", "hashcash", `{"difficulty_bits":16}`, 1024},
		{"mandelbrot-256x1024-i256", "mandelbrot", `{"width":256,"height":1024,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":256}`, 1024},
		// Every pixel in the set: iterations dominate.
		{"mandelbrot-interior-64x1024-i2000", "mandelbrot", `{"width":64,"height":1024,"center_re":"-0.1","center_im":"0","scale":"0.1","max_iter":2000}`, 1024},
		// Every pixel outside |c| <= 2: only the per-pixel work.
		{"mandelbrot-outside-4096x1024", "mandelbrot", `{"width":4096,"height":1024,"center_re":"3.5","center_im":"3.5","scale":"0.5","max_iter":65535}`, 1024},
	}
	for _, c := range cases {
		spec, err := kinds.DefaultRegistry().Parse(c.kind, []byte(c.spec), c.items)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) { benchProof(b, spec, c.items, nil, nil) })
	}
	// The example programs (kind wasm), each on the keeper's engine with the default
	// gas_per_kilofuel; the sampled items' inputs, where the job has them, are proved
	// against the input root as SubmitProof does.
	engine := program.NewEngine(program.EngineConfig{CacheEntries: keeper.ProgramCacheEntries})
	defer func() { _ = engine.Close() }()
	tileInputs := benchTiles(b, 32) // 35 tiles of 32x32 and their halo
	mc, err := montecarlo.Option{Spot: 100, Strike: 105, Rate: 0.05, Volatility: 0.2, Maturity: 1, Steps: 252, PathsPerItem: 16, Style: montecarlo.Asian}.Params()
	if err != nil {
		b.Fatal(err)
	}
	tiny, err := montecarlo.Option{Spot: 100, Strike: 105, Rate: 0.05, Volatility: 0.2, Maturity: 1, Steps: 1, PathsPerItem: 1}.Params()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		code   []byte
		params []byte
		items  uint64
		inputs [][]byte
	}{
		{"wasm-proth-127-16k", proth.Wasm, proth.Params{N: 127, KStart: 3, KPerItem: 16}.Encode(), 64, nil},
		{"wasm-montecarlo-asian-16x252", montecarlo.Wasm, mc.Encode(), 64, nil},
		{"wasm-tiles-edges-32x32", tiles.Wasm, tiles.Params{Filter: tiles.Edges}.Encode(), uint64(len(tileInputs)), tileInputs},
		// An item of almost no fuel: the fresh instance is the work.
		{"wasm-montecarlo-1x1", montecarlo.Wasm, tiny.Encode(), 64, nil},
	} {
		ws := &kinds.WasmSpec{Program: sha256.Sum256(c.code), Params: c.params, FuelLimit: 100_000_000, MemoryPages: 16, MaxOutputBytes: 64 << 10}
		if c.inputs != nil {
			ws.HasInputRoot, ws.InputsURL = true, "https://inputs.example/job"
			if ws.InputRoot, err = merkle.InputRoot(c.inputs); err != nil {
				b.Fatal(err)
			}
		}
		parsed, err := kinds.ParseWasmSpec(ws.Encode(), c.items)
		if err != nil {
			b.Fatal(err)
		}
		params := types.DefaultParams()
		spec := parsed.Bind(c.code, engine, params.GasPerKilofuel)
		b.Run(c.name, func(b *testing.B) { benchProof(b, spec, c.items, parsed, c.inputs) })
	}
}

// benchTiles cuts the tiles example's sample image into tile x tile inputs.
func benchTiles(b *testing.B, tile int) [][]byte {
	b.Helper()
	f, err := os.ReadFile("../../../pkg/examples/tiles/testdata/sample.png")
	if err != nil {
		b.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(f))
	if err != nil {
		b.Fatal(err)
	}
	_, inputs, err := tiles.Split(img, tile)
	if err != nil {
		b.Fatal(err)
	}
	return inputs
}

// benchProof verifies one proof of k = 16 samples of spec's n items per iteration and
// reports gas/proof, ns/gas and ns/work. wasm and inputs are set for a wasm job with
// an input root: the inputs' multi-proof is verified and charged too.
func benchProof(b *testing.B, spec kinds.Spec, n uint64, wasm *kinds.WasmSpec, inputs [][]byte) {
	const k, jobID = 16, 1
	var err error
	outputs := make([][]byte, n)
	leaves := make([][32]byte, n)
	for i := range n {
		it := kinds.Item{JobID: jobID, Index: i}
		if inputs != nil {
			it.Input = inputs[i]
		}
		if outputs[i], _, err = spec.ComputeOutput(it); err != nil {
			b.Fatal(err)
		}
		leaves[i] = merkle.LeafHash(jobID, i, outputs[i])
	}
	tree, err := merkle.NewTree(leaves)
	if err != nil {
		b.Fatal(err)
	}
	root := tree.Root()
	indices := keeper.SampleIndices([32]byte{7}, 0, n, k)
	nodes, err := tree.MultiProof(indices)
	if err != nil {
		b.Fatal(err)
	}
	items := make([]types.ChallengeItem, k)
	for i, idx := range indices {
		items[i] = types.ChallengeItem{Index: idx, Output: outputs[idx]}
		if inputs != nil {
			items[i].Input = inputs[idx]
		}
	}
	nodeBytes := make([][]byte, len(nodes))
	for i := range nodes {
		nodeBytes[i] = nodes[i][:]
	}
	var inputNodes [][]byte
	if inputs != nil {
		inLeaves := make([][32]byte, len(inputs))
		for i, in := range inputs {
			inLeaves[i] = merkle.InputLeafHash(uint64(i), in)
		}
		inTree, err := merkle.NewTree(inLeaves)
		if err != nil {
			b.Fatal(err)
		}
		path, err := inTree.MultiProof(indices)
		if err != nil {
			b.Fatal(err)
		}
		for i := range path {
			inputNodes = append(inputNodes, path[i][:])
		}
	}
	inputGas, err := keeper.CheckProofInputs(wasm, types.DefaultParams(), items, inputNodes)
	if err != nil {
		b.Fatal(err)
	}
	sampled := make([][32]byte, k)
	var work uint64
	var kindTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		if err := keeper.VerifyProofInputs(wasm, items, inputNodes); err != nil {
			b.Fatal(err)
		}
		for i, idx := range indices {
			sampled[i] = merkle.LeafHash(jobID, idx, outputs[idx])
		}
		if err := merkle.VerifyMultiProof(root, indices, sampled, n, nodes); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		work = 0
		for _, it := range items {
			w, err := spec.VerifyOutput(kinds.Item{JobID: jobID, Index: it.Index, Input: it.Input}, it.Output)
			if err != nil {
				b.Fatal(err)
			}
			work += w
		}
		kindTime += time.Since(start)
	}
	// What SubmitProof charges (keeper/proofs.go): hashing plus measured work.
	gas := keeper.ProofHashGas(items, nodeBytes) + inputGas + work
	perProof := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(gas), "gas/proof")
	b.ReportMetric(perProof/float64(gas), "ns/gas")
	b.ReportMetric(float64(kindTime.Nanoseconds())/float64(b.N)/float64(work), "ns/work")
}

package keeper_test

import (
	"testing"
	"time"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
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
	const k = 16
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			spec, err := kinds.DefaultRegistry().Parse(c.kind, []byte(c.spec), c.items)
			if err != nil {
				b.Fatal(err)
			}
			const jobID = 1
			outputs := make([][]byte, c.items)
			leaves := make([][32]byte, c.items)
			for i := range c.items {
				if outputs[i], _, err = spec.ComputeOutput(kinds.Item{JobID: jobID, Index: i}); err != nil {
					b.Fatal(err)
				}
				leaves[i] = merkle.LeafHash(jobID, i, outputs[i])
			}
			tree, err := merkle.NewTree(leaves)
			if err != nil {
				b.Fatal(err)
			}
			root := tree.Root()
			indices := keeper.SampleIndices([32]byte{7}, 0, c.items, k)
			nodes, err := tree.MultiProof(indices)
			if err != nil {
				b.Fatal(err)
			}
			items := make([]types.ChallengeItem, k)
			for i, idx := range indices {
				items[i] = types.ChallengeItem{Index: idx, Output: outputs[idx]}
			}
			nodeBytes := make([][]byte, len(nodes))
			for i := range nodes {
				nodeBytes[i] = nodes[i][:]
			}
			sampled := make([][32]byte, k)
			var work uint64
			var kindTime time.Duration
			b.ResetTimer()
			for b.Loop() {
				for i, idx := range indices {
					sampled[i] = merkle.LeafHash(jobID, idx, outputs[idx])
				}
				if err := merkle.VerifyMultiProof(root, indices, sampled, c.items, nodes); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				work = 0
				for _, idx := range indices {
					w, err := spec.VerifyOutput(kinds.Item{JobID: jobID, Index: idx}, outputs[idx])
					if err != nil {
						b.Fatal(err)
					}
					work += w
				}
				kindTime += time.Since(start)
			}
			// What SubmitProof charges (keeper/proofs.go): hashing plus measured work.
			gas := keeper.ProofHashGas(items, nodeBytes) + work
			perProof := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(gas), "gas/proof")
			b.ReportMetric(perProof/float64(gas), "ns/gas")
			b.ReportMetric(float64(kindTime.Nanoseconds())/float64(b.N)/float64(work), "ns/work")
		})
	}
}

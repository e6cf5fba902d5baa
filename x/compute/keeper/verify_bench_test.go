package keeper_test

import (
	"testing"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

// BenchmarkProofVerification measures what SubmitProof does per proof of k = 16
// samples from a 1,024-item task — the Merkle multi-proof plus the kind's
// re-verification — and reports the gas the keeper charges for it, so ns/gas
// can be compared with the SDK's own pricing.
func BenchmarkProofVerification(b *testing.B) {
	cases := []struct {
		name, kind, spec string
		items            uint64
	}{
		{"hashcash-d16", "hashcash", `{"difficulty_bits":16}`, 1024},
		{"mandelbrot-256x1024-i256", "mandelbrot", `{"width":256,"height":1024,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":256}`, 1024},
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
				if outputs[i], err = spec.ComputeOutput(jobID, i); err != nil {
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
			// What SubmitProof charges (keeper/proofs.go).
			gas := k*spec.VerifyGas() + keeper.HashGas*uint64(2*k+len(nodes))
			sampled := make([][32]byte, k)
			b.ResetTimer()
			for b.Loop() {
				for i, idx := range indices {
					sampled[i] = merkle.LeafHash(jobID, idx, outputs[idx])
				}
				if err := merkle.VerifyMultiProof(root, indices, sampled, c.items, nodes); err != nil {
					b.Fatal(err)
				}
				for _, idx := range indices {
					if err := spec.VerifyOutput(jobID, idx, outputs[idx]); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(gas), "gas/proof")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(gas), "ns/gas")
			b.ReportMetric(float64(spec.UnitsPerItem()*c.items), "work-units/proof")
		})
	}
}

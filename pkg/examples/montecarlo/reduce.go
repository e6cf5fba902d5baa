package montecarlo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/nightshift-network/nightshift/pkg/examples"
)

// OutputLen is the size of one item's output: u64 paths, u128 sum of discounted
// payoffs (Q32), u128 sum of their squares (Q64), little-endian (low word first).
const OutputLen = 40

// Output is one item's decoded output.
type Output struct {
	Paths      uint64
	Sum, SumSq *big.Int
}

// DecodeOutput parses one item's output (the payload after the ABI status byte).
func DecodeOutput(b []byte) (Output, error) {
	if len(b) != OutputLen {
		return Output{}, fmt.Errorf("montecarlo output is %d bytes, got %d", OutputLen, len(b))
	}
	u128 := func(off int) *big.Int {
		hi := new(big.Int).SetUint64(binary.LittleEndian.Uint64(b[off+8:]))
		return hi.Lsh(hi, 64).Or(hi, new(big.Int).SetUint64(binary.LittleEndian.Uint64(b[off:])))
	}
	return Output{Paths: binary.LittleEndian.Uint64(b), Sum: u128(8), SumSq: u128(24)}, nil
}

// Estimate is the option's price from all paths: the mean discounted payoff and
// its standard error (sample standard deviation / √paths).
type Estimate struct {
	Paths         uint64
	Price, StdErr float64
	examples.Tally
}

// Reduce sums the items' exact integer moments (math/big, no rounding) and only
// then converts to floating point.
func Reduce(p Params, recorded [][]byte) (Estimate, error) {
	payloads, tally, err := examples.Payloads(recorded)
	if err != nil {
		return Estimate{}, err
	}
	sum, sumSq := new(big.Int), new(big.Int)
	var paths uint64
	for item, b := range payloads {
		if b == nil {
			continue
		}
		o, err := DecodeOutput(b)
		if err != nil {
			return Estimate{}, fmt.Errorf("item %d: %w", item, err)
		}
		if o.Paths != uint64(p.PathsPerItem) {
			return Estimate{}, fmt.Errorf("item %d simulated %d paths, params say %d", item, o.Paths, p.PathsPerItem)
		}
		paths += o.Paths
		sum.Add(sum, o.Sum)
		sumSq.Add(sumSq, o.SumSq)
	}
	if paths < 2 {
		return Estimate{}, errors.New("fewer than two paths: no estimate")
	}
	n := new(big.Float).SetUint64(paths)
	mean, _ := new(big.Float).Quo(new(big.Float).SetInt(sum), n).Float64()
	meanSq, _ := new(big.Float).Quo(new(big.Float).SetInt(sumSq), n).Float64()
	mean /= One
	meanSq /= One * One
	variance := (meanSq - mean*mean) * float64(paths) / float64(paths-1)
	return Estimate{Paths: paths, Price: mean, StdErr: math.Sqrt(math.Max(variance, 0) / float64(paths)), Tally: tally}, nil
}

package proth

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/nightshift-network/nightshift/pkg/examples"
)

// Output is one item's decoded output. Layout (little-endian): u32 tested,
// u32 primes, u32 undecided, u64 digest, then primes × u64 k.
type Output struct {
	Tested    uint32
	Undecided uint32
	// Digest folds every candidate's residue r (the low 64 bits of
	// a^((N-1)/2) mod N, or 0 when no exponentiation was done):
	// d = (d XOR r) * 0x100000001B3 mod 2^64. It depends on the job through the
	// bases, so it binds the output to the job as PrimeGrid's residues do.
	Digest uint64
	Ks     []uint64 // the k whose k*2^n+1 is prime, increasing
}

// DecodeOutput parses one item's output (the payload after the ABI status byte).
func DecodeOutput(b []byte) (Output, error) {
	if len(b) < 20 {
		return Output{}, fmt.Errorf("proth output is at least 20 bytes, got %d", len(b))
	}
	o := Output{
		Tested:    binary.LittleEndian.Uint32(b[0:]),
		Undecided: binary.LittleEndian.Uint32(b[8:]),
		Digest:    binary.LittleEndian.Uint64(b[12:]),
	}
	primes := binary.LittleEndian.Uint32(b[4:])
	if uint64(len(b)) != 20+8*uint64(primes) {
		return Output{}, fmt.Errorf("proth output claims %d primes in %d bytes", primes, len(b))
	}
	for i := range primes {
		o.Ks = append(o.Ks, binary.LittleEndian.Uint64(b[20+8*i:]))
	}
	if !slices.IsSorted(o.Ks) || uint32(len(o.Ks))+o.Undecided > o.Tested {
		return Output{}, fmt.Errorf("proth output is inconsistent: %d primes and %d undecided of %d tested", primes, o.Undecided, o.Tested)
	}
	return o, nil
}

// Summary is a job's result: every prime found, in increasing k.
type Summary struct {
	N         uint32
	Tested    uint64
	Undecided uint64
	Ks        []uint64
	examples.Tally
}

// Reduce assembles a job's recorded outputs (item-indexed, nil when missing).
func Reduce(p Params, recorded [][]byte) (Summary, error) {
	payloads, tally, err := examples.Payloads(recorded)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{N: p.N, Tally: tally}
	for item, b := range payloads {
		if b == nil {
			continue
		}
		o, err := DecodeOutput(b)
		if err != nil {
			return Summary{}, fmt.Errorf("item %d: %w", item, err)
		}
		if o.Tested != p.KPerItem {
			return Summary{}, fmt.Errorf("item %d tested %d candidates, params say %d", item, o.Tested, p.KPerItem)
		}
		s.Tested += uint64(o.Tested)
		s.Undecided += uint64(o.Undecided)
		s.Ks = append(s.Ks, o.Ks...)
	}
	return s, nil
}

// Primes formats the primes found as "k*2^n+1".
func (s Summary) Primes() []string {
	out := make([]string, len(s.Ks))
	for i, k := range s.Ks {
		out[i] = fmt.Sprintf("%d*2^%d+1", k, s.N)
	}
	return out
}

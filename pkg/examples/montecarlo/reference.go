package montecarlo

import (
	"encoding/binary"
	"math/bits"
)

// The native reference mirrors src/lib.rs operation for operation, so its output
// bytes equal the program's and the benchmark compares like with like.

const golden = 0x9E3779B97F4A7C15

func splitmix64(x uint64) uint64 {
	z := x + golden
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// xoshiro256 is xoshiro256**, seeded from z = splitmix64(jobID) ^ item with
// s[i] = splitmix64(z + i*golden).
type xoshiro256 [4]uint64

func newXoshiro256(jobID, item uint64) xoshiro256 {
	var s xoshiro256
	z := splitmix64(jobID) ^ item
	for i := range s {
		s[i] = splitmix64(z)
		z += golden
	}
	return s
}

func (s *xoshiro256) next() uint64 {
	result := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return result
}

// mulq32 is floor(a*b / 2^32) mod 2^64.
func mulq32(a, b uint64) uint64 {
	ah, al := a>>32, a&0xFFFFFFFF
	bh, bl := b>>32, b&0xFFFFFFFF
	return ah*bh<<32 + ah*bl + al*bh + (al*bl)>>32
}

// Reference computes item's output natively, as the program does; false where the
// program traps.
func Reference(jobID, item uint64, p Params) ([]byte, bool) {
	if p.Steps < 1 || p.Steps > MaxSteps || p.PathsPerItem < 1 || p.PathsPerItem > MaxPaths || p.Style > Asian {
		return nil, false
	}
	rng := newXoshiro256(jobID, item)
	var sumLo, sumHi, sqLo, sqHi, carry uint64
	for range p.PathsPerItem {
		price, total, word := p.Spot, uint64(0), uint64(0)
		for t := range p.Steps {
			if t%64 == 0 {
				word = rng.next()
			}
			if word&1 == 1 {
				price = mulq32(price, p.Up)
			} else {
				price = mulq32(price, p.Down)
			}
			word >>= 1
			total += price
		}
		underlying := price
		if p.Style == Asian {
			underlying = total / uint64(p.Steps)
		}
		var payoff uint64
		if underlying > p.Strike {
			payoff = underlying - p.Strike
		}
		pv := mulq32(payoff, p.Discount)
		sumLo, carry = bits.Add64(sumLo, pv, 0)
		sumHi += carry
		hi, lo := bits.Mul64(pv, pv)
		sqLo, carry = bits.Add64(sqLo, lo, 0)
		sqHi += hi + carry
	}
	out := make([]byte, 0, OutputLen)
	for _, v := range []uint64{uint64(p.PathsPerItem), sumLo, sumHi, sqLo, sqHi} {
		out = binary.LittleEndian.AppendUint64(out, v)
	}
	return out, true
}

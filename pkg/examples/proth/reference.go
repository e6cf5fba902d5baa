package proth

import (
	"encoding/binary"
	"math/bits"
)

// The native reference mirrors src/proth.c operation for operation (Montgomery on
// 32-bit limbs, the same base choice and residue digest), so its output bytes equal
// the program's and the benchmark compares like with like.

const maxLimbs = MaxBits / 32

type verdict int

const (
	composite verdict = iota
	prime
	undecided
)

type modulus struct {
	limbs uint32
	n0inv uint32
	n     [maxLimbs]uint32
	r2    [maxLimbs]uint32
}

func splitmix64(x uint64) uint64 {
	z := x + 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (m *modulus) setCandidate(k uint64, n uint32) {
	m.limbs = (uint32(bits.Len64(k)) + n + 31) / 32
	m.n = [maxLimbs]uint32{}
	w, s := n/32, n%32
	lo := k << s
	var carry uint32
	if s != 0 {
		carry = uint32(k >> (64 - s))
	}
	m.n[w] = uint32(lo)
	if w+1 < maxLimbs {
		m.n[w+1] = uint32(lo >> 32)
	}
	if w+2 < maxLimbs {
		m.n[w+2] = carry
	}
	m.n[0] |= 1
}

func geq(a, n []uint32) bool {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] != n[i] {
			return a[i] > n[i]
		}
	}
	return true
}

func subInPlace(a, n []uint32) {
	var borrow uint32
	for i := range a {
		a[i], borrow = bits.Sub32(a[i], n[i], borrow)
	}
}

func (m *modulus) prepare() {
	L := m.limbs
	n0 := m.n[0]
	inv := n0
	for range 5 {
		inv *= 2 - n0*inv
	}
	m.n0inv = -inv
	m.r2 = [maxLimbs]uint32{}
	r, n := m.r2[:L], m.n[:L]
	r[0] = 1
	for range 64 * L {
		top := r[L-1] >> 31
		for i := L - 1; i >= 1; i-- {
			r[i] = r[i]<<1 | r[i-1]>>31
		}
		r[0] <<= 1
		if top != 0 || geq(r, n) {
			subInPlace(r, n)
		}
	}
}

// montmul sets out = a*b/R mod n; out may alias a or b (as proth.c: one pass per
// word of b, multiply and reduction interleaved with two carries). proth.c does the
// same operations in the same order, with its inner loop unrolled per limb count
// (montmul_fixed): an unrolling that Go's compiler does not do, so the benchmark's
// ratio (docs/benchmarks.md) compares two compilers on one algorithm.
func (m *modulus) montmul(out, a, b []uint32) {
	L := m.limbs
	var t [maxLimbs + 1]uint32
	n := m.n[:L]
	for i := range L {
		bi := uint64(b[i])
		c1 := uint64(t[0]) + uint64(a[0])*bi
		mi := uint64(uint32(c1) * m.n0inv)
		c2 := uint64(uint32(c1)) + mi*uint64(n[0])
		for j := uint32(1); j < L; j++ {
			c1 = uint64(t[j]) + uint64(a[j])*bi + c1>>32
			c2 = uint64(uint32(c1)) + mi*uint64(n[j]) + c2>>32
			t[j-1] = uint32(c2)
		}
		c1 = uint64(t[L]) + c1>>32
		c2 = uint64(uint32(c1)) + c2>>32
		t[L-1] = uint32(c2)
		t[L] = uint32(c1>>32) + uint32(c2>>32)
	}
	if t[L] != 0 || geq(t[:L], n) {
		subInPlace(t[:L], n)
	}
	copy(out[:L], t[:L])
}

func (m *modulus) modSmall(a uint32) uint32 {
	var r uint64
	for i := int(m.limbs) - 1; i >= 0; i-- {
		r = (r<<32 | uint64(m.n[i])) % uint64(a)
	}
	return uint32(r)
}

func jacobiU32(a, n uint32) int {
	res := 1
	a %= n
	for a != 0 {
		for a&1 == 0 {
			a >>= 1
			if r := n & 7; r == 3 || r == 5 {
				res = -res
			}
		}
		a, n = n, a
		if a&3 == 3 && n&3 == 3 {
			res = -res
		}
		a %= n
	}
	if n == 1 {
		return res
	}
	return 0
}

func (m *modulus) jacobi(a uint32) int {
	res := 1
	low := m.n[0]
	for a != 0 && a&1 == 0 {
		a >>= 1
		if r := low & 7; r == 3 || r == 5 {
			res = -res
		}
	}
	if a == 0 {
		return 0
	}
	if a&3 == 3 && low&3 == 3 {
		res = -res
	}
	return res * jacobiU32(m.modSmall(a), a)
}

func (m *modulus) atMost(a uint32) bool {
	for i := uint32(1); i < m.limbs; i++ {
		if m.n[i] != 0 {
			return false
		}
	}
	return m.n[0] <= a
}

func prothTest(jobID, k uint64, n uint32, m *modulus) (verdict, uint64) {
	m.setCandidate(k, n)
	a := 3 + uint32(splitmix64(jobID^splitmix64(k))&0xFFFF)
	found := false
	for range maxBaseTrys {
		j := m.jacobi(a)
		if j == -1 {
			found = true
			break
		}
		if j == 0 && !m.atMost(a) {
			return composite, 0
		}
		a++
	}
	if !found {
		return undecided, 0
	}
	m.prepare()
	L := m.limbs
	var xa, ya, onea [maxLimbs]uint32
	x, y, one := xa[:L], ya[:L], onea[:L]
	x[0], one[0] = a, 1
	m.montmul(x, x, m.r2[:L])
	copy(y, x)
	for b := bits.Len64(k) - 2; b >= 0; b-- {
		m.montmul(y, y, y)
		if (k>>b)&1 == 1 {
			m.montmul(y, y, x)
		}
	}
	for s := uint32(1); s < n; s++ {
		m.montmul(y, y, y)
	}
	m.montmul(y, y, one)
	residue := uint64(y[0])
	if L > 1 {
		residue |= uint64(y[1]) << 32
	}
	if y[0] != m.n[0]^1 {
		return composite, residue
	}
	for i := uint32(1); i < L; i++ {
		if y[i] != m.n[i] {
			return composite, residue
		}
	}
	return prime, residue
}

// Reference computes item's output natively, as the program does. It returns
// false where the program traps (params that Check refuses for a job with more
// than item items).
func Reference(jobID, item uint64, p Params) ([]byte, bool) {
	if p.Check(item+1) != nil {
		return nil, false
	}
	out := make([]byte, 20, 20+8*int(p.KPerItem))
	var m modulus
	var primes, undec uint32
	var digest uint64
	for j := range p.KPerItem {
		k := p.K(item, j)
		v, residue := prothTest(jobID, k, p.N, &m)
		digest = (digest ^ residue) * 0x100000001B3
		switch v {
		case prime:
			out = binary.LittleEndian.AppendUint64(out, k)
			primes++
		case undecided:
			undec++
		}
	}
	binary.LittleEndian.PutUint32(out[0:], p.KPerItem)
	binary.LittleEndian.PutUint32(out[4:], primes)
	binary.LittleEndian.PutUint32(out[8:], undec)
	binary.LittleEndian.PutUint64(out[12:], digest)
	return out, true
}

package proth

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// ParamsLen is the size of the encoded params.
const ParamsLen = 16

// Limits the program enforces (it traps beyond them).
const (
	MaxBits     = 1024    // bits of N = k*2^n+1 (32 limbs of 32 bits)
	MaxPerItem  = 1 << 16 // odd k per item (the output, 8 bytes a prime, fits in 16 pages)
	MaxItems    = 1 << 40
	maxBaseTrys = 1024 // bases tried for a quadratic non-residue before "undecided"
)

// Params select the candidates: item i tests N = k*2^N+1 for the KPerItem odd k
// starting at KStart + 2*i*KPerItem.
//
// Encoding (16 bytes, little-endian): u32 N, u64 KStart, u32 KPerItem.
type Params struct {
	N        uint32
	KStart   uint64
	KPerItem uint32
}

// Encode returns the params as the program reads them.
func (p Params) Encode() []byte {
	b := make([]byte, ParamsLen)
	binary.LittleEndian.PutUint32(b[0:], p.N)
	binary.LittleEndian.PutUint64(b[4:], p.KStart)
	binary.LittleEndian.PutUint32(b[12:], p.KPerItem)
	return b
}

// DecodeParams parses encoded params (it does not check them; see Check).
func DecodeParams(b []byte) (Params, error) {
	if len(b) != ParamsLen {
		return Params{}, fmt.Errorf("proth params are %d bytes, got %d", ParamsLen, len(b))
	}
	return Params{
		N:        binary.LittleEndian.Uint32(b[0:]),
		KStart:   binary.LittleEndian.Uint64(b[4:]),
		KPerItem: binary.LittleEndian.Uint32(b[12:]),
	}, nil
}

// K returns the j-th k of item i.
func (p Params) K(item uint64, j uint32) uint64 {
	return p.KStart + 2*(item*uint64(p.KPerItem)+uint64(j))
}

// Check refuses params that would make items trap, for a job of the given items:
// n >= 1, odd k_start, 1 <= k_per_item <= 2^20, the last k without wrap-around,
// k < 2^n (Proth's theorem) and N within MaxBits.
func (p Params) Check(items uint64) error {
	switch {
	case items == 0:
		return errors.New("a job needs at least one item")
	case items > MaxItems:
		return fmt.Errorf("at most %d items", uint64(MaxItems))
	case p.N < 1:
		return errors.New("n must be at least 1")
	case p.KStart%2 == 0:
		return errors.New("k_start must be odd (an even k is k/2 with n+1)")
	case p.KPerItem < 1 || p.KPerItem > MaxPerItem:
		return fmt.Errorf("k_per_item must be in [1, %d]", MaxPerItem)
	}
	last := items*uint64(p.KPerItem) - 1
	if last > (^uint64(0)-p.KStart)/2 {
		return errors.New("the last k overflows 64 bits")
	}
	kLast := p.KStart + 2*last
	if uint64(bits.Len64(kLast))+uint64(p.N) > MaxBits {
		return fmt.Errorf("k*2^n+1 exceeds %d bits", MaxBits)
	}
	if p.N < 64 && kLast>>p.N != 0 {
		return fmt.Errorf("k must be below 2^n (Proth's theorem): the last k is %d, 2^%d = %d", kLast, p.N, uint64(1)<<p.N)
	}
	return nil
}

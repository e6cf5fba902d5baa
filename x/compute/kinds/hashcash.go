package kinds

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

const (
	// HashcashMaxDifficulty bounds difficulty_bits. At 32 an item takes 2^32
	// hashes on average (minutes on one core), which is as much as one item should
	// be; it also keeps units per item (2^32) far from overflowing when multiplied
	// by item counts, and the check reads only the digest's first word.
	HashcashMaxDifficulty = 32
	// HashcashVerifyGas is the gas for checking one hashcash output: one SHA-256
	// over 24 bytes, comparable to the SDK's flat cost of a store read.
	HashcashVerifyGas = 1000
	// HashcashOutputSize is the length of a hashcash output: one big-endian nonce.
	HashcashOutputSize = 8
)

// Hashcash is pure proof of work: item i's output is a nonce such that
// sha256(job_id ‖ i ‖ nonce), all 8-byte big-endian, starts with at least
// difficulty_bits zero bits. Spec: {"difficulty_bits": D}, 1 <= D <= 32.
//
// Any qualifying nonce verifies; workers return the smallest, so honest workers
// agree. Checking is O(1); finding takes 2^D hashes on average.
type Hashcash struct{}

// Name returns "hashcash".
func (Hashcash) Name() string { return "hashcash" }

// Parse implements Kind.
func (Hashcash) Parse(spec []byte, items uint64) (Spec, error) {
	s, err := ParseHashcashSpec(spec, items)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// HashcashSpec is a parsed hashcash spec.
type HashcashSpec struct {
	difficulty uint
	items      uint64
}

// ParseHashcashSpec parses a hashcash spec for a job of items items.
func ParseHashcashSpec(spec []byte, items uint64) (*HashcashSpec, error) {
	var d uint64
	if err := decodeSpec("hashcash", spec, []specField{{name: "difficulty_bits", uint: &d}}); err != nil {
		return nil, err
	}
	if d < 1 || d > HashcashMaxDifficulty {
		return nil, fmt.Errorf("%w: hashcash: difficulty_bits %d out of range [1, %d]", ErrInvalidSpec, d, HashcashMaxDifficulty)
	}
	if items == 0 {
		return nil, fmt.Errorf("%w: hashcash: a job needs at least one item", ErrInvalidSpec)
	}
	return &HashcashSpec{difficulty: uint(d), items: items}, nil
}

// DifficultyBits returns the required number of leading zero bits.
func (s *HashcashSpec) DifficultyBits() uint { return s.difficulty }

// UnitsPerItem returns 2^difficulty_bits, the expected number of hashes per item.
func (s *HashcashSpec) UnitsPerItem() uint64 { return 1 << s.difficulty }

// VerifyGas returns HashcashVerifyGas.
func (s *HashcashSpec) VerifyGas() uint64 { return HashcashVerifyGas }

// ComputeOutput returns the smallest qualifying nonce for the item.
func (s *HashcashSpec) ComputeOutput(jobID, index uint64) ([]byte, error) {
	if err := checkIndex(index, s.items); err != nil {
		return nil, err
	}
	nonce, found := HashcashSearch(jobID, index, s.difficulty, 0, math.MaxUint64)
	if !found && !HashcashNonceValid(jobID, index, math.MaxUint64, s.difficulty) {
		// All 2^64 nonces fail: at D <= 32 this does not happen.
		return nil, fmt.Errorf("hashcash: no nonce for job %d item %d", jobID, index)
	}
	if !found {
		nonce = math.MaxUint64
	}
	return binary.BigEndian.AppendUint64(nil, nonce), nil
}

// VerifyOutput checks that output is an 8-byte nonce meeting the difficulty.
func (s *HashcashSpec) VerifyOutput(jobID, index uint64, output []byte) error {
	if err := checkIndex(index, s.items); err != nil {
		return err
	}
	if len(output) != HashcashOutputSize {
		return fmt.Errorf("%w: hashcash: output of %d bytes, want %d", ErrInvalidOutput, len(output), HashcashOutputSize)
	}
	nonce := binary.BigEndian.Uint64(output)
	if !HashcashNonceValid(jobID, index, nonce, s.difficulty) {
		return fmt.Errorf("%w: hashcash: nonce %d has fewer than %d leading zero bits", ErrInvalidOutput, nonce, s.difficulty)
	}
	return nil
}

// HashcashDigest returns sha256(jobID ‖ index ‖ nonce), each 8 bytes big-endian.
func HashcashDigest(jobID, index, nonce uint64) [32]byte {
	var buf [24]byte
	binary.BigEndian.PutUint64(buf[0:8], jobID)
	binary.BigEndian.PutUint64(buf[8:16], index)
	binary.BigEndian.PutUint64(buf[16:24], nonce)
	return sha256.Sum256(buf[:])
}

// HashcashNonceValid reports whether the digest of nonce for the item has at least
// difficulty leading zero bits. Any difficulty is accepted; above 256 nothing is.
func HashcashNonceValid(jobID, index, nonce uint64, difficulty uint) bool {
	h := HashcashDigest(jobID, index, nonce)
	return leadingZeroBitsAtLeast(&h, difficulty)
}

// HashcashSearch tries nonces start, start+1, … (count of them, stopping at
// math.MaxUint64 rather than wrapping) and returns the first that meets
// difficulty. Workers and benchmarks use it to search in chunks.
func HashcashSearch(jobID, index uint64, difficulty uint, start, count uint64) (nonce uint64, found bool) {
	if count == 0 {
		return 0, false
	}
	end := start + (count - 1)
	if end < start {
		end = math.MaxUint64
	}
	var buf [24]byte
	binary.BigEndian.PutUint64(buf[0:8], jobID)
	binary.BigEndian.PutUint64(buf[8:16], index)
	for nonce = start; ; nonce++ {
		binary.BigEndian.PutUint64(buf[16:24], nonce)
		h := sha256.Sum256(buf[:])
		if leadingZeroBitsAtLeast(&h, difficulty) {
			return nonce, true
		}
		if nonce == end {
			return 0, false
		}
	}
}

// leadingZeroBitsAtLeast reports whether h starts with at least d zero bits.
func leadingZeroBitsAtLeast(h *[32]byte, d uint) bool {
	if d <= 64 {
		return uint(bits.LeadingZeros64(binary.BigEndian.Uint64(h[:8]))) >= d
	}
	if d > 256 {
		return false
	}
	for i := uint(0); i < d/8; i++ {
		if h[i] != 0 {
			return false
		}
	}
	return d%8 == 0 || uint(bits.LeadingZeros8(h[d/8])) >= d%8
}

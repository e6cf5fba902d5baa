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
	// be; the check reads only the digest's first word.
	HashcashMaxDifficulty = 32
	// HashcashWork is the work, in units, of one hashcash item: what validators
	// re-execute, one SHA-256 over 24 bytes and the zero-bit check (about 100 ns
	// with SHA extensions on the bench machine, so 64 units of 1.6 ns;
	// BenchmarkWorkCalibration). The worker's search does about 2^D hashes, but
	// only the one hash of the check is work validators measure (design note
	// G1): the nonce's size proves nothing about how many were tried, since any
	// qualifying nonce verifies.
	HashcashWork = 64
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

// MaxWorkPerItem returns HashcashWork: a check is one hash whatever the nonce.
func (s *HashcashSpec) MaxWorkPerItem() uint64 { return HashcashWork }

// ComputeOutput returns the smallest qualifying nonce for the item, and
// HashcashWork, what checking it measures.
func (s *HashcashSpec) ComputeOutput(item Item) ([]byte, uint64, error) {
	if err := checkIndex(item.Index, s.items); err != nil {
		return nil, 0, err
	}
	nonce, found := HashcashSearch(item.JobID, item.Index, s.difficulty, 0, math.MaxUint64)
	if !found && !HashcashNonceValid(item.JobID, item.Index, math.MaxUint64, s.difficulty) {
		// All 2^64 nonces fail: at D <= 32 this does not happen.
		return nil, 0, fmt.Errorf("hashcash: no nonce for job %d item %d", item.JobID, item.Index)
	}
	if !found {
		nonce = math.MaxUint64
	}
	return binary.BigEndian.AppendUint64(nil, nonce), HashcashWork, nil
}

// VerifyOutput checks that output is an 8-byte nonce meeting the difficulty. The
// work is HashcashWork once the hash is computed, 0 if the output is refused
// before.
func (s *HashcashSpec) VerifyOutput(item Item, output []byte) (uint64, error) {
	if err := checkIndex(item.Index, s.items); err != nil {
		return 0, err
	}
	if len(output) != HashcashOutputSize {
		return 0, fmt.Errorf("%w: hashcash: output of %d bytes, want %d", ErrInvalidOutput, len(output), HashcashOutputSize)
	}
	nonce := binary.BigEndian.Uint64(output)
	if !HashcashNonceValid(item.JobID, item.Index, nonce, s.difficulty) {
		return HashcashWork, fmt.Errorf("%w: hashcash: nonce %d has fewer than %d leading zero bits", ErrInvalidOutput, nonce, s.difficulty)
	}
	return HashcashWork, nil
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

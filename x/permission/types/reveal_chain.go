package types

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	errorsmod "cosmossdk.io/errors"
)

const (
	// RevealSize is the size of a tip and of every reveal (a sha256 digest).
	RevealSize = sha256.Size
	// MinRevealChainLength keeps a committed chain from running out within
	// minutes (and the commit transactions from crowding blocks).
	MinRevealChainLength = 1_000
	// MaxRevealChainLength bounds the node's work to rebuild its chain from the
	// secret (one pass of 2^22 hashes, about a second) and so the chain's span:
	// about 48 days of 1 s blocks before a new commit is needed.
	MaxRevealChainLength = 1 << 22
	// MaxRevealGap bounds the hashes one reveal costs to verify: a validator
	// whose last accepted reveal is further back than this (offline for about
	// 18 hours of 1 s blocks) reveals nothing until it commits a new chain.
	MaxRevealGap = 1 << 16

	// SeedSourceVoteExtensions marks a seed combined from vote-extension reveals.
	SeedSourceVoteExtensions = "vote_extensions"
	// SeedSourceHeaderHash marks the fallback: the block's header hash.
	SeedSourceHeaderHash = "header_hash"
)

var seedDomain = []byte("nightshift/permission/seed/v1")

// RevealsTxPrefix starts the pseudo-transaction a proposer puts first in its
// block to carry the previous height's extended commit (the reveals). A
// transaction's proto encoding never starts with 0x00 (field number 0 does
// not exist), so no user transaction can pass for it. Its tx result is a
// decode error and it executes nothing; clients counting transactions skip it.
var RevealsTxPrefix = []byte("\x00nightshift/reveals/v1\x00")

// IsRevealsTx reports whether a block's transaction is the reveals pseudo-transaction.
func IsRevealsTx(tx []byte) bool { return bytes.HasPrefix(tx, RevealsTxPrefix) }

// HashChainStep is one link of a reveal chain: sha256(v).
func HashChainStep(v []byte) []byte {
	d := sha256.Sum256(v)
	return d[:]
}

// HashChainIterate applies HashChainStep n times to v.
func HashChainIterate(v []byte, n uint64) []byte {
	out := slices.Clone(v)
	for range n {
		d := sha256.Sum256(out)
		out = d[:]
	}
	return out
}

// LiveAt reports whether the chain has a value for votes at height h.
func (c RevealChain) LiveAt(h int64) bool {
	return h >= c.StartHeight && uint64(h-c.StartHeight) < c.Length
}

// VerifyReveal checks that reveal is the chain's value for votes at height h:
// hashed once per height since the last accepted reveal, it gives that reveal.
// The gap is bounded by MaxRevealGap, so verification costs at most 2^16 hashes.
func (c RevealChain) VerifyReveal(h int64, reveal []byte) error {
	if len(reveal) != RevealSize {
		return errorsmod.Wrapf(ErrInvalidReveal, "reveal of %d bytes, want %d", len(reveal), RevealSize)
	}
	if !c.LiveAt(h) {
		return errorsmod.Wrapf(ErrInvalidReveal, "chain of %s has no value for height %d (heights %d..%d)",
			c.ConsAddress, h, c.StartHeight, c.StartHeight+int64(c.Length)-1)
	}
	if h <= c.LastRevealHeight {
		return errorsmod.Wrapf(ErrInvalidReveal, "height %d is not after the last reveal's %d", h, c.LastRevealHeight)
	}
	gap := uint64(h - c.LastRevealHeight)
	if gap > MaxRevealGap {
		return errorsmod.Wrapf(ErrInvalidReveal, "%d heights since the last reveal exceed %d: commit a new chain", gap, MaxRevealGap)
	}
	if !bytes.Equal(HashChainIterate(reveal, gap), c.LastReveal) {
		return errorsmod.Wrapf(ErrInvalidReveal, "reveal for height %d does not hash to the last reveal of %s", h, c.ConsAddress)
	}
	return nil
}

// ValidateCommitment checks a tip and length before they are stored.
func ValidateCommitment(tip []byte, length uint64) error {
	if len(tip) != RevealSize {
		return errorsmod.Wrapf(ErrInvalidRevealChain, "tip of %d bytes, want %d", len(tip), RevealSize)
	}
	if length < MinRevealChainLength || length > MaxRevealChainLength {
		return errorsmod.Wrapf(ErrInvalidRevealChain, "length %d outside [%d, %d]", length, MinRevealChainLength, MaxRevealChainLength)
	}
	return nil
}

// Reveal is one validator's accepted value in a block's seed.
type Reveal struct {
	ConsAddress []byte
	Value       []byte
}

// CombineReveals is the seed of block height from the reveals its extended
// commit carries: sha256(domain ‖ height ‖ (len ‖ address ‖ value)… ) over the
// reveals sorted by consensus address. It depends on which validators revealed
// and on nothing the proposer chooses otherwise: not its transactions, their
// order, the block time or the header hash (which the proposer could grind
// after seeing the reveals).
func CombineReveals(height int64, reveals []Reveal) []byte {
	sorted := slices.Clone(reveals)
	slices.SortFunc(sorted, func(a, b Reveal) int { return bytes.Compare(a.ConsAddress, b.ConsAddress) })
	h := sha256.New()
	h.Write(seedDomain)
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(height))
	h.Write(buf[:])
	for _, r := range sorted {
		binary.BigEndian.PutUint64(buf[:], uint64(len(r.ConsAddress)))
		h.Write(buf[:])
		h.Write(r.ConsAddress)
		h.Write(r.Value)
	}
	return h.Sum(nil)
}

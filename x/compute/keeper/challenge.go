package keeper

import (
	"context"
	"cosmossdk.io/collections"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// blockHashPruneMargin keeps a few blocks of hashes beyond the longest window a
// challenge can still be answered in.
const (
	blockHashPruneMargin = 16
	// blockHashPrunePerBlock is how many stale hashes one block deletes; more than
	// one, so a backlog left by a window that shrank drains.
	blockHashPrunePerBlock = 4
)

var challengeDomain = []byte("nightshift/compute/challenge/v1")

// SetSeedSource makes the block seed come from seeds (the app passes
// x/permission, which combines validators' vote-extension reveals); without
// one, or when it has no seed for the block, the seed is the header hash.
func (k *Keeper) SetSeedSource(seeds types.SeedSource) { k.seeds = seeds }

// blockSeed is the value this block's challenges derive from: the seed
// source's when it has one for the block, else the header hash (which the
// block's proposer can grind; see the README's Soundness).
func (k *Keeper) blockSeed(ctx context.Context) ([]byte, error) {
	if k.seeds != nil {
		seed, ok, err := k.seeds.CurrentBlockSeed(ctx)
		if err != nil || ok {
			return slices.Clone(seed), err
		}
	}
	return slices.Clone(sdk.UnwrapSDKContext(ctx).HeaderHash()), nil
}

// RecordBlockHash keeps this block's seed (blockSeed), which seeds the
// challenges of claims made challenge_delay_blocks earlier, and forgets seeds
// no open claim needs any more: older than proof_window_blocks + 16 and below
// the lowest challenge height of an open claim.
func (k *Keeper) RecordBlockHash(ctx context.Context) error {
	h := height(ctx)
	seed, err := k.blockSeed(ctx)
	if err != nil {
		return err
	}
	if err := k.BlockHashes.Set(ctx, h, seed); err != nil {
		return err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	keep := params.ProofWindowBlocks + blockHashPruneMargin
	if h <= keep {
		return nil
	}
	// A hash an open claim still needs stays until that claim is settled, even
	// if proof_window_blocks was lowered after the claim: prune only below the
	// lowest challenge height of an open claim.
	horizon := h - keep
	if err := k.ClaimsByChallenge.Walk(ctx, nil, func(key collections.Pair[uint64, TaskKey]) (bool, error) {
		horizon = min(horizon, key.K1())
		return true, nil
	}); err != nil {
		return err
	}
	var stale []uint64
	rng := new(collections.Range[uint64]).EndExclusive(horizon)
	if err := k.BlockHashes.Walk(ctx, rng, func(old uint64, _ []byte) (bool, error) {
		stale = append(stale, old)
		return len(stale) == blockHashPrunePerBlock, nil
	}); err != nil {
		return err
	}
	for _, old := range stale {
		if err := k.BlockHashes.Remove(ctx, old); err != nil {
			return err
		}
	}
	return nil
}

// ChallengeIndices returns the item indices a claimed task must prove, in
// ascending order, and whether they are fixed yet. They derive from the hash of
// block challenge_height, which did not exist when the claim was made, and from
// nothing the device controls beyond its choice to claim.
func (k *Keeper) ChallengeIndices(ctx context.Context, task types.Task) ([]uint64, bool, error) {
	if task.Status != types.TASK_STATUS_CLAIMED && task.Status != types.TASK_STATUS_VERIFIED {
		return nil, false, nil
	}
	if height(ctx) < task.ChallengeHeight {
		return nil, false, nil
	}
	blockHash, err := k.BlockHashes.Get(ctx, task.ChallengeHeight)
	if isNotFound(err) && task.Status == types.TASK_STATUS_VERIFIED {
		return nil, false, nil // long verified; the hash was pruned
	}
	if isNotFound(err) {
		return nil, false, errorsmod.Wrapf(types.ErrChallengeNotReady, "hash of block %d is not known", task.ChallengeHeight)
	}
	if err != nil {
		return nil, false, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, false, err
	}
	return SampleIndices(ChallengeSeed(blockHash, task), task.FirstItem, task.ItemCount, uint64(params.ProofSamples)), true, nil
}

// ChallengeSeed = sha256(domain ‖ block hash ‖ job ‖ task ‖ attempt ‖ device).
func ChallengeSeed(blockHash []byte, task types.Task) [32]byte {
	h := sha256.New()
	h.Write(challengeDomain)
	h.Write(blockHash)
	var buf [20]byte
	binary.BigEndian.PutUint64(buf[0:8], task.JobId)
	binary.BigEndian.PutUint64(buf[8:16], task.Index)
	binary.BigEndian.PutUint32(buf[16:20], task.Attempt)
	h.Write(buf[:])
	h.Write([]byte(task.Device))
	var seed [32]byte
	h.Sum(seed[:0])
	return seed
}

// SampleIndices draws min(k, n) distinct items of [first, first+n) from seed with
// Floyd's algorithm (exactly one draw per sample), returned in ascending order.
func SampleIndices(seed [32]byte, first, n, k uint64) []uint64 {
	if k >= n {
		out := make([]uint64, n)
		for i := range out {
			out[i] = first + uint64(i)
		}
		return out
	}
	picked := make([]uint64, 0, k)
	var buf [40]byte
	copy(buf[:32], seed[:])
	for j := n - k; j < n; j++ {
		binary.BigEndian.PutUint64(buf[32:], j)
		d := sha256.Sum256(buf[:])
		// n <= 2^16, so the modulo bias is below 2^-47.
		t := binary.BigEndian.Uint64(d[:8]) % (j + 1)
		if slices.Contains(picked, t) {
			t = j
		}
		picked = append(picked, t)
	}
	slices.Sort(picked)
	for i := range picked {
		picked[i] += first
	}
	return picked
}

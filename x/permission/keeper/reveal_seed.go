package keeper

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"slices"

	"cosmossdk.io/collections"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// RecordBlockSeed fixes the current block's seed and stores it for x/compute.
// With votes (the previous height's extended commit, which ProcessProposal
// checked for signatures and > 2/3 of the power) the seed combines every valid
// reveal among them (types.CombineReveals), each accepted reveal advances its
// chain, and each validator with a live chain but no valid reveal has a missed
// reveal counted. Without votes (vote extensions not enabled at this height,
// as in the simulation) or when no reveal is valid, the seed is the block's
// header hash, which its proposer can grind; the event says which.
// The loop is over the last commit's votes: one per validator of the set.
func (k *Keeper) RecordBlockSeed(ctx context.Context, votes []abci.ExtendedVoteInfo, fromVotes bool) (types.BlockSeed, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
	event := types.EventBlockSeed{Height: h, Missing: []string{}}
	var reveals []types.Reveal
	if fromVotes {
		var err error
		if reveals, err = k.applyReveals(ctx, h-1, votes, &event); err != nil {
			return types.BlockSeed{}, err
		}
	}
	seed := types.BlockSeed{Height: h}
	if len(reveals) > 0 {
		seed.Seed, seed.Source, seed.Revealers = types.CombineReveals(h, reveals), types.SeedSourceVoteExtensions, uint32(len(reveals))
	} else {
		seed.Seed, seed.Source = slices.Clone(sdkCtx.HeaderHash()), types.SeedSourceHeaderHash
	}
	if err := k.BlockSeed.Set(ctx, seed); err != nil {
		return types.BlockSeed{}, err
	}
	event.Source, event.Seed, event.Revealers = seed.Source, hex.EncodeToString(seed.Seed), seed.Revealers
	return seed, sdkCtx.EventManager().EmitTypedEvent(&event)
}

// applyReveals verifies the reveals of votes at height voteHeight, advances
// the chains of the valid ones and counts the missing ones. A reveal that does
// not verify (the proposer cannot forge one; it can only be stale, e.g. made
// from a chain replaced since) counts as missing, it does not fail the block.
func (k *Keeper) applyReveals(ctx context.Context, voteHeight int64, votes []abci.ExtendedVoteInfo, event *types.EventBlockSeed) ([]types.Reveal, error) {
	sorted := slices.Clone(votes)
	slices.SortFunc(sorted, func(a, b abci.ExtendedVoteInfo) int { return bytes.Compare(a.Validator.Address, b.Validator.Address) })
	var reveals []types.Reveal
	for i, v := range sorted {
		if i > 0 && bytes.Equal(v.Validator.Address, sorted[i-1].Validator.Address) {
			continue // ProcessProposal refuses duplicates; never count one twice
		}
		event.TotalPower += v.Validator.Power
		chain, err := k.RevealChains.Get(ctx, v.Validator.Address)
		if errors.Is(err, collections.ErrNotFound) {
			continue // no chain: nothing to reveal, nothing missed
		}
		if err != nil {
			return nil, err
		}
		if v.BlockIdFlag == cmtproto.BlockIDFlagCommit && chain.VerifyReveal(voteHeight, v.VoteExtension) == nil {
			chain.LastReveal, chain.LastRevealHeight = slices.Clone(v.VoteExtension), voteHeight
			chain.Revealed++
			reveals = append(reveals, types.Reveal{ConsAddress: v.Validator.Address, Value: chain.LastReveal})
			event.RevealedPower += v.Validator.Power
		} else {
			if !chain.LiveAt(voteHeight) {
				continue // run out or not started: the validator owes nothing
			}
			chain.Missed++
			event.Missing = append(event.Missing, chain.ConsAddress)
		}
		if err := k.RevealChains.Set(ctx, v.Validator.Address, chain); err != nil {
			return nil, err
		}
	}
	return reveals, nil
}

// CurrentBlockSeed returns the seed RecordBlockSeed fixed for the current
// block, and false when it fixed none (a keeper used without the app's
// PreBlocker); x/compute then falls back to the header hash itself.
func (k *Keeper) CurrentBlockSeed(ctx context.Context) ([]byte, bool, error) {
	seed, err := k.BlockSeed.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if seed.Height != sdk.UnwrapSDKContext(ctx).BlockHeight() {
		return nil, false, nil
	}
	return seed.Seed, true, nil
}

package keeper_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// testChain is a validator's secret chain as its node holds it.
type testChain struct {
	secret []byte
	length uint64
}

func newTestChain(seed string) testChain {
	return testChain{secret: types.HashChainStep([]byte(seed)), length: types.MinRevealChainLength}
}

func (c testChain) tip() []byte { return types.HashChainIterate(c.secret, c.length) }

// value is the reveal for vote height h of a chain starting at start.
func (c testChain) value(start, h int64) []byte {
	return types.HashChainIterate(c.secret, c.length-1-uint64(h-start))
}

// revealer is an approved operator with a bonded validator and a committed chain.
type revealer struct {
	operator string
	consAddr []byte
	chain    testChain
	start    int64
}

func (r revealer) vote(h int64, power int64) abci.ExtendedVoteInfo {
	return abci.ExtendedVoteInfo{
		Validator:     abci.Validator{Address: r.consAddr, Power: power},
		VoteExtension: r.chain.value(r.start, h),
		BlockIdFlag:   cmtproto.BlockIDFlagCommit,
	}
}

// addRevealer approves an operator, gives it a validator and commits a chain
// through the msg server at the fixture's height.
func (f fixture) addRevealer(t *testing.T, name string) revealer {
	t.Helper()
	op := addr(t, name)
	_, err := f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: f.authority, Operator: op})
	require.NoError(t, err)
	f.staking.add(t, accBytes(t, op), 10)
	c := newTestChain(name)
	res, err := f.msgs.CommitRevealChain(f.ctx, &types.MsgCommitRevealChain{Operator: op, Tip: c.tip(), Length: c.length})
	require.NoError(t, err)
	consAddr, err := types.ConsAddressCodec().StringToBytes(res.ConsAddress)
	require.NoError(t, err)
	return revealer{operator: op, consAddr: consAddr, chain: c, start: res.StartHeight}
}

func TestCommitRevealChain(t *testing.T) {
	f := setup(t)
	r := f.addRevealer(t, "val1")
	require.Equal(t, f.ctx.BlockHeight()+1, r.start, "a chain reveals from the next height on")
	chain, ok, err := f.k.RevealChain(f.ctx, r.consAddr)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, r.chain.tip(), chain.Tip)
	require.Equal(t, chain.Tip, chain.LastReveal, "a new chain is anchored at its tip")
	require.Equal(t, r.start-1, chain.LastRevealHeight)
	require.Equal(t, r.operator, chain.Operator)

	var committed *types.EventRevealChainCommitted
	for _, ev := range f.ctx.EventManager().Events() {
		if ev.Type == "nightshift.permission.v1.EventRevealChainCommitted" {
			msg, err := sdk.ParseTypedEvent(abci.Event(ev))
			require.NoError(t, err)
			committed = msg.(*types.EventRevealChainCommitted)
		}
	}
	require.NotNil(t, committed)
	require.Equal(t, hex.EncodeToString(r.chain.tip()), committed.Tip)
	require.Equal(t, r.start, committed.StartHeight)

	// A new chain replaces the old one and keeps its counters.
	chain.Revealed, chain.Missed = 5, 2
	require.NoError(t, f.k.RevealChains.Set(f.ctx, r.consAddr, chain))
	next := newTestChain("val1-next")
	ctx := f.ctx.WithBlockHeight(50)
	_, err = f.msgs.CommitRevealChain(ctx, &types.MsgCommitRevealChain{Operator: r.operator, Tip: next.tip(), Length: next.length})
	require.NoError(t, err)
	renewed, _, err := f.k.RevealChain(ctx, r.consAddr)
	require.NoError(t, err)
	require.Equal(t, next.tip(), renewed.Tip)
	require.Equal(t, int64(51), renewed.StartHeight)
	require.Equal(t, uint64(5), renewed.Revealed)
	require.Equal(t, uint64(2), renewed.Missed)
}

func TestCommitRevealChainRefused(t *testing.T) {
	f := setup(t)
	good := newTestChain("x")
	unapproved := addr(t, "stranger")
	noValidator := addr(t, "novalidator")
	_, err := f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: f.authority, Operator: noValidator})
	require.NoError(t, err)
	f.staking.add(t, accBytes(t, unapproved), 1) // a validator, but not approved
	approved := f.addRevealer(t, "val1").operator

	for _, tc := range []struct {
		name string
		msg  types.MsgCommitRevealChain
		err  error
	}{
		{"bad operator address", types.MsgCommitRevealChain{Operator: "night1nope", Tip: good.tip(), Length: good.length}, types.ErrInvalidAddress},
		{"operator not approved", types.MsgCommitRevealChain{Operator: unapproved, Tip: good.tip(), Length: good.length}, types.ErrValidatorNotApproved},
		{"approved operator without a validator", types.MsgCommitRevealChain{Operator: noValidator, Tip: good.tip(), Length: good.length}, types.ErrNoValidator},
		{"tip of 31 bytes", types.MsgCommitRevealChain{Operator: approved, Tip: good.tip()[:31], Length: good.length}, types.ErrInvalidRevealChain},
		{"no tip", types.MsgCommitRevealChain{Operator: approved, Length: good.length}, types.ErrInvalidRevealChain},
		{"chain too short", types.MsgCommitRevealChain{Operator: approved, Tip: good.tip(), Length: types.MinRevealChainLength - 1}, types.ErrInvalidRevealChain},
		{"chain too long", types.MsgCommitRevealChain{Operator: approved, Tip: good.tip(), Length: types.MaxRevealChainLength + 1}, types.ErrInvalidRevealChain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := f.k.ExportGenesis(f.ctx)
			require.NoError(t, err)
			_, err = f.msgs.CommitRevealChain(f.ctx, &tc.msg)
			require.ErrorIs(t, err, tc.err)
			after, err := f.k.ExportGenesis(f.ctx)
			require.NoError(t, err)
			require.Equal(t, before, after, "a refused commit changes nothing")
		})
	}
}

func TestVerifyVoteExtension(t *testing.T) {
	f := setup(t)
	r := f.addRevealer(t, "val1")
	other := f.addRevealer(t, "val2")
	h := r.start + 3

	require.NoError(t, f.k.VerifyVoteExtension(f.ctx, r.consAddr, h, nil), "an empty extension withholds, visibly, and is allowed")
	require.NoError(t, f.k.VerifyVoteExtension(f.ctx, r.consAddr, h, r.chain.value(r.start, h)), "the value for h, 4 hashes from the tip")

	for _, tc := range []struct {
		name     string
		consAddr []byte
		h        int64
		ext      []byte
	}{
		{"a value of another height", r.consAddr, h, r.chain.value(r.start, h+1)},
		{"last height's value again", r.consAddr, h, r.chain.value(r.start, h-1)},
		{"another validator's value", r.consAddr, h, other.chain.value(other.start, h)},
		{"not 32 bytes", r.consAddr, h, r.chain.value(r.start, h)[:16]},
		{"the tip itself", r.consAddr, r.start - 1, r.chain.tip()},
		{"past the chain's end", r.consAddr, r.start + int64(r.chain.length), bytes.Repeat([]byte{1}, 32)},
		{"a validator without a chain", []byte("no-chain-validator-x"), h, r.chain.value(r.start, h)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, f.k.VerifyVoteExtension(f.ctx, tc.consAddr, tc.h, tc.ext), types.ErrInvalidReveal)
		})
	}

	// A validator silent for more than MaxRevealGap heights must commit anew:
	// one reveal never costs more than 2^16 hashes.
	long := types.RevealChain{ConsAddress: "x", Tip: make([]byte, 32), Length: types.MaxRevealChainLength, StartHeight: 1, LastReveal: make([]byte, 32)}
	require.ErrorIs(t, long.VerifyReveal(types.MaxRevealGap+1, make([]byte, 32)), types.ErrInvalidReveal)
}

// votesAt are the extended votes at height h of the revealers, each with power 10.
func votesAt(h int64, rs ...revealer) []abci.ExtendedVoteInfo {
	votes := make([]abci.ExtendedVoteInfo, len(rs))
	for i, r := range rs {
		votes[i] = r.vote(h, 10)
	}
	return votes
}

func blockSeedEvent(t *testing.T, ctx sdk.Context) *types.EventBlockSeed {
	t.Helper()
	var out *types.EventBlockSeed
	for _, ev := range ctx.EventManager().Events() {
		if ev.Type == "nightshift.permission.v1.EventBlockSeed" {
			msg, err := sdk.ParseTypedEvent(abci.Event(ev))
			require.NoError(t, err)
			out = msg.(*types.EventBlockSeed)
		}
	}
	require.NotNil(t, out, "every block emits its seed")
	return out
}

func TestRecordBlockSeedFromReveals(t *testing.T) {
	f := setup(t)
	rs := []revealer{f.addRevealer(t, "val1"), f.addRevealer(t, "val2"), f.addRevealer(t, "val3"), f.addRevealer(t, "val4")}
	voteHeight := rs[0].start
	ctx := f.ctx.WithBlockHeight(voteHeight + 1).WithHeaderHash(bytes.Repeat([]byte{7}, 32)).WithEventManager(sdk.NewEventManager())

	// val4 withholds (empty extension): its reveal is missing, counted and named.
	votes := votesAt(voteHeight, rs...)
	votes[3].VoteExtension = nil
	seed, err := f.k.RecordBlockSeed(ctx, votes, true)
	require.NoError(t, err)
	want := types.CombineReveals(voteHeight+1, []types.Reveal{
		{ConsAddress: rs[0].consAddr, Value: rs[0].chain.value(rs[0].start, voteHeight)},
		{ConsAddress: rs[1].consAddr, Value: rs[1].chain.value(rs[1].start, voteHeight)},
		{ConsAddress: rs[2].consAddr, Value: rs[2].chain.value(rs[2].start, voteHeight)},
	})
	require.Equal(t, want, seed.Seed)
	require.Equal(t, types.SeedSourceVoteExtensions, seed.Source)
	require.Equal(t, uint32(3), seed.Revealers)

	ev := blockSeedEvent(t, ctx)
	require.Equal(t, types.SeedSourceVoteExtensions, ev.Source)
	require.Equal(t, hex.EncodeToString(want), ev.Seed)
	require.Equal(t, int64(30), ev.RevealedPower)
	require.Equal(t, int64(40), ev.TotalPower)
	missing, err := types.ConsAddressCodec().BytesToString(rs[3].consAddr)
	require.NoError(t, err)
	require.Equal(t, []string{missing}, ev.Missing)

	for i, r := range rs {
		chain, _, err := f.k.RevealChain(ctx, r.consAddr)
		require.NoError(t, err)
		if i == 3 {
			require.Equal(t, uint64(1), chain.Missed)
			require.Equal(t, r.chain.tip(), chain.LastReveal, "a withheld reveal does not advance the chain")
			continue
		}
		require.Equal(t, uint64(1), chain.Revealed)
		require.Equal(t, voteHeight, chain.LastRevealHeight)
	}
	stored, ok, err := f.k.CurrentBlockSeed(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, want, stored)
	_, ok, err = f.k.CurrentBlockSeed(ctx.WithBlockHeight(voteHeight + 2))
	require.NoError(t, err)
	require.False(t, ok, "a seed is only the seed of its own block")

	// Next height: the withholder reveals again; its value verifies across the gap of 2.
	ctx = ctx.WithBlockHeight(voteHeight + 2).WithEventManager(sdk.NewEventManager())
	seed, err = f.k.RecordBlockSeed(ctx, votesAt(voteHeight+1, rs...), true)
	require.NoError(t, err)
	require.Equal(t, uint32(4), seed.Revealers)
	require.Empty(t, blockSeedEvent(t, ctx).Missing)
}

func TestRecordBlockSeedFallsBackToHeaderHash(t *testing.T) {
	f := setup(t)
	r := f.addRevealer(t, "val1")
	header := bytes.Repeat([]byte{9}, 32)
	ctx := f.ctx.WithBlockHeight(r.start + 1).WithHeaderHash(header).WithEventManager(sdk.NewEventManager())

	// Vote extensions off at this height (the simulation; a chain before its
	// enable height): the seed is the header hash, and the event says so.
	seed, err := f.k.RecordBlockSeed(ctx, nil, false)
	require.NoError(t, err)
	require.Equal(t, header, seed.Seed)
	require.Equal(t, types.SeedSourceHeaderHash, seed.Source)
	require.Equal(t, types.SeedSourceHeaderHash, blockSeedEvent(t, ctx).Source)

	// On, but no reveal verifies (a forged value): also the header hash, and
	// the forger's reveal counts as missing.
	ctx = ctx.WithEventManager(sdk.NewEventManager())
	forged := r.vote(r.start, 10)
	forged.VoteExtension = bytes.Repeat([]byte{1}, 32)
	seed, err = f.k.RecordBlockSeed(ctx, []abci.ExtendedVoteInfo{forged}, true)
	require.NoError(t, err)
	require.Equal(t, types.SeedSourceHeaderHash, seed.Source)
	require.Len(t, blockSeedEvent(t, ctx).Missing, 1)
}

// TestProposerCannotGrindTheSeed plays the proposer of the block whose seed
// fixes a sample: it may reorder or re-select transactions (changing the
// header hash), reorder the votes, and drop up to a third of the power's
// extensions. The first three leave the seed as it is; dropping gives at most
// Σ_{j ≤ ⌊n/3⌋} C(n, j) seeds, 5 for 4 validators, the bound the README sizes
// proof_samples for.
func TestProposerCannotGrindTheSeed(t *testing.T) {
	f := setup(t)
	rs := []revealer{f.addRevealer(t, "val1"), f.addRevealer(t, "val2"), f.addRevealer(t, "val3"), f.addRevealer(t, "val4")}
	voteHeight := rs[0].start
	seedOf := func(header []byte, votes []abci.ExtendedVoteInfo) []byte {
		ctx, _ := f.ctx.WithBlockHeight(voteHeight + 1).WithHeaderHash(header).WithEventManager(sdk.NewEventManager()).CacheContext()
		seed, err := f.k.RecordBlockSeed(ctx, votes, true)
		require.NoError(t, err)
		return seed.Seed
	}
	honest := seedOf(bytes.Repeat([]byte{1}, 32), votesAt(voteHeight, rs...))

	// 1000 candidate blocks (other tx sets and orders: other header hashes) and
	// the votes in another order: one seed.
	for i := range 1000 {
		header := types.HashChainStep([]byte{byte(i), byte(i >> 8)})
		votes := votesAt(voteHeight, rs[(i+1)%4], rs[(i+3)%4], rs[i%4], rs[(i+2)%4])
		require.Equal(t, honest, seedOf(header, votes), "candidate %d", i)
	}

	// Dropping: the extended commit must keep > 2/3 of the power (ProcessProposal's
	// ValidateVoteExtensions), so with 4 equal validators at most one is dropped.
	// A forged value in place of a real one counts as missing: the same as a drop.
	seeds := map[string]bool{hex.EncodeToString(honest): true}
	for drop := range rs {
		var kept []revealer
		for i, r := range rs {
			if i != drop {
				kept = append(kept, r)
			}
		}
		seeds[hex.EncodeToString(seedOf(bytes.Repeat([]byte{2}, 32), votesAt(voteHeight, kept...)))] = true
		forged := votesAt(voteHeight, rs...)
		forged[drop].VoteExtension = types.HashChainStep([]byte("forged"))
		seeds[hex.EncodeToString(seedOf(bytes.Repeat([]byte{3}, 32), forged))] = true
		absent := votesAt(voteHeight, rs...)
		absent[drop].BlockIdFlag = cmtproto.BlockIDFlagAbsent
		seeds[hex.EncodeToString(seedOf(bytes.Repeat([]byte{4}, 32), absent))] = true
	}
	require.Len(t, seeds, 5, "C(4,0) + C(4,1) seeds, whatever else the proposer tries")
}

func TestGenesisRevealChains(t *testing.T) {
	f := setup(t)
	op := addr(t, "op")
	f.staking.add(t, accBytes(t, op), 5)
	c := newTestChain("genesis")
	consAddr := []byte("genesis-validator-cc")
	consStr, err := types.ConsAddressCodec().BytesToString(consAddr)
	require.NoError(t, err)
	gs := &types.GenesisState{
		Validators:   []types.ApprovedValidator{{Operator: op}},
		RevealChains: []types.RevealChain{{ConsAddress: consStr, Operator: op, Tip: c.tip(), Length: c.length, StartHeight: 1}},
	}
	require.NoError(t, gs.Validate(accCodec))
	require.NoError(t, f.k.InitGenesis(f.ctx, gs))
	chain, ok, err := f.k.RevealChain(f.ctx, consAddr)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, c.tip(), chain.LastReveal, "a genesis chain is anchored at its tip")
	require.Equal(t, int64(0), chain.LastRevealHeight)
	require.NoError(t, f.k.VerifyVoteExtension(f.ctx, consAddr, 1, c.value(1, 1)))

	out, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, out.Validate(accCodec), "an exported chain validates")
	require.Equal(t, chain, out.RevealChains[0])

	bad := []types.RevealChain{
		{ConsAddress: "nightvalcons1nope", Tip: c.tip(), Length: c.length, StartHeight: 1},
		{ConsAddress: consStr, Tip: c.tip()[:8], Length: c.length, StartHeight: 1},
		{ConsAddress: consStr, Tip: c.tip(), Length: c.length, StartHeight: 0},
		{ConsAddress: consStr, Tip: c.tip(), Length: c.length, StartHeight: 1, LastReveal: c.tip(), LastRevealHeight: int64(c.length) + 1},
	}
	for i, rc := range bad {
		g := types.GenesisState{RevealChains: []types.RevealChain{rc}}
		require.ErrorIs(t, g.Validate(accCodec), types.ErrInvalidGenesis, "bad chain %d", i)
	}
	dup := types.GenesisState{RevealChains: []types.RevealChain{gs.RevealChains[0], gs.RevealChains[0]}}
	require.ErrorIs(t, dup.Validate(accCodec), types.ErrInvalidGenesis)
}

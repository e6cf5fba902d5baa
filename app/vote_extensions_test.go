package app

import (
	"bytes"
	"context"
	"testing"

	"cosmossdk.io/core/comet"
	"cosmossdk.io/core/header"
	"cosmossdk.io/log/v2"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtprotocrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/mempool"
	protoio "github.com/cosmos/gogoproto/io"
	"github.com/stretchr/testify/require"
)

const veChainID = "nightshift-ve-test"

// veValidator signs vote extensions like a CometBFT validator.
type veValidator struct {
	key *ed25519.PrivKey
}

func (v veValidator) addr() []byte { return v.key.PubKey().Address() }

// vote is v's precommit at height h carrying ext, signed as CometBFT signs it.
func (v veValidator) vote(t *testing.T, h int64, ext []byte) abci.ExtendedVoteInfo {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, protoio.NewDelimitedWriter(&buf).WriteMsg(&cmtproto.CanonicalVoteExtension{Extension: ext, Height: h, ChainId: veChainID}))
	sig, err := v.key.Sign(buf.Bytes())
	require.NoError(t, err)
	return abci.ExtendedVoteInfo{
		Validator:          abci.Validator{Address: v.addr(), Power: 10},
		VoteExtension:      ext,
		ExtensionSignature: sig,
		BlockIdFlag:        cmtproto.BlockIDFlagCommit,
	}
}

type veValStore map[string]cmtprotocrypto.PublicKey

func (s veValStore) GetPubKeyByConsAddr(_ context.Context, a sdk.ConsAddress) (cmtprotocrypto.PublicKey, error) {
	return s[string(a)], nil
}

// veCommit is the block's LastCommit as CometBFT hands it to the app.
type veCommit []abci.ExtendedVoteInfo

func (c veCommit) GetEvidence() comet.EvidenceList { return nil }
func (c veCommit) GetValidatorsHash() []byte       { return nil }
func (c veCommit) GetProposerAddress() []byte      { return nil }
func (c veCommit) GetLastCommit() comet.CommitInfo { return c }
func (c veCommit) Round() int32                    { return 0 }
func (c veCommit) Votes() comet.VoteInfos          { return c }
func (c veCommit) Len() int                        { return len(c) }
func (c veCommit) Get(i int) comet.VoteInfo        { return veVote{c[i]} }

type veVote struct{ v abci.ExtendedVoteInfo }

func (v veVote) Validator() comet.Validator        { return veVal{v.v.Validator} }
func (v veVote) GetBlockIDFlag() comet.BlockIDFlag { return comet.BlockIDFlag(v.v.BlockIdFlag) }

type veVal struct{ v abci.Validator }

func (v veVal) Address() []byte { return v.v.Address }
func (v veVal) Power() int64    { return v.v.Power }

// TestProcessProposalNeedsTheExtendedCommit: with vote extensions on, a block
// must start with the previous height's extended commit, whose signatures
// verify and whose extensions hold more than 2/3 of the power; so a proposer
// drops at most a third of the reveals. With them off, the pseudo-transaction
// is refused and the rest of the block is processed as before.
func TestProcessProposalNeedsTheExtendedCommit(t *testing.T) {
	vals := make([]veValidator, 4)
	store := veValStore{}
	for i := range vals {
		vals[i] = veValidator{key: ed25519.GenPrivKey()}
		store[string(vals[i].addr())] = cmtprotocrypto.PublicKey{Sum: &cmtprotocrypto.PublicKey_Ed25519{Ed25519: vals[i].key.PubKey().Bytes()}}
	}
	// CometBFT orders a commit by power, then address.
	sortByAddr := func(votes []abci.ExtendedVoteInfo) []abci.ExtendedVoteInfo {
		for i := range votes {
			for j := i + 1; j < len(votes); j++ {
				if bytes.Compare(votes[j].Validator.Address, votes[i].Validator.Address) < 0 {
					votes[i], votes[j] = votes[j], votes[i]
				}
			}
		}
		return votes
	}
	const h = 10
	ext := bytes.Repeat([]byte{5}, 32)
	allVotes := func() []abci.ExtendedVoteInfo {
		votes := make([]abci.ExtendedVoteInfo, len(vals))
		for i, v := range vals {
			votes[i] = v.vote(t, h-1, ext)
		}
		return sortByAddr(votes)
	}
	v := &revealVoting{valStore: store, inner: baseapp.NewDefaultProposalHandler(mempool.NoOpMempool{}, nil)}
	ctxAt := func(enable int64, commit veCommit) sdk.Context {
		return sdk.Context{}.
			WithLogger(log.NewNopLogger()).
			WithConsensusParams(cmtproto.ConsensusParams{Abci: &cmtproto.ABCIParams{VoteExtensionsEnableHeight: enable}}).
			WithBlockHeight(h).
			WithChainID(veChainID).
			WithHeaderInfo(header.Info{Height: h, ChainID: veChainID}).
			WithCometInfo(commit)
	}
	process := func(ctx sdk.Context, txs ...[]byte) abci.ResponseProcessProposal_ProposalStatus {
		res, err := v.ProcessProposal(ctx, &abci.RequestProcessProposal{Height: h, Txs: txs})
		require.NoError(t, err)
		return res.Status
	}
	injected := func(votes []abci.ExtendedVoteInfo) []byte {
		bz, err := encodeRevealsTx(abci.ExtendedCommitInfo{Votes: votes})
		require.NoError(t, err)
		return bz
	}
	userTx := []byte{0x0a, 0x01, 0x00}

	votes := allVotes()
	ctx := ctxAt(1, votes)
	require.Equal(t, abci.ResponseProcessProposal_ACCEPT, process(ctx, injected(votes), userTx))
	require.Equal(t, abci.ResponseProcessProposal_REJECT, process(ctx), "an empty block still carries the extended commit")
	require.Equal(t, abci.ResponseProcessProposal_REJECT, process(ctx, userTx, injected(votes)), "the extended commit comes first")
	require.Equal(t, abci.ResponseProcessProposal_REJECT, process(ctx, append(bytes.Clone(revealsTxPrefix), 0xff, 0xff)), "undecodable")

	// Two of four extensions left out (marked absent): 20 of 40 power, not > 2/3.
	dropped := allVotes()
	dropped[0].BlockIdFlag, dropped[0].VoteExtension, dropped[0].ExtensionSignature = cmtproto.BlockIDFlagAbsent, nil, nil
	dropped[1].BlockIdFlag, dropped[1].VoteExtension, dropped[1].ExtensionSignature = cmtproto.BlockIDFlagAbsent, nil, nil
	require.Equal(t, abci.ResponseProcessProposal_REJECT, process(ctxAt(1, dropped), injected(dropped)))
	// One left out: 30 of 40 power, the most a proposer may drop.
	one := allVotes()
	one[2].BlockIdFlag, one[2].VoteExtension, one[2].ExtensionSignature = cmtproto.BlockIDFlagAbsent, nil, nil
	require.Equal(t, abci.ResponseProcessProposal_ACCEPT, process(ctxAt(1, one), injected(one)))

	// A proposer that swaps in another value for a validator's reveal breaks
	// its signature.
	forged := allVotes()
	forged[3].VoteExtension = bytes.Repeat([]byte{6}, 32)
	require.Equal(t, abci.ResponseProcessProposal_REJECT, process(ctxAt(1, forged), injected(forged)))

	// Vote extensions off (enable height 0, as in the simulation): no
	// extended commit may be injected, blocks are processed as before, and
	// the seed falls back to the header hash.
	off := ctxAt(0, votes)
	require.Equal(t, abci.ResponseProcessProposal_ACCEPT, process(off, userTx))
	require.Equal(t, abci.ResponseProcessProposal_REJECT, process(off, injected(votes), userTx))
	_, ok := blockSeedVotes(off, &abci.RequestFinalizeBlock{Height: h, Txs: [][]byte{injected(votes)}})
	require.False(t, ok, "with extensions off the seed never comes from votes")
	got, ok := blockSeedVotes(ctx, &abci.RequestFinalizeBlock{Height: h, Txs: [][]byte{injected(votes), userTx}})
	require.True(t, ok)
	require.Equal(t, votes, got)
}

// TestPrepareProposalInjectsTheExtendedCommit: the proposer's block starts
// with its extended commit and leaves room for it within max_tx_bytes.
func TestPrepareProposalInjectsTheExtendedCommit(t *testing.T) {
	v := &revealVoting{inner: baseapp.NewDefaultProposalHandler(mempool.NoOpMempool{}, nil)}
	ec := abci.ExtendedCommitInfo{Votes: []abci.ExtendedVoteInfo{{Validator: abci.Validator{Address: []byte("v"), Power: 1}, VoteExtension: []byte("x")}}}
	ctx := sdk.Context{}.WithLogger(log.NewNopLogger()).
		WithConsensusParams(cmtproto.ConsensusParams{Abci: &cmtproto.ABCIParams{VoteExtensionsEnableHeight: 1}})
	res, err := v.PrepareProposal(ctx, &abci.RequestPrepareProposal{Height: 3, MaxTxBytes: 1 << 20, LocalLastCommit: ec})
	require.NoError(t, err)
	require.Len(t, res.Txs, 1)
	got, ok := decodeRevealsTx(res.Txs[0])
	require.True(t, ok)
	require.Equal(t, ec, got)

	// At the enable height itself CometBFT has no extensions yet: nothing injected.
	res, err = v.PrepareProposal(ctx, &abci.RequestPrepareProposal{Height: 1, MaxTxBytes: 1 << 20})
	require.NoError(t, err)
	require.Empty(t, res.Txs)
}

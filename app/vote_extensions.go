package app

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/pkg/revealchain"
	permissionkeeper "github.com/nightshift-network/nightshift/x/permission/keeper"
	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
)

// revealsTxPrefix starts the pseudo-transaction that carries the extended commit.
var revealsTxPrefix = permissiontypes.RevealsTxPrefix

// revealsTxOverhead covers the proto framing CometBFT counts per transaction
// against max_tx_bytes (tag and length varint).
const revealsTxOverhead = 16

// voteExtensionsInBlock reports whether a block at height h carries the
// extended commit of height h−1: CometBFT gives the proposer vote extensions
// from the height after vote_extensions_enable_height on.
func voteExtensionsInBlock(ctx sdk.Context, h int64) bool {
	cp := ctx.ConsensusParams()
	return cp.Abci != nil && cp.Abci.VoteExtensionsEnableHeight > 0 && h > cp.Abci.VoteExtensionsEnableHeight
}

func encodeRevealsTx(ec abci.ExtendedCommitInfo) ([]byte, error) {
	bz, err := ec.Marshal()
	if err != nil {
		return nil, err
	}
	return append(bytes.Clone(revealsTxPrefix), bz...), nil
}

func decodeRevealsTx(tx []byte) (abci.ExtendedCommitInfo, bool) {
	var ec abci.ExtendedCommitInfo
	if !bytes.HasPrefix(tx, revealsTxPrefix) || ec.Unmarshal(tx[len(revealsTxPrefix):]) != nil {
		return abci.ExtendedCommitInfo{}, false
	}
	return ec, true
}

// revealVoting is the node's vote-extension flow: ExtendVote reveals the next
// value of the validator's hash chain, VerifyVoteExtension checks the others',
// the proposer injects the extended commit, ProcessProposal checks its
// signatures and power, and PreBlocker turns the reveals into the block seed.
type revealVoting struct {
	permission *permissionkeeper.Keeper
	valStore   baseapp.ValidatorStore
	home       string
	keyFile    string
	inner      *baseapp.DefaultProposalHandler

	mu       sync.Mutex
	secrets  *revealchain.Store
	consAddr []byte
}

func newRevealVoting(app *App, home, keyFile string) *revealVoting {
	if keyFile == "" {
		keyFile = filepath.Join("config", "priv_validator_key.json")
	}
	if !filepath.IsAbs(keyFile) {
		keyFile = filepath.Join(home, keyFile)
	}
	return &revealVoting{
		permission: app.PermissionKeeper, valStore: app.StakingKeeper,
		home: home, keyFile: keyFile, inner: baseapp.NewDefaultProposalHandler(app.Mempool(), app),
	}
}

func (v *revealVoting) register(bApp *baseapp.BaseApp) {
	bApp.SetExtendVoteHandler(v.ExtendVote)
	bApp.SetVerifyVoteExtensionHandler(v.VerifyVoteExtension)
	bApp.SetPrepareProposal(v.PrepareProposal)
	bApp.SetProcessProposal(v.ProcessProposal)
}

// local returns the node's consensus address and secrets, loading them once;
// the secrets file is created on the first vote if the home has none (a node
// made by `nightshiftd init` before chains existed).
func (v *revealVoting) local() ([]byte, *revealchain.Store, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.home == "" {
		return nil, nil, fs.ErrNotExist // an app without a home (tests) holds no secrets
	}
	if v.consAddr == nil {
		bz, err := os.ReadFile(v.keyFile)
		if err != nil {
			return nil, nil, err
		}
		var key struct {
			Address string `json:"address"`
		}
		if err := json.Unmarshal(bz, &key); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", v.keyFile, err)
		}
		if v.consAddr, err = hex.DecodeString(key.Address); err != nil || len(v.consAddr) == 0 {
			return nil, nil, fmt.Errorf("%s: address %q: %v", v.keyFile, key.Address, err)
		}
	}
	if v.secrets == nil {
		s, err := revealchain.LoadOrCreate(v.home, revealchain.DefaultLength)
		if err != nil {
			return nil, nil, err
		}
		v.secrets = s
	}
	return v.consAddr, v.secrets, nil
}

// ExtendVote reveals the validator's value for this height, or nothing when
// it has no live chain on chain or its home lacks the chain's secret. It never
// sends a value that would not verify: that would get its vote refused.
func (v *revealVoting) ExtendVote(ctx sdk.Context, req *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	none := &abci.ResponseExtendVote{VoteExtension: []byte{}}
	consAddr, secrets, err := v.local()
	if errors.Is(err, fs.ErrNotExist) {
		return none, nil // not a validator node (no key file): nothing to reveal
	}
	if err != nil {
		ctx.Logger().Error("vote extension: no local reveal chain", "err", err)
		return none, nil
	}
	chain, ok, err := v.permission.RevealChain(ctx, consAddr)
	if err != nil || !ok || !chain.LiveAt(req.Height) {
		return none, err
	}
	local := secrets.Find(chain.Tip)
	if local == nil {
		ctx.Logger().Error("vote extension: the committed reveal chain is not in this home; commit a new one (nightshiftd reveal-chain new)",
			"tip", hex.EncodeToString(chain.Tip), "file", revealchain.Path(v.home))
		return none, nil
	}
	value, _ := local.Value(uint64(req.Height - chain.StartHeight))
	if err := chain.VerifyReveal(req.Height, value); err != nil {
		ctx.Logger().Error("vote extension: reveal would not verify; commit a new chain (nightshiftd reveal-chain new)", "err", err)
		return none, nil
	}
	if left := chain.StartHeight + int64(chain.Length) - req.Height; left < int64(chain.Length)/10 {
		ctx.Logger().Info("vote extension: reveal chain runs out soon; commit a new one (nightshiftd reveal-chain new)", "heights_left", left)
	}
	return &abci.ResponseExtendVote{VoteExtension: value}, nil
}

// VerifyVoteExtension accepts an empty extension or the sender's chain value
// for the height (checked against the committed state, as every validator
// sees it at this height).
func (v *revealVoting) VerifyVoteExtension(ctx sdk.Context, req *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	if err := v.permission.VerifyVoteExtension(ctx, req.ValidatorAddress, req.Height, req.VoteExtension); err != nil {
		ctx.Logger().Info("vote extension refused", "validator", hex.EncodeToString(req.ValidatorAddress), "height", req.Height, "err", err)
		return &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_REJECT}, nil
	}
	return &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_ACCEPT}, nil
}

// PrepareProposal puts the extended commit first, then the mempool's
// transactions in the room left.
func (v *revealVoting) PrepareProposal(ctx sdk.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	if !voteExtensionsInBlock(ctx, req.Height) {
		return v.inner.PrepareProposalHandler()(ctx, req)
	}
	reveals, err := encodeRevealsTx(req.LocalLastCommit)
	if err != nil {
		return nil, err
	}
	rest := *req
	rest.MaxTxBytes -= int64(len(reveals) + revealsTxOverhead)
	resp, err := v.inner.PrepareProposalHandler()(ctx, &rest)
	if err != nil {
		return nil, err
	}
	resp.Txs = append([][]byte{reveals}, resp.Txs...)
	return resp, nil
}

// ProcessProposal refuses a block that lacks the extended commit or carries
// one whose extension signatures fail or hold ≤ 2/3 of the power: so a
// proposer can leave out at most a third of the power's reveals.
func (v *revealVoting) ProcessProposal(ctx sdk.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	reject := &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}
	if !voteExtensionsInBlock(ctx, req.Height) {
		if len(req.Txs) > 0 && bytes.HasPrefix(req.Txs[0], revealsTxPrefix) {
			return reject, nil
		}
		return v.inner.ProcessProposalHandler()(ctx, req)
	}
	if len(req.Txs) == 0 {
		return reject, nil
	}
	ec, ok := decodeRevealsTx(req.Txs[0])
	if !ok {
		ctx.Logger().Info("proposal refused: no extended commit first", "height", req.Height)
		return reject, nil
	}
	if err := baseapp.ValidateVoteExtensions(ctx, v.valStore, 0, "", ec); err != nil {
		ctx.Logger().Info("proposal refused: extended commit", "height", req.Height, "err", err)
		return reject, nil
	}
	rest := *req
	rest.Txs = req.Txs[1:]
	return v.inner.ProcessProposalHandler()(ctx, &rest)
}

// blockSeedVotes returns the extended commit a block carries, if vote
// extensions are on at its height. A block ProcessProposal would refuse is
// never committed by an honest 2/3; a node replaying blocks (block sync) runs
// no ProcessProposal and reads the same first transaction.
func blockSeedVotes(ctx sdk.Context, req *abci.RequestFinalizeBlock) ([]abci.ExtendedVoteInfo, bool) {
	if !voteExtensionsInBlock(ctx, req.Height) || len(req.Txs) == 0 {
		return nil, false
	}
	ec, ok := decodeRevealsTx(req.Txs[0])
	return ec.Votes, ok
}

// recordBlockSeed fixes the block's challenge seed (see x/permission's
// RecordBlockSeed) before any module's BeginBlock reads it.
func recordBlockSeed(ctx sdk.Context, k *permissionkeeper.Keeper, req *abci.RequestFinalizeBlock) error {
	votes, ok := blockSeedVotes(ctx, req)
	_, err := k.RecordBlockSeed(ctx, votes, ok)
	return err
}

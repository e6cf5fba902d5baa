package app

import (
	"cosmossdk.io/core/comet"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	permissionsim "github.com/nightshift-network/nightshift/x/permission/simulation"
)

// The SDK simulator's mock CometBFT decides blocks no BFT network can: each
// validator drifts into an almost absorbing offline state, so the commits of a
// long run end up signed by a small minority of the power, and it reports
// double signs of random validators at a random rate, up to several a block.
// Either alone empties the validator set of most 200-block runs (downtime
// jails, tombstones), and the run is lost. consensusModel holds the mock to
// the two rules CometBFT cannot break:
//
//   - a decided commit carries more than 2/3 of the voting power: when the
//     mock's commit has less, the absent validators first in its (sorted)
//     list are counted as signing until it has more;
//   - fewer than 1/3 of the power is byzantine: equivocation evidence is
//     passed on only against bonded, unjailed validators, and only while those
//     accused in the block hold less than a third of the bonded power and
//     leave x/permission's MinBondedValidators (the set of 3f+1 that survives
//     one faulty member; operators and the authority keep it too).
//
// Downtime jails and tombstones still happen every run; they never take the
// chain below the power it needs to produce the next block.
type consensusModel struct {
	app *App
}

// filter is the App's block-info filter (App.SetBlockInfoFilter).
func (m consensusModel) filter(ctx sdk.Context) sdk.Context {
	ctx = ctx.WithVoteInfos(withQuorum(ctx.VoteInfos()))
	if info := ctx.CometInfo(); info != nil && info.GetEvidence() != nil && info.GetEvidence().Len() > 0 {
		ctx = ctx.WithCometInfo(blockInfo{BlockInfo: info, evidence: m.boundedEvidence(ctx, info.GetEvidence())})
	}
	return ctx
}

// withQuorum returns the votes with absent validators counted as signing, in
// order, until more than 2/3 of the power signed.
func withQuorum(votes []abci.VoteInfo) []abci.VoteInfo {
	var total, signed int64
	for _, v := range votes {
		total += v.Validator.Power
		if v.BlockIdFlag == cmtproto.BlockIDFlagCommit {
			signed += v.Validator.Power
		}
	}
	if 3*signed > 2*total {
		return votes
	}
	out := append([]abci.VoteInfo(nil), votes...)
	for i := range out {
		if 3*signed > 2*total {
			break
		}
		if out[i].BlockIdFlag != cmtproto.BlockIDFlagCommit {
			out[i].BlockIdFlag = cmtproto.BlockIDFlagCommit
			signed += out[i].Validator.Power
		}
	}
	return out
}

// boundedEvidence keeps the evidence against bonded, unjailed validators while
// the accused hold less than a third of the bonded power.
func (m consensusModel) boundedEvidence(ctx sdk.Context, all comet.EvidenceList) evidenceList {
	sk := m.app.StakingKeeper
	total, err := sk.GetLastTotalPower(ctx)
	if err != nil || !total.IsInt64() {
		return nil
	}
	reduction := sk.PowerReduction(ctx)
	bonded := 0
	if err := sk.IterateLastValidatorPowers(ctx, func(sdk.ValAddress, int64) bool { bonded++; return false }); err != nil {
		return nil
	}
	var kept evidenceList
	var accused int64
	seen := make(map[string]bool)
	for i := range all.Len() {
		ev := all.Get(i)
		addr := sdk.ConsAddress(ev.Validator().Address())
		v, err := sk.GetValidatorByConsAddr(ctx, addr)
		if err != nil || !v.IsBonded() || v.IsJailed() || seen[addr.String()] {
			continue
		}
		power := v.ConsensusPower(reduction)
		if 3*(accused+power) >= total.Int64() || bonded-len(kept)-1 < permissionsim.MinBondedValidators {
			continue
		}
		seen[addr.String()] = true
		accused += power
		kept = append(kept, ev)
	}
	return kept
}

// blockInfo is the block's comet info with the evidence replaced.
type blockInfo struct {
	comet.BlockInfo
	evidence evidenceList
}

func (b blockInfo) GetEvidence() comet.EvidenceList { return b.evidence }

type evidenceList []comet.Evidence

func (l evidenceList) Len() int                 { return len(l) }
func (l evidenceList) Get(i int) comet.Evidence { return l[i] }

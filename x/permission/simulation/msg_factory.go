package simulation

import (
	"bytes"
	"context"
	"fmt"

	"cosmossdk.io/core/address"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/permission/keeper"
	"github.com/nightshift-network/nightshift/x/permission/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// Each factory predicts what the keeper must do with its message and returns
// a delivery handler that accepts exactly that: success, or the one registered
// error the message must fail with.

// MsgApproveValidatorFactory approves operators as the authority, and sends
// approvals of approved operators or signed by another account.
func MsgApproveValidatorFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgApproveValidator, simsx.SimDeliveryResultHandler) {
		signer, want := simtest.AuthoritySigner(ctx, k.GetAuthority, types.ErrUnauthorized, data, reporter)
		op := data.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		approved, err := k.IsApproved(ctx, op.Address)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		if want == nil && approved {
			want = types.ErrAlreadyApproved
		}
		msg := &types.MsgApproveValidator{Authority: signer.AddressBech32, Operator: op.AddressBech32}
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, func() error {
			if ok, _ := k.IsApproved(ctx, op.Address); !ok {
				return fmt.Errorf("%s is not approved after approval", op.AddressBech32)
			}
			return nil
		})
	})
}

// MsgRemoveValidatorFactory removes approved operators as the authority,
// mostly ones without bonded power, and never a bonded one that would leave
// fewer than MinBondedValidators; it sends removals of unapproved operators,
// of the operator holding all the remaining power (the keeper refuses), or
// signed by another account.
func MsgRemoveValidatorFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRemoveValidator, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		signer, want := simtest.AuthoritySigner(ctx, k.GetAuthority, types.ErrUnauthorized, data, reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		power, total, err := bondedPower(ctx, k, data.AddressCodec())
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		var candidates []types.ApprovedValidator
		unbonded := r.Intn(4) != 0
		_ = k.Approved.Walk(ctx, nil, func(_ []byte, v types.ApprovedValidator) (bool, error) {
			if data.HasAccount(v.Operator) && (!unbonded || power[v.Operator] == 0) {
				candidates = append(candidates, v)
			}
			return false, nil
		})
		var op simsx.SimAccount
		if len(candidates) > 0 && r.Intn(5) != 0 {
			op = data.GetAccount(reporter, candidates[r.Intn(len(candidates))].Operator)
		} else {
			op = data.AnyAccount(reporter)
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		approved, err := k.IsApproved(ctx, op.Address)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		switch {
		case want != nil:
		case !approved:
			want = types.ErrValidatorNotApproved
		case total > 0 && total == power[op.AddressBech32]:
			want = types.ErrLastValidator
		case power[op.AddressBech32] > 0 && len(power) <= MinBondedValidators:
			reporter.Skipf("the authority keeps %d bonded validators", len(power))
			return nil, nil, nil
		}
		msg := &types.MsgRemoveValidator{Authority: signer.AddressBech32, Operator: op.AddressBech32}
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, func() error {
			if ok, _ := k.IsApproved(ctx, op.Address); ok {
				return fmt.Errorf("%s is still approved after removal", op.AddressBech32)
			}
			if v, err := k.StakingKeeper().GetValidator(ctx, sdk.ValAddress(op.Address)); err == nil && !v.IsJailed() {
				return fmt.Errorf("validator of removed operator %s is not jailed", op.AddressBech32)
			}
			return nil
		})
	})
}

// bondedPower returns the consensus power of each bonded, unjailed validator
// by operator account, and their total: removing the operator that holds all
// of it must fail.
func bondedPower(ctx context.Context, k *keeper.Keeper, addressCodec address.Codec) (map[string]int64, int64, error) {
	sk := k.StakingKeeper()
	bonded, err := sk.GetBondedValidatorsByPower(ctx)
	if err != nil {
		return nil, 0, err
	}
	reduction := sk.PowerReduction(ctx)
	power := make(map[string]int64, len(bonded))
	var total int64
	for _, v := range bonded {
		if v.IsJailed() {
			continue
		}
		valBz, err := addrBytes(v.GetOperator())
		if err != nil {
			return nil, 0, err
		}
		op, err := addressCodec.BytesToString(valBz)
		if err != nil {
			return nil, 0, err
		}
		p := v.ConsensusPower(reduction)
		power[op] += p
		total += p
	}
	return power, total, nil
}

// MsgUpdateAuthorityFactory hands the authority to another simulation account,
// and sends hand-overs signed by an account that is not the authority.
func MsgUpdateAuthorityFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateAuthority, simsx.SimDeliveryResultHandler) {
		signer, want := simtest.AuthoritySigner(ctx, k.GetAuthority, types.ErrUnauthorized, data, reporter)
		next := data.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgUpdateAuthority{Authority: signer.AddressBech32, NewAuthority: next.AddressBech32}
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, func() error {
			if a, _ := k.GetAuthority(ctx); a != next.AddressBech32 {
				return fmt.Errorf("authority is %s after handing it to %s", a, next.AddressBech32)
			}
			return nil
		})
	})
}

// MsgCommitRevealChainFactory commits hash chains for operators: an approved
// one with a validator succeeds (the chain starts at the next height), an
// unapproved one or one without a validator is refused, and one commit in
// eight has a length out of bounds. The simulation runs no vote extensions,
// so the chains never reveal and seeds stay the header hash (see the README).
func MsgCommitRevealChainFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCommitRevealChain, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		op := data.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		tip := make([]byte, types.RevealSize)
		_, _ = r.Read(tip) // math/rand's Read never fails
		length := uint64(r.Intn(types.MaxRevealChainLength-types.MinRevealChainLength+1) + types.MinRevealChainLength)
		var want error
		if r.Intn(8) == 0 {
			length = types.MinRevealChainLength - 1
			want = types.ErrInvalidRevealChain
		}
		approved, err := k.IsApproved(ctx, op.Address)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		_, valErr := k.StakingKeeper().GetValidator(ctx, sdk.ValAddress(op.Address))
		switch {
		case want != nil:
		case !approved:
			want = types.ErrValidatorNotApproved
		case valErr != nil:
			want = types.ErrNoValidator
		}
		msg := &types.MsgCommitRevealChain{Operator: op.AddressBech32, Tip: tip, Length: length}
		return []simsx.SimAccount{op}, msg, simtest.Expect(want, func() error {
			val, err := k.StakingKeeper().GetValidator(ctx, sdk.ValAddress(op.Address))
			if err != nil {
				return err
			}
			consAddr, err := val.GetConsAddr()
			if err != nil {
				return err
			}
			chain, ok, err := k.RevealChain(ctx, consAddr)
			if err != nil || !ok || !bytes.Equal(chain.Tip, tip) || chain.Length != length {
				return fmt.Errorf("chain of %s after commit: %+v (found %v, %v)", op.AddressBech32, chain, ok, err)
			}
			return nil
		})
	})
}

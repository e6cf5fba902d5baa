package keeper_test

import (
	"context"
	"testing"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/permission/keeper"
	"github.com/nightshift-network/nightshift/x/permission/types"
)

var (
	accCodec = addresscodec.NewBech32Codec("night")
	valCodec = addresscodec.NewBech32Codec("nightvaloper")
)

// fakeStaking is an in-memory staking keeper: validators by operator.
type fakeStaking struct {
	vals   map[string]*stakingtypes.Validator
	order  []string
	jailed []sdk.ConsAddress
}

func (f *fakeStaking) add(t *testing.T, op sdk.AccAddress, power int64) {
	t.Helper()
	valStr, err := valCodec.BytesToString(op)
	require.NoError(t, err)
	v, err := stakingtypes.NewValidator(valStr, ed25519.GenPrivKey().PubKey(), stakingtypes.Description{})
	require.NoError(t, err)
	v.Tokens = sdk.DefaultPowerReduction.MulRaw(power)
	v.Status = stakingtypes.Bonded
	f.vals[valStr] = &v
	f.order = append(f.order, valStr)
}

func (f *fakeStaking) GetValidator(_ context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error) {
	s, _ := valCodec.BytesToString(addr)
	if v, ok := f.vals[s]; ok {
		return *v, nil
	}
	return stakingtypes.Validator{}, stakingtypes.ErrNoValidatorFound
}

func (f *fakeStaking) GetValidatorByConsAddr(_ context.Context, c sdk.ConsAddress) (stakingtypes.Validator, error) {
	for _, s := range f.order {
		bz, _ := f.vals[s].GetConsAddr()
		if sdk.ConsAddress(bz).Equals(c) {
			return *f.vals[s], nil
		}
	}
	return stakingtypes.Validator{}, stakingtypes.ErrNoValidatorFound
}

func (f *fakeStaking) GetBondedValidatorsByPower(context.Context) ([]stakingtypes.Validator, error) {
	var out []stakingtypes.Validator
	for _, s := range f.order {
		if f.vals[s].IsBonded() {
			out = append(out, *f.vals[s])
		}
	}
	return out, nil
}

func (f *fakeStaking) GetAllValidators(context.Context) ([]stakingtypes.Validator, error) {
	var out []stakingtypes.Validator
	for _, s := range f.order {
		out = append(out, *f.vals[s])
	}
	return out, nil
}

func (f *fakeStaking) Jail(_ context.Context, c sdk.ConsAddress) error {
	for _, s := range f.order {
		bz, _ := f.vals[s].GetConsAddr()
		if sdk.ConsAddress(bz).Equals(c) {
			f.vals[s].Jailed = true
		}
	}
	f.jailed = append(f.jailed, c)
	return nil
}

func (f *fakeStaking) PowerReduction(context.Context) math.Int { return sdk.DefaultPowerReduction }

type fixture struct {
	ctx       sdk.Context
	k         *keeper.Keeper
	msgs      types.MsgServer
	staking   *fakeStaking
	authority string
}

func setup(t *testing.T) fixture {
	t.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	tctx := testutil.DefaultContextWithDB(t, key, storetypes.NewTransientStoreKey("t"))
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	st := &fakeStaking{vals: map[string]*stakingtypes.Validator{}}
	authority := addr(t, "gov")
	k := keeper.NewKeeper(cdc, runtime.NewKVStoreService(key), accCodec, valCodec, st, authority)
	return fixture{ctx: tctx.Ctx.WithBlockHeight(7), k: k, msgs: keeper.NewMsgServerImpl(k), staking: st, authority: authority}
}

func addr(t *testing.T, seed string) string {
	t.Helper()
	s, err := accCodec.BytesToString(sdk.AccAddress([]byte(seed + "____________________")[:20]))
	require.NoError(t, err)
	return s
}

func accBytes(t *testing.T, s string) sdk.AccAddress {
	t.Helper()
	bz, err := accCodec.StringToBytes(s)
	require.NoError(t, err)
	return bz
}

func TestApproveValidator(t *testing.T) {
	f := setup(t)
	op := addr(t, "op1")

	_, err := f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: addr(t, "mallory"), Operator: op})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	_, err = f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: f.authority, Operator: "night1bad"})
	require.ErrorIs(t, err, types.ErrInvalidAddress)
	ok, err := f.k.IsApproved(f.ctx, accBytes(t, op))
	require.NoError(t, err)
	require.False(t, ok, "refusals change nothing")

	_, err = f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: f.authority, Operator: op})
	require.NoError(t, err)
	v, err := f.k.Approved.Get(f.ctx, accBytes(t, op))
	require.NoError(t, err)
	require.Equal(t, op, v.Operator)
	require.Equal(t, int64(7), v.ApprovedHeight)
	require.Equal(t, "nightshift.permission.v1.EventValidatorApproved", f.ctx.EventManager().Events()[0].Type)

	_, err = f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: f.authority, Operator: op})
	require.ErrorIs(t, err, types.ErrAlreadyApproved)
}

func TestRemoveValidator(t *testing.T) {
	f := setup(t)
	a, b, c := addr(t, "a"), addr(t, "b"), addr(t, "c")
	for _, op := range []string{a, b, c} {
		_, err := f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: f.authority, Operator: op})
		require.NoError(t, err)
	}
	f.staking.add(t, accBytes(t, a), 10)
	f.staking.add(t, accBytes(t, b), 10)
	f.staking.add(t, accBytes(t, c), 10)

	_, err := f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: addr(t, "mallory"), Operator: a})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	_, err = f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Operator: addr(t, "nobody")})
	require.ErrorIs(t, err, types.ErrValidatorNotApproved)
	require.Empty(t, f.staking.jailed)

	res, err := f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Operator: a})
	require.NoError(t, err)
	require.True(t, res.Jailed)
	require.Len(t, f.staking.jailed, 1)
	ok, err := f.k.IsApproved(f.ctx, accBytes(t, a))
	require.NoError(t, err)
	require.False(t, ok)

	// Two equal operators left: removing one leaves one with all power → warning.
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	_, err = f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Operator: b})
	require.NoError(t, err)
	ev := f.ctx.EventManager().Events()[0]
	found := false
	for _, attr := range ev.Attributes {
		if attr.Key == "warning" && attr.Value != `""` {
			found = true
		}
	}
	require.True(t, found, "event should warn about a single dominant operator: %v", ev)

	// The last operator with power cannot be removed.
	_, err = f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Operator: c})
	require.ErrorIs(t, err, types.ErrLastValidator)
	ok, err = f.k.IsApproved(f.ctx, accBytes(t, c))
	require.NoError(t, err)
	require.True(t, ok)
}

func TestUpdateAuthority(t *testing.T) {
	f := setup(t)
	admin := addr(t, "admin")
	_, err := f.msgs.UpdateAuthority(f.ctx, &types.MsgUpdateAuthority{Authority: admin, NewAuthority: admin})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	_, err = f.msgs.UpdateAuthority(f.ctx, &types.MsgUpdateAuthority{Authority: f.authority, NewAuthority: "bad"})
	require.ErrorIs(t, err, types.ErrInvalidAddress)

	_, err = f.msgs.UpdateAuthority(f.ctx, &types.MsgUpdateAuthority{Authority: f.authority, NewAuthority: admin})
	require.NoError(t, err)
	got, err := f.k.GetAuthority(f.ctx)
	require.NoError(t, err)
	require.Equal(t, admin, got)
	_, err = f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: f.authority, Operator: addr(t, "x")})
	require.ErrorIs(t, err, types.ErrUnauthorized, "the old authority lost its power")
}

// recordingStaking is the inner staking Msg service: it records what got through.
type recordingStaking struct {
	stakingtypes.MsgServer
	calls []string
}

func (r *recordingStaking) CreateValidator(context.Context, *stakingtypes.MsgCreateValidator) (*stakingtypes.MsgCreateValidatorResponse, error) {
	r.calls = append(r.calls, "create")
	return &stakingtypes.MsgCreateValidatorResponse{}, nil
}

func (r *recordingStaking) Delegate(context.Context, *stakingtypes.MsgDelegate) (*stakingtypes.MsgDelegateResponse, error) {
	r.calls = append(r.calls, "delegate")
	return &stakingtypes.MsgDelegateResponse{}, nil
}

func (r *recordingStaking) CancelUnbondingDelegation(context.Context, *stakingtypes.MsgCancelUnbondingDelegation) (*stakingtypes.MsgCancelUnbondingDelegationResponse, error) {
	r.calls = append(r.calls, "cancel")
	return &stakingtypes.MsgCancelUnbondingDelegationResponse{}, nil
}

func TestStakingGate(t *testing.T) {
	f := setup(t)
	inner := &recordingStaking{}
	gate := keeper.NewStakingMsgGate(inner, f.k)
	op, outsider := addr(t, "op"), addr(t, "outsider")
	opVal, err := valCodec.BytesToString(accBytes(t, op))
	require.NoError(t, err)
	outVal, err := valCodec.BytesToString(accBytes(t, outsider))
	require.NoError(t, err)
	_, err = f.msgs.ApproveValidator(f.ctx, &types.MsgApproveValidator{Authority: f.authority, Operator: op})
	require.NoError(t, err)

	_, err = gate.CreateValidator(f.ctx, &stakingtypes.MsgCreateValidator{ValidatorAddress: outVal})
	require.ErrorIs(t, err, types.ErrValidatorNotApproved)
	_, err = gate.CreateValidator(f.ctx, &stakingtypes.MsgCreateValidator{ValidatorAddress: "bad"})
	require.ErrorIs(t, err, types.ErrInvalidAddress)
	_, err = gate.CreateValidator(f.ctx, &stakingtypes.MsgCreateValidator{ValidatorAddress: opVal})
	require.NoError(t, err)

	_, err = gate.Delegate(f.ctx, &stakingtypes.MsgDelegate{DelegatorAddress: outsider, ValidatorAddress: opVal})
	require.ErrorIs(t, err, types.ErrDelegationNotAllowed)
	_, err = gate.Delegate(f.ctx, &stakingtypes.MsgDelegate{DelegatorAddress: outsider, ValidatorAddress: outVal})
	require.ErrorIs(t, err, types.ErrValidatorNotApproved, "self-delegation needs an approval too")
	_, err = gate.Delegate(f.ctx, &stakingtypes.MsgDelegate{DelegatorAddress: op, ValidatorAddress: opVal})
	require.NoError(t, err)

	_, err = gate.CancelUnbondingDelegation(f.ctx, &stakingtypes.MsgCancelUnbondingDelegation{DelegatorAddress: outsider, ValidatorAddress: opVal})
	require.ErrorIs(t, err, types.ErrDelegationNotAllowed)
	_, err = gate.CancelUnbondingDelegation(f.ctx, &stakingtypes.MsgCancelUnbondingDelegation{DelegatorAddress: op, ValidatorAddress: opVal})
	require.NoError(t, err)

	_, err = gate.BeginRedelegate(f.ctx, &stakingtypes.MsgBeginRedelegate{DelegatorAddress: op, ValidatorSrcAddress: outVal, ValidatorDstAddress: opVal})
	require.ErrorIs(t, err, types.ErrRedelegationForbidden)

	require.Equal(t, []string{"create", "delegate", "cancel"}, inner.calls, "only allowed messages reach staking")
}

func TestGenesis(t *testing.T) {
	f := setup(t)
	op, admin := addr(t, "op"), addr(t, "admin")
	f.staking.add(t, accBytes(t, op), 5)

	err := f.k.InitGenesis(f.ctx, &types.GenesisState{})
	require.ErrorIs(t, err, types.ErrValidatorNotApproved, "a staking validator must be approved")

	f = setup(t)
	f.staking.add(t, accBytes(t, op), 5)
	gs := &types.GenesisState{Authority: admin, Validators: []types.ApprovedValidator{{Operator: op}}, RevealChains: []types.RevealChain{}}
	require.NoError(t, f.k.InitGenesis(f.ctx, gs))
	out, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Equal(t, gs, out)

	dup := &types.GenesisState{Validators: []types.ApprovedValidator{{Operator: op}, {Operator: op}}}
	require.ErrorIs(t, dup.Validate(accCodec), types.ErrInvalidGenesis)

	// An exported chain holds removed validators: jailed, no longer approved.
	// They import (they have no power and cannot unjail); an unjailed one does not.
	f = setup(t)
	removed := addr(t, "removed")
	f.staking.add(t, accBytes(t, op), 5)
	f.staking.add(t, accBytes(t, removed), 1)
	gs = &types.GenesisState{Authority: admin, Validators: []types.ApprovedValidator{{Operator: op}}}
	require.ErrorIs(t, f.k.InitGenesis(f.ctx, gs), types.ErrValidatorNotApproved)
	removedVal, err := valCodec.BytesToString(accBytes(t, removed))
	require.NoError(t, err)
	f.staking.vals[removedVal].Jailed = true
	require.NoError(t, f.k.InitGenesis(f.ctx, gs))
}

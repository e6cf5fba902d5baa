package simulation

import (
	"context"
	"crypto/sha256"
	"fmt"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// MsgStoreProgramFactory stores variants of the test program (the mixer with
// a custom section of random bytes: a distinct valid module, so a distinct
// id), one in eight times the mixer itself (stored already after the first
// time), and one in six times bytes that are no module at all.
func MsgStoreProgramFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgStoreProgram, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		sender := data.AnyAccount(reporter, simsx.WithSpendableBalance())
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		var code []byte
		var want error
		switch n := r.Intn(48); {
		case n < 8:
			code = []byte(r.StringN(1 + r.Intn(64)))
			want = types.ErrMalformedProgram
		case n < 14:
			code = MixerProgram
		default:
			code = withCustomSection(MixerProgram, []byte(r.StringN(8)))
		}
		approved, err := k.ApprovedRequesters.Has(ctx, sender.Address)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		id := sha256.Sum256(code)
		exists, err := k.Programs.Has(ctx, id[:])
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		fee := params.ProgramByteFee.Mul(math.NewInt(int64(len(code))))
		switch {
		case params.RequesterAllowlist && !approved:
			want = types.ErrRequesterNotApproved
		case len(code) > int(params.MaxProgramBytes):
			want = types.ErrProgramTooLarge
		case want != nil:
		case exists:
			want = types.ErrProgramExists
		case !reserve(k, &sender, fee):
			want = types.ErrInsufficientFunds
		}
		return []simsx.SimAccount{sender}, &types.MsgStoreProgram{Sender: sender.AddressBech32, Code: code}, simtest.Expect(want, func() error {
			rec, err := k.Programs.Get(ctx, id[:])
			if err != nil || rec.CodeSize != uint64(len(code)) || !rec.Fee.Equal(fee) {
				return fmt.Errorf("stored program %x: %v (%v)", id, rec, err)
			}
			return nil
		})
	})
}

// withCustomSection appends a custom section (id 0) named name to a module:
// WebAssembly ignores it, so the module behaves the same under a new id.
func withCustomSection(module, name []byte) []byte {
	body := append([]byte{byte(len(name))}, name...)
	out := append([]byte(nil), module...)
	return append(append(out, 0, byte(len(body))), body...)
}

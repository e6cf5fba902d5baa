package keeper

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ProgramGasPerByte is charged per byte of code before a program is validated,
// so parsing a large module is paid for even when it is refused. Validation
// is a single pass over the module (about 1-2 ns a byte on the bench), so
// this is an upper bound with room to spare.
const ProgramGasPerByte = 4

// StoreProgram validates code as a Program ABI v1 module and stores it under
// sha256(code), taking size × program_byte_fee from the sender and burning it.
// Like PostJob, it is open to approved requesters only while the requester
// allowlist is on. A program already stored is refused (ErrProgramExists) and
// charges no fee: ids are content hashes, so the stored code is the same.
func (k *Keeper) StoreProgram(ctx context.Context, sender sdk.AccAddress, code []byte) (types.Program, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return types.Program{}, err
	}
	if err := k.checkMayRequest(ctx, params, sender); err != nil {
		return types.Program{}, err
	}
	if len(code) == 0 {
		return types.Program{}, errorsmod.Wrap(types.ErrMalformedProgram, "empty code")
	}
	if uint64(len(code)) > uint64(params.MaxProgramBytes) {
		return types.Program{}, errorsmod.Wrapf(types.ErrProgramTooLarge, "%d bytes, the limit is %d", len(code), params.MaxProgramBytes)
	}
	id := sha256.Sum256(code)
	if has, err := k.Programs.Has(ctx, id[:]); err != nil {
		return types.Program{}, err
	} else if has {
		return types.Program{}, errorsmod.Wrapf(types.ErrProgramExists, "%x", id)
	}
	sdk.UnwrapSDKContext(ctx).GasMeter().ConsumeGas(ProgramGasPerByte*uint64(len(code)), "compute: validate program")
	mod, err := program.Validate(code, program.Limits{MaxCodeBytes: params.MaxProgramBytes, MaxMemoryPages: params.MaxProgramMemoryPages})
	if err != nil {
		return types.Program{}, programError(err)
	}
	fee := params.ProgramByteFee.Mul(math.NewInt(int64(len(code))))
	if err := k.burnFrom(ctx, sender, fee); err != nil {
		return types.Program{}, err
	}
	rec := types.Program{
		Id:                     id[:],
		CodeSize:               uint64(len(code)),
		AbiVersion:             program.ABIVersion,
		InstrumentationVersion: program.InstrumentationVersion,
		MinMemoryPages:         mod.MinMemoryPages,
		MaxMemoryPages:         mod.MaxMemoryPages,
		FunctionCount:          mod.FunctionCount,
		InstructionCount:       mod.InstructionCount,
		Storer:                 k.addrString(sender),
		StoredHeight:           height(ctx),
		Fee:                    fee,
	}
	if err := k.Programs.Set(ctx, id[:], rec); err != nil {
		return types.Program{}, err
	}
	if err := k.ProgramCode.Set(ctx, id[:], code); err != nil {
		return types.Program{}, err
	}
	return rec, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventProgramStored{
		Id: hex.EncodeToString(id[:]), Sender: rec.Storer, CodeSize: rec.CodeSize, Fee: fee,
	})
}

// checkMayRequest refuses a sender who is not approved while the requester
// allowlist is on: storing a program and posting a job are gated alike.
func (k *Keeper) checkMayRequest(ctx context.Context, params types.Params, who sdk.AccAddress) error {
	if !params.RequesterAllowlist {
		return nil
	}
	ok, err := k.ApprovedRequesters.Has(ctx, who)
	if err != nil {
		return err
	}
	if !ok {
		return errorsmod.Wrapf(types.ErrRequesterNotApproved, "%s may not post jobs or store programs while the requester allowlist is on", k.addrString(who))
	}
	return nil
}

// burnFrom takes amount from an account and burns it, adding it to
// TotalBurned so supply still reconciles with emission.
func (k *Keeper) burnFrom(ctx context.Context, from sdk.AccAddress, amount math.Int) error {
	if !amount.IsPositive() {
		return nil
	}
	if err := k.pull(ctx, from, amount); err != nil {
		return err
	}
	if err := k.bank.BurnCoins(ctx, types.ModuleName, k.coins(amount)); err != nil {
		return err
	}
	burned, err := k.loadInt(ctx, k.TotalBurned)
	if err != nil {
		return err
	}
	return k.TotalBurned.Set(ctx, burned.Add(amount))
}

// getProgram returns a stored program's record and code.
func (k *Keeper) getProgram(ctx context.Context, id []byte) (types.Program, []byte, error) {
	rec, err := k.Programs.Get(ctx, id)
	if isNotFound(err) {
		return rec, nil, errorsmod.Wrapf(types.ErrProgramNotFound, "%x", id)
	}
	if err != nil {
		return rec, nil, err
	}
	code, err := k.ProgramCode.Get(ctx, id)
	return rec, code, err
}

// programError maps the runtime's validation errors onto registered ones.
func programError(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, program.ErrCodeTooLarge):
		return errorsmod.Wrap(types.ErrProgramTooLarge, msg)
	case errors.Is(err, program.ErrMemoryTooLarge):
		return errorsmod.Wrap(types.ErrProgramMemoryTooLarge, msg)
	case errors.Is(err, program.ErrForbiddenImport):
		return errorsmod.Wrap(types.ErrForbiddenImport, msg)
	case errors.Is(err, program.ErrFloatInstruction), errors.Is(err, program.ErrUnsupportedFeature):
		return errorsmod.Wrap(types.ErrForbiddenInstruction, msg)
	case errors.Is(err, program.ErrStartFunction), errors.Is(err, program.ErrMissingExport), errors.Is(err, program.ErrBadSignature):
		return errorsmod.Wrap(types.ErrProgramABI, msg)
	default:
		return errorsmod.Wrap(types.ErrMalformedProgram, msg)
	}
}

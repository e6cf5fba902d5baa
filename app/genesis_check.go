package app

import (
	"encoding/json"

	errorsmod "cosmossdk.io/errors"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
)

// CheckGenesisValidatorsApproved fails when a gentx or a staking genesis
// validator belongs to an operator the permission genesis does not approve,
// so a bad genesis is refused by `genesis validate` and `collect-gentxs`
// instead of at InitChain.
func (app *App) CheckGenesisValidatorsApproved(genState GenesisState) error {
	var perm permissiontypes.GenesisState
	if bz, ok := genState[permissiontypes.ModuleName]; ok {
		if err := app.appCodec.UnmarshalJSON(bz, &perm); err != nil {
			return err
		}
	}
	valCodec := app.interfaceRegistry.SigningContext().ValidatorAddressCodec()
	accCodec := app.interfaceRegistry.SigningContext().AddressCodec()
	check := func(valoper, where string) error {
		bz, err := valCodec.StringToBytes(valoper)
		if err != nil {
			return errorsmod.Wrapf(permissiontypes.ErrInvalidGenesis, "%s validator %q: %v", where, valoper, err)
		}
		if !perm.IsApproved(accCodec, bz) {
			op, _ := accCodec.BytesToString(bz)
			return errorsmod.Wrapf(permissiontypes.ErrValidatorNotApproved,
				"%s validator %s (operator %s) is not in the permission genesis; add it with `nightshiftd genesis approve-validator %s`",
				where, valoper, op, op)
		}
		return nil
	}

	if bz, ok := genState[stakingtypes.ModuleName]; ok {
		var staking stakingtypes.GenesisState
		if err := app.appCodec.UnmarshalJSON(bz, &staking); err != nil {
			return err
		}
		for _, v := range staking.Validators {
			if v.Jailed {
				continue // removed: no power, and it cannot unjail unapproved
			}
			if err := check(v.OperatorAddress, "staking genesis"); err != nil {
				return err
			}
		}
	}
	if bz, ok := genState[genutiltypes.ModuleName]; ok {
		var gen genutiltypes.GenesisState
		if err := json.Unmarshal(bz, &gen); err != nil {
			return err
		}
		for _, raw := range gen.GenTxs {
			tx, err := app.txConfig.TxJSONDecoder()(raw)
			if err != nil {
				return errorsmod.Wrapf(permissiontypes.ErrInvalidGenesis, "gentx: %v", err)
			}
			for _, msg := range tx.GetMsgs() {
				if cv, ok := msg.(*stakingtypes.MsgCreateValidator); ok {
					if err := check(cv.ValidatorAddress, "gentx"); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

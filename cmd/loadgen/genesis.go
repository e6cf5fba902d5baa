package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/nightshift-network/nightshift/app"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// GenesisPatch describes what the bench adds to a genesis before the nodes start.
type GenesisPatch struct {
	Seed     string
	Accounts int
	Balance  math.Int // ushift per account
	// Requester is the index of the account whose jobs earn emission (approved
	// requester), or -1 for none.
	Requester int
	// MaxLiveTasksPerDevice and MaxTaskItems replace the compute params when non-zero.
	MaxLiveTasksPerDevice uint32
	MaxTaskItems          uint64
	// BlockMaxGas replaces the consensus block gas limit when non-zero
	// (app.BlockMaxGas otherwise): the bench's side-by-side of limits.
	BlockMaxGas int64
}

// Changes lists what the patch changes, for the results file.
func (p GenesisPatch) Changes(before computetypes.Params) []string {
	out := []string{fmt.Sprintf("%d bench accounts (secp256k1 from seed %q) with %s%s each, bank supply raised to match", p.Accounts, p.Seed, p.Balance, app.BondDenom)}
	if p.Requester >= 0 {
		out = append(out, fmt.Sprintf("bench account %d is an approved requester (its jobs earn emission, as on a production network)", p.Requester))
	}
	if p.MaxLiveTasksPerDevice != 0 && p.MaxLiveTasksPerDevice != before.MaxLiveTasksPerDevice {
		out = append(out, fmt.Sprintf("compute max_live_tasks_per_device %d -> %d", before.MaxLiveTasksPerDevice, p.MaxLiveTasksPerDevice))
	}
	if p.MaxTaskItems != 0 && p.MaxTaskItems != before.MaxTaskItems {
		out = append(out, fmt.Sprintf("compute max_task_items %d -> %d (for the large-task round)", before.MaxTaskItems, p.MaxTaskItems))
	}
	if p.BlockMaxGas != 0 && p.BlockMaxGas != app.BlockMaxGas {
		out = append(out, fmt.Sprintf("consensus block max_gas %d -> %d", int64(app.BlockMaxGas), p.BlockMaxGas))
	}
	return out
}

// PatchGenesis appends the bench accounts (auth accounts with explicit account
// numbers after the existing ones, bank balances and supply) and applies the
// compute param changes. It returns the new genesis and the params before.
func PatchGenesis(cdc codec.Codec, genesis []byte, p GenesisPatch) ([]byte, computetypes.Params, error) {
	var before computetypes.Params
	appGenesis, err := genutiltypes.AppGenesisFromReader(bytes.NewReader(genesis))
	if err != nil {
		return nil, before, err
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(appGenesis.AppState, &state); err != nil {
		return nil, before, err
	}

	var auth authtypes.GenesisState
	if err := cdc.UnmarshalJSON(state[authtypes.ModuleName], &auth); err != nil {
		return nil, before, fmt.Errorf("auth genesis: %w", err)
	}
	existing, err := authtypes.UnpackAccounts(auth.Accounts)
	if err != nil {
		return nil, before, err
	}
	nextNum := uint64(len(existing))
	seen := map[string]bool{}
	for _, acc := range existing {
		nextNum = max(nextNum, acc.GetAccountNumber()+1)
		seen[acc.GetAddress().String()] = true
	}
	var bank banktypes.GenesisState
	if err := cdc.UnmarshalJSON(state[banktypes.ModuleName], &bank); err != nil {
		return nil, before, fmt.Errorf("bank genesis: %w", err)
	}
	coins := sdk.NewCoins(sdk.NewCoin(app.BondDenom, p.Balance))
	accs := DeriveAccounts(p.Seed, p.Accounts)
	for i, a := range accs {
		if seen[a.Bech32] {
			return nil, before, fmt.Errorf("bench account %d (%s) is already in the genesis: patched twice?", i, a.Bech32)
		}
		existing = append(existing, authtypes.NewBaseAccount(a.Addr, nil, nextNum+uint64(i), 0))
		bank.Balances = append(bank.Balances, banktypes.Balance{Address: a.Bech32, Coins: coins})
	}
	if auth.Accounts, err = authtypes.PackAccounts(existing); err != nil {
		return nil, before, err
	}
	total := p.Balance.MulRaw(int64(p.Accounts))
	bank.Supply = bank.Supply.Add(sdk.NewCoin(app.BondDenom, total))
	if state[authtypes.ModuleName], err = cdc.MarshalJSON(&auth); err != nil {
		return nil, before, err
	}
	if state[banktypes.ModuleName], err = cdc.MarshalJSON(&bank); err != nil {
		return nil, before, err
	}

	var compute computetypes.GenesisState
	if err := cdc.UnmarshalJSON(state[computetypes.ModuleName], &compute); err != nil {
		return nil, before, fmt.Errorf("compute genesis: %w", err)
	}
	before = compute.Params
	if p.MaxLiveTasksPerDevice != 0 {
		compute.Params.MaxLiveTasksPerDevice = p.MaxLiveTasksPerDevice
	}
	if p.MaxTaskItems != 0 {
		compute.Params.MaxTaskItems = p.MaxTaskItems
	}
	if p.Requester >= 0 {
		compute.ApprovedRequesters = append(compute.ApprovedRequesters, accs[p.Requester].Bech32)
	}
	if state[computetypes.ModuleName], err = cdc.MarshalJSON(&compute); err != nil {
		return nil, before, err
	}

	if p.BlockMaxGas != 0 {
		if appGenesis.Consensus == nil || appGenesis.Consensus.Params == nil {
			return nil, before, fmt.Errorf("the genesis has no consensus block params to set max_gas in")
		}
		appGenesis.Consensus.Params.Block.MaxGas = p.BlockMaxGas
	}
	if appGenesis.AppState, err = json.MarshalIndent(state, "", "  "); err != nil {
		return nil, before, err
	}
	out, err := json.MarshalIndent(appGenesis, "", "  ")
	return out, before, err
}

// PatchGenesisFiles patches files, which must be identical (the nodes of one
// network), so that they stay identical.
func PatchGenesisFiles(cdc codec.Codec, files []string, p GenesisPatch) (computetypes.Params, error) {
	var first []byte
	for i, f := range files {
		bz, err := os.ReadFile(f)
		if err != nil {
			return computetypes.Params{}, err
		}
		if i == 0 {
			first = bz
		} else if !bytes.Equal(bz, first) {
			return computetypes.Params{}, fmt.Errorf("%s differs from %s: the nodes must share one genesis", f, files[0])
		}
	}
	patched, before, err := PatchGenesis(cdc, first, p)
	if err != nil {
		return before, err
	}
	for _, f := range files {
		if err := os.WriteFile(f, patched, 0o644); err != nil {
			return before, err
		}
	}
	return before, nil
}

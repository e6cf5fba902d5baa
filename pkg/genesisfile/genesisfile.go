// Package genesisfile reads and edits a node's genesis.json through the SDK's
// AppGenesis, so every command that tunes a genesis (devnet, the genesis
// subcommands, the bench) decodes and writes it the same way.
package genesisfile

import (
	"encoding/json"
	"fmt"

	"github.com/cosmos/cosmos-sdk/codec"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/cosmos/gogoproto/proto"
)

// AppState is a genesis's app_state: each module's section as raw JSON.
type AppState map[string]json.RawMessage

// Read returns the genesis at path and its decoded app state.
func Read(path string) (*genutiltypes.AppGenesis, AppState, error) {
	gen, err := genutiltypes.AppGenesisFromFile(path)
	if err != nil {
		return nil, nil, err
	}
	state, err := DecodeAppState(gen)
	return gen, state, err
}

// DecodeAppState decodes gen's app_state.
func DecodeAppState(gen *genutiltypes.AppGenesis) (AppState, error) {
	var state AppState
	if err := json.Unmarshal(gen.AppState, &state); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	return state, nil
}

// Edit reads the genesis at path, lets edit change its app state, and writes the
// file back. Nothing is written when edit fails.
func Edit(path string, edit func(AppState) error) error {
	gen, state, err := Read(path)
	if err != nil {
		return err
	}
	if err := edit(state); err != nil {
		return err
	}
	if gen.AppState, err = json.MarshalIndent(state, "", "  "); err != nil {
		return err
	}
	return gen.SaveAs(path)
}

// SetBlockMaxGas sets the block gas limit of the genesis at path: without one
// (CometBFT's default -1) a block may hold any amount of verification work.
func SetBlockMaxGas(path string, maxGas int64) error {
	gen, _, err := Read(path)
	if err != nil {
		return err
	}
	if gen.Consensus == nil || gen.Consensus.Params == nil {
		return fmt.Errorf("genesis %s has no consensus params", path)
	}
	gen.Consensus.Params.Block.MaxGas = maxGas
	return gen.SaveAs(path)
}

// EditModule decodes module's section into section (a pointer to the module's
// GenesisState), lets edit change it, and stores it back in state.
func EditModule[T proto.Message](cdc codec.JSONCodec, state AppState, module string, section T, edit func(T) error) error {
	if err := cdc.UnmarshalJSON(state[module], section); err != nil {
		return fmt.Errorf("%s genesis: %w", module, err)
	}
	if err := edit(section); err != nil {
		return err
	}
	bz, err := cdc.MarshalJSON(section)
	if err != nil {
		return fmt.Errorf("%s genesis: %w", module, err)
	}
	state[module] = bz
	return nil
}

// SetVoteExtensionsEnableHeight turns CometBFT vote extensions on from height
// h of the genesis at path: validators' hash-chain reveals then seed the
// challenges (x/permission); with 0 they stay off and the seed is the header hash.
func SetVoteExtensionsEnableHeight(path string, h int64) error {
	gen, _, err := Read(path)
	if err != nil {
		return err
	}
	if gen.Consensus == nil || gen.Consensus.Params == nil {
		return fmt.Errorf("genesis %s has no consensus params", path)
	}
	gen.Consensus.Params.ABCI.VoteExtensionsEnableHeight = h
	return gen.SaveAs(path)
}

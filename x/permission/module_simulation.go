package permission

import (
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/slashing"
	slashingkeeper "github.com/cosmos/cosmos-sdk/x/slashing/keeper"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"

	"github.com/nightshift-network/nightshift/x/permission/keeper"
	"github.com/nightshift-network/nightshift/x/permission/simulation"
	"github.com/nightshift-network/nightshift/x/permission/types"
)

var (
	_ module.AppModuleSimulation   = AppModule{}
	_ simsx.HasWeightedOperationsX = AppModule{}
	_ simsx.HasWeightedOperationsX = GatedStakingModule{}
	_ simsx.HasWeightedOperationsX = GatedSlashingSimulation{}
)

// GenerateGenesisState writes a randomized permission genesis.
func (AppModule) GenerateGenesisState(simState *module.SimulationState) {
	simulation.RandomizedGenState(simState)
}

// RegisterStoreDecoder decodes the module's store for simulation logs.
func (am AppModule) RegisterStoreDecoder(sdr simtypes.StoreDecoderRegistry) {
	sdr[types.StoreKey] = simtypes.NewStoreDecoderFuncFromCollectionsSchema(am.keeper.Schema)
}

// WeightedOperations is unused: the module registers WeightedOperationsX.
func (AppModule) WeightedOperations(module.SimulationState) []simtypes.WeightedOperation {
	return nil
}

// WeightedOperationsX registers the authority's messages. Removals weigh
// least: each one can shrink the validator set.
func (am AppModule) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("msg_approve_validator", 30), simulation.MsgApproveValidatorFactory(am.keeper))
	reg.Add(weights.Get("msg_remove_validator", 3), simulation.MsgRemoveValidatorFactory(am.keeper))
	reg.Add(weights.Get("msg_update_authority", 2), simulation.MsgUpdateAuthorityFactory(am.keeper))
	reg.Add(weights.Get("msg_commit_reveal_chain", 10), simulation.MsgCommitRevealChainFactory(am.keeper))
}

// WeightedOperationsX registers x/staking's message factories behind the
// gate (messages it refuses must fail with its error) and operators' own
// delegations, the one kind the gate lets through.
func (m GatedStakingModule) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	m.AppModule.WeightedOperationsX(weights, simulation.NewGatedRegistry(reg, m.gate))
	reg.Add(weights.Get("msg_self_delegate", 100), simulation.MsgSelfDelegateFactory(m.staking, m.gate))
}

// GatedSlashingSimulation is x/slashing's simulation with MsgUnjail expected to
// fail for a validator whose operator is no longer approved (the chain hands
// x/slashing a staking keeper that refuses to unjail it), and without its
// governance proposal: that one sets a downtime jail of centuries (a random
// timestamp taken as a duration) and up to 100 % signed blocks, which jails
// the whole set within a few dozen blocks on a chain where only approved
// operators can bring new stake.
type GatedSlashingSimulation struct {
	slashing.AppModule
	slashing slashingkeeper.Keeper
	staking  *stakingkeeper.Keeper
	gate     *keeper.Keeper
}

// NewGatedSlashingSimulation wraps the slashing module for the simulation manager.
func NewGatedSlashingSimulation(m slashing.AppModule, sk slashingkeeper.Keeper, staking *stakingkeeper.Keeper, gate *keeper.Keeper) GatedSlashingSimulation {
	return GatedSlashingSimulation{AppModule: m, slashing: sk, staking: staking, gate: gate}
}

// WeightedOperationsX registers x/slashing's message factories behind the gate,
// and operators unjailing their validators once the jail time is over (which
// x/slashing's factory seldom tries, and which keeps the set alive).
func (m GatedSlashingSimulation) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	m.AppModule.WeightedOperationsX(weights, simulation.NewGatedRegistry(reg, m.gate))
	reg.Add(weights.Get("msg_operator_unjail", 50), simulation.MsgOperatorUnjailFactory(m.staking, m.slashing, m.gate))
}

// ProposalMsgsX registers no proposal (see GatedSlashingSimulation).
func (GatedSlashingSimulation) ProposalMsgsX(simsx.WeightSource, simsx.Registry) {}

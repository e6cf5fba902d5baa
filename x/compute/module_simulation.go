package compute

import (
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/nightshift-network/nightshift/x/compute/simulation"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

var (
	_ module.AppModuleSimulation   = AppModule{}
	_ simsx.HasWeightedOperationsX = AppModule{}
)

// GenerateGenesisState writes a randomized compute genesis.
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

// WeightedOperationsX registers a message factory for every compute Msg. The
// task lifecycle (lease, claim, proof) weighs most, so that tasks complete.
func (am AppModule) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("msg_register_device", 30), simulation.MsgRegisterDeviceFactory(am.keeper))
	reg.Add(weights.Get("msg_update_device", 10), simulation.MsgUpdateDeviceFactory(am.keeper))
	reg.Add(weights.Get("msg_unbond_device", 5), simulation.MsgUnbondDeviceFactory(am.keeper))
	reg.Add(weights.Get("msg_post_job", 40), simulation.MsgPostJobFactory(am.keeper))
	reg.Add(weights.Get("msg_cancel_job", 8), simulation.MsgCancelJobFactory(am.keeper))
	reg.Add(weights.Get("msg_lease_task", 120), simulation.MsgLeaseTaskFactory(am.keeper))
	reg.Add(weights.Get("msg_submit_claim", 120), simulation.MsgSubmitClaimFactory(am.keeper))
	reg.Add(weights.Get("msg_submit_proof", 120), simulation.MsgSubmitProofFactory(am.keeper))
	reg.Add(weights.Get("msg_withdraw_rewards", 20), simulation.MsgWithdrawRewardsFactory(am.keeper))
	reg.Add(weights.Get("msg_approve_requester", 10), simulation.MsgApproveRequesterFactory(am.keeper))
	reg.Add(weights.Get("msg_revoke_requester", 5), simulation.MsgRevokeRequesterFactory(am.keeper))
	reg.Add(weights.Get("msg_update_compute_params", 4), simulation.MsgUpdateParamsFactory(am.keeper))
	reg.Add(weights.Get("msg_demand_delivery", 30), simulation.MsgDemandDeliveryFactory(am.keeper))
	reg.Add(weights.Get("msg_deliver_outputs", 40), simulation.MsgDeliverOutputsFactory(am.keeper))
	reg.Add(weights.Get("msg_report_fraud", 30), simulation.MsgReportFraudFactory(am.keeper))
	reg.Add(weights.Get("msg_release_task", 20), simulation.MsgReleaseTaskFactory(am.keeper))
	reg.Add(weights.Get("msg_store_program", 6), simulation.MsgStoreProgramFactory(am.keeper))
	reg.Add(weights.Get("msg_lease_tasks", 40), simulation.MsgLeaseTasksFactory(am.keeper))
	reg.Add(weights.Get("msg_submit_claims", 40), simulation.MsgSubmitClaimsFactory(am.keeper))
	reg.Add(weights.Get("msg_submit_proofs", 40), simulation.MsgSubmitProofsFactory(am.keeper))
	reg.Add(weights.Get("msg_lease_and_claim", 30), simulation.MsgLeaseAndClaimFactory(am.keeper))
}

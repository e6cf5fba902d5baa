// Package simulation drives x/compute in the SDK's simulator: a randomized
// genesis with short windows (so leases expire, proofs are missed, epochs
// settle and devices unbond within a few hundred blocks) and a message factory
// for every Msg, each predicting the outcome of the message it builds.
package simulation

import (
	"math/rand"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// RandomizedGenState writes a compute genesis with random params and a random
// set of approved requesters.
func RandomizedGenState(simState *module.SimulationState) {
	var params types.Params
	simState.AppParams.GetOrGenerate("compute_params", &params, simState.Rand, func(r *rand.Rand) {
		params = RandomParams(r, math.ZeroInt())
	})
	gs := types.DefaultGenesis()
	gs.Params = params
	for _, acc := range simState.Accounts {
		if simState.Rand.Intn(4) == 0 {
			gs.ApprovedRequesters = append(gs.ApprovedRequesters, acc.AddressBech32)
		}
	}
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}

// RandomParams returns valid params whose windows are a few blocks long. The
// emission cap is one to twenty epochs' emission beyond emitted (what is
// already minted), so every run settles an epoch with emission and some
// reach the cap.
func RandomParams(r *rand.Rand, emitted math.Int) types.Params {
	maxJobItems := between(r, 64, 256)
	draw := between(r, 1_000_000, 1_000_000_000)
	minBond := between(r, 1_000_000, 100_000_000)
	// The lease check counts an eligible task as able to earn up to the epoch's
	// emission, so emission is sized to the bonds (2-50 % of the minimum):
	// some bonds cover it and some do not. (Drawn in the old order, so the
	// rest of a seed's params stay as they were.)
	initial := math.NewIntFromUint64(minBond/50 + draw%(minBond/2-minBond/50+1))
	p := types.Params{
		MinDeviceBond:         math.NewIntFromUint64(minBond),
		DeviceUnbondingBlocks: between(r, 2, 40),
		LeaseBlocks:           between(r, 2, 8),
		ChallengeDelayBlocks:  between(r, 1, 3),
		ProofWindowBlocks:     between(r, 2, 8),
		ProofSamples:          uint32(between(r, 1, 8)),
		SlashInvalidBps:       uint32(between(r, 1_000, 5_000)), // a device survives a failure or two, so some are jailed
		SlashMissedBps:        uint32(between(r, 0, 3_000)),
		JailAfterFailures:     uint32(between(r, 2, 3)),
		ProtocolFeeBps:        uint32(between(r, 0, 1_000)),
		EpochBlocks:           between(r, 3, 30),
		InitialEpochEmission:  initial,
		HalvingEpochs:         between(r, 1, 10),
		EmissionCap:           emitted.Add(initial.MulRaw(int64(between(r, 1, 20)))),
		RequesterAllowlist:    r.Intn(5) == 0,
		MaxJobItems:           maxJobItems,
		MaxTaskItems:          between(r, 1, 32),
		MaxDeadlineBlocks:     between(r, 20, 200),
		MaxVerifyGasPerItem:   between(r, 4_000, 4_000_000),
		MaxLiveTasksPerDevice: uint32(between(r, 1, 6)),
		MaxQueueItemsPerBlock: uint32(between(r, 1, 50)),
		TaskRetentionBlocks:   between(r, 1, 40), // short, so runs prune
		SlashLapsedBps:        uint32(between(r, 0, 500)),
		LeaseCooldownBlocks:   between(r, 1, 20),
		JobPostingFee:         math.NewIntFromUint64(between(r, 0, 1_000)),
		// Zero: simsx pays a random subset of the sender's balance for 10M gas,
		// which a positive price would refuse at random (the ante check is
		// tested in app/min_gas_price_test.go and the e2e tests).
		MinGasPrice: math.LegacyZeroDec(),

		// Short dispute windows, so bonds still unbond and jobs still prune in a run.
		DisputeWindowBlocks:    between(r, 6, 20),
		DeliveryDeadlineBlocks: between(r, 1, 4),
		MaxDemandItems:         uint32(between(r, 1, 8)),
		DemandFeePerItem:       math.NewIntFromUint64(between(r, 0, 10_000)),
		FraudReporterBps:       uint32(between(r, 0, 5_000)),
		// Program params are fixed rather than drawn, so adding them left every
		// seed's other draws as they were.
		MaxProgramBytes:       64 << 10,
		MaxProgramMemoryPages: 16,
		MaxFuelPerItem:        1_000_000,
		ProgramByteFee:        math.NewInt(1),
		MaxItemInputBytes:     1 << 10,
		MaxItemOutputBytes:    1 << 10,
		GasPerKilofuel:        64,
	}
	// Room for one to three proofs at their bound per block (params.Validate's floor is one).
	p.MaxVerifyGasPerBlock = uint64(p.ProofSamples) * (p.MaxVerifyGasPerItem + types.VerifyHashReservePerItem) * between(r, 1, 3)
	// Drawn last so the draws above stay as they were. A cap from 10 % to off,
	// and few requesters per epoch, so runs meet both bounds.
	p.MaxRequesterEmissionBps = uint32(between(r, 1_000, types.BasisPoints))
	p.MaxEmissionRequestersPerEpoch = uint32(between(r, 1, 4))
	// Small, so batches at and over the limit both occur.
	p.MaxBatchSize = uint32(between(r, 2, 6))
	return p
}

// between returns a uniform value in [lo, hi].
func between(r *rand.Rand, lo, hi uint64) uint64 {
	return lo + uint64(r.Int63n(int64(hi-lo+1)))
}

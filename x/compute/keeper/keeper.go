// Package keeper is the compute job market: escrowed jobs, bonded devices,
// leases, claims, sampled proofs, payment, emission and slashing.
package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/log/v2"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// JobIndexes are the secondary indexes of Jobs, kept by the IndexedMap on
// every Set and Remove.
type JobIndexes struct {
	// Requester maps (requester address, job id).
	Requester *indexes.Multi[[]byte, uint64, types.Job]
	// Status maps (job status, job id).
	Status *indexes.Multi[int32, uint64, types.Job]
	// Replay maps a live job's replay key to the job (replay.go).
	Replay *ReplayIndex
}

// IndexesList implements collections.Indexes.
func (i JobIndexes) IndexesList() []collections.Index[uint64, types.Job] {
	return []collections.Index[uint64, types.Job]{i.Requester, i.Status, i.Replay}
}

func newJobIndexes(sb *collections.SchemaBuilder, ac address.Codec, registry *kinds.Registry) JobIndexes {
	return JobIndexes{
		Requester: indexes.NewMulti(sb, types.JobsByRequesterKey, "jobs_by_requester", collections.BytesKey, collections.Uint64Key,
			func(_ uint64, job types.Job) ([]byte, error) { return ac.StringToBytes(job.Requester) }),
		Status: indexes.NewMulti(sb, types.JobsByStatusKey, "jobs_by_status", collections.Int32Key, collections.Uint64Key,
			func(_ uint64, job types.Job) (int32, error) { return int32(job.Status), nil }),
		Replay: newReplayIndex(sb, registry),
	}
}

// TaskKey is (job id, task index).
type TaskKey = collections.Pair[uint64, uint64]

func taskKey(job, task uint64) TaskKey { return collections.Join(job, task) }

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// ProgramCacheEntries bounds the compiled programs a node keeps in memory.
const ProgramCacheEntries = 32

// Keeper stores the market's state.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	bank         types.BankKeeper
	accounts     types.AccountKeeper
	authority    types.AuthoritySource
	seeds        types.SeedSource
	kinds        *kinds.Registry
	// programs runs wasm jobs' programs; it caches compiled modules by id
	// (bounded), and fuel never depends on the cache.
	programs     *program.Engine
	denom        string
	feeCollector string

	Schema           collections.Schema
	Params           collections.Item[types.Params]
	NextJobID        collections.Sequence
	Jobs             *collections.IndexedMap[uint64, types.Job, JobIndexes]
	Devices          collections.Map[[]byte, types.Device]
	Tasks            collections.Map[TaskKey, types.Task]
	TasksByDevice    collections.KeySet[collections.Pair[[]byte, TaskKey]]
	ReopenedTasks    collections.KeySet[TaskKey]
	TaskQueue        collections.KeySet[collections.Pair[uint64, TaskKey]]
	JobDeadlineQueue collections.KeySet[collections.Pair[uint64, uint64]]
	// JobPruneQueue holds (prune height, job) for closed jobs whose task
	// records are deleted once task_retention_blocks have passed.
	JobPruneQueue  collections.KeySet[collections.Pair[uint64, uint64]]
	UnbondingQueue collections.KeySet[collections.Pair[uint64, []byte]]
	// ClaimsByChallenge holds (challenge height, task) for every open claim, so
	// block hashes an open claim needs are never pruned (whatever the params).
	ClaimsByChallenge collections.KeySet[collections.Pair[uint64, TaskKey]]

	// Disputes (G5).
	// DisputeQueue holds (dispute_until, task) of every verified task whose
	// dispute window is open.
	DisputeQueue collections.KeySet[collections.Pair[uint64, TaskKey]]
	// DeliveryQueue holds (demand deadline, task) of every open delivery demand.
	DeliveryQueue collections.KeySet[collections.Pair[uint64, TaskKey]]
	// DemandsByDevice holds (operator, task) of every open delivery demand, so
	// a worker finds the demands it must answer.
	DemandsByDevice    collections.KeySet[collections.Pair[[]byte, TaskKey]]
	ApprovedRequesters collections.KeySet[[]byte]
	CurrentEpoch       collections.Item[uint64]
	Epochs             collections.Map[uint64, types.EpochInfo]
	DeviceEpochUnits   collections.Map[collections.Pair[[]byte, uint64], math.Int]
	// RequesterEpochUnits (epoch, requester) and DeviceRequesterUnits (device,
	// epoch, requester) hold the units the per-requester emission cap divides
	// (emission_cap.go); DeviceEpochUnits is the sum of a device's triples.
	RequesterEpochUnits  collections.Map[collections.Pair[uint64, []byte], math.Int]
	DeviceRequesterUnits collections.Map[collections.Triple[[]byte, uint64, []byte], math.Int]
	BlockHashes          collections.Map[uint64, []byte]
	TotalEmitted         collections.Item[math.Int]
	UnclaimedRewards     collections.Item[math.Int]
	TotalBurned          collections.Item[math.Int]
	// VerifyBudgetHeight and VerifyBudgetUsed count the verification gas of
	// the proofs of one block (verify_budget.go); a stored height other than
	// the current one means nothing is used yet, so no reset is needed.
	VerifyBudgetHeight collections.Item[uint64]
	VerifyBudgetUsed   collections.Item[uint64]
	// Programs holds stored programs' records and ProgramCode their code, both
	// by id (sha256 of the code), so listing programs reads no code.
	Programs    collections.Map[[]byte, types.Program]
	ProgramCode collections.Map[[]byte, []byte]
}

// NewKeeper builds the keeper. denom is the bond denom escrow, bonds, prices and
// emission are paid in; feeCollector is the module account protocol fees go to.
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService corestore.KVStoreService,
	ac address.Codec,
	bank types.BankKeeper,
	accounts types.AccountKeeper,
	authority types.AuthoritySource,
	registry *kinds.Registry,
	denom, feeCollector string,
) *Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	taskKey := collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key)
	k := &Keeper{
		cdc:          cdc,
		addressCodec: ac,
		bank:         bank,
		accounts:     accounts,
		authority:    authority,
		kinds:        registry,
		programs:     program.NewEngine(program.EngineConfig{CacheEntries: ProgramCacheEntries}),
		denom:        denom,
		feeCollector: feeCollector,

		Params:    collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		NextJobID: collections.NewSequence(sb, types.NextJobIDKey, "next_job_id"),

		DisputeQueue:       collections.NewKeySet(sb, types.DisputeQueueKey, "dispute_queue", collections.PairKeyCodec(collections.Uint64Key, taskKey)),
		DeliveryQueue:      collections.NewKeySet(sb, types.DeliveryQueueKey, "delivery_queue", collections.PairKeyCodec(collections.Uint64Key, taskKey)),
		DemandsByDevice:    collections.NewKeySet(sb, types.DemandsByDeviceKey, "demands_by_device", collections.PairKeyCodec(collections.BytesKey, taskKey)),
		Jobs:               collections.NewIndexedMap(sb, types.JobsKey, "jobs", collections.Uint64Key, codec.CollValue[types.Job](cdc), newJobIndexes(sb, ac, registry)),
		Devices:            collections.NewMap(sb, types.DevicesKey, "devices", collections.BytesKey, codec.CollValue[types.Device](cdc)),
		Tasks:              collections.NewMap(sb, types.TasksKey, "tasks", taskKey, codec.CollValue[types.Task](cdc)),
		TasksByDevice:      collections.NewKeySet(sb, types.TasksByDeviceKey, "tasks_by_device", collections.PairKeyCodec(collections.BytesKey, taskKey)),
		ReopenedTasks:      collections.NewKeySet(sb, types.ReopenedTasksKey, "reopened_tasks", taskKey),
		TaskQueue:          collections.NewKeySet(sb, types.TaskQueueKey, "task_queue", collections.PairKeyCodec(collections.Uint64Key, taskKey)),
		JobDeadlineQueue:   collections.NewKeySet(sb, types.JobDeadlineQueueKey, "job_deadline_queue", collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key)),
		JobPruneQueue:      collections.NewKeySet(sb, types.JobPruneQueueKey, "job_prune_queue", collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key)),
		UnbondingQueue:     collections.NewKeySet(sb, types.UnbondingQueueKey, "unbonding_queue", collections.PairKeyCodec(collections.Uint64Key, collections.BytesKey)),
		ClaimsByChallenge:  collections.NewKeySet(sb, types.ClaimsByChallengeKey, "claims_by_challenge", collections.PairKeyCodec(collections.Uint64Key, taskKey)),
		ApprovedRequesters: collections.NewKeySet(sb, types.ApprovedRequestersKey, "approved_requesters", collections.BytesKey),
		CurrentEpoch:       collections.NewItem(sb, types.CurrentEpochKey, "current_epoch", collections.Uint64Value),
		Epochs:             collections.NewMap(sb, types.EpochsKey, "epochs", collections.Uint64Key, codec.CollValue[types.EpochInfo](cdc)),
		DeviceEpochUnits:   collections.NewMap(sb, types.DeviceEpochUnitsKey, "device_epoch_units", collections.PairKeyCodec(collections.BytesKey, collections.Uint64Key), sdk.IntValue),
		RequesterEpochUnits: collections.NewMap(sb, types.RequesterEpochUnitsKey, "requester_epoch_units",
			types.RequesterEpochUnitsKeyCodec, sdk.IntValue),
		DeviceRequesterUnits: collections.NewMap(sb, types.DeviceRequesterUnitsKey, "device_requester_units",
			collections.TripleKeyCodec(collections.BytesKey, collections.Uint64Key, collections.BytesKey), sdk.IntValue),
		BlockHashes:        collections.NewMap(sb, types.BlockHashesKey, "block_hashes", collections.Uint64Key, collections.BytesValue),
		TotalEmitted:       collections.NewItem(sb, types.TotalEmittedKey, "total_emitted", sdk.IntValue),
		UnclaimedRewards:   collections.NewItem(sb, types.UnclaimedRewardsKey, "unclaimed_rewards", sdk.IntValue),
		TotalBurned:        collections.NewItem(sb, types.TotalBurnedKey, "total_burned", sdk.IntValue),
		VerifyBudgetHeight: collections.NewItem(sb, types.VerifyBudgetHeightKey, "verify_budget_height", collections.Uint64Value),
		VerifyBudgetUsed:   collections.NewItem(sb, types.VerifyBudgetUsedKey, "verify_budget_used", collections.Uint64Value),
		Programs:           collections.NewMap(sb, types.ProgramsKey, "programs", collections.BytesKey, codec.CollValue[types.Program](cdc)),
		ProgramCode:        collections.NewMap(sb, types.ProgramCodeKey, "program_code", collections.BytesKey, collections.BytesValue),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Denom is the denom of bonds, prices and emission.
func (k *Keeper) Denom() string { return k.denom }

// Kinds is the registry of task kinds jobs may use.
func (k *Keeper) Kinds() *kinds.Registry { return k.kinds }

// GetAuthority returns the account that may update params and approve requesters.
func (k *Keeper) GetAuthority(ctx context.Context) (string, error) {
	return k.authority.GetAuthority(ctx)
}

// GetParams returns the current params.
func (k *Keeper) GetParams(ctx context.Context) (types.Params, error) {
	return k.Params.Get(ctx)
}

func (k *Keeper) logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

func (k *Keeper) coins(amount math.Int) sdk.Coins {
	return sdk.NewCoins(sdk.NewCoin(k.denom, amount))
}

// height returns the block height as a uint64 (heights are never negative).
func height(ctx context.Context) uint64 {
	return uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
}

// loadInt reads an Int item, zero if it was never set.
func (k *Keeper) loadInt(ctx context.Context, item collections.Item[math.Int]) (math.Int, error) {
	v, err := item.Get(ctx)
	if err == nil {
		return v, nil
	}
	if isNotFound(err) {
		return math.ZeroInt(), nil
	}
	return math.Int{}, err
}

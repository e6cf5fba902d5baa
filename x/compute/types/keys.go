package types

import (
	"cosmossdk.io/collections"

	"github.com/nightshift-network/nightshift/x/compute/errs"
	"github.com/nightshift-network/nightshift/x/compute/storekeys"
)

const (
	// ModuleName is the name of the compute module; its account holds escrow,
	// device bonds and unwithdrawn emission.
	ModuleName = errs.Codespace
	// StoreKey is the module's KV store key (storekeys', its name).
	StoreKey = storekeys.StoreKey
)

// Collection prefixes; each is part of the store layout and must never change.
var (
	ParamsKey             = collections.NewPrefix(0)
	NextJobIDKey          = collections.NewPrefix(1)
	JobsKey               = collections.NewPrefix(2)
	JobsByRequesterKey    = collections.NewPrefix(3)
	JobsByStatusKey       = collections.NewPrefix(4)
	DevicesKey            = collections.NewPrefix(5)
	TasksKey              = collections.NewPrefix(6)
	TasksByDeviceKey      = collections.NewPrefix(7)
	ReopenedTasksKey      = collections.NewPrefix(8)
	TaskQueueKey          = collections.NewPrefix(9)
	JobDeadlineQueueKey   = collections.NewPrefix(10)
	UnbondingQueueKey     = collections.NewPrefix(11)
	ApprovedRequestersKey = collections.NewPrefix(12)
	CurrentEpochKey       = collections.NewPrefix(13)
	EpochsKey             = collections.NewPrefix(14)
	DeviceEpochUnitsKey   = collections.NewPrefix(15)
	BlockHashesKey        = collections.NewPrefix(16)
	TotalEmittedKey       = collections.NewPrefix(17)
	UnclaimedRewardsKey   = collections.NewPrefix(18)
	TotalBurnedKey        = collections.NewPrefix(19)
	JobPruneQueueKey      = collections.NewPrefix(20)
	ClaimsByChallengeKey  = collections.NewPrefix(21)

	// Disputes (G5), prefixes 42-47.
	DisputeQueueKey    = collections.NewPrefix(42)
	DeliveryQueueKey   = collections.NewPrefix(43)
	DemandsByDeviceKey = collections.NewPrefix(44)

	// Programs (kind wasm): prefixes 30-34.
	ProgramsKey    = collections.NewPrefix(30)
	ProgramCodeKey = collections.NewPrefix(31)
)

// Collection prefixes of measured work and priced verification (48–52).
var (
	// VerifyBudgetHeightKey and VerifyBudgetUsedKey hold the block-scoped
	// verification counter: the height it counts and the gas used in it.
	VerifyBudgetHeightKey = collections.NewPrefix(48)
	VerifyBudgetUsedKey   = collections.NewPrefix(49)
)

// Collection prefixes of the per-requester emission cap (50–53).
var (
	// RequesterEpochUnitsKey holds (epoch, requester) → units its jobs
	// credited; it and its key codec are x/compute/storekeys', which the
	// worker reads the map by.
	RequesterEpochUnitsKey      = storekeys.RequesterEpochUnitsKey
	RequesterEpochUnitsKeyCodec = storekeys.RequesterEpochUnitsKeyCodec
	// DeviceRequesterUnitsKey holds (device, epoch, requester) → units, until
	// withdrawn; DeviceEpochUnitsKey holds their sum per (device, epoch).
	DeviceRequesterUnitsKey = collections.NewPrefix(51)
)

// Collection prefixes of job-bound outputs (52–53).
var (
	// JobsByReplayKeyKey holds sha256(kind, replay key) → job id of every job
	// that is open or has unsettled tasks and whose kind's outputs do not
	// depend on the job id (keeper/replay.go).
	JobsByReplayKeyKey = collections.NewPrefix(52)
)

package keeper

import (
	"context"
	"crypto/sha256"
	"encoding/binary"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Duplicate refusal (issue #14 attack 1, job-bound outputs). A kind whose
// outputs do not depend on the job id (mandelbrot rows, a wasm program that
// ignores the id) lets a device compute outputs once and replay them on every
// job that asks for the same computation, paid and credited for each. So
// while a job is open, or has a task leased or claimed, no other job of its
// kind with the same replay key (kinds.Spec.ReplayKey: the parsed values the
// outputs come from, not the spec's spelling) may be posted, whoever posts it.
// Hashcash has no replay key: its nonces hash the job id.

// replayKeyDomain separates the index's hashes from every other hash.
const replayKeyDomain = "nightshift/compute/replay/v1"

// ReplayIndex maps sha256(kind, replay key) to the one job holding it. It is
// an index of Jobs, so it follows every Jobs.Set (post, lease, settle, close,
// prune, genesis import) with nothing else to keep in step.
type ReplayIndex struct {
	// Holders is sha256(kind, replay key) → job id.
	Holders collections.Map[[]byte, uint64]
	kinds   *kinds.Registry
}

func newReplayIndex(sb *collections.SchemaBuilder, registry *kinds.Registry) *ReplayIndex {
	return &ReplayIndex{
		Holders: collections.NewMap(sb, types.JobsByReplayKeyKey, "jobs_by_replay_key", collections.BytesKey, collections.Uint64Value),
		kinds:   registry,
	}
}

// holdsReplayKey says a job blocks duplicates: it is open, or a task of it is
// still leased or claimed (its outputs are still being computed and paid).
// A closed job's verified tasks are settled, and a pruned summary has no spec.
func holdsReplayKey(job types.Job) bool {
	return job.Spec != "" && (job.Status == types.JOB_STATUS_OPEN || job.LiveTasks > 0)
}

// ReplayKey returns the index key of a job of kind with spec and items, nil
// when the kind's outputs depend on the job id. The spec must be one the
// keeper accepts (wasm: canonical; its program is not looked up).
func (i *ReplayIndex) ReplayKey(kind string, spec []byte, items uint64) ([]byte, error) {
	var key []byte
	if kind == kinds.WasmKindName {
		s, err := kinds.ParseWasmSpec(spec, items)
		if err != nil {
			return nil, kindError(err)
		}
		key = s.ReplayKey()
	} else {
		s, err := i.kinds.Parse(kind, spec, items)
		if err != nil {
			return nil, kindError(err)
		}
		key = s.ReplayKey()
	}
	if key == nil {
		return nil, nil
	}
	h := sha256.New()
	h.Write([]byte(replayKeyDomain))
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(kind))))
	h.Write([]byte(kind))
	h.Write(key)
	return h.Sum(nil), nil
}

// heldKey is the key a job holds in the index, nil if it holds none.
func (i *ReplayIndex) heldKey(job types.Job) ([]byte, error) {
	if !holdsReplayKey(job) {
		return nil, nil
	}
	return i.ReplayKey(job.Kind, []byte(job.Spec), job.Items)
}

// Holder returns the live job holding key, if any.
func (i *ReplayIndex) Holder(ctx context.Context, key []byte) (uint64, bool, error) {
	id, err := i.Holders.Get(ctx, key)
	if isNotFound(err) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// Reference implements collections.Index: it moves the job's entry from
// what its old value held to what the new one holds. Most sets (a lease, a
// claim) change neither, and then nothing is parsed or written.
func (i *ReplayIndex) Reference(ctx context.Context, id uint64, job types.Job, lazyOld func() (types.Job, error)) error {
	old, err := lazyOld()
	switch {
	case err == nil:
		if holdsReplayKey(old) == holdsReplayKey(job) && old.Kind == job.Kind && old.Spec == job.Spec && old.Items == job.Items {
			return nil
		}
		if err := i.release(ctx, id, old); err != nil {
			return err
		}
	case !isNotFound(err):
		return err
	}
	key, err := i.heldKey(job)
	if err != nil || key == nil {
		return err
	}
	holder, found, err := i.Holder(ctx, key)
	if err != nil {
		return err
	}
	if found && holder != id {
		// PostJob refuses this first; here only a genesis with two live
		// duplicates can reach it.
		return errorsmod.Wrapf(types.ErrDuplicateJob, "job %d computes the same outputs as live job %d", id, holder)
	}
	return i.Holders.Set(ctx, key, id)
}

// Unreference implements collections.Index.
func (i *ReplayIndex) Unreference(ctx context.Context, id uint64, lazyOld func() (types.Job, error)) error {
	old, err := lazyOld()
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return i.release(ctx, id, old)
}

// release drops the entry old held, if it is still this job's.
func (i *ReplayIndex) release(ctx context.Context, id uint64, old types.Job) error {
	key, err := i.heldKey(old)
	if err != nil || key == nil {
		return err
	}
	holder, found, err := i.Holder(ctx, key)
	if err != nil || !found || holder != id {
		return err
	}
	return i.Holders.Remove(ctx, key)
}

// checkNotDuplicate refuses a job whose outputs a live job computes; the
// error names that job so the requester can look it up, cancel it or wait.
func (k *Keeper) checkNotDuplicate(ctx context.Context, kind string, spec []byte, items uint64) error {
	key, err := k.Jobs.Indexes.Replay.ReplayKey(kind, spec, items)
	if err != nil || key == nil {
		return err
	}
	holder, found, err := k.Jobs.Indexes.Replay.Holder(ctx, key)
	if err != nil || !found {
		return err
	}
	return types.DuplicateJobError(holder, kind)
}

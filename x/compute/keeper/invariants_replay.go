package keeper

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// CheckReplayIndexInvariant verifies the duplicate-refusal index against the
// jobs: every job that holds a replay key (open or with live tasks, of a kind
// whose outputs do not depend on the job) is its key's entry, no two such
// jobs share a key, and the index has no other entry.
func (k *Keeper) CheckReplayIndexInvariant(ctx context.Context) error {
	idx := k.Jobs.Indexes.Replay
	want := map[string]uint64{}
	var order []string // keys in job order, so the first violation reported is deterministic
	err := k.Jobs.Walk(ctx, nil, func(id uint64, j types.Job) (bool, error) {
		key, err := idx.heldKey(j)
		if err != nil {
			return true, fmt.Errorf("job %d: replay key: %w", id, err)
		}
		if key == nil {
			return false, nil
		}
		if other, dup := want[string(key)]; dup {
			return true, fmt.Errorf("live jobs %d and %d compute the same outputs (replay key %x)", other, id, key)
		}
		want[string(key)] = id
		order = append(order, string(key))
		return false, nil
	})
	if err != nil {
		return err
	}
	for _, key := range order {
		got, found, err := idx.Holder(ctx, []byte(key))
		if err != nil {
			return err
		}
		if !found || got != want[key] {
			return fmt.Errorf("replay index: key %x should name live job %d, has %d (found %t)", []byte(key), want[key], got, found)
		}
	}
	return idx.Holders.Walk(ctx, nil, func(key []byte, id uint64) (bool, error) {
		if w, ok := want[string(key)]; !ok || w != id {
			return true, fmt.Errorf("replay index: entry %s → job %d matches no live job", hex.EncodeToString(key), id)
		}
		return false, nil
	})
}

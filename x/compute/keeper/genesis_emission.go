package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// importEmissionUnits stores the per-requester emission cap's units (genesis
// fields 23-24); GenesisState.Validate has checked them against the epochs.
func (k *Keeper) importEmissionUnits(ctx context.Context, gs *types.GenesisState) error {
	for _, r := range gs.RequesterEpochUnits {
		addr, err := k.addr("requester", r.Requester)
		if err != nil {
			return err
		}
		if err := k.RequesterEpochUnits.Set(ctx, collections.Join(r.Epoch, []byte(addr)), r.WorkUnits); err != nil {
			return err
		}
	}
	for _, u := range gs.DeviceRequesterUnits {
		device, err := k.addr("device", u.Device)
		if err != nil {
			return err
		}
		requester, err := k.addr("requester", u.Requester)
		if err != nil {
			return err
		}
		if err := k.DeviceRequesterUnits.Set(ctx, collections.Join3([]byte(device), u.Epoch, []byte(requester)), u.WorkUnits); err != nil {
			return err
		}
	}
	return nil
}

// exportEmissionUnits writes the per-requester emission cap's units into gs.
func (k *Keeper) exportEmissionUnits(ctx context.Context, gs *types.GenesisState) error {
	if err := k.RequesterEpochUnits.Walk(ctx, nil, func(key collections.Pair[uint64, []byte], units math.Int) (bool, error) {
		gs.RequesterEpochUnits = append(gs.RequesterEpochUnits, types.RequesterEpochUnits{
			Epoch: key.K1(), Requester: k.addrString(key.K2()), WorkUnits: units,
		})
		return false, nil
	}); err != nil {
		return err
	}
	return k.DeviceRequesterUnits.Walk(ctx, nil, func(key collections.Triple[[]byte, uint64, []byte], units math.Int) (bool, error) {
		gs.DeviceRequesterUnits = append(gs.DeviceRequesterUnits, types.DeviceRequesterUnits{
			Device: k.addrString(key.K1()), Epoch: key.K2(), Requester: k.addrString(key.K3()), WorkUnits: units,
		})
		return false, nil
	})
}

package types_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestDisputeParamsValidation(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	for name, edit := range map[string]func(*types.Params){
		"zero dispute_window_blocks":      func(p *types.Params) { p.DisputeWindowBlocks = 0 },
		"zero delivery_deadline_blocks":   func(p *types.Params) { p.DeliveryDeadlineBlocks = 0 },
		"zero max_demand_items":           func(p *types.Params) { p.MaxDemandItems = 0 },
		"max_demand_items above 64":       func(p *types.Params) { p.MaxDemandItems = types.MaxDemandItemsLimit + 1 },
		"fraud_reporter_bps above 10,000": func(p *types.Params) { p.FraudReporterBps = types.BasisPoints + 1 },
		"negative demand_fee_per_item":    func(p *types.Params) { p.DemandFeePerItem = math.NewInt(-1) },
		"unset demand_fee_per_item":       func(p *types.Params) { p.DemandFeePerItem = math.Int{} },
		"dispute window above 2^40":       func(p *types.Params) { p.DisputeWindowBlocks = 1<<40 + 1 },
	} {
		p := types.DefaultParams()
		edit(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, name)
	}
}

package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestProgramGasParams: gas_per_kilofuel is validated by MsgUpdateParams (and
// genesis), the field it replaces must stay 0, and a value set survives a genesis
// export and import.
func TestProgramGasParams(t *testing.T) {
	update := func(edit func(*types.Params)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			p := w.params()
			edit(&p)
			return sendMsg(w.f, w.f.msgs.UpdateParams, &types.MsgUpdateParams{Authority: w.f.authority, Params: p})
		}
	}
	runMsgCases(t, []msgCase{
		{name: "gas_per_kilofuel 0", send: update(func(p *types.Params) { p.GasPerKilofuel = 0 }), err: types.ErrInvalidParams},
		{name: "gas_per_kilofuel over 2^20", send: update(func(p *types.Params) { p.GasPerKilofuel = 1<<20 + 1 }), err: types.ErrInvalidParams},
		{name: "the deprecated gas_per_fuel set", send: update(func(p *types.Params) { p.GasPerFuel = 1 }), err: types.ErrInvalidParams}, //nolint:staticcheck // what is refused
	})
	require.Equal(t, uint64(64), types.DefaultParams().GasPerKilofuel)

	f := newFixture(t)
	w := newMsgWorld(f)
	require.NoError(t, update(func(p *types.Params) { p.GasPerKilofuel = 1 << 20 })(w))
	exported, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1<<20), exported.Params.GasPerKilofuel)
	g := newFixtureWithGenesis(t, exported)
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	require.Equal(t, exported.Params, again.Params)
}

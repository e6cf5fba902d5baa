// Package simulation drives x/permission in the SDK's simulator: a genesis
// that approves the genesis validators (and a few more accounts) under an
// admin authority, factories for the authority's messages, and the outcome the
// permission gate imposes on x/staking's and x/slashing's simulated messages.
package simulation

import (
	"math/rand"

	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// RandomizedGenState approves the operators x/staking's randomized genesis
// makes validators (its first NumBonded accounts) and half the other accounts,
// which may then create validators (the simulator tombstones validators for
// random double signs; only approved operators can replace them). The authority is a simulation account four times in five, so the
// authority's messages can be signed; otherwise it stays the x/gov default.
func RandomizedGenState(simState *module.SimulationState) {
	var admin int
	simState.AppParams.GetOrGenerate("permission_admin", &admin, simState.Rand, func(r *rand.Rand) {
		admin = -1
		if r.Intn(5) != 0 {
			admin = r.Intn(len(simState.Accounts))
		}
	})
	gs := types.DefaultGenesis()
	if admin >= 0 && admin < len(simState.Accounts) {
		gs.Authority = simState.Accounts[admin].AddressBech32
	}
	for i, acc := range simState.Accounts {
		if int64(i) < simState.NumBonded || simState.Rand.Intn(2) == 0 {
			gs.Validators = append(gs.Validators, types.ApprovedValidator{Operator: acc.AddressBech32})
		}
	}
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}

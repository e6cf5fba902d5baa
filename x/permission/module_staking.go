package permission

import (
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/nightshift-network/nightshift/x/permission/keeper"
)

// GatedStakingModule is x/staking with its Msg service behind the permission
// gate. Everything else (genesis, end block, queries, CLI) is staking's own.
type GatedStakingModule struct {
	staking.AppModule
	staking *stakingkeeper.Keeper
	gate    *keeper.Keeper
}

// NewGatedStakingModule wraps the staking module registered in the app.
func NewGatedStakingModule(m staking.AppModule, sk *stakingkeeper.Keeper, gate *keeper.Keeper) GatedStakingModule {
	return GatedStakingModule{AppModule: m, staking: sk, gate: gate}
}

// RegisterServices registers the gated Msg service and staking's queries.
// Staking's store migrations are not registered: the chain starts at the
// current staking consensus version.
func (m GatedStakingModule) RegisterServices(cfg module.Configurator) {
	stakingtypes.RegisterMsgServer(cfg.MsgServer(), keeper.NewStakingMsgGate(stakingkeeper.NewMsgServerImpl(m.staking), m.gate))
	stakingtypes.RegisterQueryServer(cfg.QueryServer(), stakingkeeper.Querier{Keeper: m.staking})
}

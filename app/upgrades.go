package app

import (
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"
)

// Upgrade is a named software upgrade: a gov proposal schedules it by name and
// the handler migrates state when the new binary reaches the height.
type Upgrade struct {
	Name    string
	Handler func(app *App) upgradetypes.UpgradeHandler
}

// Upgrades lists the handlers this binary can apply, oldest first. A handler
// that only migrates module stores returns
// app.ModuleManager.RunMigrations(ctx, app.configurator, fromVM).
var Upgrades = []Upgrade{}

func (app *App) registerUpgradeHandlers() {
	for _, u := range Upgrades {
		app.UpgradeKeeper.SetUpgradeHandler(u.Name, u.Handler(app))
	}
}

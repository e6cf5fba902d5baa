package app

import (
	"fmt"
	"os"
	"path/filepath"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"
)

// Upgrade is a named software upgrade: a gov proposal schedules it by name and
// the handler migrates state when the new binary reaches the height.
type Upgrade struct {
	Name    string
	Handler func(app *App) upgradetypes.UpgradeHandler
	// StoreUpgrades lists the module stores the upgrade adds, renames or
	// deletes; they are mounted at the upgrade height.
	StoreUpgrades storetypes.StoreUpgrades
}

// Upgrades lists the handlers this binary can apply, oldest first. A handler
// that only migrates module stores returns
// app.ModuleManager.RunMigrations(ctx, app.configurator, fromVM).
// See docs/operators.md for how an upgrade is proposed and rolled out.
var Upgrades = []Upgrade{}

func (app *App) registerUpgradeHandlers(home string) {
	for _, u := range Upgrades {
		app.UpgradeKeeper.SetUpgradeHandler(u.Name, u.Handler(app))
	}
	// When the chain halted for an upgrade (x/upgrade wrote upgrade-info.json)
	// and this binary knows it, its store changes apply at that height. The
	// file is looked for first: x/upgrade's reader would create data/ in any
	// home an App is built for (the CLI builds one too).
	if _, err := os.Stat(filepath.Join(home, "data", upgradetypes.UpgradeInfoFilename)); err != nil {
		return
	}
	plan, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		panic(fmt.Errorf("reading upgrade-info.json: %w", err))
	}
	if plan.Name == "" || app.UpgradeKeeper.IsSkipHeight(plan.Height) {
		return
	}
	for _, u := range Upgrades {
		if u.Name == plan.Name {
			app.SetStoreLoader(upgradetypes.UpgradeStoreLoader(plan.Height, &u.StoreUpgrades))
		}
	}
}

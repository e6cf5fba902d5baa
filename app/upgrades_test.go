package app

import (
	"os"
	"testing"

	"cosmossdk.io/log/v2"
	dbm "github.com/cosmos/cosmos-db"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/stretchr/testify/require"
)

// Building an App (the CLI builds one for every command) writes nothing into
// its home: `nightshiftd devnet` and `localnet init` refuse a home that is not
// empty, and the upgrade-info check must not create data/ there.
func TestNewAppLeavesHomeAlone(t *testing.T) {
	home := t.TempDir()
	New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(home))
	entries, err := os.ReadDir(home)
	require.NoError(t, err)
	require.Empty(t, entries)
}

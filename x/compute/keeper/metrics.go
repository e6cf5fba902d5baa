package keeper

import (
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/telemetry"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Prometheus metrics (app telemetry, prefix nightshiftd_compute_…). They are
// observations only: nothing in state depends on them. Open jobs are
// jobs_posted − jobs_closed.
func metricJobPosted() { telemetry.IncrCounter(1, types.ModuleName, "jobs_posted") }
func metricJobClosed(status string) {
	telemetry.IncrCounter(1, types.ModuleName, "jobs_closed", status)
}
func metricProofAccepted() { telemetry.IncrCounter(1, types.ModuleName, "tasks_verified") }
func metricProofFailed(reason string) {
	telemetry.IncrCounter(1, types.ModuleName, "proofs_failed", reason)
}

func metricEmission(amount math.Int) {
	if amount.IsInt64() {
		telemetry.IncrCounter(float32(amount.Int64()), types.ModuleName, "emission_ushift")
	}
}

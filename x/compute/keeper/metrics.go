package keeper

import (
	"context"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/telemetry"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/hashicorp/go-metrics"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Prometheus metrics (app telemetry; with telemetry.service-name = "nightshiftd"
// they are nightshiftd_compute_…). They are observations only: nothing in state
// depends on them. Open jobs are jobs_posted − Σ jobs_closed.
//
// Only blocks count: a simulated tx (gas estimation) runs the same code on the
// node that serves it and must not be counted.
func recorded(ctx context.Context) bool {
	return sdk.UnwrapSDKContext(ctx).ExecMode() == sdk.ExecModeFinalize
}

func metricJobPosted(ctx context.Context) {
	if recorded(ctx) {
		telemetry.IncrCounter(1, types.ModuleName, "jobs_posted")
	}
}

func metricJobClosed(ctx context.Context, status types.JobStatus) {
	if recorded(ctx) {
		telemetry.IncrCounterWithLabels([]string{types.ModuleName, "jobs_closed"}, 1,
			[]metrics.Label{telemetry.NewLabel("status", status.String())})
	}
}

func metricProofAccepted(ctx context.Context) {
	if recorded(ctx) {
		telemetry.IncrCounter(1, types.ModuleName, "tasks_verified")
	}
}

func metricProofFailed(ctx context.Context, reason string) {
	if recorded(ctx) {
		telemetry.IncrCounterWithLabels([]string{types.ModuleName, "proofs_failed"}, 1,
			[]metrics.Label{telemetry.NewLabel("reason", reason)})
	}
}

func metricEmission(ctx context.Context, amount math.Int) {
	if recorded(ctx) && amount.IsInt64() {
		telemetry.IncrCounter(float32(amount.Int64()), types.ModuleName, "emission_ushift") //nolint:forbidigo // a metric, never state
	}
}

package workercli

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/worker"
)

// TestWorkerStartRefusesBadMarketFlags: a price, a poll or a node the worker
// cannot use is refused with one line before anything else happens.
func TestWorkerStartRefusesBadMarketFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--min-price", "cheap"}, "--min-price: "},
		{[]string{"--min-price", "-1SHIFT"}, "--min-price: "},
		{[]string{"--safety-poll", "100ms"}, "--safety-poll 100ms: want at least 1s"},
		{[]string{"--node", "localhost:26657"}, `--node: node "localhost:26657": `},
	} {
		err := runWorker(append([]string{"start", "--from", "nobody", "--when", "always"}, c.args...)...)
		require.Error(t, err, c.args)
		require.Contains(t, err.Error(), c.want, c.args)
		require.NotContains(t, err.Error(), "\n")
	}
	// Polling needs no websocket, so the safety poll is not checked then.
	err := runWorker("start", "--from", "nobody", "--when", "always", "--subscribe=false", "--safety-poll", "0s")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "safety-poll")
}

// TestStatusMarketSection: status shows the worker's last look at the market,
// every skipped job with its reason.
func TestStatusMarketSection(t *testing.T) {
	var b strings.Builder
	printMarket(&b, worker.Ranking{
		At: time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC),
		Offers: []worker.Offer{{JobID: 4, Kind: "mandelbrot", PricePerItem: "5000", EmissionPerItem: 12, PerHour: 2.8e11}, {JobID: 9, Kind: "hashcash", PricePerItem: "7"},
			{JobID: 11, Kind: "hashcash", PricePerItem: "7", EmissionPerItem: 3, EmissionCapped: true}},
		Skips: []worker.Skip{
			{JobID: 3, Reason: worker.SkipBelowPrice, Detail: "pays 99ushift per item, below --min-price 100ushift"},
			{JobID: 5, Reason: worker.SkipWorkLimit, Detail: "an item may take 3840000 work units, above --max-work-per-item 2097152"},
		},
	})
	out := b.String()
	require.Contains(t, out, "Market     3 workable jobs, 2 skipped")
	require.Contains(t, out, "  job 4  mandelbrot  5000ushift/item + 12 emission  280000000000 ushift/h\n")
	require.Contains(t, out, "  job 9  hashcash  7ushift/item + 0 emission  not benched\n")
	require.Contains(t, out, "  job 11  hashcash  7ushift/item + 3 emission (capped: its requester's jobs drew most of their share of the epoch)  not benched\n")
	require.Contains(t, out, "  job 3  skipped (below-min-price): pays 99ushift per item, below --min-price 100ushift\n")
	require.Contains(t, out, "  job 5  skipped (work-over-limit): an item may take 3840000 work units")
}

func TestBenchRateShowsSlowDevices(t *testing.T) {
	for v, want := range map[float64]string{877.94: "877.9", 12.34: "12.3", 5.678: "5.68", 0.04321: "0.0432", 0: "0.0"} {
		require.Equal(t, want, benchRate(v), "%v", v)
	}
}

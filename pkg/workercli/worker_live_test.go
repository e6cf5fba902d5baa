package workercli

import (
	"testing"
	"time"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/worker"
)

func TestLiveLine(t *testing.T) {
	s := worker.Stats{TasksVerified: 5, Earned: math.NewInt(1_000_094_567), InFlight: 2, ItemsLeased: 320}
	require.Equal(t, "288 of 320 leased items computed (12.5 items/s) · 2 tasks in flight · 5 verified · 1,000.094 SHIFT earned",
		liveLine(288, "12.5", s))
	s = worker.Stats{Earned: math.ZeroInt(), InFlight: 1}
	require.Equal(t, "0 of 0 leased items computed · 1 task in flight · 0 verified · 0 SHIFT earned", liveLine(0, "", s))
	s.Skipped = 2
	require.Equal(t, "0 of 0 leased items computed · 1 task in flight · 0 verified · 0 SHIFT earned · 2 jobs skipped (why: status)", liveLine(0, "", s))
}

func TestItemRate(t *testing.T) {
	var r itemRate
	t0 := time.Unix(1000, 0)
	require.Equal(t, "", r.add(t0, 0), "one sample has no rate")
	require.Equal(t, "", r.add(t0.Add(500*time.Millisecond), 5), "under a second has no rate")
	require.Equal(t, "12.5", r.add(t0.Add(2*time.Second), 25))
	// Samples older than the window drop out: only the recent pace counts.
	for i := 3; i <= 30; i++ {
		r.add(t0.Add(time.Duration(i)*time.Second), 25)
	}
	require.Equal(t, "0.0", r.add(t0.Add(31*time.Second), 25))
	require.Equal(t, "1500", r.add(t0.Add(41*time.Second), 15_025))
}

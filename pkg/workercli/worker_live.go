package workercli

import (
	"fmt"
	"time"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/pkg/worker"
)

// liveLine is the worker's one-line progress: every number says what it counts.
//
//	288 of 320 leased items computed (12.5 items/s) · 2 tasks in flight · 5 verified · 1,000.094 SHIFT earned · 1 job skipped (why: status)
func liveLine(itemsDone uint64, perSecond string, s worker.Stats) string {
	items := fmt.Sprintf("%d of %d leased items computed", itemsDone, max(s.ItemsLeased, itemsDone))
	if perSecond != "" {
		items += " (" + perSecond + " items/s)"
	}
	line := fmt.Sprintf("%s · %d %s in flight · %d verified · %s earned",
		items, s.InFlight, plural(s.InFlight, "task", "tasks"), s.TasksVerified, coin.FormatShort(s.Earned))
	if s.Skipped > 0 {
		// The reasons are in the "skipped" lines and in `status`.
		line += fmt.Sprintf(" · %d %s skipped (why: status)", s.Skipped, plural(s.Skipped, "job", "jobs"))
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// itemRate is the compute rate over the last rateWindow of samples.
type itemRate struct {
	samples []rateSample
}

type rateSample struct {
	at    time.Time
	items uint64
}

const rateWindow = 10 * time.Second

// add records that items were done by now and returns the rate over the window
// ("" until there are two samples a second apart), to one decimal below 100/s.
func (r *itemRate) add(now time.Time, items uint64) string {
	r.samples = append(r.samples, rateSample{now, items})
	for len(r.samples) > 2 && now.Sub(r.samples[1].at) >= rateWindow {
		r.samples = r.samples[1:]
	}
	first := r.samples[0]
	elapsed := now.Sub(first.at)
	if elapsed < time.Second {
		return ""
	}
	// items per 10 s, as an integer, for one decimal without floats.
	per10 := (items - first.items) * uint64(10*time.Second) / uint64(elapsed)
	if per10 >= 1000 {
		return fmt.Sprintf("%d", per10/10)
	}
	return fmt.Sprintf("%d.%d", per10/10, per10%10)
}

package workercli

// The worker's choice of work (--min-price, --max-work-per-item, the stored
// bench) and how it hears of new work (the node's websocket).

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/pkg/worker"
)

const (
	flagMinPrice        = "min-price"
	flagMaxWorkPerItem  = "max-work-per-item"
	flagMaxFuel         = "max-fuel"
	flagMaxMemoryPages  = "max-memory-pages"
	flagProgramCacheMB  = "program-cache-mb"
	flagSubscribe       = "subscribe"
	flagSafetyPoll      = "safety-poll"
	defaultSafetyPoll   = 60 * time.Second
	marketShownInStatus = 5
)

func addMarketFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String(flagMinPrice, "", "take only jobs paying at least this much per item, e.g. 0.001SHIFT or 1000ushift (emission not counted)")
	f.Uint64(flagMaxWorkPerItem, 0, "skip jobs whose items may need more work units than this (a unit is about 1 ns of a validator's CPU; 0: no limit)")
	f.Uint64(flagMaxFuel, 0, "skip program (wasm) jobs whose fuel limit per item is above this (fuel is a program's work: about 1 ns of a validator's CPU each; 0: up to the chain's max_fuel_per_item)")
	f.Uint32(flagMaxMemoryPages, 0, "skip program (wasm) jobs that may use more than this many 64 KiB pages of memory per compute thread (0: up to the chain's max_program_memory_pages)")
	f.Int64(flagProgramCacheMB, worker.DefaultProgramCacheBytes>>20, "MiB of program code kept on disk under the worker's state directory (least recently used evicted)")
	f.Bool(flagSubscribe, true, "hear of new jobs and reopened tasks over the node's websocket and query only then (and every --safety-poll); false polls every 2 s")
	f.Duration(flagSafetyPoll, defaultSafetyPoll, "with --subscribe, look for work this often even without an event, in case one was missed")
}

// workerFilters builds the job filters the flags ask for and checks the
// subscription's flags; notes are said at start.
func workerFilters(cmd *cobra.Command) ([]worker.JobFilter, []string, error) {
	f := cmd.Flags()
	var filters []worker.JobFilter
	var notes []string
	if s, _ := f.GetString(flagMinPrice); s != "" {
		minPrice, err := coin.Parse(s)
		if err != nil {
			return nil, nil, fmt.Errorf("--%s: %w", flagMinPrice, err)
		}
		filters = append(filters, worker.MinPriceFilter(minPrice))
		notes = append(notes, "jobs paying under "+coin.FormatWithBase(minPrice)+" per item are skipped")
	}
	if limit, _ := f.GetUint64(flagMaxWorkPerItem); limit > 0 {
		filters = append(filters, worker.MaxWorkFilter(limit))
		notes = append(notes, fmt.Sprintf("jobs whose items may need over %d work units are skipped", limit))
	}
	if limit, _ := f.GetUint64(flagMaxFuel); limit > 0 {
		filters = append(filters, worker.MaxFuelFilter(limit))
		notes = append(notes, fmt.Sprintf("program jobs whose items may take over %d fuel are skipped", limit))
	}
	if pages, _ := f.GetUint32(flagMaxMemoryPages); pages > 0 {
		filters = append(filters, worker.MaxMemoryFilter(pages))
		notes = append(notes, fmt.Sprintf("program jobs whose items may use over %d pages (%d MiB) of memory are skipped", pages, pages/16))
	}
	if mb, _ := f.GetInt64(flagProgramCacheMB); mb < 1 {
		return nil, nil, fmt.Errorf("--%s %d: want at least 1", flagProgramCacheMB, mb)
	}
	// The subscription's inputs are checked here too, before anything is sent.
	if on, _ := f.GetBool(flagSubscribe); on {
		if safety, _ := f.GetDuration(flagSafetyPoll); safety < time.Second {
			return nil, nil, fmt.Errorf("--%s %s: want at least 1s", flagSafetyPoll, safety)
		}
		if node, _ := f.GetString(FlagNode); node != "" {
			if _, err := worker.NewSubscription(node, worker.MarketQueries); err != nil {
				return nil, nil, fmt.Errorf("--node: %w (or --subscribe=false to poll)", err)
			}
		}
	}
	return filters, notes, nil
}

// workerSubscription returns the node subscription unless --subscribe=false.
func workerSubscription(cmd *cobra.Command, clientCtx chainContext, ui *workerUI) (*worker.Subscription, time.Duration, error) {
	safety, _ := cmd.Flags().GetDuration(flagSafetyPoll)
	if on, _ := cmd.Flags().GetBool(flagSubscribe); !on {
		return nil, safety, nil
	}
	sub, err := worker.NewSubscription(clientCtx.NodeURI, worker.MarketQueries)
	if err != nil {
		return nil, 0, fmt.Errorf("--node: %w (or --subscribe=false to poll)", err)
	}
	sub.OnState = func(up bool, detail string) {
		if up {
			ui.event(worker.Event{Time: time.Now(), Kind: "listening", Message: "new jobs and reopened tasks arrive over " + detail})
		} else {
			ui.event(worker.Event{Time: time.Now(), Kind: "polling", Message: "event subscription down (" + detail + "); polling until it reconnects"})
		}
	}
	return sub, safety, nil
}

// printMarket is the Market section of `status`: the worker's last look.
func printMarket(w io.Writer, r worker.Ranking) {
	fmt.Fprintf(w, "Market     %d workable jobs, %d skipped (as of %s)\n", len(r.Offers), len(r.Skips), r.At.Local().Format(time.RFC3339))
	for i, o := range r.Offers {
		if i == marketShownInStatus {
			fmt.Fprintf(w, "  ... %d more\n", len(r.Offers)-i)
			break
		}
		rate := "not benched"
		if o.PerHour > 0 {
			rate = fmt.Sprintf("%.0f ushift/h", o.PerHour)
		}
		emission := "emission"
		if o.EmissionCapped {
			emission = "emission (capped: its requester's jobs drew most of their share of the epoch)"
		}
		fmt.Fprintf(w, "  job %d  %s  %sushift/item + %.0f %s  %s\n", o.JobID, o.Kind, o.PricePerItem, o.EmissionPerItem, emission, rate)
	}
	for _, s := range r.Skips {
		fmt.Fprintf(w, "  job %d  skipped (%s): %s\n", s.JobID, s.Reason, s.Detail)
	}
}

// benchRate prints a bench rate to one decimal, or to three significant digits
// below 10, so a slow device (a phone, an emulator) does not read as 0.0.
func benchRate(v float64) string {
	decimals := 1
	for x := v; x > 0 && x < 10 && decimals < 6; x *= 10 {
		decimals++
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

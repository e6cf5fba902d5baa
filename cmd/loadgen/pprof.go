package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// profileLater fetches a CPU profile of node0 starting cfg.PprofAt from now,
// into raw (a temp file, removed when ctx ends, if raw is empty). Without
// --pprof the channel reports an error.
func (g *Gen) profileLater(ctx context.Context, cfg RunConfig, raw string) (<-chan error, string, error) {
	done := make(chan error, 1)
	if cfg.PprofURL == "" {
		done <- fmt.Errorf("no --pprof")
		return done, "", nil
	}
	if raw == "" {
		f, err := os.CreateTemp("", "loadgen-cpu-*.pprof")
		if err != nil {
			return nil, "", err
		}
		raw = f.Name()
		_ = f.Close()
		context.AfterFunc(ctx, func() { _ = os.Remove(raw) })
	}
	go func() {
		sleep(ctx, cfg.PprofAt)
		done <- fetchProfile(ctx, cfg.PprofURL, cfg.PprofSeconds, raw)
	}()
	return done, raw, nil
}

func fetchProfile(ctx context.Context, base string, seconds int, file string) error {
	return fetchPprof(ctx, base, "profile", seconds, file)
}

// fetchPprof saves node0's /debug/pprof/KIND?seconds=N (profile or trace).
func fetchPprof(ctx context.Context, base, kind string, seconds int, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/%s?seconds=%d", strings.TrimSuffix(base, "/"), kind, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: time.Duration(seconds+30) * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// pprofTop is `go tool pprof -top` of the profile, n functions, by flat or
// cumulative time.
func pprofTop(binary, file string, n int, cum bool) ([]string, error) {
	args := []string{"tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", n)}
	if n > 100 {
		args = append(args, "-nodefraction=0") // every function, for the breakdown
	}
	if cum {
		args = append(args, "-cum")
	}
	if binary != "" {
		args = append(args, binary)
	}
	out, err := exec.Command("go", append(args, file)...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof: %v: %s", err, out)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n"), nil
}

// addProfiles fills the profile figures from the bank window's and the
// compute window's profiles of node0 (bankErr and err: how fetching them
// went); what cannot be read is logged, not fatal.
func (r *Results) addProfiles(cfg RunConfig, bankErr error, bankFile string, err error, file string) {
	if bankErr != nil {
		log.Printf("pprof (bank window): %v", bankErr)
	} else if all, err := pprofTop(cfg.Binary, bankFile, 2000, true); err != nil {
		log.Printf("pprof (bank window): %v", err)
	} else {
		r.BankProfileBreakdown = breakdown(all)
	}
	if err != nil {
		log.Printf("pprof: %v", err)
		return
	}
	if r.Profile, err = pprofTop(cfg.Binary, file, 25, false); err != nil {
		log.Printf("pprof: %v", err)
	}
	if r.ProfileCum, err = pprofTop(cfg.Binary, file, 40, true); err != nil {
		log.Printf("pprof: %v", err)
	}
	all, err := pprofTop(cfg.Binary, file, 2000, true)
	if err != nil {
		log.Printf("pprof: %v", err)
	}
	r.ProfileBreakdown = breakdown(all)
	r.ProfileNote = fmt.Sprintf("node0, %d s CPU profile starting %s into the window", cfg.PprofSeconds, cfg.PprofAt)
}

// appendProfileText appends node0's profile figures, as text, to cfg.ProfileOut.
func (r *Results) appendProfileText(cfg RunConfig) error {
	f, err := os.OpenFile(cfg.ProfileOut, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "== %s: %s\n\n-- where node0's CPU went (cumulative share of the profile's samples; parts overlap; 100%% = one core)\n%s\n\n-- the same during the bank window, for comparison\n%s\n\n-- top 25 by flat time (go tool pprof -top -nodecount=25)\n%s\n\n-- top 40 by cumulative time (go tool pprof -top -cum -nodecount=40)\n%s\n\n",
		cfg.Topology, r.ProfileNote, breakdownText(r.ProfileBreakdown), breakdownText(r.BankProfileBreakdown), strings.Join(r.Profile, "\n"), strings.Join(r.ProfileCum, "\n"))
	return f.Close()
}

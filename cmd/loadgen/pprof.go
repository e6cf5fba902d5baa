package main

import (
	"context"
	"fmt"
	"io"
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

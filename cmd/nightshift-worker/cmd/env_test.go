package cmd

import (
	"strings"
	"testing"
)

// NIGHTSHIFT_WORKER_HOME and NIGHTSHIFT_WORKER_KEYRING_BACKEND stand for
// --home and --keyring-backend (a service unit sets them once); a flag on the
// command line wins over its variable; a value the flag refuses is an error
// that names the variable.
func TestFlagsFromEnvironment(t *testing.T) {
	home, other := t.TempDir(), t.TempDir()
	_, want := sdkKey(t, home, "rig")

	t.Setenv(EnvName(EnvPrefix, "home"), home)
	t.Setenv(EnvName(EnvPrefix, "keyring-backend"), "test")
	out, err := runWorker(t, "", "keys", "show", "rig", "-a")
	if err != nil || strings.TrimSpace(out) != want.String() {
		t.Fatalf("keys show rig -a from the environment: %q, %v; want %s", out, err, want)
	}
	if _, err := runWorker(t, "", "keys", "show", "rig", "-a", "--home", other); err == nil {
		t.Fatal("--home on the command line did not win over NIGHTSHIFT_WORKER_HOME (rig found in an empty home)")
	}

	t.Setenv(EnvName(EnvPrefix, "output"), "text")
	t.Setenv(EnvName(EnvPrefix, "gas-adjustment"), "lots")
	_, err = runWorker(t, "", "status")
	if err == nil || !strings.Contains(err.Error(), "NIGHTSHIFT_WORKER_GAS_ADJUSTMENT") {
		t.Fatalf("a refused value: %v; want an error naming NIGHTSHIFT_WORKER_GAS_ADJUSTMENT", err)
	}
}

func TestEnvName(t *testing.T) {
	if got := EnvName(EnvPrefix, "gas-prices"); got != "NIGHTSHIFT_WORKER_GAS_PRICES" {
		t.Fatalf("EnvName = %s", got)
	}
}

package workercli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/worker"
)

func writeFile(t *testing.T, root, rel, value string) {
	t.Helper()
	path := filepath.Join(root, rel)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(value+"\n"), 0o644))
}

// runWorker runs `worker ARGS...` and returns its error.
func runWorker(args ...string) error {
	cmd := Cmd()
	cmd.SetArgs(args)
	cmd.SetOut(new(strings.Builder))
	cmd.SetErr(new(strings.Builder))
	return cmd.Execute()
}

// TestWorkerStartRefusesBadPolicy: each input the worker cannot follow is
// refused with one line before anything else happens.
func TestWorkerStartRefusesBadPolicy(t *testing.T) {
	if !worker.PowerPolicySupported {
		t.Skip("the power policy reads Linux sysfs")
	}
	pc := t.TempDir() // no battery, no sensor
	phone := t.TempDir()
	writeFile(t, phone, "sys/class/power_supply/battery/type", "Battery")
	writeFile(t, phone, "sys/class/power_supply/battery/status", "Charging")
	writeFile(t, phone, "sys/class/power_supply/battery/capacity", "full")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--min-battery", "150", "--sysfs-root", pc}, "--min-battery 150: want a percentage from 0 to 100"},
		{[]string{"--when", "charging", "--sysfs-root", pc}, "--when charging: this machine reports no battery"},
		{[]string{"--when", "sometimes", "--sysfs-root", pc}, `--when "sometimes": want always or charging`},
		{[]string{"--sysfs-root", phone}, `power policy: ` + filepath.Join(phone, "sys/class/power_supply/battery/capacity") + `: "full" is not a battery percentage`},
	} {
		err := runWorker(append([]string{"start", "--from", "nobody"}, c.args...)...)
		require.Error(t, err, c.args)
		require.Contains(t, err.Error(), c.want)
		require.NotContains(t, err.Error(), "\n")
	}
}

// TestWorkerPolicyFromConfigFile: a config file sets the same keys as the
// flags, and a flag on the command line wins over it.
func TestWorkerPolicyFromConfigFile(t *testing.T) {
	if !worker.PowerPolicySupported {
		t.Skip("the power policy reads Linux sysfs")
	}
	phone := t.TempDir()
	writeFile(t, phone, "sys/class/power_supply/battery/type", "Battery")
	writeFile(t, phone, "sys/class/power_supply/battery/status", "Discharging")
	writeFile(t, phone, "sys/class/power_supply/battery/capacity", "90")
	writeFile(t, phone, "sys/class/thermal/thermal_zone0/temp", "35000")
	dir := t.TempDir()
	toml := filepath.Join(dir, "worker.toml")
	require.NoError(t, os.WriteFile(toml, []byte("min-battery = 40\nmax-temp = 42.5\nresume-after = \"2m\"\nschedule = \"23:00-07:00\"\nsysfs-root = \""+phone+"\"\n"), 0o644))
	js := filepath.Join(dir, "worker.json")
	require.NoError(t, os.WriteFile(js, []byte(`{"when": "always", "min-battery": 30, "sysfs-root": "`+phone+`"}`), 0o644))

	policyOf := func(args ...string) (*worker.Policy, []string, error) {
		cmd := workerStatusCmd()
		require.NoError(t, cmd.ParseFlags(args))
		return workerPolicy(cmd)
	}
	p, _, err := policyOf("--config", toml, "--max-temp", "45")
	require.NoError(t, err)
	require.Equal(t, worker.PowerRules{When: worker.WhenCharging, MinBattery: 40, MaxTemp: 45, ResumeAfter: 2 * 60e9}, p.Power.Rules)
	require.Equal(t, "inside 23:00-07:00; when charging, battery at least 40%, at most 45°C; resume after 2m0s", p.String())
	p.Schedule = nil // the test must not depend on the time of day
	open, why := p.Open()
	require.False(t, open)
	require.Equal(t, "on battery (computing only while charging)", why)

	p, _, err = policyOf("--config", js)
	require.NoError(t, err)
	require.Equal(t, worker.PowerRules{When: worker.WhenAlways, MinBattery: 30, ResumeAfter: 5 * 60e9}, p.Power.Rules)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"min-batery": 30}`), 0o644))
	_, _, err = policyOf("--config", bad)
	require.ErrorContains(t, err, `"min-batery" is not a flag of status`)

	// No sensor: --max-temp is said to be unchecked, and the worker computes.
	pc := t.TempDir()
	p, notices, err := policyOf("--max-temp", "50", "--sysfs-root", pc)
	require.NoError(t, err)
	require.Len(t, notices, 1)
	require.Contains(t, notices[0], "no temperature sensor")
	open, _ = p.Open()
	require.True(t, open)
}

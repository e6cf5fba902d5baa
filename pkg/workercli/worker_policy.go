package workercli

// The worker's policy flags (idle, schedule, power and heat), its config file,
// and the checks that refuse what this machine cannot follow.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/pkg/worker"
)

const (
	flagWhen        = "when"
	flagMinBattery  = "min-battery"
	flagMaxTemp     = "max-temp"
	flagResumeAfter = "resume-after"
	flagSysfsRoot   = "sysfs-root"
	flagConfig      = "config"
)

// addPolicyFlags adds the flags that decide when the worker computes.
func addPolicyFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Bool(flagIdleOnly, false, "compute only while other programs leave the CPUs idle; runs at the lowest OS priority")
	f.Float64(flagIdleThreshold, 0.25, "with --idle-only, pause when other programs use more than this share of the CPUs")
	f.String(flagSchedule, "", "compute only inside this daily local-time window, e.g. 23:00-07:00")
	f.String(flagWhen, "", "compute always, or only while charging (default: charging on a machine with a battery, always otherwise; Linux and Android)")
	f.Int(flagMinBattery, 0, "compute only while the battery is at least this percent charged (0: no minimum)")
	f.Float64(flagMaxTemp, 0, "pause while the hottest thermal sensor is above this many °C (0: no limit)")
	f.Duration(flagResumeAfter, 5*time.Minute, "after a power or heat pause, resume only once every condition has held this long")
	f.String(flagSysfsRoot, "/", "root of the sysfs tree read for battery and temperature (tests point it at a fake tree)")
	_ = f.MarkHidden(flagSysfsRoot)
	f.String(flagConfig, "", "read flags from this file (TOML, or JSON if it ends in .json), keys named as the flags; flags given on the command line win")
}

// applyConfigFile sets every flag the --config file names that the command
// line did not set.
func applyConfigFile(cmd *cobra.Command) error {
	path, _ := cmd.Flags().GetString(flagConfig)
	if path == "" {
		return nil
	}
	bz, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	values := map[string]any{}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		err = json.Unmarshal(bz, &values)
	} else {
		err = toml.Unmarshal(bz, &values)
	}
	if err != nil {
		return fmt.Errorf("--config %s: %w", path, err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fl := cmd.Flags().Lookup(k)
		if fl == nil || k == flagConfig {
			return fmt.Errorf("--config %s: %q is not a flag of %s", path, k, cmd.CommandPath())
		}
		if fl.Changed {
			continue
		}
		var s string
		switch v := values[k].(type) {
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		case string, bool, int64:
			s = fmt.Sprint(v)
		default:
			return fmt.Errorf("--config %s: %s: want a string, number or boolean", path, k)
		}
		if err := fl.Value.Set(s); err != nil {
			return fmt.Errorf("--config %s: %s %q: %w", path, k, s, err)
		}
		fl.Changed = true
	}
	return nil
}

// workerPolicy builds the policy the flags ask for, checked against this
// machine. notices are things to say at start (a rule followed only in part,
// an OS without power information); an error means the worker must not start.
func workerPolicy(cmd *cobra.Command) (policy *worker.Policy, notices []string, err error) {
	if err := applyConfigFile(cmd); err != nil {
		return nil, nil, err
	}
	f := cmd.Flags()
	idleOnly, _ := f.GetBool(flagIdleOnly)
	threshold, _ := f.GetFloat64(flagIdleThreshold)
	schedStr, _ := f.GetString(flagSchedule)
	policy = &worker.Policy{IdleOnly: idleOnly, Threshold: threshold, Now: time.Now, Interval: 2 * time.Second}
	if schedStr != "" {
		if policy.Schedule, err = worker.ParseSchedule(schedStr); err != nil {
			return nil, nil, err
		}
	}
	rules := worker.PowerRules{}
	rules.When, _ = f.GetString(flagWhen)
	rules.MinBattery, _ = f.GetInt(flagMinBattery)
	rules.MaxTemp, _ = f.GetFloat64(flagMaxTemp)
	rules.ResumeAfter, _ = f.GetDuration(flagResumeAfter)
	whenGiven := rules.When != ""
	if !whenGiven {
		rules.When = worker.WhenAlways // for Validate; the machine decides below
	}
	if err := rules.Validate(); err != nil {
		return nil, nil, err
	}
	if !worker.PowerPolicySupported {
		if whenGiven || rules.MinBattery > 0 || rules.MaxTemp > 0 {
			notices = append(notices, fmt.Sprintf("the power policy (--when, --min-battery, --max-temp) is not supported on %s: only Linux and Android tell the worker about battery and heat; computing regardless of them", runtime.GOOS))
		} else {
			notices = append(notices, fmt.Sprintf("no power policy on %s (battery and heat are read on Linux and Android only): computing whether or not on battery", runtime.GOOS))
		}
		return policy, notices, nil
	}
	root, _ := f.GetString(flagSysfsRoot)
	src := worker.Sysfs{Root: root, SkipTemp: rules.MaxTemp == 0}
	st, err := src.PowerState()
	if err != nil {
		return nil, nil, fmt.Errorf("power policy: %w", err)
	}
	if !whenGiven {
		rules.When = worker.DefaultWhen(st)
	}
	if notices, err = rules.CheckMachine(st); err != nil {
		return nil, nil, err
	}
	if rules.When != worker.WhenAlways || rules.MinBattery > 0 || rules.MaxTemp > 0 {
		policy.Power = &worker.PowerGate{Rules: rules, Source: src}
	}
	return policy, notices, nil
}

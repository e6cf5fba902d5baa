package cli

import (
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/pkg/programjob"
)

// An example program's params as typed flags, instead of --params HEX; each
// example's flags build its params with the example's own encoder.
const (
	flagProthN       = "proth-n"
	flagKStart       = "k-start"
	flagKPerItem     = "k-per-item"
	flagSpot         = "spot"
	flagStrike       = "strike"
	flagRate         = "rate"
	flagVolatility   = "volatility"
	flagMaturity     = "maturity"
	flagSteps        = "steps"
	flagPathsPerItem = "paths-per-item"
	flagStyle        = "style"
	flagFilter       = "filter"
)

// exampleFlags lists each example's flags.
var exampleFlags = map[string][]string{
	"proth":      {flagProthN, flagKStart, flagKPerItem},
	"montecarlo": {flagSpot, flagStrike, flagRate, flagVolatility, flagMaturity, flagSteps, flagPathsPerItem, flagStyle},
	"tiles":      {flagFilter},
}

func addExampleParamFlags(f *pflag.FlagSet) {
	f.Uint32(flagProthN, 0, "proth: the exponent n of k·2^n+1")
	f.Uint64(flagKStart, 1, "proth: the first k (odd)")
	f.Uint32(flagKPerItem, 1, "proth: candidates k per item (1-65536)")
	f.Float64(flagSpot, 100, "montecarlo: the spot price")
	f.Float64(flagStrike, 100, "montecarlo: the strike price")
	f.Float64(flagRate, 0.05, "montecarlo: the risk-free rate per year")
	f.Float64(flagVolatility, 0.2, "montecarlo: the volatility per year")
	f.Float64(flagMaturity, 1, "montecarlo: the maturity in years")
	f.Uint32(flagSteps, 252, "montecarlo: tree steps per path")
	f.Uint32(flagPathsPerItem, 64, "montecarlo: paths simulated per item")
	f.String(flagStyle, "european", "montecarlo: european or asian")
	f.String(flagFilter, "edges", "tiles: blur, edges or sharpen")
}

// programParams returns the job's params: --params, or the example's typed
// flags, whichever was given (an example given neither takes its flags'
// defaults, except proth, whose n has none).
func programParams(f *pflag.FlagSet, prog programjob.Program) ([]byte, error) {
	var typed []string
	f.Visit(func(fl *pflag.Flag) {
		for _, name := range []string{"proth", "montecarlo", "tiles"} {
			if slices.Contains(exampleFlags[name], fl.Name) {
				typed = append(typed, fl.Name)
			}
		}
	})
	sort.Strings(typed)
	if f.Changed(flagParams) {
		if len(typed) > 0 {
			return nil, fmt.Errorf("--%s and --%s: give the params one way", flagParams, strings.Join(typed, ", --"))
		}
		paramsHex, _ := f.GetString(flagParams)
		params, err := hex.DecodeString(paramsHex)
		if err != nil {
			return nil, fmt.Errorf("--%s: not hex: %w", flagParams, err)
		}
		return params, nil
	}
	name := ""
	if prog.Example != nil {
		name = prog.Example.Name
	}
	for _, fl := range typed {
		if !slices.Contains(exampleFlags[name], fl) {
			return nil, fmt.Errorf("--%s is a flag of another example's params; program %s is %s", fl, prog.IDHex(), describeExample(name))
		}
	}
	switch name {
	case "proth":
		n, _ := f.GetUint32(flagProthN)
		if n == 0 {
			return nil, fmt.Errorf("proth needs --%s (or --%s HEX)", flagProthN, flagParams)
		}
		kStart, _ := f.GetUint64(flagKStart)
		perItem, _ := f.GetUint32(flagKPerItem)
		return proth.Params{N: n, KStart: kStart, KPerItem: perItem}.Encode(), nil
	case "montecarlo":
		o := montecarlo.Option{}
		o.Spot, _ = f.GetFloat64(flagSpot)
		o.Strike, _ = f.GetFloat64(flagStrike)
		o.Rate, _ = f.GetFloat64(flagRate)
		o.Volatility, _ = f.GetFloat64(flagVolatility)
		o.Maturity, _ = f.GetFloat64(flagMaturity)
		o.Steps, _ = f.GetUint32(flagSteps)
		o.PathsPerItem, _ = f.GetUint32(flagPathsPerItem)
		style, _ := f.GetString(flagStyle)
		switch style {
		case "european":
			o.Style = montecarlo.European
		case "asian":
			o.Style = montecarlo.Asian
		default:
			return nil, fmt.Errorf("--%s %q: european or asian", flagStyle, style)
		}
		p, err := o.Params()
		if err != nil {
			return nil, fmt.Errorf("montecarlo: %w", err)
		}
		return p.Encode(), nil
	case "tiles":
		filter, _ := f.GetString(flagFilter)
		fl, ok := tiles.Filters[filter]
		if !ok {
			return nil, fmt.Errorf("--%s %q: blur, edges or sharpen", flagFilter, filter)
		}
		return tiles.Params{Filter: fl}.Encode(), nil
	}
	return nil, nil // a program of the requester's own with no params
}

func describeExample(name string) string {
	if name == "" {
		return "not an example"
	}
	return "the example " + name
}

// Package coin reads and writes SHIFT amounts the way people type and read them.
// On chain every amount is an integer of ushift; SHIFT is 10^6 ushift (the bank
// denom metadata in genesis says the same, from app/params).
package coin

import (
	"fmt"
	"regexp"
	"strings"

	"cosmossdk.io/math"

	params "github.com/nightshift-network/nightshift/app/params/chainconst"
)

// Base is the chain's base denom, ushift.
const Base = params.BondDenom

// perDisplay is ushift per SHIFT.
var perDisplay = math.NewIntWithDecimal(1, params.DisplayExponent)

// Parse reads "1000ushift", "0.001SHIFT" or a bare "1000" (ushift), in any case.
func Parse(s string) (math.Int, error) {
	s = strings.TrimSpace(s)
	if v, ok := math.NewIntFromString(s); ok {
		return v, nil
	}
	c, err := parseDecCoin(strings.ToLower(s))
	if err != nil {
		return math.Int{}, fmt.Errorf("%q: %w", s, err)
	}
	switch c.Denom {
	case params.BondDenom:
	case strings.ToLower(params.DisplayDenom):
		c.Amount = c.Amount.MulInt(perDisplay)
	default:
		return math.Int{}, fmt.Errorf("%q: use %s or %s", s, params.DisplayDenom, params.BondDenom)
	}
	if !c.Amount.IsInteger() {
		return math.Int{}, fmt.Errorf("%q is not a whole number of %s", s, params.BondDenom)
	}
	return c.Amount.TruncateInt(), nil
}

// decCoinRE is the SDK's decimal coin expression (types/coin.go: reDecAmt,
// reSpc and the default reDnmString), so Parse accepts what
// sdk.ParseDecCoin accepts without linking cosmos-sdk/types.
var decCoinRE = regexp.MustCompile(`^([[:digit:]]+(?:\.[[:digit:]]+)?|\.[[:digit:]]+)[[:space:]]*([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$`)

// decCoin is an amount and its denom, as sdk.DecCoin.
type decCoin struct {
	Denom  string
	Amount math.LegacyDec
}

// parseDecCoin is sdk.ParseDecCoin: the same matches, amounts and errors
// (TestParseDecCoinIsTheSDKs).
func parseDecCoin(s string) (decCoin, error) {
	s = strings.TrimSpace(s)
	m := decCoinRE.FindStringSubmatch(s)
	if m == nil {
		return decCoin{}, fmt.Errorf("invalid decimal coin expression: %s", s)
	}
	amount, err := math.LegacyNewDecFromStr(m[1])
	if err != nil {
		return decCoin{}, fmt.Errorf("failed to parse decimal coin amount: %s: %w", m[1], err)
	}
	return decCoin{Denom: m[2], Amount: amount}, nil
}

// BaseString writes an amount of ushift as a coin string, "1080000ushift".
func BaseString(ushift math.Int) string { return ushift.String() + params.BondDenom }

// Format writes an amount exactly in SHIFT with thousands grouped:
// 1000094000 → "1,000.094 SHIFT".
func Format(ushift math.Int) string {
	return formatDecimals(ushift, params.DisplayExponent) + " " + params.DisplayDenom
}

// FormatShort writes an amount in SHIFT to at most three decimals, rounded
// down, for live lines that change every second: 1000094567 → "1,000.094 SHIFT".
func FormatShort(ushift math.Int) string {
	return formatDecimals(ushift.Quo(math.NewIntWithDecimal(1, params.DisplayExponent-3)), 3) + " " + params.DisplayDenom
}

// FormatWithBase writes "1.08 SHIFT (1080000ushift)": readable, and exact for
// copying into a command.
func FormatWithBase(ushift math.Int) string {
	return fmt.Sprintf("%s (%s)", Format(ushift), BaseString(ushift))
}

// formatDecimals writes v / 10^decimals with grouped thousands and trailing
// fractional zeros dropped.
func formatDecimals(v math.Int, decimals int) string {
	sign := ""
	if v.IsNegative() {
		sign, v = "-", v.Neg()
	}
	unit := math.NewIntWithDecimal(1, decimals)
	whole, frac := v.Quo(unit), v.Mod(unit)
	s := sign + group(whole.String())
	if !frac.IsZero() {
		f := frac.String()
		s += "." + strings.TrimRight(strings.Repeat("0", decimals-len(f))+f, "0")
	}
	return s
}

// group inserts a comma every three digits from the right.
func group(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	head := len(digits) % 3
	var b strings.Builder
	b.WriteString(digits[:head])
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

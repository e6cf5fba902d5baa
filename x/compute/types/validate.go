package types

import (
	"fmt"
	"net/url"
	"unicode"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

// Input bounds checked before anything touches state.
const (
	MaxMonikerLength   = 64
	MaxResultURLLength = 256
	// MaxPriceBits bounds a price per item so items × price cannot overflow.
	MaxPriceBits = 128
	// RootSize is the length of a claim's Merkle root.
	RootSize = 32
	// MaxOutputSize bounds one item's output in a proof or an upload to a
	// collector (a 4096-pixel mandelbrot row is 8 KiB).
	MaxOutputSize = 16 << 10
)

// ValidateMoniker accepts 1-64 bytes of printable UTF-8.
func ValidateMoniker(m string) error {
	if m == "" || len(m) > MaxMonikerLength || !utf8.ValidString(m) {
		return errorsmod.Wrapf(ErrInvalidMoniker, "moniker must be 1-%d bytes of UTF-8", MaxMonikerLength)
	}
	for _, r := range m {
		if !unicode.IsPrint(r) {
			return errorsmod.Wrapf(ErrInvalidMoniker, "moniker contains unprintable character %U", r)
		}
	}
	return nil
}

// ValidateResultURL accepts an empty URL or an absolute http(s) URL.
func ValidateResultURL(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxResultURLLength {
		return errorsmod.Wrapf(ErrInvalidResultURL, "longer than %d bytes", MaxResultURLLength)
	}
	u, err := url.Parse(s)
	if err != nil {
		return errorsmod.Wrap(ErrInvalidResultURL, err.Error())
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errorsmod.Wrapf(ErrInvalidResultURL, "%q is not an absolute http(s) URL", s)
	}
	return nil
}

// ValidateAmount accepts a non-nil amount, positive if required, of at most
// MaxPriceBits bits.
func ValidateAmount(field string, v math.Int, positive bool) error {
	if reason := amountFault(field, v, positive); reason != "" {
		return errorsmod.Wrap(ErrInvalidAmount, reason)
	}
	return nil
}

// amountFault says what is wrong with an amount, or "" if nothing; messages
// and params both check their amounts with it.
func amountFault(field string, v math.Int, positive bool) string {
	switch {
	case v.IsNil() || v.IsNegative() || (positive && v.IsZero()):
		if positive {
			return field + " must be positive"
		}
		return field + " must be non-negative"
	case v.BigInt().BitLen() > MaxPriceBits:
		return fmt.Sprintf("%s exceeds 2^%d", field, MaxPriceBits)
	}
	return ""
}

// TaskRange returns the first item and item count of task index of a job.
func (j Job) TaskRange(index uint64) (first, count uint64) {
	first = index * j.ItemsPerTask
	count = j.ItemsPerTask
	if j.Items-first < count {
		count = j.Items - first
	}
	return first, count
}

// TaskReward is what a task pays when verified: price × its item count.
func (j Job) TaskReward(count uint64) math.Int {
	return j.PricePerItem.Mul(math.NewIntFromUint64(count))
}

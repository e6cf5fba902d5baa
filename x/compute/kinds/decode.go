package kinds

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"
)

// MaxSpecSize bounds the spec bytes of any kind, so parsing in the state machine
// costs a bounded amount of work.
const MaxSpecSize = 1024

// specField is one required field of a JSON spec; exactly one destination is set.
type specField struct {
	name string
	uint *uint64 // a JSON integer literal: digits only, no sign, fraction or exponent
	str  *string // a JSON string
}

// decodeSpec decodes spec, a JSON object, into fields. It is stricter than
// encoding/json alone: every field is required and may appear once, keys must match
// exactly (encoding/json matches case-insensitively), null is rejected, integers
// must be bare digits, and nothing may follow the object. Unknown fields are
// rejected by the key check, so DisallowUnknownFields is not needed. Numbers are
// never converted to floating point (UseNumber, then strconv.ParseUint).
func decodeSpec(kind string, spec []byte, fields []specField) error {
	if len(spec) == 0 {
		return fmt.Errorf("%w: %s: empty spec", ErrInvalidSpec, kind)
	}
	if len(spec) > MaxSpecSize {
		return fmt.Errorf("%w: %s: spec of %d bytes exceeds the maximum of %d", ErrInvalidSpec, kind, len(spec), MaxSpecSize)
	}
	dec := json.NewDecoder(bytes.NewReader(spec))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("%w: %s: spec must be a JSON object", ErrInvalidSpec, kind)
	}
	seen := make([]bool, len(fields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %s: malformed JSON: %v", ErrInvalidSpec, kind, err)
		}
		key, _ := tok.(string) // object keys are always strings
		i := fieldIndex(fields, key)
		if i < 0 {
			return fmt.Errorf("%w: %s: unknown field %q", ErrInvalidSpec, kind, key)
		}
		if seen[i] {
			return fmt.Errorf("%w: %s: duplicate field %q", ErrInvalidSpec, kind, key)
		}
		seen[i] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%w: %s: malformed JSON: %v", ErrInvalidSpec, kind, err)
		}
		if err := fields[i].set(bytes.TrimSpace(raw)); err != nil {
			return fmt.Errorf("%w: %s: field %q: %v", ErrInvalidSpec, kind, key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%w: %s: malformed JSON: %v", ErrInvalidSpec, kind, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: %s: data after the spec object", ErrInvalidSpec, kind)
	}
	for i, f := range fields {
		if !seen[i] {
			return fmt.Errorf("%w: %s: missing field %q", ErrInvalidSpec, kind, f.name)
		}
	}
	return nil
}

func fieldIndex(fields []specField, key string) int {
	for i, f := range fields {
		if f.name == key {
			return i
		}
	}
	return -1
}

func (f specField) set(raw []byte) error {
	switch {
	case f.uint != nil:
		if len(raw) == 0 {
			return fmt.Errorf("want a non-negative integer")
		}
		for _, c := range raw {
			if c < '0' || c > '9' {
				return fmt.Errorf("want a non-negative integer, got %s", raw)
			}
		}
		v, err := strconv.ParseUint(string(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("integer %s out of range", raw)
		}
		*f.uint = v
	case f.str != nil:
		if len(raw) == 0 || raw[0] != '"' {
			return fmt.Errorf("want a string, got %s", raw)
		}
		if err := json.Unmarshal(raw, f.str); err != nil {
			return err
		}
	}
	return nil
}

// maxFracDigits bounds the fractional digits of a decimal string; 10^18 < 2^63
// keeps the digits in a uint64, and 18 digits are finer than the fixed-point
// resolution 2^-59 ≈ 1.7e-18.
const maxFracDigits = 18

// decimal is a parsed decimal string: (-1)^neg × (whole + frac / 10^digits).
type decimal struct {
	neg    bool
	whole  uint64
	frac   uint64
	digits int
}

// parseDecimal parses [-]D+[.D{1,18}] without leading zeros in the whole part.
// Exponents, a leading '+', a bare '.', or whitespace are rejected.
func parseDecimal(s string) (decimal, error) {
	var d decimal
	rest := s
	if len(rest) > 0 && rest[0] == '-' {
		d.neg = true
		rest = rest[1:]
	}
	whole, frac, hasPoint := strings.Cut(rest, ".")
	if !allDigits(whole) || len(whole) > 1 && whole[0] == '0' {
		return d, fmt.Errorf("%q is not a plain decimal number", s)
	}
	if hasPoint && !allDigits(frac) {
		return d, fmt.Errorf("%q is not a plain decimal number", s)
	}
	if len(frac) > maxFracDigits {
		return d, fmt.Errorf("%q has more than %d fractional digits", s, maxFracDigits)
	}
	var err error
	if d.whole, err = strconv.ParseUint(whole, 10, 64); err != nil {
		return d, fmt.Errorf("%q is out of range", s)
	}
	if hasPoint {
		// At most 18 digits, so this cannot fail.
		d.frac, _ = strconv.ParseUint(frac, 10, 64)
		d.digits = len(frac)
	}
	return d, nil
}

func allDigits(s string) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isZero reports whether d is zero (including "-0" and "0.000").
func (d decimal) isZero() bool { return d.whole == 0 && d.frac == 0 }

// magnitudeAtMost reports whether |d| <= limit, exactly.
func (d decimal) magnitudeAtMost(limit uint64) bool {
	return d.whole < limit || d.whole == limit && d.frac == 0
}

var pow10 = [maxFracDigits + 1]uint64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
}

// fixed returns ⌊d·2^fracBits⌋, d in signed fixed point with fracBits fractional
// bits, rounded toward −∞ like every other rounding in the kernels. The caller
// has bounded |d| so the result fits.
func (d decimal) fixed(fracBits uint) int64 {
	mag := d.whole << fracBits
	inexact := false
	if d.digits > 0 {
		// frac·2^fracBits / 10^digits, with a 128-bit product; hi < 10^digits
		// because frac < 10^digits, so Div64 cannot overflow.
		hi, lo := bits.Mul64(d.frac, 1<<fracBits)
		q, rem := bits.Div64(hi, lo, pow10[d.digits])
		mag += q
		inexact = rem != 0
	}
	if !d.neg {
		return int64(mag)
	}
	if inexact {
		return -int64(mag) - 1
	}
	return -int64(mag)
}

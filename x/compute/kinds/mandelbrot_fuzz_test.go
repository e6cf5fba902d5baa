package kinds

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func FuzzMandelbrotValidateSpec(f *testing.F) {
	f.Add([]byte(smallSpec), uint64(16))
	for _, g := range mandelbrotGolden {
		f.Add([]byte(g.spec), uint64(64))
	}
	f.Add([]byte(`{"width":4096,"height":4096,"center_re":"-4","center_im":"4","scale":"8","max_iter":65535}`), uint64(4096))
	f.Add([]byte(`{"width":16,"height":16,"center_re":"-0.5","center_im":"0","scale":"3e0","max_iter":64}`), uint64(16))
	f.Add([]byte(`{"width":16,"height":16,"center_re":-0.5,"center_im":"0","scale":"3","max_iter":64}`), uint64(16))
	f.Add([]byte(`{"width":1,"height":1,"center_re":"0.000000000000000001","center_im":"-0","scale":"0.000000000000000002","max_iter":1}`), uint64(1))
	f.Fuzz(func(t *testing.T, spec []byte, items uint64) {
		s, err := ParseMandelbrotSpec(spec, items)
		if err != nil {
			if !errors.Is(err, ErrInvalidSpec) || s != nil {
				t.Fatalf("got %v, %v; errors must wrap ErrInvalidSpec", s, err)
			}
			return
		}
		if s.Width() < 1 || s.Width() > MandelbrotMaxWidth || s.Height() < 1 || s.Height() > MandelbrotMaxHeight ||
			s.MaxIter() < 1 || s.MaxIter() > MandelbrotMaxIter || uint64(s.Height()) != items {
			t.Fatalf("accepted out-of-range spec %s", spec)
		}
		if s.centerRe < -4*fpOne || s.centerRe > 4*fpOne || s.centerIm < -4*fpOne || s.centerIm > 4*fpOne ||
			s.pixel < 1 || s.pixel > 8*fpOne {
			t.Fatalf("accepted out-of-range coordinates %s", spec)
		}
	})
}

func FuzzMandelbrotVerifyOutput(f *testing.F) {
	f.Add(uint64(5), []byte{}, uint16(0))
	f.Add(uint64(5), make([]byte, 32), uint16(0))
	f.Add(uint64(8), []byte{4, 0, 5, 0, 7, 0, 13, 0}, uint16(0))
	f.Add(uint64(0), []byte{}, uint16(1))
	f.Add(uint64(16), make([]byte, 32), uint16(7))
	s := mustMandelbrot(f, smallSpec)
	f.Fuzz(func(t *testing.T, index uint64, output []byte, flip uint16) {
		err := verifyOut(s, 1, index, output)
		if index >= 16 {
			if !errors.Is(err, ErrItemOutOfRange) {
				t.Fatalf("row %d: error = %v, want ErrItemOutOfRange", index, err)
			}
			return
		}
		want, _ := computeOut(s, 1, index)
		if (err == nil) != bytes.Equal(output, want) {
			t.Fatalf("row %d: accepted=%v for output %x, want %x", index, err == nil, output, want)
		}
		if err != nil && !errors.Is(err, ErrInvalidOutput) {
			t.Fatalf("error %v does not wrap ErrInvalidOutput", err)
		}
		// A genuine row with one bit flipped never verifies.
		if flip != 0 {
			bad := slices.Clone(want)
			b := int(flip-1) % (8 * len(bad))
			bad[b/8] ^= 1 << (b % 8)
			if err := verifyOut(s, 1, index, bad); !errors.Is(err, ErrInvalidOutput) {
				t.Fatalf("row %d with bit %d flipped: error = %v", index, b, err)
			}
		}
	})
}

// FuzzMandelbrotMatchesReference checks the kernel against the unbounded-integer
// definition on small fuzzed views anywhere in the allowed range.
func FuzzMandelbrotMatchesReference(f *testing.F) {
	f.Add(uint8(4), uint8(4), uint16(50), int64(-5), int64(0), uint64(30), uint8(1))
	f.Add(uint8(3), uint8(5), uint16(300), int64(-17400000001), int64(-1), uint64(3), uint8(10))
	f.Add(uint8(2), uint8(9), uint16(20), int64(4), int64(-4), uint64(8), uint8(0))
	f.Add(uint8(5), uint8(2), uint16(400), int64(2501), int64(1), uint64(1000), uint8(18))
	f.Fuzz(func(t *testing.T, w, h uint8, m uint16, re, im int64, scale uint64, digits uint8) {
		d := int(digits % (maxFracDigits + 1))
		// Keep |centre| <= 4 and 0 < scale <= 8, in units of 10^-d.
		unit := int64(pow10[d])
		re, im = re%(4*unit+1), im%(4*unit+1)
		scale = scale%(8*uint64(unit)) + 1
		height := uint64(h%6 + 1)
		spec := fmt.Sprintf(`{"width":%d,"height":%d,"center_re":%q,"center_im":%q,"scale":%q,"max_iter":%d}`,
			w%6+1, height, formatDecimal(re, d), formatDecimal(im, d), formatDecimal(int64(scale), d), m%500+1)
		s, err := ParseMandelbrotSpec([]byte(spec), height)
		if err != nil {
			if errors.Is(err, ErrInvalidSpec) && strings.Contains(err.Error(), "below the resolution") {
				return
			}
			t.Fatalf("spec %s: %v", spec, err)
		}
		checkAgainstReference(t, s)
	})
}

// formatDecimal writes v·10^-digits as a plain decimal string.
func formatDecimal(v int64, digits int) string {
	sign := ""
	mag := uint64(v)
	if v < 0 {
		sign, mag = "-", -mag
	}
	if digits == 0 {
		return sign + strconv.FormatUint(mag, 10)
	}
	frac := strconv.FormatUint(mag%pow10[digits], 10)
	return sign + strconv.FormatUint(mag/pow10[digits], 10) + "." + strings.Repeat("0", digits-len(frac)) + frac
}

// benchSpec is a 256×256 view of the whole set; benchmarks cycle through every row
// so ns/op is the mean cost of a row.
const benchSpec = `{"width":256,"height":256,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":1000}`

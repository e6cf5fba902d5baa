package kinds

import (
	"errors"
	"testing"
)

func TestParseDecimalFixed(t *testing.T) {
	const one = int64(1) << 59
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"-0", 0},
		{"0.000", 0},
		{"1", one},
		{"-4", -4 * one},
		{"8", 8 * one},
		{"-0.5", -one / 2},
		{"0.75", 3 * one / 4},
		{"3.25", 13 * one / 4},
		// 0.1·2^59 = 57646075230342348.8, rounded toward −∞.
		{"0.1", 57646075230342348},
		{"-0.1", -57646075230342349},
		{"0.000000000000000001", 0}, // below 2^-59
		{"-0.000000000000000001", -1},
		{"0.000000000000000002", 1},
		{"3.999999999999999999", 4*one - 1},
		{"-3.999999999999999999", -4 * one},
		{"1.000000000000000000", one},
	} {
		d, err := parseDecimal(tc.in)
		if err != nil {
			t.Errorf("parseDecimal(%q): %v", tc.in, err)
			continue
		}
		if got := d.fixed(59); got != tc.want {
			t.Errorf("fixed(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestParseDecimalRejects(t *testing.T) {
	for _, in := range []string{
		"", "-", "+1", ".5", "5.", "1e-3", "1E3", "0x10", " 1", "1 ", "1,5",
		"01", "-01.5", "00", "1.2.3", "--1", "−1", "NaN", "Inf",
		"0.1234567890123456789",  // 19 fractional digits
		"99999999999999999999.5", // whole part beyond uint64
	} {
		if _, err := parseDecimal(in); err == nil {
			t.Errorf("parseDecimal(%q) accepted", in)
		}
	}
}

func TestDecimalRange(t *testing.T) {
	for _, tc := range []struct {
		in     string
		limit  uint64
		within bool
	}{
		{"4", 4, true},
		{"-4", 4, true},
		{"4.0", 4, true},
		{"4.000000000000000001", 4, false},
		{"3.999999999999999999", 4, true},
		{"5", 4, false},
		{"18446744073709551615", 4, false},
	} {
		d, err := parseDecimal(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.magnitudeAtMost(tc.limit); got != tc.within {
			t.Errorf("magnitudeAtMost(%q, %d) = %v, want %v", tc.in, tc.limit, got, tc.within)
		}
	}
}

func TestDecodeSpecStrictness(t *testing.T) {
	decode := func(spec string) (uint64, string, error) {
		var n uint64
		var s string
		err := decodeSpec("test", []byte(spec), []specField{{name: "n", uint: &n}, {name: "s", str: &s}})
		return n, s, err
	}
	n, s, err := decode(" {\n\"s\" : \"x\\u0041\", \"n\":7 }\n")
	if err != nil || n != 7 || s != "xA" {
		t.Fatalf("valid spec: got %d %q %v", n, s, err)
	}
	for _, spec := range []string{
		``,
		`null`,
		`[]`,
		`"str"`,
		`{}`,
		`{"n":1}`,
		`{"n":1,"s":"a","x":0}`,
		`{"n":1,"s":"a","n":1}`,
		`{"N":1,"s":"a"}`,
		`{"n":null,"s":"a"}`,
		`{"n":1,"s":null}`,
		`{"n":-1,"s":"a"}`,
		`{"n":1.0,"s":"a"}`,
		`{"n":1e2,"s":"a"}`,
		`{"n":"1","s":"a"}`,
		`{"n":true,"s":"a"}`,
		`{"n":18446744073709551616,"s":"a"}`,
		`{"n":1,"s":1}`,
		`{"n":1,"s":["a"]}`,
		`{"n":1,"s":"a"}{}`,
		`{"n":1,"s":"a"} x`,
		`{"n":1,"s":"a",}`,
		`{"n":1 "s":"a"}`,
		`{"n":01,"s":"a"}`,
		`{"n":1,"s":"a"`,
		"{\"n\":1,\"s\":\"a\"}" + string(make([]byte, MaxSpecSize)),
	} {
		if _, _, err := decode(spec); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("decode(%.40q) error = %v, want ErrInvalidSpec", spec, err)
		}
	}
}

package kinds_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
)

const (
	testProgram = "ab00000000000000000000000000000000000000000000000000000000000001"
	testRoot    = "cd00000000000000000000000000000000000000000000000000000000000002"
)

func wasmSpec(fields ...string) string {
	def := map[string]string{
		"program": `"` + testProgram + `"`, "params": `"0102"`, "fuel_limit": "1000",
		"memory_pages": "2", "max_output_bytes": "64", "input_root": `""`, "inputs_url": `""`,
	}
	for i := 0; i+1 < len(fields); i += 2 {
		def[fields[i]] = fields[i+1]
	}
	var parts []string
	for _, k := range []string{"program", "params", "fuel_limit", "memory_pages", "max_output_bytes", "input_root", "inputs_url"} {
		if v, ok := def[k]; ok && v != "-" {
			parts = append(parts, `"`+k+`":`+v)
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestParseWasmSpecRoundTrips(t *testing.T) {
	for _, spec := range []string{
		wasmSpec(),
		wasmSpec("params", `""`),
		wasmSpec("input_root", `"`+testRoot+`"`, "inputs_url", `"http://127.0.0.1:9000/inputs"`),
	} {
		s, err := kinds.ParseWasmSpec([]byte(spec), 10)
		require.NoError(t, err, spec)
		require.Equal(t, spec, string(s.Encode()))
		require.Equal(t, uint64(10), s.Items())
	}
	s, err := kinds.ParseWasmSpec([]byte(wasmSpec("input_root", `"`+testRoot+`"`, "inputs_url", `"https://a.example/x"`)), 3)
	require.NoError(t, err)
	require.True(t, s.HasInputRoot)
	require.Equal(t, byte(0xcd), s.InputRoot[0])
	require.Equal(t, []byte{1, 2}, s.Params)
	require.Equal(t, uint64(1000), s.FuelLimit)
	require.Equal(t, uint32(2), s.MemoryPages)
	require.Equal(t, uint32(64), s.MaxOutputBytes)
}

// TestParseWasmSpecRejects covers each refused spec: equal jobs must have equal
// specs, so every non-canonical form is refused too.
func TestParseWasmSpecRejects(t *testing.T) {
	cases := map[string]string{
		"uppercase program":  wasmSpec("program", `"`+strings.ToUpper(testProgram)+`"`),
		"short program":      wasmSpec("program", `"abcd"`),
		"odd params":         wasmSpec("params", `"010"`),
		"uppercase params":   wasmSpec("params", `"0A"`),
		"params too long":    wasmSpec("params", `"`+strings.Repeat("00", kinds.WasmMaxParamsBytes+1)+`"`),
		"zero fuel":          wasmSpec("fuel_limit", "0"),
		"zero pages":         wasmSpec("memory_pages", "0"),
		"too many pages":     wasmSpec("memory_pages", "65537"),
		"zero output":        wasmSpec("max_output_bytes", "0"),
		"url without root":   wasmSpec("inputs_url", `"http://a/b"`),
		"root without url":   wasmSpec("input_root", `"`+testRoot+`"`),
		"root, ftp url":      wasmSpec("input_root", `"`+testRoot+`"`, "inputs_url", `"ftp://a/b"`),
		"root, escaped url":  wasmSpec("input_root", `"`+testRoot+`"`, "inputs_url", `"http://a/\u0062"`),
		"bad root":           wasmSpec("input_root", `"zz"`),
		"missing field":      wasmSpec("inputs_url", "-"),
		"unknown field":      strings.TrimSuffix(wasmSpec(), "}") + `,"x":1}`,
		"reordered fields":   `{"params":"0102","program":"` + testProgram + `","fuel_limit":1000,"memory_pages":2,"max_output_bytes":64,"input_root":"","inputs_url":""}`,
		"padded with spaces": strings.Replace(wasmSpec(), ",", ", ", 1),
		"float fuel":         wasmSpec("fuel_limit", "1e3"),
		"not an object":      `[]`,
	}
	for name, spec := range cases {
		_, err := kinds.ParseWasmSpec([]byte(spec), 10)
		require.Error(t, err, name)
		require.True(t, errors.Is(err, kinds.ErrInvalidSpec), "%s: %v", name, err)
	}
	_, err := kinds.ParseWasmSpec([]byte(wasmSpec()), 0)
	require.ErrorIs(t, err, kinds.ErrInvalidSpec)
}

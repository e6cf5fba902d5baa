package kinds

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
)

// WasmKindName is the kind of jobs that run a stored WebAssembly program.
// Unlike the built-in kinds it is not in the Registry: its spec names a
// program whose code lives in chain state, so the keeper, the worker and the
// simulation look the code up and bind it with [WasmSpec.Bind].
const WasmKindName = "wasm"

// Bounds on a wasm spec's fields; the spec as a whole is bounded by MaxSpecSize.
const (
	// WasmMaxParamsBytes bounds the program params a job carries (hex in the
	// spec, so twice as many characters).
	WasmMaxParamsBytes = 256
	// WasmMaxInputsURLLength bounds inputs_url.
	WasmMaxInputsURLLength = 256
)

// WasmSpec is a parsed wasm job spec:
//
//	{"program":"<sha256 hex>","params":"<hex>","fuel_limit":F,"memory_pages":M,
//	 "max_output_bytes":O,"input_root":"<sha256 hex or empty>","inputs_url":"<URL or empty>"}
//
// Every field is required and the encoding is canonical: fields in this order,
// lowercase hex, no whitespace, no escapes, so equal jobs have equal specs
// (Parse re-encodes and compares). The limits the chain's params impose
// (fuel, memory, output, that the program exists) are checked by the keeper,
// which knows them; Parse checks what the spec alone decides. The output cap
// is the job's, not a param, so a param change never changes an item's output
// after a claim (G6).
type WasmSpec struct {
	Program        [32]byte
	Params         []byte
	FuelLimit      uint64
	MemoryPages    uint32
	MaxOutputBytes uint32
	// HasInputRoot says the items have data inputs committed by InputRoot
	// (merkle.InputRoot); without it every item's input is empty.
	HasInputRoot bool
	InputRoot    [32]byte
	// InputsURL is where the requester serves the inputs (http(s); required
	// with an input root, empty without).
	InputsURL string
	items     uint64
}

// ParseWasmSpec parses and checks a wasm spec for a job of items items.
func ParseWasmSpec(spec []byte, items uint64) (*WasmSpec, error) {
	var (
		program, params, root, inputsURL string
		fuel, pages, maxOut              uint64
	)
	err := decodeSpec(WasmKindName, spec, []specField{
		{name: "program", str: &program},
		{name: "params", str: &params},
		{name: "fuel_limit", uint: &fuel},
		{name: "memory_pages", uint: &pages},
		{name: "max_output_bytes", uint: &maxOut},
		{name: "input_root", str: &root},
		{name: "inputs_url", str: &inputsURL},
	})
	if err != nil {
		return nil, err
	}
	fail := func(format string, args ...any) (*WasmSpec, error) {
		return nil, fmt.Errorf("%w: wasm: %s", ErrInvalidSpec, fmt.Sprintf(format, args...))
	}
	s := &WasmSpec{FuelLimit: fuel, InputsURL: inputsURL, items: items}
	if items == 0 {
		return fail("a job needs at least one item")
	}
	if !decodeHash(program, &s.Program) {
		return fail("program must be 64 lowercase hex digits, got %q", program)
	}
	if s.Params, err = hex.DecodeString(params); err != nil || hex.EncodeToString(s.Params) != params {
		return fail("params must be lowercase hex")
	}
	if len(s.Params) > WasmMaxParamsBytes {
		return fail("params of %d bytes exceed %d", len(s.Params), WasmMaxParamsBytes)
	}
	if fuel == 0 {
		return fail("fuel_limit must be positive")
	}
	if pages == 0 || pages > 1<<16 {
		return fail("memory_pages must be 1..65536, got %d", pages)
	}
	s.MemoryPages = uint32(pages)
	if maxOut == 0 || maxOut > 1<<20 {
		return fail("max_output_bytes must be 1..%d, got %d", 1<<20, maxOut)
	}
	s.MaxOutputBytes = uint32(maxOut)
	switch {
	case root == "" && inputsURL != "":
		return fail("inputs_url without an input_root")
	case root != "":
		if !decodeHash(root, &s.InputRoot) {
			return fail("input_root must be empty or 64 lowercase hex digits, got %q", root)
		}
		s.HasInputRoot = true
		if err := checkInputsURL(inputsURL); err != nil {
			return fail("inputs_url: %v", err)
		}
	}
	if enc := s.Encode(); !bytes.Equal(enc, spec) {
		return fail("spec is not canonical; want %s", enc)
	}
	return s, nil
}

// Encode returns the canonical spec bytes, what ParseWasmSpec accepts.
func (s *WasmSpec) Encode() []byte {
	root := ""
	if s.HasInputRoot {
		root = hex.EncodeToString(s.InputRoot[:])
	}
	var b bytes.Buffer
	b.WriteString(`{"program":"`)
	b.WriteString(hex.EncodeToString(s.Program[:]))
	b.WriteString(`","params":"`)
	b.WriteString(hex.EncodeToString(s.Params))
	b.WriteString(`","fuel_limit":`)
	b.WriteString(strconv.FormatUint(s.FuelLimit, 10))
	b.WriteString(`,"memory_pages":`)
	b.WriteString(strconv.FormatUint(uint64(s.MemoryPages), 10))
	b.WriteString(`,"max_output_bytes":`)
	b.WriteString(strconv.FormatUint(uint64(s.MaxOutputBytes), 10))
	b.WriteString(`,"input_root":"`)
	b.WriteString(root)
	b.WriteString(`","inputs_url":`)
	// A URL checked by checkInputsURL has no character JSON escapes, so
	// quoting it plainly is the canonical form.
	b.WriteString(strconv.Quote(s.InputsURL))
	b.WriteString(`}`)
	return b.Bytes()
}

// Items is the job's item count.
func (s *WasmSpec) Items() uint64 { return s.items }

func decodeHash(s string, dst *[32]byte) bool {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 || hex.EncodeToString(b) != s {
		return false
	}
	copy(dst[:], b)
	return true
}

// checkInputsURL accepts an absolute http(s) URL of printable ASCII without
// quotes or backslashes (so its JSON form is unique).
func checkInputsURL(s string) error {
	if s == "" || len(s) > WasmMaxInputsURLLength {
		return fmt.Errorf("must be 1-%d bytes", WasmMaxInputsURLLength)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return fmt.Errorf("character %q not allowed", c)
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

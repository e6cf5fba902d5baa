package program

import (
	"crypto/sha256"
	"errors"
	"testing"
)

func TestValidateAcceptsFixtures(t *testing.T) {
	for _, name := range []string{"echo", "mix", "traps", "bomb", "badalloc"} {
		code := fixture(t, name)
		m, err := Validate(code, Limits{MaxCodeBytes: 4096, MaxMemoryPages: 16})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m.ID != sha256.Sum256(code) || m.FunctionCount == 0 || m.InstructionCount == 0 || m.MinMemoryPages != 1 {
			t.Fatalf("%s: module %+v", name, m)
		}
	}
	m, _ := Validate(fixture(t, "echo"), Limits{})
	if m.MaxMemoryPages != 16 || m.FunctionCount != 4 {
		t.Fatalf("echo: %+v", m)
	}
	if m, _ := Validate(fixture(t, "bomb"), Limits{}); m.MaxMemoryPages != 65536 {
		t.Fatalf("bomb declares no max: %+v", m)
	}
}

func TestValidateRefusals(t *testing.T) {
	cases := []struct {
		fixture string
		lim     Limits
		want    error
	}{
		{"invalid/import", Limits{}, ErrForbiddenImport},
		{"invalid/start", Limits{}, ErrStartFunction},
		{"invalid/float", Limits{}, ErrFloatInstruction},
		{"invalid/floatlocal", Limits{}, ErrFloatInstruction},
		{"invalid/norun", Limits{}, ErrMissingExport},
		{"invalid/nomemory", Limits{}, ErrMissingExport},
		{"invalid/memname", Limits{}, ErrMissingExport},
		{"invalid/badsig", Limits{}, ErrBadSignature},
		{"invalid/bulk", Limits{}, ErrUnsupportedFeature},
		{"invalid/simd", Limits{}, ErrUnsupportedFeature},
		{"invalid/multivalue", Limits{}, ErrUnsupportedFeature},
		{"invalid/segment", Limits{}, ErrSegmentOutOfBounds},
		{"invalid/typeerror", Limits{}, ErrMalformedModule},
		{"echo", Limits{MaxCodeBytes: 100}, ErrCodeTooLarge},
		{"echo", Limits{MaxMemoryPages: 8}, ErrMemoryTooLarge}, // declared max 16
		{"echo", Limits{MaxMemoryPages: 16}, nil},
	}
	for _, tc := range cases {
		_, err := Validate(fixture(t, tc.fixture), tc.lim)
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s %+v: err %v, want %v", tc.fixture, tc.lim, err, tc.want)
		}
	}
}

func TestValidateRefusesMalformedBinaries(t *testing.T) {
	echo := fixture(t, "echo")
	cases := map[string][]byte{
		"empty":            nil,
		"bad magic":        []byte("\x00asm\x02\x00\x00\x00"),
		"truncated":        echo[:len(echo)-3],
		"section too long": append(append([]byte{}, echo[:8]...), 1, 0xff, 0xff, 0xff, 0x0f),
		"unknown section":  append(append([]byte{}, echo...), 13, 0),
		"repeated section": append(append([]byte{}, echo...), 1, 1, 0),
		"trailing garbage": append(append([]byte{}, echo...), 0),
	}
	for name, code := range cases {
		if _, err := Validate(code, Limits{}); !errors.Is(err, ErrMalformedModule) {
			t.Errorf("%s: err %v, want ErrMalformedModule", name, err)
		}
	}
}

// Bodies that decode but break the rules one opcode at a time, written into the
// echo module's nightshift_run (function 2) so everything else stays valid.
func TestValidateRefusesOpcodes(t *testing.T) {
	cases := []struct {
		name string
		body []byte
		want error
	}{
		{"f32.const", []byte{0x43, 0, 0, 0, 0, 0x1a, 0x42, 0, 0x0b}, ErrFloatInstruction},
		{"saturating truncation (0xfc prefix)", []byte{0xfc, 0x00, 0x0b}, ErrUnsupportedFeature},
		{"memory.size of memory 1", []byte{0x3f, 0x01, 0x1a, 0x42, 0, 0x0b}, ErrUnsupportedFeature},
		{"block with a type index", []byte{0x02, 0x00, 0x0b, 0x42, 0, 0x0b}, ErrUnsupportedFeature},
		{"float block type", []byte{0x02, 0x7d, 0x0b, 0x42, 0, 0x0b}, ErrFloatInstruction},
		{"code after end", []byte{0x42, 0, 0x0b, 0x01}, ErrMalformedModule},
		{"unclosed block", []byte{0x02, 0x40, 0x42, 0, 0x0b}, ErrMalformedModule},
		{"sign extension is allowed", []byte{0x42, 5, 0xc2, 0x0b}, nil},
	}
	for _, tc := range cases {
		m, err := decodeModule(fixture(t, "echo"))
		if err != nil {
			t.Fatal(err)
		}
		m.codes[2] = code{body: tc.body}
		_, err = Validate(m.encode(), Limits{})
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestValidateRefusesLargeTable(t *testing.T) {
	m, err := decodeModule(fixture(t, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	m.tables = []limits{{min: maxTableEntries}}
	if _, err := Validate(m.encode(), Limits{}); err != nil {
		t.Fatalf("a table at the cap: %v", err)
	}
	m.tables = []limits{{min: maxTableEntries + 1}}
	if _, err := Validate(m.encode(), Limits{}); !errors.Is(err, ErrTableTooLarge) {
		t.Fatalf("err %v, want ErrTableTooLarge", err)
	}
}

func TestValidateRefusesTooManyLocals(t *testing.T) {
	m, err := decodeModule(fixture(t, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	m.codes[2].locals = []localRun{{count: maxLocals, valType: valI32}, {count: 1, valType: valI64}}
	if _, err := Validate(m.encode(), Limits{}); !errors.Is(err, ErrTooComplex) {
		t.Fatalf("err %v, want ErrTooComplex", err)
	}
}

// A program must not reach what the instrumentation adds: the fuel and stack globals,
// the fuel local, the grow helper, or the wrapper block's label (a br past it would
// skip the frame release and the fuel store). Each is an index the original module
// does not have, refused by Validate and by Engine.Run before anything runs.
func TestValidateKeepsInstrumentationOutOfReach(t *testing.T) {
	big := []byte{opI64Const, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00} // MaxInt64
	cases := []struct {
		name string
		body []byte
		ok   bool
	}{
		{"set the fuel global (index 1)", append(append([]byte{}, big...), opGlobalSet, 1, opI64Const, 0, opEnd), false},
		{"set the fuel local (index 8)", append(append([]byte{}, big...), opLocalSet, 8, opI64Const, 0, opEnd), false},
		{"call the grow helper (function 4)", []byte{opI32Const, 1, opCall, 4, 0x1a, opI64Const, 0, opEnd}, false},
		{"br past the function's label", []byte{opI64Const, 0, opBr, 1, opEnd}, false},
		{"br_if past the function's label", []byte{opI64Const, 0, opI32Const, 1, opBrIf, 1, opEnd}, false},
		{"br_table past the function's label", []byte{opI64Const, 0, opI32Const, 0, opBrTable, 1, 0, 1, opEnd}, false},
		{"call_indirect without a table", []byte{opI32Const, 0, opCallIndirect, 0, 0, opI64Const, 0, opEnd}, false},
		// the same instructions inside the module's own ranges are fine
		{"set the program's own global and local", []byte{opI32Const, 1, opGlobalSet, 0, opI32Const, 1, opLocalSet, 7, opI64Const, 0, opEnd}, true},
		{"br to the function's label", []byte{opI64Const, 0, opBr, 0, opEnd}, true},
	}
	e := engines(t)["interpreter"]
	for _, tc := range cases {
		m, err := decodeModule(fixture(t, "echo"))
		if err != nil {
			t.Fatal(err)
		}
		m.codes[2].body = tc.body
		code := m.encode()
		_, err = Validate(code, Limits{})
		_, runErr := e.Run(t.Context(), code, defaultCall())
		if tc.ok != (err == nil) || tc.ok != (runErr == nil) || (!tc.ok && (!errors.Is(err, ErrMalformedModule) || !errors.Is(runErr, ErrMalformedModule))) {
			t.Errorf("%s: Validate %v, Run %v", tc.name, err, runErr)
		}
	}
}

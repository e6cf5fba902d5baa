package program

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

func TestLEB128(t *testing.T) {
	for _, v := range []uint32{0, 1, 63, 64, 127, 128, 300, 1 << 21, math.MaxUint32} {
		r := &reader{buf: appendU32(nil, v)}
		got, err := r.u32()
		if err != nil || got != v || !r.done() {
			t.Fatalf("u32 %d: got %d err %v", v, got, err)
		}
	}
	for _, v := range []int64{0, 1, -1, 63, 64, -64, -65, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64} {
		r := &reader{buf: appendS64(nil, v)}
		got, err := r.s64()
		if err != nil || got != v || !r.done() {
			t.Fatalf("s64 %d: got %d err %v", v, got, err)
		}
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			r := &reader{buf: appendS64(nil, v)}
			if got, err := r.s32(); err != nil || int64(got) != v {
				t.Fatalf("s32 %d: got %d err %v", v, got, err)
			}
		}
	}
	bad := map[string]struct {
		b    []byte
		read func(*reader) error
	}{
		"u32 with 6 bytes":        {[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, func(r *reader) error { _, err := r.u32(); return err }},
		"u32 over 32 bits":        {[]byte{0xff, 0xff, 0xff, 0xff, 0x1f}, func(r *reader) error { _, err := r.u32(); return err }},
		"s32 over 32 bits":        {[]byte{0xff, 0xff, 0xff, 0xff, 0x4f}, func(r *reader) error { _, err := r.s32(); return err }},
		"s32 bad sign extension":  {[]byte{0x80, 0x80, 0x80, 0x80, 0x70}, func(r *reader) error { _, err := r.s32(); return err }},
		"s64 with 11 bytes":       {append(bytes.Repeat([]byte{0x80}, 10), 0), func(r *reader) error { _, err := r.s64(); return err }},
		"s64 bad last byte":       {append(bytes.Repeat([]byte{0xff}, 9), 0x3f), func(r *reader) error { _, err := r.s64(); return err }},
		"truncated":               {[]byte{0x80}, func(r *reader) error { _, err := r.u32(); return err }},
		"name longer than buffer": {[]byte{5, 'a'}, func(r *reader) error { _, err := r.name(); return err }},
	}
	for name, tc := range bad {
		if err := tc.read(&reader{buf: tc.b}); !errors.Is(err, ErrMalformedModule) {
			t.Errorf("%s: err %v", name, err)
		}
	}
	// the largest and smallest s32 in 5 bytes are accepted
	for _, b := range [][]byte{{0xff, 0xff, 0xff, 0xff, 0x07}, {0x80, 0x80, 0x80, 0x80, 0x78}} {
		if _, err := (&reader{buf: b}).s32(); err != nil {
			t.Errorf("s32 %x: %v", b, err)
		}
	}
}

func testdataModules(t testing.TB) []string {
	names, err := filepath.Glob(filepath.Join("testdata", "*.wasm"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return names
}

// wat2wasm writes canonical encodings without custom sections, so decoding and
// encoding a fixture gives back its exact bytes; the instrumented module decodes to
// the same structure it was encoded from.
func TestModuleRoundTrip(t *testing.T) {
	for _, path := range testdataModules(t) {
		bin, _ := os.ReadFile(path)
		m, err := decodeModule(bin)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got := m.encode(); !bytes.Equal(got, bin) {
			t.Fatalf("%s: re-encoded %d bytes differ from the %d read", path, len(got), len(bin))
		}
		inst := instrument(m)
		m2, err := decodeModule(inst)
		if err != nil {
			t.Fatalf("%s instrumented: %v", path, err)
		}
		if !bytes.Equal(m2.encode(), inst) {
			t.Fatalf("%s: instrumented module does not round-trip", path)
		}
		if !bytes.Equal(instrument(m), inst) {
			t.Fatalf("%s: instrumentation is not a function of the module", path)
		}
	}
}

// The committed .wasm fixtures are what wat2wasm (Debian's wabt) builds from the .wat
// beside them; skipped where wabt is not installed.
func TestFixturesMatchSource(t *testing.T) {
	if _, err := exec.LookPath("wat2wasm"); err != nil {
		t.Skip("wat2wasm not installed (apt-get install wabt)")
	}
	wats, _ := filepath.Glob(filepath.Join("testdata", "*.wat"))
	inv, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.wat"))
	for _, wat := range append(wats, inv...) {
		out := filepath.Join(t.TempDir(), "m.wasm")
		args := []string{"--enable-all", wat, "-o", out}
		if filepath.Base(wat) == "typeerror.wat" {
			args = append([]string{"--no-check"}, args...)
		}
		if b, err := exec.Command("wat2wasm", args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", wat, err, b)
		}
		want, _ := os.ReadFile(out)
		have, _ := os.ReadFile(wat[:len(wat)-4] + ".wasm")
		if !bytes.Equal(want, have) {
			t.Errorf("%s: the committed .wasm is stale (make program-fixtures)", wat)
		}
	}
}

// FuzzValidate feeds arbitrary bytes to the decoder and Validate: they must never
// panic, and whatever passes must instrument and run deterministically.
func FuzzValidate(f *testing.F) {
	for _, path := range testdataModules(f) {
		b, _ := os.ReadFile(path)
		f.Add(b)
	}
	inv, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.wasm"))
	for _, path := range inv {
		b, _ := os.ReadFile(path)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, code []byte) {
		m, err := decodeModule(code)
		if err == nil {
			// decode(encode(m)) is m: nothing the encoder writes is lost or invented
			m2, err := decodeModule(m.encode())
			if err != nil || (m.imports == 0 && !m.hasStart && !m.hasDatCnt && !reflect.DeepEqual(normalize(m), normalize(m2))) {
				t.Fatalf("re-encoded module differs: %v", err)
			}
		}
		info, err := Validate(code, Limits{MaxCodeBytes: 1 << 16, MaxMemoryPages: 4})
		if err != nil {
			return
		}
		e := NewEngine(EngineConfig{Interpreter: true})
		defer func() { _ = e.Close() }()
		c := Call{JobID: 1, Item: 2, Params: []byte{1}, FuelLimit: 50_000, MemoryPages: 4, MaxOutputBytes: 64}
		a, err1 := e.Run(t.Context(), code, c)
		b, err2 := e.Run(t.Context(), code, c)
		if err1 != nil || err2 != nil || !bytes.Equal(a.Output, b.Output) || a.Fuel != b.Fuel || a.Fuel > c.FuelLimit {
			t.Fatalf("module %x: runs differ or fail: %v %v", info.ID, err1, err2)
		}
		// a completed item has the uninstrumented module's output (a plain run is
		// bounded here only because the instrumented one finished within its fuel)
		if a.Output[0] == 0x00 {
			agreeWithPlain(t, code, c, a)
		}
	})
}

// normalize makes empty and nil slices compare equal.
func normalize(m *module) *module {
	c := *m
	if len(c.types) == 0 {
		c.types = nil
	}
	for i := range c.types {
		if len(c.types[i].params) == 0 {
			c.types[i].params = nil
		}
		if len(c.types[i].results) == 0 {
			c.types[i].results = nil
		}
	}
	if len(c.funcs) == 0 {
		c.funcs = nil
	}
	if len(c.codes) == 0 {
		c.codes = nil
	}
	for i := range c.codes {
		if len(c.codes[i].locals) == 0 {
			c.codes[i].locals = nil
		}
	}
	for i := range c.elements {
		if len(c.elements[i].funcs) == 0 {
			c.elements[i].funcs = nil
		}
	}
	for i := range c.datas {
		if len(c.datas[i].init) == 0 {
			c.datas[i].init = nil
		}
	}
	return &c
}

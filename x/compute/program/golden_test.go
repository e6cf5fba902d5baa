package program

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden.json from the compiler engine")

// goldenVector is one item run: its recorded output's sha256 and its fuel, as
// committed in testdata/golden.json. Any change to them is a consensus change
// (bump InstrumentationVersion).
type goldenVector struct {
	Name         string `json:"name"`
	Program      string `json:"program"`
	JobID        uint64 `json:"job_id"`
	Item         uint64 `json:"item"`
	Params       string `json:"params"` // hex
	Input        string `json:"input"`  // hex
	FuelLimit    uint64 `json:"fuel_limit"`
	MemoryPages  uint32 `json:"memory_pages"`
	MaxOutput    uint32 `json:"max_output_bytes"`
	OutputSHA256 string `json:"output_sha256"`
	Fuel         uint64 `json:"fuel"`
}

// goldenCases are the vectors' inputs; their outputs come from the file.
func goldenCases() []goldenVector {
	rounds := func(n uint32) string { return hex.EncodeToString(binary.LittleEndian.AppendUint32(nil, n)) }
	v := []goldenVector{
		{Name: "echo", Program: "echo", JobID: 1, Item: 0, Params: "01020304", Input: hex.EncodeToString([]byte("hello"))},
		{Name: "echo-empty", Program: "echo", JobID: 1 << 40, Item: 1<<63 + 5},
		{Name: "echo-grows", Program: "echo", JobID: 9, Item: 9, Input: hex.EncodeToString(make([]byte, 70000)), MaxOutput: 1 << 20, FuelLimit: 5_000_000},
		{Name: "mix-0", Program: "mix", JobID: 42, Item: 0, Params: rounds(1000)},
		{Name: "mix-1", Program: "mix", JobID: 42, Item: 1, Params: rounds(1000), Input: "ff00ff00"},
		{Name: "mix-other-job", Program: "mix", JobID: 43, Item: 1, Params: rounds(1000), Input: "ff00ff00"},
		{Name: "mix-long", Program: "mix", JobID: 1, Item: 2, Params: rounds(20000)},
		{Name: "mix-out-of-fuel", Program: "mix", JobID: 1, Item: 2, Params: rounds(20000), FuelLimit: 100_000},
		{Name: "calls", Program: "calls", JobID: 3, Item: 4, Params: rounds(1000)},
		{Name: "calls-out-of-fuel", Program: "calls", JobID: 3, Item: 5, Params: rounds(1000), FuelLimit: 20_000},
		{Name: "bomb", Program: "bomb", MemoryPages: 40},
		{Name: "bomb-fuel", Program: "bomb", MemoryPages: 40, FuelLimit: 100_000},
		{Name: "badalloc", Program: "badalloc", Params: "00"},
		{Name: "initial-memory-over-cap", Program: "echo", MemoryPages: 0xffffffff},
	}
	modes := []string{"unreachable", "oob", "divzero", "null-entry", "sig-mismatch", "range", "too-long", "loop", "recursion", "depth-998", "grow", "ok", "empty"}
	for m, name := range modes {
		g := goldenVector{Name: "traps-" + name, Program: "traps", JobID: 5, Item: uint64(m), Params: hex.EncodeToString([]byte{byte(m)})}
		if m == 9 {
			g.Input = rounds(MaxCallDepth - 2)
		}
		v = append(v, g)
	}
	for i := range v {
		if v[i].FuelLimit == 0 {
			v[i].FuelLimit = 1_000_000
		}
		switch v[i].MemoryPages {
		case 0:
			v[i].MemoryPages = 16
		case 0xffffffff:
			v[i].MemoryPages = 0
		}
		if v[i].MaxOutput == 0 {
			v[i].MaxOutput = 1024
		}
	}
	return v
}

func (g goldenVector) call(t testing.TB) Call {
	params, err1 := hex.DecodeString(g.Params)
	input, err2 := hex.DecodeString(g.Input)
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: bad hex", g.Name)
	}
	return Call{JobID: g.JobID, Item: g.Item, Params: params, Input: input,
		FuelLimit: g.FuelLimit, MemoryPages: g.MemoryPages, MaxOutputBytes: g.MaxOutput}
}

const goldenFile = "testdata/golden.json"

// TestGoldenVectors runs every vector on both engines, cold (a new engine) and warm
// (the same engine again), and compares output hash and fuel with the committed file.
// make test-arm64 runs it under qemu-aarch64 against the same file.
func TestGoldenVectors(t *testing.T) {
	cases := goldenCases()
	if *updateGolden {
		e := NewEngine(EngineConfig{})
		defer func() { _ = e.Close() }()
		for i := range cases {
			res := mustRun(t, e, fixture(t, cases[i].Program), cases[i].call(t))
			sum := sha256.Sum256(res.Output)
			cases[i].OutputSHA256, cases[i].Fuel = hex.EncodeToString(sum[:]), res.Fuel
		}
		b, _ := json.MarshalIndent(cases, "", "  ")
		if err := os.WriteFile(filepath.FromSlash(goldenFile), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.FromSlash(goldenFile))
	if err != nil {
		t.Fatal(err)
	}
	var golden []goldenVector
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden) != len(cases) {
		t.Fatalf("%s has %d vectors, the test %d: run go test -run TestGoldenVectors -update", goldenFile, len(golden), len(cases))
	}
	for _, name := range engineNames {
		warm := engines(t)[name]
		for i, g := range golden {
			if g.Name != cases[i].Name || g.call(t).Item != cases[i].call(t).Item {
				t.Fatalf("vector %d is %s, the test's %s", i, g.Name, cases[i].Name)
			}
			cold := NewEngine(EngineConfig{Interpreter: name == "interpreter"})
			code := fixture(t, g.Program)
			results := []Result{mustRun(t, cold, code, g.call(t)), mustRun(t, warm, code, g.call(t)), mustRun(t, warm, code, g.call(t))}
			_ = cold.Close()
			for k, res := range results {
				sum := sha256.Sum256(res.Output)
				if hex.EncodeToString(sum[:]) != g.OutputSHA256 || res.Fuel != g.Fuel {
					t.Errorf("%s %s run %d: output %x (sha256 %x) fuel %d, golden sha256 %s fuel %d",
						name, g.Name, k, head(res.Output), sum, res.Fuel, g.OutputSHA256, g.Fuel)
				}
			}
		}
	}
}

func head(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

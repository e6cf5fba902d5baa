package program

import (
	"bytes"
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
)

// runPlain runs code uninstrumented on a bare wazero runtime with the ABI's three
// calls: the reference the instrumented module must agree with.
func runPlain(t testing.TB, code []byte, c Call) ([]byte, byte) {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, runtimeConfig(true))
	defer func() { _ = rt.Close(ctx) }()
	mod, err := rt.Instantiate(ctx, code)
	if err != nil {
		t.Fatalf("plain instantiate: %v", err)
	}
	out, trapped, err := runItem(ctx, plainInstance(mod), c)
	if err != nil {
		t.Fatalf("plain run: %v", err)
	}
	return out, trapped
}

// agreeWithPlain checks that metering changed nothing but the metering: an item that
// completes instrumented has the plain module's output, and a plain trap is a trap.
func agreeWithPlain(t testing.TB, code []byte, c Call, res Result) {
	t.Helper()
	out, trapped := runPlain(t, code, c)
	switch {
	case res.Output[0] == 0x00 && (trapped != 0 || !bytes.Equal(out, res.Output)):
		t.Fatalf("instrumented output %x, plain %x (trap %d)", head(res.Output), head(out), trapped)
	case res.Output[0] == 0x01 && res.Output[1] == TrapOther && trapped == 0:
		t.Fatalf("instrumented trapped, plain gave %x", head(out))
	}
}

func TestInstrumentationPreservesSemantics(t *testing.T) {
	e := engines(t)["compiler"]
	for _, g := range goldenCases() {
		code := fixture(t, g.Program)
		c := g.call(t)
		if g.Program == "traps" && (g.Params == "07" || g.Params == "08") {
			continue // unbounded without metering
		}
		if g.Program == "bomb" {
			continue // grows to 4 GiB without the job's cap
		}
		agreeWithPlain(t, code, c, mustRun(t, e, code, c))
	}
	for _, live := range []int{0, 3, 200} {
		code := recursionModule(live)
		c := defaultCall()
		c.Input = []byte{100, 0, 0, 0}
		agreeWithPlain(t, code, c, mustRun(t, e, code, c))
	}
}

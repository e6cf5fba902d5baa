package kinds

import (
	"math"
	"testing"
)

// WasmItemWork is the instance plus fuel at gas_per_kilofuel, rounded up; WasmFuelCap
// is its exact inverse (the largest fuel whose work fits), and both saturate.
func TestWasmItemWorkAndFuelCap(t *testing.T) {
	for _, c := range []struct{ fuel, g, want uint64 }{
		{0, 64, WasmInstanceWork},
		{1, 64, WasmInstanceWork + 1},     // 0.064 rounds up
		{1000, 64, WasmInstanceWork + 64}, // exact
		{1001, 64, WasmInstanceWork + 65},
		{15_625, 64, WasmInstanceWork + 1000},
		{1 << 40, 1 << 20, WasmInstanceWork + (1<<60+999)/1000},
		{math.MaxUint64, 1 << 20, math.MaxUint64},
		{math.MaxUint64, 1000, math.MaxUint64}, // the fuel alone fits, the instance on top would wrap
	} {
		if got := WasmItemWork(c.fuel, c.g); got != c.want {
			t.Errorf("WasmItemWork(%d, %d) = %d, want %d", c.fuel, c.g, got, c.want)
		}
	}
	for _, c := range []struct{ maxWork, g uint64 }{
		{4_000_000, 64}, {4_000_000, 1}, {4_000_000, 1 << 20}, {WasmInstanceWork, 64}, {WasmInstanceWork + 1, 3}, {1 << 50, 7},
	} {
		f := WasmFuelCap(c.maxWork, c.g)
		if WasmItemWork(f, c.g) > c.maxWork || WasmItemWork(f+1, c.g) <= c.maxWork {
			t.Errorf("WasmFuelCap(%d, %d) = %d is not the largest fuel within the work", c.maxWork, c.g, f)
		}
	}
	if WasmFuelCap(WasmInstanceWork-1, 64) != 0 || WasmFuelCap(1<<20, 0) != 0 {
		t.Error("a bound below the instance's work, or no gas per fuel, leaves no fuel")
	}
	if WasmFuelCap(math.MaxUint64, 1) != math.MaxUint64 {
		t.Error("a cap past 2^64 fuel saturates")
	}
}

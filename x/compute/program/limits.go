package program

// ABIVersion is the design note's Program ABI v1.
const ABIVersion = 1

// InstrumentationVersion bumps whenever the metering pass or the cost table changes:
// it changes every program's fuel, so the chain must record which version measured it.
const InstrumentationVersion = 1

// The cost table of instrumentation version 1, in fuel per executed instruction.
// One fuel is meant to be about one nanosecond of validator CPU on the compiler engine
// (docs/benchmarks.md, "Programs", measures it).
const (
	costBase         = 1  // every instruction not listed below
	costMemory       = 2  // loads and stores (a bounds check and the access)
	costDivRem       = 4  // integer division and remainder
	costCall         = 8  // call: a frame, plus the call-depth prologue and epilogue
	costCallIndirect = 12 // call_indirect: a call plus the table and signature checks
	costMemoryGrow   = 16 // memory.grow itself; the pages grown cost GrowPageCost each

	costLocalsPerFuel = 4 // a function's entry costs 1 per 4 locals it declares (zeroed per call)

	// Instantiating an item's fresh instance costs, before the first call,
	// GrowPageCost per initial page, 1 per costInitBytesPerFuel bytes of data
	// segments and 1 per table entry.
	costInitBytesPerFuel = 16

	// GrowPageCost is the fuel per 64 KiB page a memory.grow adds (the host zeroes it),
	// also charged for each page of the initial memory before the first call.
	GrowPageCost = 4096
)

// Calls are bounded by one frame-slot budget, StackSlots 64-bit slots (about 31 MiB).
// A function's frame bound is 16 + params + locals + 1 + 2 × instructions: it covers
// the operand stack (at most one value per instruction) and the compiler's spill
// slots (likewise). A call of a function that itself calls takes
// max(minFrameSlots, bound + the largest leaf bound in the module) slots; leaf
// functions take none (their caller reserved them). A call past the budget traps with
// TrapCallDepth. So no item nests deeper than MaxCallDepth calling functions plus one
// leaf, and none reaches an engine's own limit (wazero's interpreter stops at 2000
// frames, its compiler at 50M slots), which would not be deterministic.
const (
	MaxCallDepth  = 1000
	minFrameSlots = 4096
	StackSlots    = MaxCallDepth * minFrameSlots
	frameOverhead = 16
)

// maxLocals bounds the locals one function declares, so MaxCallDepth frames stay small.
const maxLocals = 2048

// maxTableEntries bounds the table every instance allocates.
const maxTableEntries = 1 << 16

// PageSize is the WebAssembly page, 64 KiB.
const PageSize = 65536

// maxPages is the wasm32 address space in pages.
const maxPages = 65536

// Trap codes of the recorded output 0x01 ‖ code (Program ABI v1).
const (
	TrapFuelExhausted = 0x01
	TrapCallDepth     = 0x02
	TrapMemoryLimit   = 0x03
	TrapOutputRange   = 0x04
	TrapOther         = 0x05
)

// Limits are the store-time caps (from x/compute params). A zero MaxCodeBytes sets no
// size cap and a zero MaxMemoryPages means the wasm32 maximum (65536 pages).
type Limits struct {
	MaxCodeBytes   uint32
	MaxMemoryPages uint32
}

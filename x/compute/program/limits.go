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

	// GrowPageCost is the fuel per 64 KiB page a memory.grow adds (the host zeroes it),
	// also charged for each page of the initial memory before the first call.
	GrowPageCost = 4096
)

// MaxCallDepth is the deepest nesting of WebAssembly calls an item may reach; the
// call that would exceed it traps with TrapCallDepth. It is well below both engines'
// own limits (wazero's interpreter stops at 2000 frames) so the fixed depth, never the
// native stack, decides.
const MaxCallDepth = 1000

// MaxStackSlots bounds the 64-bit slots the frames of all active calls may take
// (32 MiB): a call whose frame would pass it traps with TrapCallDepth, so deep
// recursion through big functions stops there, far below wazero's compiler stack
// ceiling (50M slots) whatever the functions look like.
const MaxStackSlots = 1 << 22

// frameOverhead is the fixed part of a frame's slot bound (return address, saved
// registers, the engine's bookkeeping).
const frameOverhead = 16

// maxLocals bounds the locals one function declares, so MaxCallDepth frames stay small.
const maxLocals = 2048

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

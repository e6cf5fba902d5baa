package program

import "strconv"

// Instrumentation version 1: the pass every program goes through before it runs
// anywhere (validators and workers alike), so fuel and traps are the same everywhere.
//
//   - Four mutable globals are appended: fuel (i64, remaining), trap (i32, the ABI
//     trap code set just before an instrumentation trap), memcap (i64, the job's page
//     cap) and stack (i32, frame slots of the active calls). The first three are
//     exported for the host.
//   - Every function gets one more local, its working copy of fuel: loaded from the
//     global on entry and after every call, stored back before every call, at the top
//     of every loop iteration, before unreachable and on exit. (So after a trap other
//     than fuel exhaustion the global, and the reported fuel, is that of the last
//     store: deterministic, and never more than was executed.)
//   - Every function body is split into straight-line segments: a segment ends after
//     loop, if, else, end, br, br_table, return and unreachable (every branch target
//     starts one; br_if does not end one, so a taken br_if has paid for the rest of
//     its segment: deterministic, and at most a segment's cost). Each starts with
//     fuel -= cost(segment); if fuel < 0 { trap = 1; unreachable }.
//   - Every function that calls (call, call_indirect, memory.grow) starts with
//     stack += frame; if stack > StackSlots { trap = 2; unreachable } (frame: see
//     frameSlots), and its body is wrapped in a block of the function's result type,
//     after which stack -= frame. return becomes br to that block, so every exit
//     releases the frame. Leaf functions skip it: their callers reserved their room.
//   - memory.grow becomes a call to an appended helper that charges
//     GrowPageCost × delta fuel and traps with 3 when size + delta exceeds memcap.
//   - Exports are rebuilt: memory, nightshift_alloc, nightshift_run and the three
//     globals; a program's other exports are never called and are dropped.
//
// The engine compiles the pass's module with more exports (withResetExports): every
// other mutable global, so it can put a finished instance back to its state before
// the first call and reuse it (instance_pool.go). Exports are not part of the pass
// (TestInstrumentationVersionPinned pins instrument's bytes): they change no
// instruction, fuel or output.

// Names of the instrumented module's host-facing globals.
const (
	exportFuel   = "nightshift_fuel"
	exportTrap   = "nightshift_trap"
	exportMemCap = "nightshift_memcap"
	// exportGlobalPrefix names the other mutable globals (decimal index appended).
	exportGlobalPrefix = "nightshift_global_"
)

// instrumenter holds the indices of what the pass appends.
type instrumenter struct {
	fuel, trap, memcap, stack uint32 // global indices
	grow                      uint32 // helper function index
}

// resetGlobals lists, in index order, the instrumented module's mutable globals other
// than fuel, trap and memcap (which the host sets or reads by name): the program's
// own and the frame budget. They are exported under globalExportName.
func resetGlobals(m *module) []uint32 {
	var idx []uint32
	for i, g := range m.globals {
		if g.mutable {
			idx = append(idx, uint32(i))
		}
	}
	return append(idx, uint32(len(m.globals))+3) // stack (instrumenter.stack)
}

// globalExportName is the export name of global index i.
func globalExportName(i uint32) string {
	return exportGlobalPrefix + strconv.FormatUint(uint64(i), 10)
}

// instrument returns the binary of m metered as described above. m must have passed
// checkModule; instrument does not modify it.
func instrument(m *module) []byte {
	return instrumentModule(m).encode()
}

// instrumentModule is instrument before encoding.
func instrumentModule(m *module) *module {
	out := *m
	g := uint32(len(m.globals))
	ins := instrumenter{fuel: g, trap: g + 1, memcap: g + 2, stack: g + 3, grow: uint32(len(m.funcs))}
	out.globals = append(append([]global(nil), m.globals...),
		global{valType: valI64, mutable: true},
		global{valType: valI32, mutable: true},
		global{valType: valI64, mutable: true},
		global{valType: valI32, mutable: true})
	growType := uint32(len(m.types))
	out.types = append(append([]funcType(nil), m.types...), sigAlloc) // (i32) -> i32
	out.funcs = append(append([]uint32(nil), m.funcs...), growType)
	fns := make([]function, len(m.codes))
	maxLeaf := uint64(0)
	for i, c := range m.codes {
		fns[i] = analyze(c, m.types[m.funcs[i]])
		if fns[i].leaf && fns[i].bound > maxLeaf {
			maxLeaf = fns[i].bound
		}
	}
	out.codes = make([]code, 0, len(m.codes)+1)
	for _, f := range fns {
		out.codes = append(out.codes, ins.body(f, frameSlots(f, maxLeaf)))
	}
	out.codes = append(out.codes, code{body: ins.growHelper()})
	out.exports = []export{{name: exportMemory, kind: extMemory}}
	for _, e := range m.exports {
		if e.name == exportAlloc || e.name == exportRun {
			out.exports = append(out.exports, e)
		}
	}
	out.exports = append(out.exports,
		export{name: exportFuel, kind: extGlobal, index: ins.fuel},
		export{name: exportTrap, kind: extGlobal, index: ins.trap},
		export{name: exportMemCap, kind: extGlobal, index: ins.memcap})
	return &out
}

// withResetExports adds to ins, m instrumented, an export of each of resetGlobals(m)
// under globalExportName.
func withResetExports(m, ins *module) *module {
	out := *ins
	out.exports = append([]export(nil), ins.exports...)
	for _, idx := range resetGlobals(m) {
		out.exports = append(out.exports, export{name: globalExportName(idx), kind: extGlobal, index: idx})
	}
	return &out
}

// boundary reports whether a segment ends after op.
func boundary(op byte) bool {
	switch op {
	case opLoop, opIf, opElse, opEnd, opBr, opBrTable, opReturn, opUnreachable:
		return true
	}
	return false
}

// function is one body decoded for instrumentation.
type function struct {
	code
	results []byte
	list    []instr
	segCost []uint64 // the cost of the segment starting at each instruction (0 elsewhere)
	fuel    uint32   // index of the fuel local, after the declared ones
	bound   uint64   // slots its frame can take: 16 + params + locals + 1 + 2 × instructions
	leaf    bool     // no call, call_indirect or memory.grow: it never adds a frame
}

// analyze decodes a body already checked by scanBody (so decoding cannot fail).
func analyze(c code, sig funcType) function {
	f := function{code: c, results: sig.results, leaf: true}
	r := &reader{buf: c.body}
	for !r.done() {
		in, err := nextInstr(r, nil)
		if err != nil {
			panic("program: instrumenting an unchecked body: " + err.Error())
		}
		f.list = append(f.list, in)
		if in.op == opCall || in.op == opCallIndirect || in.op == opMemoryGrow {
			f.leaf = false
		}
	}
	f.segCost = make([]uint64, len(f.list))
	start := 0
	for i, in := range f.list {
		f.segCost[start] += uint64(ops[in.op].cost)
		if boundary(in.op) {
			start = i + 1
			if start == len(f.list) {
				break
			}
		}
	}
	f.fuel = uint32(len(sig.params))
	declared := uint64(0)
	for _, l := range c.locals {
		f.fuel += l.count
		declared += uint64(l.count)
	}
	// a call zeroes the declared locals: the entry segment pays for them
	f.segCost[0] += declared / costLocalsPerFuel
	f.bound = uint64(frameOverhead) + uint64(f.fuel) + 1 + 2*uint64(len(f.list))
	return f
}

// frameSlots is what a call of f takes from the StackSlots budget. Leaf functions take
// nothing: every other frame reserves room for the largest leaf it may call, and at
// least minFrameSlots, so at most MaxCallDepth non-leaf calls (and one leaf) nest.
func frameSlots(f function, maxLeaf uint64) uint64 {
	if f.leaf {
		return 0
	}
	frame := f.bound + maxLeaf
	if frame < minFrameSlots {
		frame = minFrameSlots
	}
	if frame > StackSlots { // such a function always traps; keeps the constant an i32
		frame = StackSlots + 1
	}
	return frame
}

// body rewrites f, taking frame slots (none for a leaf) from the budget while it runs.
func (ins instrumenter) body(f function, frame uint64) code {
	body, results, list, fuel := f.body, f.results, f.list, f.fuel
	locals := append(append([]localRun(nil), f.locals...), localRun{count: 1, valType: valI64})
	w := &writer{buf: make([]byte, 0, len(body)*2+64)}
	if frame > 0 {
		// stack += frame; trap 2 past the budget
		ins.addStack(w, int64(frame))
		w.byte(opGlobalGet)
		w.u32(ins.stack)
		w.byte(opI32Const)
		w.s64(StackSlots)
		w.byte(opI32GtU)
		ins.trapIf(w, TrapCallDepth)
	}
	ins.loadFuel(w, fuel)
	// the wrapper block takes the place of the function's own label
	w.byte(opBlock)
	if len(results) == 0 {
		w.byte(0x40)
	} else {
		w.byte(results[0])
	}

	depth := uint32(0)
	for i, in := range list {
		if f.segCost[i] > 0 {
			ins.charge(w, fuel, f.segCost[i])
		}
		switch in.op {
		case opBlock, opIf:
			depth++
		case opLoop:
			depth++
			w.raw(body[in.start:in.end])
			ins.storeFuel(w, fuel) // each iteration
			continue
		case opEnd:
			if i == len(list)-1 {
				// closes the wrapper block; then fuel is stored, the frame released and
				// the function ends
				w.byte(opEnd)
				ins.storeFuel(w, fuel)
				if frame > 0 {
					ins.addStack(w, -int64(frame))
				}
				w.byte(opEnd)
				continue
			}
			depth--
		case opReturn:
			w.byte(opBr)
			w.u32(depth)
			continue
		case opUnreachable:
			ins.storeFuel(w, fuel)
		case opCall, opCallIndirect, opMemoryGrow:
			ins.storeFuel(w, fuel)
			if in.op == opMemoryGrow {
				w.byte(opCall)
				w.u32(ins.grow)
			} else {
				w.raw(body[in.start:in.end])
			}
			ins.loadFuel(w, fuel)
			continue
		}
		w.raw(body[in.start:in.end])
	}
	return code{locals: locals, body: w.buf}
}

// addStack emits stack += delta.
func (ins instrumenter) addStack(w *writer, delta int64) {
	w.byte(opGlobalGet)
	w.u32(ins.stack)
	w.byte(opI32Const)
	w.s64(delta)
	w.byte(opI32Add)
	w.byte(opGlobalSet)
	w.u32(ins.stack)
}

// storeFuel emits fuel global = fuel local.
func (ins instrumenter) storeFuel(w *writer, local uint32) {
	w.byte(opLocalGet)
	w.u32(local)
	w.byte(opGlobalSet)
	w.u32(ins.fuel)
}

// loadFuel emits fuel local = fuel global.
func (ins instrumenter) loadFuel(w *writer, local uint32) {
	w.byte(opGlobalGet)
	w.u32(ins.fuel)
	w.byte(opLocalSet)
	w.u32(local)
}

// charge emits fuel -= cost; if fuel < 0 { trap = 1; unreachable } on the fuel local.
func (ins instrumenter) charge(w *writer, local uint32, cost uint64) {
	w.byte(opLocalGet)
	w.u32(local)
	w.byte(opI64Const)
	w.s64(int64(cost))
	w.byte(opI64Sub)
	w.byte(opLocalTee)
	w.u32(local)
	w.byte(opI64Const)
	w.s64(0)
	w.byte(opI64LtS)
	ins.trapIf(w, TrapFuelExhausted)
}

// setFuelAndCheck stores the i64 on the stack as the remaining fuel and traps with
// TrapFuelExhausted when it is negative.
func (ins instrumenter) setFuelAndCheck(w *writer) {
	w.byte(opGlobalSet)
	w.u32(ins.fuel)
	w.byte(opGlobalGet)
	w.u32(ins.fuel)
	w.byte(opI64Const)
	w.s64(0)
	w.byte(opI64LtS)
	ins.trapIf(w, TrapFuelExhausted)
}

// trapIf emits: if (i32 on the stack) { trap = code; unreachable }.
func (ins instrumenter) trapIf(w *writer, trapCode byte) {
	w.byte(opIf)
	w.byte(0x40)
	w.byte(opI32Const)
	w.s64(int64(trapCode))
	w.byte(opGlobalSet)
	w.u32(ins.trap)
	w.byte(opUnreachable)
	w.byte(opEnd)
}

// growHelper is the body of grow(delta i32) -> i32, which replaces memory.grow:
// it charges the pages, enforces the job's cap, then grows (returning -1, as
// memory.grow does, when the module's own maximum is reached).
func (ins instrumenter) growHelper() []byte {
	w := &writer{}
	w.byte(opGlobalGet)
	w.u32(ins.fuel)
	w.raw([]byte{opLocalGet, 0, opI64ExtendU, opI64Const})
	w.s64(GrowPageCost)
	w.byte(opI64Mul)
	w.byte(opI64Sub)
	ins.setFuelAndCheck(w)
	w.raw([]byte{opMemorySize, 0, opI64ExtendU, opLocalGet, 0, opI64ExtendU, opI64Add, opGlobalGet})
	w.u32(ins.memcap)
	w.byte(opI64GtU)
	ins.trapIf(w, TrapMemoryLimit)
	w.raw([]byte{opLocalGet, 0, opMemoryGrow, 0, opEnd})
	return w.buf
}

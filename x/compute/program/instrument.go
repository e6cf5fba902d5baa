package program

// Instrumentation version 1: the pass every program goes through before it runs
// anywhere (validators and workers alike), so fuel and traps are the same everywhere.
//
//   - Four mutable globals are appended: fuel (i64, remaining), trap (i32, the ABI
//     trap code set just before an instrumentation trap), memcap (i64, the job's page
//     cap), depth (i32, active calls) and stack (i32, the frame slots of the active
//     calls). The first three are exported for the host.
//   - Every function body is split into straight-line segments: a segment ends after
//     loop, if, else, end, br, br_if, br_table, return and unreachable (every branch
//     target starts a segment). Each segment starts with
//     fuel -= cost(segment); if fuel < 0 { trap = 1; unreachable }.
//   - Every function starts with depth += 1; if depth > MaxCallDepth { trap = 2;
//     unreachable }, then stack += frame; if stack > MaxStackSlots { trap = 2;
//     unreachable }, where frame = 16 + params + locals + 2 × instructions bounds the
//     64-bit slots its frame can take in either engine (operand stack height and the
//     compiler's spill slots are each at most one per instruction). Its body is
//     wrapped in a block of the function's result type, after which depth and stack
//     are restored. return becomes br to that block, so every exit restores them.
//   - memory.grow becomes a call to an appended helper that charges
//     GrowPageCost × delta fuel and traps with 3 when size + delta exceeds memcap.
//   - Exports are rebuilt: memory, nightshift_alloc, nightshift_run and the three
//     globals; a program's other exports are never called and are dropped.

// Names of the instrumented module's host-facing globals.
const (
	exportFuel   = "nightshift_fuel"
	exportTrap   = "nightshift_trap"
	exportMemCap = "nightshift_memcap"
)

// instrumenter holds the indices of what the pass appends.
type instrumenter struct {
	fuel, trap, memcap, depth, stack uint32 // global indices
	grow                             uint32 // helper function index
}

// instrument returns the binary of m metered as described above. m must have passed
// checkModule; instrument does not modify it.
func instrument(m *module) []byte {
	out := *m
	g := uint32(len(m.globals))
	ins := instrumenter{fuel: g, trap: g + 1, memcap: g + 2, depth: g + 3, stack: g + 4, grow: uint32(len(m.funcs))}
	out.globals = append(append([]global(nil), m.globals...),
		global{valType: valI64, mutable: true},
		global{valType: valI32, mutable: true},
		global{valType: valI64, mutable: true},
		global{valType: valI32, mutable: true},
		global{valType: valI32, mutable: true})
	growType := uint32(len(m.types))
	out.types = append(append([]funcType(nil), m.types...), sigAlloc) // (i32) -> i32
	out.funcs = append(append([]uint32(nil), m.funcs...), growType)
	out.codes = make([]code, 0, len(m.codes)+1)
	for i, c := range m.codes {
		out.codes = append(out.codes, code{locals: c.locals, body: ins.body(c, m.types[m.funcs[i]])})
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
	return out.encode()
}

// boundary reports whether a segment ends after op.
func boundary(op byte) bool {
	switch op {
	case opLoop, opIf, opElse, opEnd, opBr, opBrIf, opBrTable, opReturn, opUnreachable:
		return true
	}
	return false
}

// body rewrites one function body (already checked by scanBody, so decoding cannot fail).
func (ins instrumenter) body(c code, sig funcType) []byte {
	body, results := c.body, sig.results
	var list []instr
	r := &reader{buf: body}
	for !r.done() {
		in, err := nextInstr(r, nil)
		if err != nil {
			panic("program: instrumenting an unchecked body: " + err.Error())
		}
		list = append(list, in)
	}
	// The cost of the segment that starts at each instruction (0 elsewhere).
	segCost := make([]uint64, len(list))
	start := 0
	for i, in := range list {
		segCost[start] += uint64(ops[in.op].cost)
		if boundary(in.op) {
			start = i + 1
			if start == len(list) {
				break
			}
		}
	}

	frame := uint64(frameOverhead + len(sig.params) + 2*len(list))
	for _, l := range c.locals {
		frame += uint64(l.count)
	}
	if frame > MaxStackSlots { // such a function always traps; keeps the constant an i32
		frame = MaxStackSlots + 1
	}

	w := &writer{buf: make([]byte, 0, len(body)*2+64)}
	ins.add(w, ins.depth, 1)
	ins.overLimit(w, ins.depth, MaxCallDepth)
	ins.add(w, ins.stack, int64(frame))
	ins.overLimit(w, ins.stack, MaxStackSlots)
	// the wrapper block takes the place of the function's own label
	w.byte(opBlock)
	if len(results) == 0 {
		w.byte(0x40)
	} else {
		w.byte(results[0])
	}

	depth := uint32(0)
	for i, in := range list {
		if segCost[i] > 0 {
			ins.charge(w, segCost[i])
		}
		switch in.op {
		case opBlock, opLoop, opIf:
			depth++
		case opEnd:
			if i == len(list)-1 {
				// closes the wrapper block; then the counters are restored and the function ends
				w.byte(opEnd)
				ins.add(w, ins.depth, -1)
				ins.add(w, ins.stack, -int64(frame))
				w.byte(opEnd)
				continue
			}
			depth--
		case opReturn:
			w.byte(opBr)
			w.u32(depth)
			continue
		case opMemoryGrow:
			w.byte(opCall)
			w.u32(ins.grow)
			continue
		}
		w.raw(body[in.start:in.end])
	}
	return w.buf
}

// add emits g += delta for an i32 global.
func (ins instrumenter) add(w *writer, g uint32, delta int64) {
	w.byte(opGlobalGet)
	w.u32(g)
	w.byte(opI32Const)
	w.s64(delta)
	w.byte(opI32Add)
	w.byte(opGlobalSet)
	w.u32(g)
}

// overLimit emits: if g > limit (unsigned) { trap = TrapCallDepth; unreachable }.
func (ins instrumenter) overLimit(w *writer, g uint32, limit int64) {
	w.byte(opGlobalGet)
	w.u32(g)
	w.byte(opI32Const)
	w.s64(limit)
	w.byte(opI32GtU)
	ins.trapIf(w, TrapCallDepth)
}

// charge emits fuel -= cost; if fuel < 0 { trap = 1; unreachable }.
func (ins instrumenter) charge(w *writer, cost uint64) {
	w.byte(opGlobalGet)
	w.u32(ins.fuel)
	w.byte(opI64Const)
	w.s64(int64(cost))
	w.byte(opI64Sub)
	ins.setFuelAndCheck(w)
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

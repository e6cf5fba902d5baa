package program

import "fmt"

// Opcodes the decoder and the instrumentation treat specially.
const (
	opUnreachable  = 0x00
	opBlock        = 0x02
	opLoop         = 0x03
	opIf           = 0x04
	opElse         = 0x05
	opEnd          = 0x0b
	opBr           = 0x0c
	opBrIf         = 0x0d
	opBrTable      = 0x0e
	opReturn       = 0x0f
	opCall         = 0x10
	opCallIndirect = 0x11
	opLocalGet     = 0x20
	opLocalSet     = 0x21
	opLocalTee     = 0x22
	opGlobalGet    = 0x23
	opGlobalSet    = 0x24
	opMemorySize   = 0x3f
	opMemoryGrow   = 0x40
	opI32Const     = 0x41
	opI64Const     = 0x42
	opI64LtS       = 0x53
	opI64GtU       = 0x56
	opI32Add       = 0x6a
	opI32Sub       = 0x6b
	opI32GtU       = 0x4b
	opI64Add       = 0x7c
	opI64Sub       = 0x7d
	opI64Mul       = 0x7e
	opI64ExtendU   = 0xad
)

// immediate kinds of the v1 instruction set
const (
	immNone      = iota
	immBlockType // block, loop, if
	immIndex     // br, br_if, call, local.*, global.*
	immBrTable
	immCallIndirect // type index, then the reserved table byte 0
	immMemArg       // align, offset
	immMemory       // the reserved memory byte 0
	immI32
	immI64
)

// opInfo says how to decode an opcode and what it costs. A zero entry is an opcode
// v1 refuses: floats (their own sentinel) or anything outside WebAssembly 1.0 plus
// the sign-extension operators.
type opInfo struct {
	valid bool
	float bool
	imm   uint8
	cost  uint8
}

var ops [256]opInfo

func init() {
	set := func(lo, hi int, imm uint8, cost uint8) {
		for op := lo; op <= hi; op++ {
			ops[op] = opInfo{valid: true, imm: imm, cost: cost}
		}
	}
	floats := func(lo, hi int) {
		for op := lo; op <= hi; op++ {
			ops[op] = opInfo{float: true}
		}
	}
	set(0x00, 0x01, immNone, costBase) // unreachable, nop
	set(0x02, 0x04, immBlockType, costBase)
	set(0x05, 0x05, immNone, costBase)
	set(0x0b, 0x0b, immNone, costBase)
	set(0x0c, 0x0d, immIndex, costBase)
	set(0x0e, 0x0e, immBrTable, costBase)
	set(0x0f, 0x0f, immNone, costBase)
	set(0x10, 0x10, immIndex, costCall)
	set(0x11, 0x11, immCallIndirect, costCallIndirect)
	set(0x1a, 0x1b, immNone, costBase) // drop, select
	set(0x20, 0x24, immIndex, costBase)
	set(0x28, 0x29, immMemArg, costMemory) // i32.load, i64.load
	floats(0x2a, 0x2b)
	set(0x2c, 0x35, immMemArg, costMemory) // narrow loads
	set(0x36, 0x37, immMemArg, costMemory) // i32.store, i64.store
	floats(0x38, 0x39)
	set(0x3a, 0x3e, immMemArg, costMemory) // narrow stores
	set(0x3f, 0x3f, immMemory, costBase)
	set(0x40, 0x40, immMemory, costMemoryGrow)
	set(0x41, 0x41, immI32, costBase)
	set(0x42, 0x42, immI64, costBase)
	floats(0x43, 0x44)
	set(0x45, 0x5a, immNone, costBase) // integer tests and comparisons
	floats(0x5b, 0x66)
	set(0x67, 0x8a, immNone, costBase) // integer arithmetic
	floats(0x8b, 0xa6)
	set(0xa7, 0xa7, immNone, costBase) // i32.wrap_i64
	floats(0xa8, 0xab)
	set(0xac, 0xad, immNone, costBase) // i64.extend_i32_s/u
	floats(0xae, 0xbf)
	set(0xc0, 0xc4, immNone, costBase) // sign extension
	for _, op := range []int{0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82} {
		ops[op].cost = costDivRem // i32/i64 div_s, div_u, rem_s, rem_u
	}
}

// instr is one decoded instruction: its opcode, its first index-like immediate
// (label, function, local, global or type index; block type byte) and where its
// bytes lie in the body.
type instr struct {
	op         byte
	imm        uint32
	start, end int
}

// nextInstr decodes the instruction at r.pos. brTable, when non-nil, receives the
// labels of a br_table (default last).
func nextInstr(r *reader, brTable *[]uint32) (instr, error) {
	in := instr{start: r.pos}
	op, err := r.byte()
	if err != nil {
		return in, err
	}
	in.op = op
	info := ops[op]
	if info.float {
		return in, fmt.Errorf("%w: opcode 0x%x at offset %d", ErrFloatInstruction, op, in.start)
	}
	if !info.valid {
		return in, fmt.Errorf("%w: opcode 0x%x at offset %d", ErrUnsupportedFeature, op, in.start)
	}
	switch info.imm {
	case immBlockType:
		bt, err := r.byte()
		if err != nil {
			return in, err
		}
		switch bt {
		case 0x40, valI32, valI64:
		case valF32, valF64:
			return in, fmt.Errorf("%w: float block type at offset %d", ErrFloatInstruction, in.start)
		default: // a type index: multi-value blocks
			return in, fmt.Errorf("%w: block type 0x%x at offset %d", ErrUnsupportedFeature, bt, in.start)
		}
		in.imm = uint32(bt)
	case immIndex:
		in.imm, err = r.u32()
	case immBrTable:
		n, err := vecLen(r, 1)
		if err != nil {
			return in, err
		}
		if brTable != nil {
			*brTable = (*brTable)[:0]
		}
		for i := uint32(0); i <= n; i++ {
			l, err := r.u32()
			if err != nil {
				return in, err
			}
			if brTable != nil {
				*brTable = append(*brTable, l)
			}
		}
	case immCallIndirect:
		if in.imm, err = r.u32(); err != nil {
			return in, err
		}
		err = zeroByte(r, in.start)
	case immMemArg:
		if _, err = r.u32(); err == nil {
			_, err = r.u32()
		}
	case immMemory:
		err = zeroByte(r, in.start)
	case immI32:
		_, err = r.s32()
	case immI64:
		_, err = r.s64()
	}
	in.end = r.pos
	return in, err
}

// zeroByte reads the reserved byte of call_indirect and memory.size/grow; a non-zero
// value selects another table or memory (reference types, multi-memory).
func zeroByte(r *reader, at int) error {
	b, err := r.byte()
	if err != nil {
		return err
	}
	if b != 0 {
		return fmt.Errorf("%w: reserved byte 0x%x at offset %d", ErrUnsupportedFeature, b, at)
	}
	return nil
}

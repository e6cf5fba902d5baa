package program

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/tetratelabs/wazero"
)

// Module is what Validate learned about a stored program.
type Module struct {
	ID                              [32]byte // sha256(code)
	MinMemoryPages, MaxMemoryPages  uint32   // MaxMemoryPages is 65536 when the module declares no maximum
	FunctionCount, InstructionCount uint32
}

// The ABI v1 exports and their signatures.
const (
	exportMemory = "memory"
	exportAlloc  = "nightshift_alloc"
	exportRun    = "nightshift_run"
)

var (
	sigAlloc = funcType{params: []byte{valI32}, results: []byte{valI32}}
	sigRun   = funcType{params: []byte{valI64, valI64, valI32, valI32, valI32, valI32}, results: []byte{valI64}}
)

// Validate parses code and checks ABI v1 (imports nothing, no start function, no float
// instructions, exactly one memory exported as "memory", exports nightshift_alloc and
// nightshift_run with the ABI's signatures, size and memory caps). It then instruments
// the module and has wazero validate the result, so a module that passes always
// compiles and instantiates. Errors wrap the package's sentinel errors.
func Validate(code []byte, lim Limits) (Module, error) {
	m, info, err := checkModule(code, lim)
	if err != nil {
		return Module{}, err
	}
	inst := instrument(m)
	// wazero's validator does the type checking (operand stack, labels, indices).
	// The interpreter only validates and lowers, which is cheap; nothing runs.
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, runtimeConfig(true))
	defer func() { _ = rt.Close(ctx) }()
	if _, err := rt.CompileModule(ctx, inst); err != nil {
		return Module{}, fmt.Errorf("%w: %v", ErrMalformedModule, err)
	}
	return info, nil
}

// checkModule is Validate's structural part: decoding and the ABI's rules.
func checkModule(code []byte, lim Limits) (*module, Module, error) {
	var info Module
	if lim.MaxCodeBytes != 0 && uint64(len(code)) > uint64(lim.MaxCodeBytes) {
		return nil, info, fmt.Errorf("%w: %d bytes, cap %d", ErrCodeTooLarge, len(code), lim.MaxCodeBytes)
	}
	maxMem := lim.MaxMemoryPages
	if maxMem == 0 || maxMem > maxPages {
		maxMem = maxPages
	}
	m, err := decodeModule(code)
	if err != nil {
		return nil, info, err
	}
	switch {
	case m.imports > 0:
		return nil, info, fmt.Errorf("%w: %d imports", ErrForbiddenImport, m.imports)
	case m.hasStart:
		return nil, info, ErrStartFunction
	case m.hasDatCnt:
		return nil, info, fmt.Errorf("%w: data count section (bulk memory)", ErrUnsupportedFeature)
	case len(m.memories) == 0:
		return nil, info, fmt.Errorf("%w: the module defines no memory", ErrMissingExport)
	case len(m.memories) > 1:
		return nil, info, fmt.Errorf("%w: %d memories", ErrUnsupportedFeature, len(m.memories))
	case len(m.tables) > 1:
		return nil, info, fmt.Errorf("%w: %d tables", ErrUnsupportedFeature, len(m.tables))
	}
	mem := m.memories[0]
	info.MinMemoryPages, info.MaxMemoryPages = mem.min, maxPages
	if mem.hasMax {
		info.MaxMemoryPages = mem.max
	}
	if mem.min > maxMem || (mem.hasMax && mem.max > maxMem) {
		return nil, info, fmt.Errorf("%w: declared %d..%d pages, cap %d", ErrMemoryTooLarge, mem.min, info.MaxMemoryPages, maxMem)
	}
	if len(m.tables) == 1 && m.tables[0].min > maxTableEntries {
		return nil, info, fmt.Errorf("%w: %d entries, cap %d", ErrTableTooLarge, m.tables[0].min, maxTableEntries)
	}
	for i, t := range m.funcs {
		if t >= uint32(len(m.types)) {
			return nil, info, fmt.Errorf("%w: function %d has type %d of %d", ErrMalformedModule, i, t, len(m.types))
		}
	}
	if err := checkExports(m); err != nil {
		return nil, info, err
	}
	if err := checkSegments(m); err != nil {
		return nil, info, err
	}
	info.FunctionCount = uint32(len(m.funcs))
	for i := range m.codes {
		n, err := scanBody(m, i)
		if err != nil {
			return nil, info, fmt.Errorf("function %d: %w", i, err)
		}
		info.InstructionCount += n
	}
	info.ID = sha256.Sum256(code)
	return m, info, nil
}

func checkExports(m *module) error {
	found := map[string]bool{}
	for _, e := range m.exports {
		var want *funcType
		switch e.name {
		case exportMemory:
			if e.kind != extMemory || e.index != 0 {
				return fmt.Errorf("%w: %q is not the memory", ErrMissingExport, e.name)
			}
		case exportAlloc:
			want = &sigAlloc
		case exportRun:
			want = &sigRun
		default:
			continue
		}
		found[e.name] = true
		if want == nil {
			continue
		}
		if e.kind != extFunc || e.index >= uint32(len(m.funcs)) {
			return fmt.Errorf("%w: %q is not a function", ErrMissingExport, e.name)
		}
		got := m.types[m.funcs[e.index]]
		if !bytes.Equal(got.params, want.params) || !bytes.Equal(got.results, want.results) {
			return fmt.Errorf("%w: %q has params %x results %x", ErrBadSignature, e.name, got.params, got.results)
		}
	}
	for _, name := range []string{exportMemory, exportAlloc, exportRun} {
		if !found[name] {
			return fmt.Errorf("%w: %q", ErrMissingExport, name)
		}
	}
	return nil
}

// initFuel is what instantiating a fresh instance costs before the first call:
// zeroing the initial memory, copying the data segments, filling the table.
func initFuel(m *module) uint64 {
	fuel := uint64(m.memories[0].min) * GrowPageCost
	for _, d := range m.datas {
		fuel += uint64(len(d.init)) / costInitBytesPerFuel
	}
	if len(m.tables) == 1 {
		fuel += uint64(m.tables[0].min)
	}
	return fuel
}

// checkSegments refuses segments that would make instantiation fail: their offsets
// are constants (there are no imported globals), so this is decided at store time.
func checkSegments(m *module) error {
	memBytes := uint64(m.memories[0].min) * PageSize
	for i, d := range m.datas {
		if uint64(d.offset)+uint64(len(d.init)) > memBytes {
			return fmt.Errorf("%w: data segment %d ends at %d, initial memory %d bytes", ErrSegmentOutOfBounds, i, uint64(d.offset)+uint64(len(d.init)), memBytes)
		}
	}
	for i, e := range m.elements {
		if len(m.tables) == 0 {
			return fmt.Errorf("%w: element segment %d without a table", ErrMalformedModule, i)
		}
		if uint64(e.offset)+uint64(len(e.funcs)) > uint64(m.tables[0].min) {
			return fmt.Errorf("%w: element segment %d past the table's %d entries", ErrSegmentOutOfBounds, i, m.tables[0].min)
		}
		for _, f := range e.funcs {
			if f >= uint32(len(m.funcs)) {
				return fmt.Errorf("%w: element segment %d names function %d", ErrMalformedModule, i, f)
			}
		}
	}
	return nil
}

// scanBody decodes every instruction of function fn, checks that blocks nest, the body
// ends with the function's end and every index stays inside the original module
// (wazero validates only the instrumented module, in which one more local, label,
// function and globals exist: the fuel counter must be out of the program's reach),
// and counts the instructions.
func scanBody(m *module, fn int) (uint32, error) {
	c := m.codes[fn]
	locals := uint64(len(m.types[m.funcs[fn]].params))
	for _, l := range c.locals {
		locals += uint64(l.count)
	}
	r := &reader{buf: c.body}
	depth := uint32(0)
	count := uint32(0)
	var labels []uint32
	for !r.done() {
		in, err := nextInstr(r, &labels)
		if err != nil {
			return 0, err
		}
		count++
		var bad bool
		switch in.op {
		case opBlock, opLoop, opIf:
			depth++
		case opEnd:
			if depth == 0 {
				if !r.done() {
					return 0, fmt.Errorf("%w: code after the function's end", ErrMalformedModule)
				}
				return count, nil
			}
			depth--
		case opBr, opBrIf:
			bad = in.imm > depth
		case opBrTable:
			for _, l := range labels {
				bad = bad || l > depth
			}
		case opCall:
			bad = in.imm >= uint32(len(m.funcs))
		case opCallIndirect:
			bad = in.imm >= uint32(len(m.types)) || len(m.tables) == 0
		case opLocalGet, opLocalSet, opLocalTee:
			bad = uint64(in.imm) >= locals
		case opGlobalGet, opGlobalSet:
			bad = in.imm >= uint32(len(m.globals))
		}
		if bad {
			return 0, fmt.Errorf("%w: opcode 0x%x at offset %d has an index out of range", ErrMalformedModule, in.op, in.start)
		}
	}
	return 0, fmt.Errorf("%w: body ends inside a block", ErrMalformedModule)
}

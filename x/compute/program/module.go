package program

import "fmt"

// The binary format's section ids (WebAssembly 1.0, section 5.5).
const (
	secCustom   = 0
	secType     = 1
	secImport   = 2
	secFunction = 3
	secTable    = 4
	secMemory   = 5
	secGlobal   = 6
	secExport   = 7
	secStart    = 8
	secElement  = 9
	secCode     = 10
	secData     = 11
	secDataCnt  = 12 // bulk memory: refused
)

// Value types; v1 programs use only the integer ones.
const (
	valI32 = 0x7f
	valI64 = 0x7e
	valF32 = 0x7d
	valF64 = 0x7c
)

// Export kinds.
const (
	extFunc   = 0
	extTable  = 1
	extMemory = 2
	extGlobal = 3
)

type funcType struct{ params, results []byte }

type limits struct {
	min    uint32
	max    uint32
	hasMax bool
}

type global struct {
	valType byte
	mutable bool
	init    int64 // the i32.const or i64.const of its constant initializer
}

type export struct {
	name  string
	kind  byte
	index uint32
}

type localRun struct {
	count   uint32
	valType byte
}

type code struct {
	locals []localRun
	body   []byte // the expression, its final end included
}

type element struct {
	offset uint32
	funcs  []uint32
}

type data struct {
	offset uint32
	init   []byte
}

// module is a decoded WebAssembly 1.0 module. Custom sections are dropped: they
// carry no semantics and the instrumented module does not need them.
type module struct {
	types     []funcType
	imports   uint32 // count only: v1 programs import nothing
	funcs     []uint32
	tables    []limits
	memories  []limits
	globals   []global
	exports   []export
	hasStart  bool
	elements  []element
	codes     []code
	datas     []data
	hasDatCnt bool
}

// Decoding caps that keep a hostile module from costing more than its size: counts are
// checked against the bytes left before anything is allocated, and locals are bounded
// so frames stay small (see maxLocals in limits.go).
func decodeModule(bin []byte) (*module, error) {
	r := &reader{buf: bin}
	magic, err := r.bytes(8)
	if err != nil {
		return nil, err
	}
	if string(magic) != "\x00asm\x01\x00\x00\x00" {
		return nil, fmt.Errorf("%w: not a WebAssembly 1.0 binary", ErrMalformedModule)
	}
	m := &module{}
	last := byte(0)
	for !r.done() {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		body, err := r.bytes(size)
		if err != nil {
			return nil, err
		}
		if id == secCustom {
			if _, err := (&reader{buf: body}).name(); err != nil {
				return nil, err
			}
			continue
		}
		if id > secDataCnt {
			return nil, fmt.Errorf("%w: unknown section id %d", ErrMalformedModule, id)
		}
		// The data count section (12) sits between import-order 9 and 10 in the spec,
		// but v1 refuses it, so plain ascending order is the rule here.
		if id <= last {
			return nil, fmt.Errorf("%w: section %d out of order or repeated", ErrMalformedModule, id)
		}
		last = id
		sr := &reader{buf: body}
		if err := m.decodeSection(id, sr); err != nil {
			return nil, err
		}
		if !sr.done() {
			return nil, fmt.Errorf("%w: section %d has %d trailing bytes", ErrMalformedModule, id, len(body)-sr.pos)
		}
	}
	if len(m.funcs) != len(m.codes) {
		return nil, fmt.Errorf("%w: %d functions but %d code entries", ErrMalformedModule, len(m.funcs), len(m.codes))
	}
	return m, nil
}

// vecLen reads a vector length and refuses one that could not fit in the bytes left
// (each element takes at least minSize bytes), so a forged count allocates nothing.
func vecLen(r *reader, minSize int) (uint32, error) {
	n, err := r.u32()
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(minSize) > uint64(len(r.buf)-r.pos) {
		return 0, r.fail("vector longer than its section")
	}
	return n, nil
}

func (m *module) decodeSection(id byte, r *reader) error {
	switch id {
	case secType:
		return m.decodeTypes(r)
	case secImport:
		n, err := r.u32()
		m.imports = n
		if err == nil && n > 0 {
			r.pos = len(r.buf) // refused by Validate; its contents do not matter
		}
		return err
	case secFunction:
		n, err := vecLen(r, 1)
		if err != nil {
			return err
		}
		m.funcs = make([]uint32, n)
		for i := range m.funcs {
			if m.funcs[i], err = r.u32(); err != nil {
				return err
			}
		}
	case secTable:
		n, err := vecLen(r, 3)
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			et, err := r.byte()
			if err != nil {
				return err
			}
			if et != 0x70 {
				return fmt.Errorf("%w: table element type 0x%x", ErrUnsupportedFeature, et)
			}
			l, err := decodeLimits(r)
			if err != nil {
				return err
			}
			m.tables = append(m.tables, l)
		}
	case secMemory:
		n, err := vecLen(r, 2)
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			l, err := decodeLimits(r)
			if err != nil {
				return err
			}
			m.memories = append(m.memories, l)
		}
	case secGlobal:
		return m.decodeGlobals(r)
	case secExport:
		return m.decodeExports(r)
	case secStart:
		if _, err := r.u32(); err != nil {
			return err
		}
		m.hasStart = true
	case secElement:
		return m.decodeElements(r)
	case secCode:
		return m.decodeCodes(r)
	case secData:
		return m.decodeDatas(r)
	case secDataCnt:
		if _, err := r.u32(); err != nil {
			return err
		}
		m.hasDatCnt = true
	}
	return nil
}

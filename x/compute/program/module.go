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

func decodeValType(r *reader) (byte, error) {
	t, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch t {
	case valI32, valI64:
		return t, nil
	case valF32, valF64:
		return 0, fmt.Errorf("%w: float value type at offset %d", ErrFloatInstruction, r.pos-1)
	}
	return 0, fmt.Errorf("%w: value type 0x%x", ErrUnsupportedFeature, t)
}

func (m *module) decodeTypes(r *reader) error {
	n, err := vecLen(r, 3)
	if err != nil {
		return err
	}
	m.types = make([]funcType, 0, n)
	for i := uint32(0); i < n; i++ {
		form, err := r.byte()
		if err != nil {
			return err
		}
		if form != 0x60 {
			return fmt.Errorf("%w: type form 0x%x", ErrMalformedModule, form)
		}
		var ft funcType
		for j, dst := range []*[]byte{&ft.params, &ft.results} {
			k, err := vecLen(r, 1)
			if err != nil {
				return err
			}
			if j == 1 && k > 1 {
				return fmt.Errorf("%w: multi-value result", ErrUnsupportedFeature)
			}
			for ; k > 0; k-- {
				t, err := decodeValType(r)
				if err != nil {
					return err
				}
				*dst = append(*dst, t)
			}
		}
		m.types = append(m.types, ft)
	}
	return nil
}

func decodeLimits(r *reader) (limits, error) {
	flag, err := r.byte()
	if err != nil {
		return limits{}, err
	}
	var l limits
	switch flag {
	case 0:
	case 1:
		l.hasMax = true
	default: // 2, 3: shared memory (threads), or garbage
		return l, fmt.Errorf("%w: limits flag 0x%x", ErrUnsupportedFeature, flag)
	}
	if l.min, err = r.u32(); err != nil {
		return l, err
	}
	if l.hasMax {
		if l.max, err = r.u32(); err != nil {
			return l, err
		}
		if l.max < l.min {
			return l, fmt.Errorf("%w: limits max %d below min %d", ErrMalformedModule, l.max, l.min)
		}
	}
	return l, nil
}

// decodeConstExpr reads an MVP constant expression that a v1 program may use: one
// i32.const or i64.const and end (global.get could name only imported globals, and
// there are none).
func decodeConstExpr(r *reader, want byte) (int64, error) {
	op, err := r.byte()
	if err != nil {
		return 0, err
	}
	var v int64
	switch {
	case op == 0x41 && want == valI32:
		var v32 int32
		v32, err = r.s32()
		v = int64(v32)
	case op == 0x42 && want == valI64:
		v, err = r.s64()
	default:
		return 0, fmt.Errorf("%w: constant expression opcode 0x%x for type 0x%x", ErrMalformedModule, op, want)
	}
	if err != nil {
		return 0, err
	}
	end, err := r.byte()
	if err != nil {
		return 0, err
	}
	if end != 0x0b {
		return 0, fmt.Errorf("%w: constant expression longer than one instruction", ErrMalformedModule)
	}
	return v, nil
}

func (m *module) decodeGlobals(r *reader) error {
	n, err := vecLen(r, 4)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		var g global
		if g.valType, err = decodeValType(r); err != nil {
			return err
		}
		mut, err := r.byte()
		if err != nil {
			return err
		}
		if mut > 1 {
			return fmt.Errorf("%w: global mutability 0x%x", ErrMalformedModule, mut)
		}
		g.mutable = mut == 1
		if g.init, err = decodeConstExpr(r, g.valType); err != nil {
			return err
		}
		m.globals = append(m.globals, g)
	}
	return nil
}

func (m *module) decodeExports(r *reader) error {
	n, err := vecLen(r, 3)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, n)
	for i := uint32(0); i < n; i++ {
		var e export
		if e.name, err = r.name(); err != nil {
			return err
		}
		if seen[e.name] {
			return fmt.Errorf("%w: duplicate export %q", ErrMalformedModule, e.name)
		}
		seen[e.name] = true
		if e.kind, err = r.byte(); err != nil {
			return err
		}
		if e.kind > extGlobal {
			return fmt.Errorf("%w: export kind 0x%x", ErrMalformedModule, e.kind)
		}
		if e.index, err = r.u32(); err != nil {
			return err
		}
		m.exports = append(m.exports, e)
	}
	return nil
}

func (m *module) decodeElements(r *reader) error {
	n, err := vecLen(r, 4)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		flag, err := r.u32()
		if err != nil {
			return err
		}
		if flag != 0 { // non-zero: bulk-memory / reference-types segment forms
			return fmt.Errorf("%w: element segment form %d", ErrUnsupportedFeature, flag)
		}
		off, err := decodeConstExpr(r, valI32)
		if err != nil {
			return err
		}
		k, err := vecLen(r, 1)
		if err != nil {
			return err
		}
		e := element{offset: uint32(off), funcs: make([]uint32, k)}
		for j := range e.funcs {
			if e.funcs[j], err = r.u32(); err != nil {
				return err
			}
		}
		m.elements = append(m.elements, e)
	}
	return nil
}

func (m *module) decodeCodes(r *reader) error {
	n, err := vecLen(r, 2)
	if err != nil {
		return err
	}
	m.codes = make([]code, 0, n)
	for i := uint32(0); i < n; i++ {
		size, err := r.u32()
		if err != nil {
			return err
		}
		b, err := r.bytes(size)
		if err != nil {
			return err
		}
		cr := &reader{buf: b}
		runs, err := vecLen(cr, 2)
		if err != nil {
			return err
		}
		var c code
		total := uint64(0)
		for j := uint32(0); j < runs; j++ {
			var lr localRun
			if lr.count, err = cr.u32(); err != nil {
				return err
			}
			if lr.valType, err = decodeValType(cr); err != nil {
				return err
			}
			total += uint64(lr.count)
			if total > maxLocals {
				return fmt.Errorf("%w: function %d declares more than %d locals", ErrTooComplex, i, maxLocals)
			}
			c.locals = append(c.locals, lr)
		}
		c.body = b[cr.pos:]
		if len(c.body) == 0 || c.body[len(c.body)-1] != 0x0b {
			return fmt.Errorf("%w: function %d body does not end with end", ErrMalformedModule, i)
		}
		m.codes = append(m.codes, c)
	}
	return nil
}

func (m *module) decodeDatas(r *reader) error {
	n, err := vecLen(r, 4)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		flag, err := r.u32()
		if err != nil {
			return err
		}
		if flag != 0 { // passive or explicit-memory segments are bulk-memory forms
			return fmt.Errorf("%w: data segment form %d", ErrUnsupportedFeature, flag)
		}
		off, err := decodeConstExpr(r, valI32)
		if err != nil {
			return err
		}
		k, err := r.u32()
		if err != nil {
			return err
		}
		init, err := r.bytes(k)
		if err != nil {
			return err
		}
		m.datas = append(m.datas, data{offset: uint32(off), init: init})
	}
	return nil
}

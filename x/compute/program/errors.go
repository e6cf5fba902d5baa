package program

import "errors"

// Sentinel errors for the refusals of Validate (and so of Engine.Run on a module that
// fails it). Callers match them with errors.Is; the wrapped message says where.
var (
	// ErrMalformedModule: not a well-formed, well-typed WebAssembly 1.0 binary.
	ErrMalformedModule = errors.New("malformed WebAssembly module")
	// ErrCodeTooLarge: the binary is longer than Limits.MaxCodeBytes.
	ErrCodeTooLarge = errors.New("program code too large")
	// ErrForbiddenImport: the module imports something; ABI v1 programs import nothing.
	ErrForbiddenImport = errors.New("program imports are forbidden")
	// ErrStartFunction: the module has a start function, which would run unmetered
	// outside the three calls of the ABI.
	ErrStartFunction = errors.New("program start function is forbidden")
	// ErrFloatInstruction: a float instruction or float value type; v1 refuses floats
	// because NaN bit patterns differ between machines.
	ErrFloatInstruction = errors.New("float instructions are forbidden")
	// ErrUnsupportedFeature: a feature beyond WebAssembly 1.0 plus sign extension
	// (bulk memory, SIMD, multi-value, reference types, threads, multiple memories or tables...).
	ErrUnsupportedFeature = errors.New("unsupported WebAssembly feature")
	// ErrMissingExport: the memory, nightshift_alloc or nightshift_run export is missing
	// or names the wrong kind of item.
	ErrMissingExport = errors.New("missing program export")
	// ErrBadSignature: nightshift_alloc or nightshift_run has the wrong signature.
	ErrBadSignature = errors.New("bad program export signature")
	// ErrMemoryTooLarge: the memory's declared minimum or maximum exceeds Limits.MaxMemoryPages.
	ErrMemoryTooLarge = errors.New("program memory too large")
	// ErrTableTooLarge: the table's initial size exceeds 65536 entries (every instance
	// allocates it).
	ErrTableTooLarge = errors.New("program table too large")
	// ErrSegmentOutOfBounds: a data or element segment does not fit the initial memory
	// or table, so instantiation would fail.
	ErrSegmentOutOfBounds = errors.New("program segment out of bounds")
	// ErrTooComplex: a function declares more locals than the runtime allows (frames
	// must stay small so the frame-slot budget, not the native stack, is the limit).
	ErrTooComplex = errors.New("program too complex")
)

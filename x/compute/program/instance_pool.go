package program

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero/api"
)

// Instance reuse. ABI v1 runs every item in a fresh instance; instantiating one
// (wazero's module setup, a call engine and its stack for each exported function
// looked up, the garbage all that leaves) was the largest cost of a small item
// outside the guest code (docs/benchmarks.md, "Instances reused"). So a finished
// instance is put back to the exact state a fresh one has before its first call
// and kept for the next item of the same program.
//
// What a WebAssembly 1.0 instance (with sign extension, all Validate admits) can
// change is its memory (bytes and size) and its mutable globals: no admitted
// instruction writes a table (no reference types, no bulk memory), there are no
// imports, and segments are applied only at instantiation. So an instance whose
// memory has its initial size, whose bytes are the fresh ones again and whose
// mutable globals have their initial values is indistinguishable from a fresh
// instance: same outputs and fuel (TestRunReusedInstanceIsFresh). An instance that
// grew its memory, trapped or failed is closed instead (wazero cannot shrink a
// memory, and after a trap nothing is assumed).

// maxIdleBytes bounds the memory held by idle instances across an engine's programs
// (each holds its linear memory); past it a finished instance is closed.
const maxIdleBytes = 32 << 20

// instance is one instantiated program with the handles Run uses.
type instance struct {
	mod          api.Module
	mem          api.Memory
	alloc, run   api.Function
	fuel, memcap api.MutableGlobal
	reset        []api.MutableGlobal // every other mutable global, the trap code included
	stack        [6]uint64           // params and results of the ABI calls (CallWithStack)
}

// pristine is a fresh instance's state before its first call, taken from the first
// instance of a program (every fresh instance of it has the same: zeros, the data
// segments, the globals' constant initial values).
type pristine struct {
	size    uint32 // memory bytes
	lo      uint32 // memory[lo:lo+len(data)] is data, every other byte is zero
	data    []byte
	globals []uint64 // values of instance.reset, in order
}

// newInstance wraps a freshly instantiated module whose resettable globals are
// exported as names (cacheEntry.globals: resetGlobals of the program).
func newInstance(mod api.Module, names []string) (*instance, error) {
	inst := &instance{
		mod:   mod,
		mem:   mod.Memory(),
		alloc: mod.ExportedFunction(exportAlloc),
		run:   mod.ExportedFunction(exportRun),
	}
	var ok bool
	if inst.fuel, ok = mod.ExportedGlobal(exportFuel).(api.MutableGlobal); !ok {
		return nil, fmt.Errorf("program: instrumented module without %s", exportFuel)
	}
	if inst.memcap, ok = mod.ExportedGlobal(exportMemCap).(api.MutableGlobal); !ok {
		return nil, fmt.Errorf("program: instrumented module without %s", exportMemCap)
	}
	trap, ok := mod.ExportedGlobal(exportTrap).(api.MutableGlobal)
	if !ok {
		return nil, fmt.Errorf("program: instrumented module without %s", exportTrap)
	}
	inst.reset = append(inst.reset, trap)
	for _, name := range names {
		g, ok := mod.ExportedGlobal(name).(api.MutableGlobal)
		if !ok {
			return nil, fmt.Errorf("program: %s is not a mutable global", name)
		}
		inst.reset = append(inst.reset, g)
	}
	return inst, nil
}

// snapshot records inst's state; inst must not have been called yet.
func (inst *instance) snapshot() *pristine {
	view, _ := inst.mem.Read(0, inst.mem.Size())
	// Only the span from the first to the last non-zero byte is kept: restoring
	// zeros is a clear, which costs about half a copy (it reads nothing).
	lo, hi := 0, len(view)
	for lo < hi && view[lo] == 0 {
		lo++
	}
	for hi > lo && view[hi-1] == 0 {
		hi--
	}
	p := &pristine{size: uint32(len(view)), lo: uint32(lo), data: append([]byte(nil), view[lo:hi]...), globals: make([]uint64, len(inst.reset))}
	for i, g := range inst.reset {
		p.globals[i] = g.Get()
	}
	return p
}

// restore puts inst back to p and reports whether it could (its memory must still
// have the initial size).
func (inst *instance) restore(p *pristine) bool {
	if inst.mem.Size() != p.size || len(inst.reset) != len(p.globals) {
		return false
	}
	view, ok := inst.mem.Read(0, p.size)
	if !ok {
		return false
	}
	hi := p.lo + uint32(len(p.data))
	clear(view[:p.lo])
	copy(view[p.lo:hi], p.data)
	clear(view[hi:])
	for i, g := range inst.reset {
		g.Set(p.globals[i])
	}
	return true
}

// takeInstance returns an idle instance of ent (restored, ready for an item), or a
// freshly instantiated one.
func (e *Engine) takeInstance(ctx context.Context, ent *cacheEntry) (*instance, error) {
	e.mu.Lock()
	if n := len(ent.idle); n > 0 {
		inst := ent.idle[n-1]
		ent.idle[n-1] = nil
		ent.idle = ent.idle[:n-1]
		e.idleBytes -= uint64(ent.pristine.size)
		e.mu.Unlock()
		return inst, nil
	}
	e.mu.Unlock()
	mod, err := e.rt.InstantiateModule(ctx, ent.compiled, instanceConfig)
	if err != nil {
		return nil, fmt.Errorf("program: instantiate: %w", err)
	}
	inst, err := newInstance(mod, ent.globals)
	if err != nil {
		_ = mod.Close(ctx)
		return nil, err
	}
	e.mu.Lock()
	if ent.pristine == nil {
		ent.pristine = inst.snapshot()
	}
	e.mu.Unlock()
	return inst, nil
}

// putInstance keeps inst for ent's next item when reusable (the item ran to an
// output) and it can be restored within the idle budget; otherwise it closes it.
//
// With closeOnContextDone, wazero watches ctx during each call from a goroutine
// that closes the module once ctx is done, and that goroutine can act just after a
// call returned. If ctx is still not done now, that call's watcher has already
// been told to stop and can no longer close the module; if it is done, the
// instance is not kept (else the next item could find it closed).
func (e *Engine) putInstance(ctx context.Context, ent *cacheEntry, inst *instance, reusable bool) {
	reusable = reusable && ctx.Err() == nil && !inst.mod.IsClosed()
	// ent.pristine is set before any instance of ent is handed out and never changes.
	if reusable && inst.restore(ent.pristine) {
		e.mu.Lock()
		size := uint64(ent.pristine.size)
		if !ent.evicted && e.idleBytes+size <= maxIdleBytes {
			ent.idle = append(ent.idle, inst)
			e.idleBytes += size
			e.mu.Unlock()
			return
		}
		e.mu.Unlock()
	}
	_ = inst.mod.Close(ctx)
}

// closeIdle closes ent's idle instances; e.mu is held.
func (e *Engine) closeIdle(ctx context.Context, ent *cacheEntry) {
	for _, inst := range ent.idle {
		_ = inst.mod.Close(ctx)
		e.idleBytes -= uint64(ent.pristine.size)
	}
	ent.idle = nil
}

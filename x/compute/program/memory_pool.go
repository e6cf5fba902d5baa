package program

import (
	"sync"

	"github.com/tetratelabs/wazero/experimental"
)

// maxPooledMemory is the largest linear memory buffer kept for reuse: most items
// run in a few pages, and a memory bomb's buffer should go back to the heap.
const maxPooledMemory = 4 << 20

// memoryPool recycles the linear memory buffers of finished instances. A fresh
// instance per item allocates its memory (128 KiB for the examples) as a large Go
// object: allocation, zeroing and the GC work it causes were 42 % of a 64x64 tile
// item's CPU (docs/benchmarks.md, "Example programs"). A reused buffer is
// indistinguishable from a new one: every byte the instance can see (its length) is
// zeroed when it becomes visible, before wazero copies the data segments in.
var memoryPool = sync.Pool{New: func() any { return new([]byte) }}

// pooledAllocator hands out pooled buffers (experimental.WithMemoryAllocator).
type pooledAllocator struct{}

func (pooledAllocator) Allocate(_, maxBytes uint64) experimental.LinearMemory {
	buf := memoryPool.Get().(*[]byte)
	return &pooledMemory{buf: (*buf)[:0], max: maxBytes, box: buf}
}

// pooledMemory is one instance's linear memory.
type pooledMemory struct {
	buf []byte
	max uint64
	box *[]byte // the pool's handle, returned with the buffer on Free
}

// Reallocate sets the length to size bytes (wazero only grows), zeroing the new
// bytes, and moves to a larger buffer when the capacity is short.
func (m *pooledMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	n := uint64(len(m.buf))
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
		clear(m.buf[n:])
		return m.buf
	}
	grown := make([]byte, size, min(max(size, 2*uint64(cap(m.buf))), m.max))
	copy(grown, m.buf)
	m.buf = grown
	return m.buf
}

// Free returns the buffer to the pool once the instance is closed. Only Run closes
// an instance, after its calls returned and the output was copied out; with
// closeOnContextDone wazero may close a running instance from another goroutine,
// so the pool is not used then (Engine.Run).
func (m *pooledMemory) Free() {
	if cap(m.buf) <= maxPooledMemory {
		*m.box = m.buf[:0]
		memoryPool.Put(m.box)
	}
	m.buf, m.box = nil, nil
}

package kinds

// Item names one item of a job and carries its input: empty for kinds whose
// items are derived from the spec, job id and index alone; for kind wasm with
// an input root, the item's input bytes (checked against the root by the
// caller). It is the v2 kinds interface's Item (branch measured-units).
type Item struct {
	JobID uint64
	Index uint64
	Input []byte
}

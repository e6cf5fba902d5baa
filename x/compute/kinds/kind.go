// Package kinds defines the deterministic computations ("task kinds") a compute job
// can ask for, and the registry the chain looks them up in.
//
// A kind is split in two so that a job's spec is decoded and checked once, not once
// per item:
//
//   - [Kind] names the computation and parses a job's spec bytes together with the
//     job's item count: Parse is the whole of spec validation.
//   - [Spec] is the parsed, validated spec. It bounds the work of one item
//     (MaxWorkPerItem), computes an item's output (what a worker runs) and checks a
//     claimed output (what validators run in DeliverTx); both measure the work
//     done, in calibrated units that are gas and emission weight at once.
//
// The keeper validates a job with Registry.Parse when it is posted and parses the
// stored spec again when verifying a proof; the worker parses it once per task. Both
// use this package, so what a worker computes is what validators check.
//
// Everything here is consensus code: integer arithmetic only (no floating point,
// even when parsing specs), no clocks, no randomness, no goroutines, and nothing
// observable depends on map iteration order. A bound on verification work is known
// before any is done (Spec.MaxWorkPerItem), so the keeper can require that much gas
// left first and charge what was measured after.
//
// Adding a kind takes one new file, implementing Kind and Spec, and one line in
// [DefaultRegistry]. A kind's behaviour, once used on chain, is frozen: changing it
// changes which proofs verify.
package kinds

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

var (
	// ErrUnknownKind is returned for a kind name that is not registered.
	ErrUnknownKind = errors.New("unknown task kind")
	// ErrInvalidSpec is returned for spec bytes, or an item count, a kind rejects.
	ErrInvalidSpec = errors.New("invalid task spec")
	// ErrInvalidOutput is returned for a claimed output that is not the item's
	// correct output.
	ErrInvalidOutput = errors.New("invalid task output")
	// ErrItemOutOfRange is returned for an item index not below the job's item count.
	ErrItemOutOfRange = errors.New("item index out of range")
	// ErrInvalidKindName is returned when registering a kind whose name is not
	// 1-32 characters of [a-z0-9_-] starting with a letter.
	ErrInvalidKindName = errors.New("invalid task kind name")
	// ErrDuplicateKind is returned when registering a kind name twice.
	ErrDuplicateKind = errors.New("duplicate task kind")
)

// Kind is a deterministic computation a job can ask for. Implementations are
// stateless values; all job-specific data lives in the Spec that Parse returns.
type Kind interface {
	// Name identifies the kind in jobs and messages.
	Name() string
	// Parse validates a job's kind-specific spec bytes and the number of items it
	// is posted with, and returns the parsed spec. Errors wrap ErrInvalidSpec.
	Parse(spec []byte, items uint64) (Spec, error)
}

// Item names one item of a job and carries its input: empty for kinds whose items are
// derived from the spec, job id and index alone (every built-in kind, which ignores
// it); for kind wasm with an input root, the item's input bytes (checked against the
// root by the caller).
type Item struct {
	JobID uint64
	Index uint64
	Input []byte
}

// Spec is a parsed, validated job spec. Its methods are deterministic functions of
// the spec and the item, and are safe for concurrent use.
//
// Work is measured, never declared (design note G1): one work unit is calibrated to
// about 1 ns (1–2 ns) of validator CPU on the bench machine, for every kind, by
// per-kind constants that keeper.BenchmarkProofVerification checks. Units are at once the gas
// charged for verifying an item and the emission weight of the work.
type Spec interface {
	// MaxWorkPerItem bounds the work (in units) one item can measure. The keeper
	// refuses a job whose bound exceeds max_verify_gas_per_item, and requires that
	// much gas left in the tx before it verifies an item, so a tx that could not pay
	// stops before the work is done.
	MaxWorkPerItem() uint64
	// ComputeOutput is what a worker runs; work is the units measured, the same
	// number VerifyOutput measures for the same item.
	ComputeOutput(item Item) (output []byte, work uint64, err error)
	// VerifyOutput re-executes the item as validators do in the state machine and
	// returns the work measured, at most MaxWorkPerItem; on an error it returns the
	// work done before the error was found, which the keeper still charges. Errors
	// wrap ErrInvalidOutput or ErrItemOutOfRange.
	VerifyOutput(item Item, output []byte) (work uint64, err error)
	// ReplayKey is what fixes every item's output apart from the job id: two
	// jobs of one kind with equal keys compute the same outputs, so outputs
	// computed once could be replayed on both. It is nil when outputs depend on
	// the job id (nothing computed for one job verifies on another). The keeper
	// refuses a job whose key equals a live job's (see replay.go).
	ReplayKey() []byte
}

// Registry holds the kinds a chain accepts, kept sorted by name so nothing
// observable depends on registration or map order.
type Registry struct {
	names []string
	kinds []Kind
}

// NewRegistry returns a registry holding kinds.
func NewRegistry(kinds ...Kind) (*Registry, error) {
	r := &Registry{}
	for _, k := range kinds {
		if err := r.Register(k); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// DefaultRegistry returns a new registry with every kind this package ships.
func DefaultRegistry() *Registry {
	r, err := NewRegistry(
		Hashcash{},
		Mandelbrot{},
	)
	if err != nil {
		panic(err) // the built-in kinds are fixed; this cannot fail
	}
	return r
}

// Register adds k. It fails if k's name is invalid or already registered.
func (r *Registry) Register(k Kind) error {
	if k == nil {
		return fmt.Errorf("%w: nil kind", ErrInvalidKindName)
	}
	name := k.Name()
	if !validKindName(name) {
		return fmt.Errorf("%w: %q", ErrInvalidKindName, name)
	}
	i, found := slices.BinarySearch(r.names, name)
	if found {
		return fmt.Errorf("%w: %q", ErrDuplicateKind, name)
	}
	r.names = slices.Insert(r.names, i, name)
	r.kinds = slices.Insert(r.kinds, i, k)
	return nil
}

// Get returns the kind registered under name.
func (r *Registry) Get(name string) (Kind, error) {
	i, found := slices.BinarySearch(r.names, name)
	if !found {
		return nil, fmt.Errorf("%w: %q (registered: %s)", ErrUnknownKind, name, strings.Join(r.names, ", "))
	}
	return r.kinds[i], nil
}

// Names returns the registered kind names in sorted order.
func (r *Registry) Names() []string {
	return slices.Clone(r.names)
}

// Parse looks up kind and parses spec for a job of items items; it is the complete
// validation of a job's kind, spec and item count.
func (r *Registry) Parse(kind string, spec []byte, items uint64) (Spec, error) {
	k, err := r.Get(kind)
	if err != nil {
		return nil, err
	}
	return k.Parse(spec, items)
}

func validKindName(name string) bool {
	if len(name) == 0 || len(name) > 32 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// checkIndex rejects an item index outside a job of items items.
func checkIndex(index, items uint64) error {
	if index >= items {
		return fmt.Errorf("%w: item %d of a job of %d items", ErrItemOutOfRange, index, items)
	}
	return nil
}

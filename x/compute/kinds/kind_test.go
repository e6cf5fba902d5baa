package kinds

import (
	"errors"
	"slices"
	"testing"
)

// fakeKind is a kind with a configurable name, for registry tests.
type fakeKind struct{ name string }

func (k fakeKind) Name() string                                  { return k.name }
func (k fakeKind) Parse(spec []byte, items uint64) (Spec, error) { return nil, ErrInvalidSpec }

func TestDefaultRegistry(t *testing.T) {
	r := DefaultRegistry()
	if got, want := r.Names(), []string{"hashcash", "mandelbrot"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range r.Names() {
		k, err := r.Get(name)
		if err != nil {
			t.Fatalf("Get(%q): %v", name, err)
		}
		if k.Name() != name {
			t.Fatalf("Get(%q) returned kind %q", name, k.Name())
		}
	}
	// Each call builds a new registry, so callers cannot change each other's.
	a, b := DefaultRegistry(), DefaultRegistry()
	if err := a.Register(fakeKind{"extra"}); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(b.Names(), "extra") {
		t.Fatal("registries share state")
	}
}

func TestRegistryGetUnknown(t *testing.T) {
	r := DefaultRegistry()
	for _, name := range []string{"", "Hashcash", "hashcash ", "wasm"} {
		if _, err := r.Get(name); !errors.Is(err, ErrUnknownKind) {
			t.Errorf("Get(%q) error = %v, want ErrUnknownKind", name, err)
		}
		if _, err := r.Parse(name, []byte(`{"difficulty_bits":1}`), 1); !errors.Is(err, ErrUnknownKind) {
			t.Errorf("Parse(%q) error = %v, want ErrUnknownKind", name, err)
		}
	}
}

func TestRegistryParse(t *testing.T) {
	r := DefaultRegistry()
	s, err := r.Parse("hashcash", []byte(`{"difficulty_bits":4}`), 10)
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxWorkPerItem() != HashcashWork {
		t.Fatalf("MaxWorkPerItem = %d, want %d", s.MaxWorkPerItem(), HashcashWork)
	}
	if _, err := r.Parse("hashcash", []byte(`{"difficulty_bits":4}`), 0); !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("zero items: error = %v, want ErrInvalidSpec", err)
	}
	if _, err := r.Parse("mandelbrot", []byte(`{"difficulty_bits":4}`), 10); !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("spec of another kind: error = %v, want ErrInvalidSpec", err)
	}
}

func TestRegistryRegister(t *testing.T) {
	r, err := NewRegistry(fakeKind{"zeta"}, fakeKind{"alpha"}, fakeKind{"mid-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Names(), []string{"alpha", "mid-1", "zeta"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want sorted %v", got, want)
	}
	// Names returns a copy.
	r.Names()[0] = "mutated"
	if r.Names()[0] != "alpha" {
		t.Fatal("Names() exposes internal state")
	}

	if err := r.Register(fakeKind{"zeta"}); !errors.Is(err, ErrDuplicateKind) {
		t.Errorf("duplicate: error = %v, want ErrDuplicateKind", err)
	}
	for _, name := range []string{"", "Upper", "1digit", "has space", "dot.name", "x23456789012345678901234567890123"} {
		if err := r.Register(fakeKind{name}); !errors.Is(err, ErrInvalidKindName) {
			t.Errorf("Register(%q) error = %v, want ErrInvalidKindName", name, err)
		}
	}
	if err := r.Register(nil); !errors.Is(err, ErrInvalidKindName) {
		t.Errorf("Register(nil) error = %v, want ErrInvalidKindName", err)
	}
	if _, err := NewRegistry(fakeKind{"a"}, fakeKind{"a"}); !errors.Is(err, ErrDuplicateKind) {
		t.Errorf("NewRegistry with duplicates: error = %v, want ErrDuplicateKind", err)
	}
	if got, want := r.Names(), []string{"alpha", "mid-1", "zeta"}; !slices.Equal(got, want) {
		t.Fatalf("failed registrations changed the registry: %v", got)
	}
}

// Kind.Parse must return a nil interface on error, not a typed nil pointer.
func TestParseErrorReturnsNilSpec(t *testing.T) {
	for _, k := range []Kind{Hashcash{}, Mandelbrot{}} {
		s, err := k.Parse(nil, 1)
		if err == nil || s != nil {
			t.Errorf("%s.Parse(nil) = %v, %v; want nil spec and an error", k.Name(), s, err)
		}
	}
}

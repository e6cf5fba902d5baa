package program

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// instrumentedDigest pins what the pass emits for the fixtures under each
// InstrumentationVersion. A change to the pass that keeps every golden fuel (say, a
// reordering) would still change what runs everywhere: it fails here until the
// version is bumped and a new digest recorded.
var instrumentedDigest = map[int]string{
	1: "d5a5939342611e5ace7a3ac63e248db1518f4cbc56212ad156693cea4aad0cc4",
}

func TestInstrumentationVersionPinned(t *testing.T) {
	h := sha256.New()
	// a fixed list: new fixtures must not move the pin
	for _, name := range []string{"badalloc", "bomb", "echo", "mix", "traps"} {
		m, err := decodeModule(fixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(instrument(m))
	}
	got := hex.EncodeToString(h.Sum(nil))
	want, ok := instrumentedDigest[InstrumentationVersion]
	if !ok || want != got {
		t.Fatalf("instrumentation v%d emits %s, pinned %q: bump InstrumentationVersion for a changed pass and pin the new digest", InstrumentationVersion, got, want)
	}
}

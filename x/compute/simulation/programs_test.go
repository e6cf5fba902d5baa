package simulation

import (
	"testing"

	"github.com/nightshift-network/nightshift/x/compute/program"
)

// TestCustomSectionVariantIsValid: the factory's variants are valid modules
// with new ids, so storing them succeeds.
func TestCustomSectionVariantIsValid(t *testing.T) {
	lim := program.Limits{MaxCodeBytes: 1 << 16, MaxMemoryPages: 16}
	base, err := program.Validate(MixerProgram, lim)
	if err != nil {
		t.Fatal(err)
	}
	v, err := program.Validate(withCustomSection(MixerProgram, []byte("abcdefgh")), lim)
	if err != nil {
		t.Fatalf("variant refused: %v", err)
	}
	if v.ID == base.ID {
		t.Fatal("variant has the mixer's id")
	}
}

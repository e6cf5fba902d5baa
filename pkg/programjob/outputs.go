package programjob

import (
	"fmt"

	"github.com/nightshift-network/nightshift/x/compute/program"
)

// trapNames are Program ABI v1's trap codes as people read them.
var trapNames = map[byte]string{
	program.TrapFuelExhausted: "fuel exhausted",
	program.TrapCallDepth:     "call depth exceeded",
	program.TrapMemoryLimit:   "memory limit",
	program.TrapOutputRange:   "output range invalid or too large",
	program.TrapOther:         "trap (unreachable, out-of-bounds access, division by zero or bad indirect call)",
}

// TrapName names an ABI trap code.
func TrapName(code byte) string {
	if name, ok := trapNames[code]; ok {
		return name
	}
	return fmt.Sprintf("unknown trap code 0x%02x", code)
}

// Trap reports whether a recorded output is a trap (0x01 ‖ code) and its code.
func Trap(recorded []byte) (byte, bool) {
	if len(recorded) == 2 && recorded[0] == 0x01 {
		return recorded[1], true
	}
	return 0, false
}

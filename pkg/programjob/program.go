package programjob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
)

// Program is a program named on the command line.
type Program struct {
	ID [32]byte
	// Code is the program's code when it was named by file or example; nil
	// when named by id (the caller reads it from the chain).
	Code []byte
	// Example is the example program with this id, if it is one.
	Example *catalog.Program
}

// IDHex is the program id as the chain writes it.
func (p Program) IDHex() string { return hex.EncodeToString(p.ID[:]) }

// ResolveProgram reads arg as a program id (64 hex digits), the path of a
// .wasm file, or the name of an example program (proth, montecarlo, tiles),
// in that order.
func ResolveProgram(arg string) (Program, error) {
	if id, err := ParseID(arg); err == nil {
		return withExample(Program{ID: id}), nil
	}
	code, err := os.ReadFile(arg)
	if err == nil {
		return withExample(Program{ID: sha256.Sum256(code), Code: code}), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Program{}, err
	}
	if ex, ok := catalog.Programs[arg]; ok {
		return withExample(Program{ID: ex.ID(), Code: ex.Wasm}), nil
	}
	return Program{}, fmt.Errorf("%q is neither a program id (64 hex digits), a .wasm file nor an example (%s)",
		arg, strings.Join(catalog.Names(), ", "))
}

// ParseID parses a program id: 64 hex digits, either case.
func ParseID(s string) ([32]byte, error) {
	var id [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("a program id is 64 hex digits, got %q", s)
	}
	copy(id[:], b)
	return id, nil
}

func withExample(p Program) Program {
	if ex, ok := catalog.ByID(p.ID); ok {
		p.Example = &ex
	}
	return p
}

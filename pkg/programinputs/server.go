package programinputs

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

// Server serves a dataset's inputs by the protocol (an http.Handler). It
// keeps the input tree (64 bytes per item, all levels) to answer each
// request with its path; the inputs themselves stay where they are (in
// memory or on disk).
type Server struct {
	tree  *merkle.Tree
	input func(item uint64) ([]byte, error)
}

// NewServer serves inputs held in memory, item 0 first.
func NewServer(inputs [][]byte) (*Server, error) {
	tree, err := merkle.InputTree(inputs)
	if err != nil {
		return nil, err
	}
	return &Server{tree: tree, input: func(i uint64) ([]byte, error) { return inputs[i], nil }}, nil
}

// NewDirServer serves the inputs in dir: files FileName(0), FileName(1), …
// with no gap and nothing else. Each file is read once here to build the tree
// and again when its item is requested; a file changed in between is refused
// (500) rather than served with a path that does not match it.
func NewDirServer(dir string) (*Server, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	leaves := make([][32]byte, 0, len(entries))
	for i, e := range entries {
		if e.Name() != FileName(uint64(i)) || !e.Type().IsRegular() {
			return nil, fmt.Errorf("%s: entry %q, want %q (inputs are files %s, %s, … with no gap and nothing else)",
				dir, e.Name(), FileName(uint64(i)), FileName(0), FileName(1))
		}
		bz, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		leaves = append(leaves, merkle.InputLeafHash(uint64(i), bz))
	}
	if len(leaves) == 0 {
		return nil, fmt.Errorf("%s holds no inputs", dir)
	}
	tree, err := merkle.NewTree(leaves)
	if err != nil {
		return nil, err
	}
	s := &Server{tree: tree}
	s.input = func(i uint64) ([]byte, error) {
		bz, err := os.ReadFile(filepath.Join(dir, FileName(i)))
		if err != nil {
			return nil, err
		}
		if s.tree.Leaf(int(i)) != merkle.InputLeafHash(i, bz) {
			return nil, fmt.Errorf("%s changed since the server started", FileName(i))
		}
		return bz, nil
	}
	return s, nil
}

// Root is the input root of the served dataset: what the job must commit to.
func (s *Server) Root() [32]byte { return s.tree.Root() }

// Items is the number of inputs served.
func (s *Server) Items() uint64 { return uint64(s.tree.Len()) }

// ServeHTTP answers GET (and HEAD) {prefix}/{item_index}: the last path
// segment is the index, so the server can be mounted under any prefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	seg := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	item, err := strconv.ParseUint(seg, 10, 64)
	if err != nil || seg != strconv.FormatUint(item, 10) || item >= s.Items() {
		http.Error(w, "no such item", http.StatusNotFound)
		return
	}
	bz, err := s.input(item)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	path, err := s.tree.Proof(int(item))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	root := s.Root()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(bz)))
	h.Set(ProofHeader, EncodePath(path))
	h.Set(RootHeader, hex.EncodeToString(root[:]))
	if r.Method == http.MethodGet {
		_, _ = w.Write(bz)
	}
}

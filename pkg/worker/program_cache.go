package worker

// Program code on disk: fetched once per program, checked on every load.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
)

// DefaultProgramCacheBytes bounds the program code a worker keeps on disk
// when not told otherwise: a few dozen programs at the chain's default
// max_program_bytes.
const DefaultProgramCacheBytes = 64 << 20

// ProgramCache keeps program code under dir as <id>.wasm, written
// atomically. A load re-checks sha256(code) == id (a corrupt file is removed
// and fetched again), and a save evicts the least recently used files beyond
// maxBytes (a load refreshes a file's time).
type ProgramCache struct {
	dir      string
	maxBytes int64
	mu       sync.Mutex
}

// OpenProgramCache opens (creating) the cache in dir; maxBytes < 1 is
// DefaultProgramCacheBytes.
func OpenProgramCache(dir string, maxBytes int64) (*ProgramCache, error) {
	if maxBytes < 1 {
		maxBytes = DefaultProgramCacheBytes
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &ProgramCache{dir: dir, maxBytes: maxBytes}, nil
}

// ProgramCacheDir is the cache's directory under a worker's state directory.
func ProgramCacheDir(stateDir string) string { return filepath.Join(stateDir, "programs") }

func (c *ProgramCache) path(id [32]byte) string {
	return filepath.Join(c.dir, hex.EncodeToString(id[:])+".wasm")
}

// Load returns program id's code if the cache holds it intact.
func (c *ProgramCache) Load(id [32]byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.path(id)
	code, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	if sha256.Sum256(code) != id {
		_ = os.Remove(p)
		return nil, false
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now)
	return code, true
}

// Save stores code as program id (the caller checked the hash) and evicts
// the least recently used programs beyond the budget, never this one.
func (c *ProgramCache) Save(id [32]byte, code []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := atomicfile.WriteBytes(c.path(id), 0o600, code); err != nil {
		return err
	}
	return c.evict(filepath.Base(c.path(id)))
}

func (c *ProgramCache) evict(keep string) error {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return err
	}
	type file struct {
		name string
		size int64
		at   time.Time
	}
	var files []file
	var total int64
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".wasm") {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		files = append(files, file{e.Name(), info.Size(), info.ModTime()})
		total += info.Size()
	}
	sort.Slice(files, func(i, j int) bool { return files[i].at.Before(files[j].at) })
	for _, f := range files {
		if total <= c.maxBytes {
			break
		}
		if f.name == keep {
			continue
		}
		if err := os.Remove(filepath.Join(c.dir, f.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		total -= f.size
	}
	return nil
}

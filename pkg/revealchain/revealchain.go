// Package revealchain keeps a validator node's hash-chain secrets: the file in
// the node's home from which its vote extensions reveal one value a height.
// The secret never leaves the node; only the chain's tip goes on chain
// (x/permission RevealChain), and each reveal is the next preimage.
package revealchain

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
)

const (
	// FileName is the secrets file, in the home's config directory beside
	// priv_validator_key.json, readable by the node's user only.
	FileName = "reveal_chain_secret.json"
	// DefaultLength is a new chain's length: about 12 days of 1 s blocks,
	// built from the secret in a fraction of a second.
	DefaultLength = 1 << 20
	// checkpointEvery is the spacing of the values kept in memory, so a reveal
	// costs at most this many hashes to compute.
	checkpointEvery = 1 << 10
	// keepChains is how many chains the file holds: the one on chain and the
	// next one, made before it is committed.
	keepChains = 2
)

// Path is the secrets file of the node home.
func Path(home string) string { return filepath.Join(home, "config", FileName) }

// Chain is one hash chain: tip = sha256^length(secret).
type Chain struct {
	secret      []byte
	length      uint64
	tip         []byte
	checkpoints [][]byte // checkpoints[j] = sha256^(j·checkpointEvery)(secret)
}

// Tip is the chain's commitment.
func (c *Chain) Tip() []byte { return bytes.Clone(c.tip) }

// Length is how many values the chain reveals.
func (c *Chain) Length() uint64 { return c.length }

// Value is the i-th reveal (i = 0 for the first vote height): the preimage of
// the (i−1)-th, sha256^(length−1−i)(secret). ok is false past the chain's end.
func (c *Chain) Value(i uint64) (value []byte, ok bool) {
	if i >= c.length {
		return nil, false
	}
	depth := c.length - 1 - i
	cp := depth / checkpointEvery
	return permissiontypes.HashChainIterate(c.checkpoints[cp], depth-cp*checkpointEvery), true
}

func newChain(secret []byte, length uint64) (*Chain, error) {
	if err := permissiontypes.ValidateCommitment(make([]byte, permissiontypes.RevealSize), length); err != nil {
		return nil, err
	}
	if len(secret) != permissiontypes.RevealSize {
		return nil, fmt.Errorf("secret of %d bytes, want %d", len(secret), permissiontypes.RevealSize)
	}
	c := &Chain{secret: bytes.Clone(secret), length: length}
	v := bytes.Clone(secret)
	for d := uint64(0); d < length; d++ {
		if d%checkpointEvery == 0 {
			c.checkpoints = append(c.checkpoints, v)
		}
		v = permissiontypes.HashChainStep(v)
	}
	c.tip = v
	return c, nil
}

// Store is the secrets file of one node home, newest chain last.
type Store struct {
	path   string
	Chains []*Chain
}

type fileChain struct {
	Secret string `json:"secret"`
	Length uint64 `json:"length"`
	Tip    string `json:"tip"` // for the operator's eyes; recomputed on load
}

type fileFormat struct {
	Chains []fileChain `json:"chains"`
}

// Load reads the home's secrets file; fs.ErrNotExist when there is none.
func Load(home string) (*Store, error) {
	path := Path(home)
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f fileFormat
	if err := json.Unmarshal(bz, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &Store{path: path}
	for i, fc := range f.Chains {
		secret, err := hex.DecodeString(fc.Secret)
		if err != nil {
			return nil, fmt.Errorf("%s: chain %d: %w", path, i, err)
		}
		c, err := newChain(secret, fc.Length)
		if err != nil {
			return nil, fmt.Errorf("%s: chain %d: %w", path, i, err)
		}
		s.Chains = append(s.Chains, c)
	}
	if len(s.Chains) == 0 {
		return nil, fmt.Errorf("%s holds no chain", path)
	}
	return s, nil
}

// LoadOrCreate reads the home's secrets file, or creates one holding a new
// chain of length values.
func LoadOrCreate(home string, length uint64) (*Store, error) {
	s, err := Load(home)
	if !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	s = &Store{path: Path(home)}
	if _, err := s.Add(length); err != nil {
		return nil, err
	}
	return s, nil
}

// Add makes a chain from a fresh random secret and saves the file (0600),
// dropping the oldest chain beyond the two kept.
func (s *Store) Add(length uint64) (*Chain, error) {
	secret := make([]byte, permissiontypes.RevealSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	c, err := newChain(secret, length)
	if err != nil {
		return nil, err
	}
	chains := append(s.Chains, c)
	if len(chains) > keepChains {
		chains = chains[len(chains)-keepChains:]
	}
	var f fileFormat
	for _, c := range chains {
		f.Chains = append(f.Chains, fileChain{Secret: hex.EncodeToString(c.secret), Length: c.length, Tip: hex.EncodeToString(c.tip)})
	}
	bz, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteBytes(s.path, 0o600, bz); err != nil {
		return nil, err
	}
	s.Chains = chains
	return c, nil
}

// Newest is the chain made last.
func (s *Store) Newest() *Chain { return s.Chains[len(s.Chains)-1] }

// Find returns the chain with the given tip, or nil.
func (s *Store) Find(tip []byte) *Chain {
	for _, c := range s.Chains {
		if bytes.Equal(c.tip, tip) {
			return c
		}
	}
	return nil
}

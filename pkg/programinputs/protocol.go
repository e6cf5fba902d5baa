// Package programinputs is the protocol by which a requester serves the
// per-item inputs of a wasm job with an input root, and a worker fetches and
// checks them. One package for both sides, so they cannot drift apart:
//
//	GET {inputs_url}/{item_index}
//	→ 200, Content-Type application/octet-stream, body = item's input bytes,
//	  header Nightshift-Input-Proof: the item's Merkle path against the job's
//	  input root (merkle.Tree.Proof of the input tree: sibling hashes, leaf
//	  level first, lowercase hex, comma-separated; empty for a one-item job),
//	  header Nightshift-Input-Root: the root the server's dataset has (hex),
//	  so a worker told of a mismatch can say whose it is;
//	→ 404 for an index the server does not have.
//
// item_index is decimal without leading zeros. A worker fetches only the
// items of the task it leased (one request each, a few in parallel) and
// checks each input against the root on chain with its path before
// computing: a 1M-item dataset costs a worker its task's items plus about 20
// hashes of path per item, never the whole dataset. The paths also let the
// worker build the multi-proof of the sampled items' inputs its proof carries
// (merkle.MultiProofFromPaths), without the rest of the tree.
package programinputs

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Header names of an input response.
const (
	ProofHeader = "Nightshift-Input-Proof"
	RootHeader  = "Nightshift-Input-Root"
)

// ItemURL is the URL of item index's input under base (a job's inputs_url;
// a trailing slash is allowed).
func ItemURL(base string, index uint64) string {
	return strings.TrimRight(base, "/") + "/" + strconv.FormatUint(index, 10)
}

// EncodePath is a path's header value.
func EncodePath(path [][32]byte) string {
	parts := make([]string, len(path))
	for i, n := range path {
		parts[i] = hex.EncodeToString(n[:])
	}
	return strings.Join(parts, ",")
}

// DecodePath parses a header value written by EncodePath; at most maxNodes
// nodes are accepted (a path is at most merkle.MaxProofLength long).
func DecodePath(s string, maxNodes int) ([][32]byte, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxNodes {
		return nil, fmt.Errorf("%d path nodes, at most %d", len(parts), maxNodes)
	}
	path := make([][32]byte, len(parts))
	for i, p := range parts {
		b, err := hex.DecodeString(strings.TrimSpace(p))
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("path node %d is not 64 hex digits", i)
		}
		path[i] = [32]byte(b)
	}
	return path, nil
}

// FileName is item's file in an inputs directory: the decimal index
// zero-padded to eight digits, so a listing sorts in item order (the
// convention of tiles.WriteInputs and `requester post-program --inputs DIR`).
func FileName(item uint64) string { return fmt.Sprintf("%08d.bin", item) }

package programinputs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

func dataset(n int) [][]byte {
	inputs := make([][]byte, n)
	for i := range inputs {
		inputs[i] = []byte(fmt.Sprintf("input %d of %d", i, n))
	}
	return inputs
}

func serve(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/inputs/"
}

// TestFetchChecksEachInputAgainstTheRoot: every item comes with a path that
// leads to the root the job commits to, whatever the dataset's size.
func TestFetchChecksEachInputAgainstTheRoot(t *testing.T) {
	for _, n := range []int{1, 2, 5, 64} {
		inputs := dataset(n)
		srv, err := NewServer(inputs)
		require.NoError(t, err)
		root, err := merkle.InputRoot(inputs)
		require.NoError(t, err)
		require.Equal(t, root, srv.Root())
		c := &Client{MaxBytes: 1024}
		d := Dataset{URL: serve(t, srv), Items: uint64(n), Root: root}
		got, err := c.FetchRange(context.Background(), d, 0, uint64(n))
		require.NoError(t, err)
		for i, in := range got {
			require.Equal(t, inputs[i], in.Bytes)
		}
	}
}

// TestFetchRefusesAnotherDataset: a server whose data is not the job's (one
// byte changed, or served under the wrong index) is a mismatch, not retried.
func TestFetchRefusesAnotherDataset(t *testing.T) {
	inputs := dataset(8)
	root, err := merkle.InputRoot(inputs)
	require.NoError(t, err)
	tampered := dataset(8)
	tampered[3] = []byte("input 3 of 9")
	srv, err := NewServer(tampered)
	require.NoError(t, err)
	var hits atomic.Int32
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); srv.ServeHTTP(w, r) }))
	c := &Client{MaxBytes: 1024}
	d := Dataset{URL: url, Items: 8, Root: root}
	_, err = c.Fetch(context.Background(), d, 3)
	require.ErrorIs(t, err, ErrMismatch)
	require.Equal(t, int32(1), hits.Load(), "a mismatch is final")
	// The other items' paths run through the tampered leaf's subtree: none of them verifies either.
	_, err = c.Fetch(context.Background(), d, 2)
	require.ErrorIs(t, err, ErrMismatch)
	// The right dataset under a different leaf count is refused too.
	_, err = c.Fetch(context.Background(), Dataset{URL: url, Items: 9, Root: srv.Root()}, 0)
	require.ErrorIs(t, err, ErrMismatch)
}

func TestFetchNotServedTooLargeAndRetries(t *testing.T) {
	inputs := dataset(4)
	srv, err := NewServer(inputs)
	require.NoError(t, err)
	d := Dataset{Items: 4, Root: srv.Root()}
	var calls atomic.Int32
	d.URL = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	c := &Client{MaxBytes: 1024, Backoff: time.Millisecond}
	in, err := c.Fetch(context.Background(), d, 1)
	require.NoError(t, err, "two 503s, then the input")
	require.Equal(t, inputs[1], in.Bytes)
	require.Equal(t, int32(3), calls.Load())

	_, err = c.Fetch(context.Background(), d, 4)
	require.ErrorIs(t, err, ErrNotServed)
	_, err = (&Client{MaxBytes: 5}).Fetch(context.Background(), d, 0)
	require.ErrorIs(t, err, ErrTooLarge)

	down := Dataset{URL: "http://127.0.0.1:1/inputs", Items: 4, Root: srv.Root()}
	_, err = (&Client{MaxBytes: 1024, Attempts: 2, Backoff: time.Millisecond}).Fetch(context.Background(), down, 0)
	require.ErrorIs(t, err, ErrUnavailable)
}

func TestServerRefusesOtherPathsAndMethods(t *testing.T) {
	srv, err := NewServer(dataset(3))
	require.NoError(t, err)
	for _, path := range []string{"/inputs/3", "/inputs/01", "/inputs/x", "/inputs/", "/inputs/-1"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusNotFound, rec.Code, path)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/inputs/0", nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/inputs/2", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "application/octet-stream", rec.Header().Get("Content-Type"))
	require.Equal(t, "input 2 of 3", rec.Body.String())
}

// TestDirServer serves tiles.WriteInputs' directory and refuses a gap or a
// file changed after it started.
func TestDirServer(t *testing.T) {
	require.Equal(t, tiles.InputName(12), FileName(12), "one naming for the inputs directory")
	inputs := dataset(5)
	dir := filepath.Join(t.TempDir(), "in")
	require.NoError(t, tiles.WriteInputs(dir, inputs))
	srv, err := NewDirServer(dir)
	require.NoError(t, err)
	root, err := merkle.InputRoot(inputs)
	require.NoError(t, err)
	require.Equal(t, root, srv.Root())
	d := Dataset{URL: serve(t, srv), Items: 5, Root: root}
	got, err := (&Client{MaxBytes: 64}).FetchRange(context.Background(), d, 1, 3)
	require.NoError(t, err)
	require.Equal(t, inputs[3], got[2].Bytes)

	require.NoError(t, os.WriteFile(filepath.Join(dir, FileName(4)), []byte("changed"), 0o644))
	_, err = (&Client{MaxBytes: 64, Attempts: 1}).Fetch(context.Background(), d, 4)
	require.ErrorIs(t, err, ErrUnavailable, "a changed file is a 500, not a mismatching input")

	require.NoError(t, os.Remove(filepath.Join(dir, FileName(2))))
	_, err = NewDirServer(dir)
	require.ErrorContains(t, err, "no gap")
}

func TestPathEncoding(t *testing.T) {
	path := [][32]byte{{1}, {2, 3}}
	got, err := DecodePath(EncodePath(path), 64)
	require.NoError(t, err)
	require.Equal(t, path, got)
	_, err = DecodePath(EncodePath(path), 1)
	require.Error(t, err)
	_, err = DecodePath("zz", 64)
	require.Error(t, err)
	require.Equal(t, "http://h/in/7", ItemURL("http://h/in/", 7))
	require.Equal(t, "http://h/in/7", ItemURL("http://h/in", 7))
}

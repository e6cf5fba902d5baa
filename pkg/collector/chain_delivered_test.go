package collector

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cosmossdk.io/math"
	abci "github.com/cometbft/cometbft/abci/types"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// fakeDelivered is a DeliveredSource returning every event added so far on
// each call, as a source that re-reads old blocks would.
type fakeDelivered struct {
	mu     sync.Mutex
	events []types.EventOutputsDelivered
	calls  int
}

func (f *fakeDelivered) OutputsDelivered(_ context.Context, jobID uint64) ([]types.EventOutputsDelivered, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	var out []types.EventOutputsDelivered
	for _, e := range f.events {
		if e.JobId == jobID {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeDelivered) add(e types.EventOutputsDelivered) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, e)
}

// deliveryOf is the event the chain emits when the device of task index
// delivers items (by item index) of all.
func deliveryOf(f *fakeChain, all [][]byte, index uint64, items ...uint64) types.EventOutputsDelivered {
	f.mu.Lock()
	task := f.tasks[index]
	f.mu.Unlock()
	ev := types.EventOutputsDelivered{JobId: task.JobId, TaskIndex: index, Device: task.Device, Fee: math.NewInt(10), Root: hex.EncodeToString(task.Root)}
	for _, it := range items {
		ev.Items = append(ev.Items, types.ChallengeItem{Index: it, Output: all[it]})
	}
	return ev
}

// A task whose device never uploaded is completed from two deliveries on
// chain; the render is the full image and the task is stored like an upload.
func TestDeliveredOutputsCompleteTheResults(t *testing.T) {
	spec := `{"width":24,"height":10,"center_re":"-0.75","center_im":"0.1","scale":"2.5","max_iter":60}`
	f := newFakeChain(3, "mandelbrot", spec, 10, 3) // tasks of 3, 3, 3, 1 rows
	rows := computeAll(t, f)
	src := &fakeDelivered{}
	dir := t.TempDir()
	c, err := New(Config{JobID: 3, OutDir: dir, Query: f, Delivered: src, PollInterval: 5 * time.Millisecond})
	require.NoError(t, err)
	url, done := serve(t, c)

	for i := uint64(0); i < f.job.NumTasks; i++ {
		f.claim(t, i, dev1, taskOutputs(f, rows, i))
		if i != 2 { // task 2's device withholds its upload
			require.NoError(t, Send(context.Background(), nil, url, 3, i, Upload{Device: dev1, Outputs: taskOutputs(f, rows, i)}))
		}
		f.verify(i)
	}
	// Demanded in two rounds (at most MaxDemandItems per demand).
	src.add(deliveryOf(f, rows, 2, 6, 7))
	src.add(deliveryOf(f, rows, 2, 8))
	require.NoError(t, wait(t, done))

	var want bytes.Buffer
	require.NoError(t, RenderMandelbrotPNG([]byte(spec), rows, &want))
	got, err := os.ReadFile(filepath.Join(dir, RenderFile))
	require.NoError(t, err)
	require.Equal(t, want.Bytes(), got)
	outputs, err := os.ReadFile(filepath.Join(dir, OutputsFile))
	require.NoError(t, err)
	require.Equal(t, bytes.Join(rows, nil), outputs)
	require.NoFileExists(t, filepath.Join(dir, MissingFile))

	first, root, stored, err := StoredUpload(dir, 3, 2)
	require.NoError(t, err)
	require.Equal(t, uint64(6), first)
	require.Equal(t, f.tasks[2].Root, root[:])
	require.Equal(t, rows[6:9], stored)
}

// Deliveries that do not belong to the task's verified claim are ignored:
// another job's, a replaced claim's root, a task not verified, items outside
// the task, and a complete set whose outputs do not hash to the root (a lying
// node). None of them is stored or assembled.
func TestDeliveredOutputsRefused(t *testing.T) {
	f := hashcashChain() // job 7: tasks of 4, 4, 2 items
	all := computeAll(t, f)
	for i := uint64(0); i < 3; i++ {
		f.claim(t, i, dev1, taskOutputs(f, all, i))
	}
	f.verify(0)
	f.verify(1) // task 2 stays claimed
	src := &fakeDelivered{}
	c, err := New(Config{JobID: 7, OutDir: t.TempDir(), Query: f, Delivered: src})
	require.NoError(t, err)

	otherJob := deliveryOf(f, all, 0, 0, 1, 2, 3)
	otherJob.JobId = 8
	staleRoot := deliveryOf(f, all, 0, 0, 1, 2, 3)
	staleRoot.Root = hex.EncodeToString(bytes.Repeat([]byte{7}, 32))
	badHex := deliveryOf(f, all, 0, 0, 1, 2, 3)
	badHex.Root = "zz"
	unverified := deliveryOf(f, all, 2, 8, 9)
	outside := deliveryOf(f, all, 1, 4, 5, 6)
	outside.Items = append(outside.Items, types.ChallengeItem{Index: 8, Output: all[8]})
	forged := deliveryOf(f, all, 1, 4, 5, 6, 7)
	forged.Items[2].Output = bytes.Repeat([]byte{0xff}, len(all[6]))
	for _, ev := range []types.EventOutputsDelivered{otherJob, staleRoot, badHex, unverified, outside, forged} {
		require.NoError(t, c.noteDelivered(context.Background(), ev))
	}
	require.Empty(t, c.collected())
	// The forged set had the verified root, so it was merged, failed the full
	// root check and was dropped whole: none of its outputs reaches the results.
	require.Empty(t, c.deliveredItems(c.collected()))
	_, _, _, err = StoredUpload(c.cfg.OutDir, 7, 1)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// Items of a task delivered only in part are assembled in their places; the
// task is still listed as missing.
func TestDeliveredPartialItemsAssembled(t *testing.T) {
	f := hashcashChain() // job 7: tasks of 4, 4, 2 items
	all := computeAll(t, f)
	src := &fakeDelivered{}
	dir := t.TempDir()
	c, err := New(Config{JobID: 7, OutDir: dir, Query: f, Delivered: src, PollInterval: 5 * time.Millisecond, UploadGrace: 50 * time.Millisecond})
	require.NoError(t, err)
	url, done := serve(t, c)
	for i := uint64(0); i < 3; i++ {
		f.claim(t, i, dev1, taskOutputs(f, all, i))
		if i != 1 {
			require.NoError(t, Send(context.Background(), nil, url, 7, i, Upload{Device: dev1, Outputs: taskOutputs(f, all, i)}))
		}
		f.verify(i)
	}
	src.add(deliveryOf(f, all, 1, 5, 7))
	err = wait(t, done)
	require.ErrorContains(t, err, "tasks 1 (1 of 3) have no verified outputs")

	var nonces map[string]string
	bz, err := os.ReadFile(filepath.Join(dir, NoncesFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, &nonces))
	want := map[string]string{}
	for _, i := range []int{0, 1, 2, 3, 5, 7, 8, 9} {
		want[strconv.Itoa(i)] = hex.EncodeToString(all[i])
	}
	require.Equal(t, want, nonces)
}

// fakeRPC answers tx_search from a list of transactions, honouring the height
// bound in the query and paging.
type fakeRPC struct {
	txs     []*coretypes.ResultTx
	queries []string
}

func (f *fakeRPC) TxSearch(_ context.Context, query string, _ bool, page, perPage *int, _ string) (*coretypes.ResultTxSearch, error) {
	f.queries = append(f.queries, query)
	var after int64
	if _, err := fmt.Sscanf(query[strings.Index(query, "tx.height >"):], "tx.height > %d", &after); err != nil {
		return nil, err
	}
	var match []*coretypes.ResultTx
	for _, tx := range f.txs {
		if tx.Height > after {
			match = append(match, tx)
		}
	}
	lo := min((*page-1)**perPage, len(match))
	hi := min(lo+*perPage, len(match))
	return &coretypes.ResultTxSearch{Txs: match[lo:hi], TotalCount: len(match)}, nil
}

func deliveredTx(t *testing.T, height int64, code uint32, evs ...types.EventOutputsDelivered) *coretypes.ResultTx {
	tx := &coretypes.ResultTx{Height: height, TxResult: abci.ExecTxResult{Code: code}}
	tx.TxResult.Events = append(tx.TxResult.Events, abci.Event{Type: "message", Attributes: []abci.EventAttribute{{Key: "action", Value: "x"}}})
	for _, ev := range evs {
		e, err := sdk.TypedEventToEvent(&ev)
		require.NoError(t, err)
		// The SDK appends msg_index to every event of a transaction.
		e.Attributes = append(e.Attributes, abci.EventAttribute{Key: "msg_index", Value: "0"})
		tx.TxResult.Events = append(tx.TxResult.Events, abci.Event(e))
	}
	return tx
}

func TestCometDeliveredReadsEvents(t *testing.T) {
	ev := func(job, task uint64) types.EventOutputsDelivered {
		return types.EventOutputsDelivered{JobId: job, TaskIndex: task, Device: dev1, Fee: math.NewInt(5), Root: "ab",
			Items: []types.ChallengeItem{{Index: task, Output: []byte{byte(task), 1}}}}
	}
	rpc := &fakeRPC{}
	for h := int64(1); h <= 150; h++ {
		rpc.txs = append(rpc.txs, deliveredTx(t, h, 0, ev(7, uint64(h)), ev(8, uint64(h))))
	}
	rpc.txs = append(rpc.txs, deliveredTx(t, 151, 5, ev(7, 999))) // failed: not state
	d := NewCometDelivered(rpc)

	got, err := d.OutputsDelivered(context.Background(), 7)
	require.NoError(t, err)
	require.Len(t, got, 150, "two pages, job 8 and the failed tx left out")
	for i, e := range got {
		require.Equal(t, uint64(7), e.JobId)
		require.Equal(t, uint64(i+1), e.TaskIndex)
		require.Equal(t, []byte{byte(i + 1), 1}, e.Items[0].Output)
		require.Equal(t, math.NewInt(5), e.Fee)
	}
	require.Len(t, rpc.queries, 2)
	require.Equal(t, "nightshift.compute.v1.EventOutputsDelivered.job_id EXISTS AND tx.height > 0", rpc.queries[0])

	rpc.txs = append(rpc.txs, deliveredTx(t, 152, 0, ev(7, 1000)))
	got, err = d.OutputsDelivered(context.Background(), 7)
	require.NoError(t, err)
	require.Len(t, got, 1, "only blocks after the last one read")
	require.Equal(t, uint64(1000), got[0].TaskIndex)
	require.Contains(t, rpc.queries[2], "tx.height > 151")
}

// errRPC fails every search.
type errRPC struct{}

func (errRPC) TxSearch(context.Context, string, bool, *int, *int, string) (*coretypes.ResultTxSearch, error) {
	return nil, errors.New("node down")
}

func TestCometDeliveredErrorKeepsHeight(t *testing.T) {
	d := NewCometDelivered(errRPC{})
	d.after = 40
	_, err := d.OutputsDelivered(context.Background(), 7)
	require.ErrorContains(t, err, "node down")
	require.Equal(t, int64(40), d.after)
}

package collector

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	dev1 = "night1devoneaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	dev2 = "night1devtwoaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

// fakeChain is a Querier over a job and its task records that a test edits.
type fakeChain struct {
	mu    sync.Mutex
	job   types.Job
	tasks map[uint64]types.Task
}

func (f *fakeChain) Job(_ context.Context, in *types.QueryJobRequest, _ ...grpc.CallOption) (*types.QueryJobResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.JobId != f.job.Id {
		return nil, status.Errorf(codes.NotFound, "job %d not found", in.JobId)
	}
	return &types.QueryJobResponse{Job: f.job}, nil
}

func (f *fakeChain) Task(_ context.Context, in *types.QueryTaskRequest, _ ...grpc.CallOption) (*types.QueryTaskResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tasks[in.TaskIndex]
	if in.JobId != f.job.Id || !ok {
		return nil, status.Errorf(codes.NotFound, "task %d/%d was never leased", in.JobId, in.TaskIndex)
	}
	return &types.QueryTaskResponse{Task: t}, nil
}

// claim records task index as claimed by device with the root of outputs.
func (f *fakeChain) claim(t *testing.T, index uint64, device string, outputs [][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	first, count := f.job.TaskRange(index)
	require.Len(t, outputs, int(count))
	root, err := merkle.TaskRoot(f.job.Id, first, outputs)
	require.NoError(t, err)
	f.tasks[index] = types.Task{
		JobId: f.job.Id, Index: index, Device: device, Status: types.TASK_STATUS_CLAIMED,
		FirstItem: first, ItemCount: count, Root: root[:],
	}
}

// verify marks a claimed task verified, completing the job with its last task.
func (f *fakeChain) verify(index uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.tasks[index]
	t.Status = types.TASK_STATUS_VERIFIED
	f.tasks[index] = t
	f.job.TasksVerified++
	if f.job.TasksVerified == f.job.NumTasks {
		f.job.Status = types.JOB_STATUS_COMPLETED
	}
}

func (f *fakeChain) setStatus(s types.JobStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.job.Status = s
}

func newFakeChain(id uint64, kind, spec string, items, perTask uint64) *fakeChain {
	return &fakeChain{
		job: types.Job{
			Id: id, Requester: "night1requester", Kind: kind, Spec: spec, Items: items, ItemsPerTask: perTask,
			PricePerItem: math.NewInt(1000), Escrow: math.NewInt(int64(1000 * items)), Status: types.JOB_STATUS_OPEN,
			NumTasks: (items + perTask - 1) / perTask, ResultUrl: "http://collector.example",
		},
		tasks: make(map[uint64]types.Task),
	}
}

// computeAll returns the correct output of every item of the chain's job.
func computeAll(t *testing.T, f *fakeChain) [][]byte {
	spec, err := kinds.DefaultRegistry().Parse(f.job.Kind, []byte(f.job.Spec), f.job.Items)
	require.NoError(t, err)
	out := make([][]byte, f.job.Items)
	for i := range out {
		out[i], _, err = spec.ComputeOutput(kinds.Item{JobID: f.job.Id, Index: uint64(i)})
		require.NoError(t, err)
	}
	return out
}

// taskOutputs slices the outputs of task index out of all.
func taskOutputs(f *fakeChain, all [][]byte, index uint64) [][]byte {
	first, count := f.job.TaskRange(index)
	return all[first : first+count]
}

func newCollector(t *testing.T, f *fakeChain, dir string) (*Collector, string) {
	c, err := New(Config{JobID: f.job.Id, OutDir: dir, Query: f, PollInterval: 5 * time.Millisecond})
	require.NoError(t, err)
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	return c, srv.URL
}

// post sends an upload and returns the status code and body.
func post(t *testing.T, url string, jobID, task uint64, up Upload) (int, string) {
	bz, err := json.Marshal(up)
	require.NoError(t, err)
	resp, err := http.Post(uploadURL(url, jobID, task), "application/json", bytes.NewReader(bz))
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	return resp.StatusCode, body.String()
}

func hashcashChain() *fakeChain {
	return newFakeChain(7, "hashcash", `{"difficulty_bits":4}`, 10, 4) // tasks of 4, 4, 2 items
}

func TestUploadAccepted(t *testing.T) {
	f := hashcashChain()
	all := computeAll(t, f)
	dir := t.TempDir()
	c, url := newCollector(t, f, dir)
	f.claim(t, 1, dev1, taskOutputs(f, all, 1))

	require.NoError(t, Send(context.Background(), nil, url+"/", 7, 1, Upload{Device: dev1, Outputs: taskOutputs(f, all, 1)}))

	stored, err := readTask(taskPath(dir, 1))
	require.NoError(t, err)
	require.Equal(t, taskOutputs(f, all, 1), stored.Outputs)
	require.Equal(t, uint64(4), stored.FirstItem)
	require.Equal(t, f.tasks[1].Root, stored.Root[:])
	// Claimed but not yet verified: kept, not yet counted.
	require.Empty(t, c.collected())

	// Sending again after verification is accepted and counts.
	f.verify(1)
	require.NoError(t, Send(context.Background(), nil, url, 7, 1, Upload{Device: dev1, Outputs: taskOutputs(f, all, 1)}))
	require.Equal(t, map[uint64]bool{1: true}, c.collected())

	// A restarted collector finds the upload on disk.
	again, err := New(Config{JobID: 7, OutDir: dir, Query: f})
	require.NoError(t, err)
	require.Equal(t, map[uint64][32]byte{1: stored.Root}, again.stored)
	// but refuses a directory holding another job's uploads.
	_, err = New(Config{JobID: 8, OutDir: dir, Query: f})
	require.ErrorContains(t, err, "another output directory")
}

func TestUploadRefused(t *testing.T) {
	f := hashcashChain()
	all := computeAll(t, f)
	dir := t.TempDir()
	_, url := newCollector(t, f, dir)
	good := taskOutputs(f, all, 0)
	wrong := [][]byte{good[0], good[1], good[2], {0, 0, 0, 0, 0, 0, 0, 0}}

	f.mu.Lock()
	f.tasks[2] = types.Task{JobId: 7, Index: 2, Device: dev1, Status: types.TASK_STATUS_LEASED, FirstItem: 8, ItemCount: 2}
	f.mu.Unlock()
	f.claim(t, 0, dev1, good)

	for _, tc := range []struct {
		name      string
		job, task uint64
		up        Upload
		code      int
		reason    string
		sentinel  error
	}{
		{"wrong root", 7, 0, Upload{Device: dev1, Outputs: wrong}, http.StatusUnprocessableEntity, "outputs do not match the claimed root", ErrRejected},
		{"wrong device", 7, 0, Upload{Device: dev2, Outputs: good}, http.StatusForbidden, "is held by " + dev1, ErrRejected},
		{"too few outputs", 7, 0, Upload{Device: dev1, Outputs: good[:3]}, http.StatusBadRequest, "has 4 items, the upload has 3 outputs", ErrRejected},
		{"never leased", 7, 1, Upload{Device: dev1, Outputs: taskOutputs(f, all, 1)}, http.StatusConflict, "claim not on chain yet", ErrRetryLater},
		{"leased, not claimed", 7, 2, Upload{Device: dev1, Outputs: taskOutputs(f, all, 2)}, http.StatusConflict, "claim not on chain yet", ErrRetryLater},
		{"another job", 8, 0, Upload{Device: dev1, Outputs: good}, http.StatusNotFound, "collects job 7", ErrRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(t, url, tc.job, tc.task, tc.up)
			require.Equal(t, tc.code, code, body)
			require.Contains(t, body, tc.reason)

			err := Send(context.Background(), nil, url, tc.job, tc.task, tc.up)
			require.ErrorIs(t, err, tc.sentinel)
			require.ErrorContains(t, err, tc.reason)
		})
	}
	_, err := os.Stat(taskPath(dir, 0))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing refused is stored")

	code, body := postRaw(t, url, 7, 0, `{"device":`)
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Contains(t, body, "malformed upload")
}

func postRaw(t *testing.T, url string, jobID, task uint64, body string) (int, string) {
	resp, err := http.Post(uploadURL(url, jobID, task), "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func TestSendStatusMapping(t *testing.T) {
	code := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/base/v1/jobs/3/tasks/4", r.URL.Path)
		var up Upload
		require.NoError(t, json.NewDecoder(r.Body).Decode(&up))
		require.Equal(t, Upload{Device: dev1, Outputs: [][]byte{{1, 2}, {}}}, up)
		http.Error(w, "because", code)
	}))
	up := Upload{Device: dev1, Outputs: [][]byte{{1, 2}, {}}}
	for _, tc := range []struct {
		code int
		want error
	}{
		{http.StatusOK, nil},
		{http.StatusBadRequest, ErrRejected},
		{http.StatusForbidden, ErrRejected},
		{http.StatusUnprocessableEntity, ErrRejected},
		{http.StatusConflict, ErrRetryLater},
		{http.StatusTooManyRequests, ErrRetryLater},
		{http.StatusInternalServerError, ErrRetryLater},
		{http.StatusServiceUnavailable, ErrRetryLater},
	} {
		code = tc.code
		err := Send(context.Background(), srv.Client(), srv.URL+"/base/", 3, 4, up)
		if tc.want == nil {
			require.NoError(t, err)
			continue
		}
		require.ErrorIs(t, err, tc.want, "status %d", tc.code)
		require.ErrorContains(t, err, "because")
	}
	srv.Close()
	require.ErrorIs(t, Send(context.Background(), nil, srv.URL, 3, 4, up), ErrRetryLater, "unreachable endpoint")
}

// serve runs c.Serve on a fresh port and returns its address and result.
func serve(t *testing.T, c *Collector) (string, <-chan error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- c.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), done
}

func wait(t *testing.T, done <-chan error) error {
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("collector did not finish")
		return nil
	}
}

func TestAssembleMandelbrot(t *testing.T) {
	spec := `{"width":24,"height":10,"center_re":"-0.75","center_im":"0.1","scale":"2.5","max_iter":60}`
	f := newFakeChain(3, "mandelbrot", spec, 10, 3) // tasks of 3, 3, 3, 1 rows
	rows := computeAll(t, f)
	dir := t.TempDir()
	c, err := New(Config{JobID: 3, OutDir: dir, Query: f, PollInterval: 5 * time.Millisecond})
	require.NoError(t, err)
	url, done := serve(t, c)

	for i := uint64(0); i < f.job.NumTasks; i++ {
		f.claim(t, i, dev1, taskOutputs(f, rows, i))
		require.NoError(t, Send(context.Background(), nil, url, 3, i, Upload{Device: dev1, Outputs: taskOutputs(f, rows, i)}))
		f.verify(i)
	}
	require.NoError(t, wait(t, done))

	var want bytes.Buffer
	require.NoError(t, RenderMandelbrotPNG([]byte(spec), rows, &want))
	got, err := os.ReadFile(filepath.Join(dir, RenderFile))
	require.NoError(t, err)
	require.Equal(t, want.Bytes(), got, "render.png is the local rendering of the rows")

	outputs, err := os.ReadFile(filepath.Join(dir, OutputsFile))
	require.NoError(t, err)
	require.Equal(t, bytes.Join(rows, nil), outputs)

	var job map[string]any
	bz, err := os.ReadFile(filepath.Join(dir, JobFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, &job))
	require.Equal(t, "3", job["id"])
	require.Equal(t, "JOB_STATUS_COMPLETED", job["status"])
	require.NoFileExists(t, filepath.Join(dir, MissingFile))
}

func TestStaleUploadReplaced(t *testing.T) {
	f := hashcashChain()
	all := computeAll(t, f)
	dir := t.TempDir()
	c, url := newCollector(t, f, dir)

	// dev1 claims task 0 with a faked last output; its upload matches its claim.
	good := taskOutputs(f, all, 0)
	fake := [][]byte{good[0], good[1], good[2], {9, 9, 9, 9, 9, 9, 9, 9}}
	f.claim(t, 0, dev1, fake)
	require.NoError(t, Send(context.Background(), nil, url, 7, 0, Upload{Device: dev1, Outputs: fake}))
	fakeRoot := c.stored[0]

	// The proof fails; dev2 re-leases the task and is verified with the true root.
	f.claim(t, 0, dev2, good)
	f.verify(0)
	_, err := c.poll(context.Background())
	require.NoError(t, err)
	require.Empty(t, c.collected(), "the stored upload is stale")

	// dev1 cannot upload again; dev2's upload replaces the stale one.
	require.ErrorIs(t, Send(context.Background(), nil, url, 7, 0, Upload{Device: dev1, Outputs: fake}), ErrRejected)
	require.NoError(t, Send(context.Background(), nil, url, 7, 0, Upload{Device: dev2, Outputs: good}))
	require.Equal(t, map[uint64]bool{0: true}, c.collected())
	stored, err := readTask(taskPath(dir, 0))
	require.NoError(t, err)
	require.Equal(t, good, stored.Outputs)
	require.NotEqual(t, fakeRoot, stored.Root)

	// A late upload matching the superseded claim cannot overwrite it.
	err = c.store(types.Task{JobId: 7, Index: 0, FirstItem: 0, ItemCount: 4, Status: types.TASK_STATUS_CLAIMED}, fakeRoot, fake)
	require.ErrorContains(t, err, "do not match the verified root")
	stored, err = readTask(taskPath(dir, 0))
	require.NoError(t, err)
	require.Equal(t, good, stored.Outputs)
}

func TestCancelledJobAssemblesWhatWasVerified(t *testing.T) {
	f := hashcashChain()
	all := computeAll(t, f)
	dir := t.TempDir()
	c, err := New(Config{JobID: 7, OutDir: dir, Query: f, PollInterval: 5 * time.Millisecond})
	require.NoError(t, err)
	url, done := serve(t, c)

	// Task 0 is verified and uploaded, task 1 claimed and uploaded but never
	// verified, task 2 never leased; then the job is cancelled.
	for i := uint64(0); i < 2; i++ {
		f.claim(t, i, dev1, taskOutputs(f, all, i))
		require.NoError(t, Send(context.Background(), nil, url, 7, i, Upload{Device: dev1, Outputs: taskOutputs(f, all, i)}))
	}
	f.verify(0)
	f.mu.Lock()
	f.job.LiveTasks = 0
	f.mu.Unlock()
	f.setStatus(types.JOB_STATUS_CANCELLED)

	err = wait(t, done)
	require.ErrorContains(t, err, "tasks 1-2 (2 of 3) have no verified outputs")

	var nonces map[string]string
	bz, err := os.ReadFile(filepath.Join(dir, NoncesFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, &nonces))
	require.Len(t, nonces, 4)
	for i := 0; i < 4; i++ {
		require.Equal(t, hex.EncodeToString(all[i]), nonces[strconv.Itoa(i)])
	}
	outputs, err := os.ReadFile(filepath.Join(dir, OutputsFile))
	require.NoError(t, err)
	require.Equal(t, bytes.Join(all[:4], nil), outputs)

	var missing []missingRange
	bz, err = os.ReadFile(filepath.Join(dir, MissingFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, &missing))
	require.Equal(t, []missingRange{{Task: 1, FirstItem: 4, ItemCount: 4}, {Task: 2, FirstItem: 8, ItemCount: 2}}, missing)
}

func TestPartialRenderLeavesMissingRowsTransparent(t *testing.T) {
	spec := `{"width":8,"height":4,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":20}`
	f := newFakeChain(5, "mandelbrot", spec, 4, 2)
	rows := computeAll(t, f)
	dir := t.TempDir()
	c, _ := newCollector(t, f, dir)
	f.claim(t, 1, dev1, taskOutputs(f, rows, 1))
	f.verify(1)
	root, err := merkle.TaskRoot(5, 2, taskOutputs(f, rows, 1))
	require.NoError(t, err)
	require.NoError(t, c.store(f.tasks[1], root, taskOutputs(f, rows, 1)))
	f.setStatus(types.JOB_STATUS_EXPIRED)

	err = c.assemble(f.job)
	require.ErrorContains(t, err, "tasks 0 (1 of 2)")
	bz, err := os.ReadFile(filepath.Join(dir, RenderFile))
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(bz))
	require.NoError(t, err)
	var full bytes.Buffer
	require.NoError(t, RenderMandelbrotPNG([]byte(spec), rows, &full))
	want, err := png.Decode(&full)
	require.NoError(t, err)
	for y := 0; y < 4; y++ {
		for x := 0; x < 8; x++ {
			_, _, _, a := img.At(x, y).RGBA()
			if y < 2 {
				require.Zero(t, a, "row %d was not collected", y)
				continue
			}
			r1, g1, b1, a1 := want.At(x, y).RGBA()
			r2, g2, b2, a2 := img.At(x, y).RGBA()
			require.Equal(t, [4]uint32{r1, g1, b1, a1}, [4]uint32{r2, g2, b2, a2}, "pixel %d,%d", x, y)
		}
	}
}

func TestServeStopsWithContext(t *testing.T) {
	f := hashcashChain()
	c, err := New(Config{JobID: 7, OutDir: t.TempDir(), Query: f, PollInterval: 5 * time.Millisecond})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Serve(ctx, ln) }()
	cancel()
	err = wait(t, done)
	require.True(t, errors.Is(err, context.Canceled), err)
	require.NoFileExists(t, filepath.Join(c.cfg.OutDir, JobFile))
}

func TestFormatIndices(t *testing.T) {
	require.Equal(t, "", formatIndices(nil))
	require.Equal(t, "0-3, 7, 9-10", formatIndices([]uint64{9, 0, 1, 2, 3, 7, 10}))
}

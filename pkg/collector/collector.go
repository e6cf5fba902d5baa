// Package collector is a requester's result endpoint: the server a job names in
// its result_url. Workers upload the outputs of each task they claim; the
// collector accepts an upload only if it hashes to the Merkle root the device
// claimed on chain (with the same merkle package the validators verify with),
// keeps it, and once the job is over assembles the outputs of every task whose
// claim was verified into the job's results (an image, a list of nonces, the raw
// outputs).
//
// Upload protocol, as spoken by [Send]:
//
//	POST {result_url}/v1/jobs/{job_id}/tasks/{task_index}
//	{"device":"night1…","outputs":["<base64>",…]}
//
// answered 200 when accepted, 409 when the claim is not on chain yet (retry),
// 403 when the sender does not hold the task, 400 for a malformed body or the
// wrong number of outputs, and 422 when the outputs do not match the claimed root.
//
// Outputs a device withheld can be demanded on chain (MsgDemandDelivery); with
// Config.Delivered set the collector also reads the answers the chain published
// in EventOutputsDelivered (chain_delivered.go) and keeps them like uploads.
package collector

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Files the collector writes under Config.OutDir.
const (
	// TasksDir holds one file per accepted upload.
	TasksDir = "tasks"
	// JobFile is the job as last seen on chain (JSON).
	JobFile = "job.json"
	// OutputsFile is every collected output concatenated in item order.
	OutputsFile = "outputs.bin"
	// RenderFile is the image of a mandelbrot job.
	RenderFile = "render.png"
	// NoncesFile maps item index to nonce (hex) for a hashcash job.
	NoncesFile = "nonces.json"
	// MissingFile lists the tasks without verified outputs when the results are
	// partial; it is absent when they are complete.
	MissingFile = "missing.json"
)

// Querier is the part of the chain's query service the collector reads;
// types.QueryClient satisfies it.
type Querier interface {
	Job(ctx context.Context, in *types.QueryJobRequest, opts ...grpc.CallOption) (*types.QueryJobResponse, error)
	Task(ctx context.Context, in *types.QueryTaskRequest, opts ...grpc.CallOption) (*types.QueryTaskResponse, error)
}

var _ Querier = types.QueryClient(nil)

// Config configures a Collector.
type Config struct {
	// JobID is the job whose outputs are collected; uploads for other jobs are refused.
	JobID uint64
	// OutDir receives the accepted uploads (under tasks/) and the assembled results.
	// Uploads already there from an earlier run for the same job are kept.
	OutDir string
	// Query reads jobs and tasks from the chain.
	Query Querier
	// Delivered, when set, reads outputs devices delivered on chain in answer to
	// the requester's MsgDemandDelivery (see NewCometDelivered); they are kept
	// like uploads. Nil collects uploads only.
	Delivered DeliveredSource
	// Logger receives accepted and rejected uploads and progress; nil discards.
	Logger *slog.Logger
	// PollInterval is how often the chain is polled; default one second.
	PollInterval time.Duration
	// UploadGrace bounds the wait, once the job is over, for uploads of verified
	// tasks that have not arrived; the results are then assembled without them.
	// Zero waits until the context ends.
	UploadGrace time.Duration
}

// Collector receives and checks uploads for one job and assembles its results.
type Collector struct {
	cfg Config
	log *slog.Logger

	mu sync.Mutex
	// stored is the root each stored upload matched when it was accepted.
	stored map[uint64][32]byte
	// verified is the root of each task seen VERIFIED on chain; it never changes.
	verified map[uint64][32]byte
	// delivered holds items delivered on chain for tasks not yet stored in full.
	delivered map[uint64]*delivered
	// deliveredErr is the last error reading deliveries, so it is logged once.
	deliveredErr string
}

// New returns a collector for cfg.JobID writing to cfg.OutDir; uploads stored
// there by an earlier run for the same job are picked up.
func New(cfg Config) (*Collector, error) {
	switch {
	case cfg.JobID == 0:
		return nil, errors.New("collector: no job id")
	case cfg.OutDir == "":
		return nil, errors.New("collector: no output directory")
	case cfg.Query == nil:
		return nil, errors.New("collector: no chain querier")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := os.MkdirAll(filepath.Join(cfg.OutDir, TasksDir), 0o755); err != nil {
		return nil, fmt.Errorf("collector: %w", err)
	}
	stored, err := storedRoots(cfg.OutDir, cfg.JobID)
	if err != nil {
		return nil, fmt.Errorf("collector: %w", err)
	}
	return &Collector{
		cfg:       cfg,
		log:       logger.With("job", cfg.JobID),
		stored:    stored,
		verified:  make(map[uint64][32]byte),
		delivered: make(map[uint64]*delivered),
	}, nil
}

// Handler serves the upload endpoint.
func (c *Collector) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/jobs/{job}/tasks/{task}", c.serveUpload)
	return mux
}

// Run serves the upload endpoint on listenAddr until the job's results are
// assembled; see Serve.
func (c *Collector) Run(ctx context.Context, listenAddr string) error {
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return fmt.Errorf("collector: %w", err)
	}
	return c.Serve(ctx, ln)
}

// Serve serves the upload endpoint on ln and polls the chain until the job is
// over and every verified task has an accepted upload matching its verified
// root, then stops serving and assembles the results in OutDir. It returns nil
// when the job completed and every task's outputs were assembled, and an error
// naming the missing tasks when the job was cancelled or expired first (or
// UploadGrace ran out); what was verified is assembled either way. If ctx ends
// first nothing is assembled; the accepted uploads stay for the next run.
func (c *Collector) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: c.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	c.log.Info("collecting uploads", "listen", ln.Addr().String(), "out", c.cfg.OutDir)

	job, err := c.waitForResults(ctx, served)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	if err != nil {
		return err
	}
	return c.assemble(job)
}

// waitForResults polls until the results can be assembled and returns the job
// as last seen.
func (c *Collector) waitForResults(ctx context.Context, served <-chan error) (types.Job, error) {
	ticker := time.NewTicker(c.cfg.PollInterval)
	defer ticker.Stop()
	var (
		over     time.Time // when the job was first seen over
		lastErr  string
		progress string
		nagged   time.Time
	)
	for {
		job, err := c.poll(ctx)
		switch {
		case err != nil:
			if err.Error() != lastErr {
				c.log.Warn("cannot read the job from the chain", "err", err)
				lastErr = err.Error()
			}
		default:
			lastErr = ""
			collected := c.collected()
			if p := fmt.Sprintf("%s %d/%d/%d", job.Status, job.TasksVerified, len(collected), job.NumTasks); p != progress {
				c.log.Info("progress", "status", job.Status.String(), "tasks", job.NumTasks,
					"verified", job.TasksVerified, "collected", len(collected))
				progress = p
			}
			if jobOver(job) {
				if uint64(len(collected)) == job.TasksVerified {
					return job, nil
				}
				now := time.Now()
				if over.IsZero() {
					over = now
				}
				if c.cfg.UploadGrace > 0 && now.Sub(over) >= c.cfg.UploadGrace {
					c.log.Warn("stopped waiting for uploads", "grace", c.cfg.UploadGrace.String())
					return job, nil
				}
				if now.Sub(nagged) >= 30*time.Second {
					c.log.Info("job is over; waiting for uploads of verified tasks",
						"missing", formatIndices(missingTasks(job.NumTasks, collected)))
					nagged = now
				}
			}
		}
		select {
		case <-ctx.Done():
			return types.Job{}, fmt.Errorf("collector stopped before the results were complete (uploads so far are kept in %s): %w",
				filepath.Join(c.cfg.OutDir, TasksDir), ctx.Err())
		case err := <-served:
			return types.Job{}, fmt.Errorf("collector: serving uploads: %w", err)
		case <-ticker.C:
		}
	}
}

// jobOver reports whether no task of job can still be verified.
func jobOver(job types.Job) bool {
	switch job.Status {
	case types.JOB_STATUS_COMPLETED:
		return true
	case types.JOB_STATUS_CANCELLED, types.JOB_STATUS_EXPIRED:
		return job.LiveTasks == 0 // live tasks of a closed job still finish
	default:
		return false
	}
}

// poll reads the job, and the task of every stored upload not yet known to be
// verified (a task's verified root never changes, so it is read once).
func (c *Collector) poll(ctx context.Context) (types.Job, error) {
	res, err := c.cfg.Query.Job(ctx, &types.QueryJobRequest{JobId: c.cfg.JobID})
	if err != nil {
		return types.Job{}, err
	}
	c.mu.Lock()
	var pending []uint64
	for index := range c.stored {
		if _, ok := c.verified[index]; !ok {
			pending = append(pending, index)
		}
	}
	c.mu.Unlock()
	for _, index := range pending {
		tres, err := c.cfg.Query.Task(ctx, &types.QueryTaskRequest{JobId: c.cfg.JobID, TaskIndex: index})
		if err != nil {
			if status.Code(err) == codes.NotFound {
				continue
			}
			return types.Job{}, err
		}
		c.noteTask(tres.Task)
	}
	if c.cfg.Delivered != nil {
		// A node without a tx index cannot search deliveries; uploads still
		// count, so this is reported (once per distinct error), not fatal.
		err := c.pollDelivered(ctx)
		if msg := errString(err); msg != c.deliveredErr {
			if err != nil {
				c.log.Warn("cannot read outputs delivered on chain", "err", err)
			}
			c.deliveredErr = msg
		}
	}
	return res.Job, nil
}

// noteTask records a task's root once it is verified.
func (c *Collector) noteTask(task types.Task) {
	if task.Status != types.TASK_STATUS_VERIFIED || len(task.Root) != types.RootSize {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.verified[task.Index]; ok {
		return
	}
	c.verified[task.Index] = [32]byte(task.Root)
	if stored, ok := c.stored[task.Index]; ok && stored != [32]byte(task.Root) {
		c.log.Warn("stored upload is stale: the task was verified with another root; waiting for a new upload",
			"task", task.Index, "verified_root", hex.EncodeToString(task.Root))
	}
}

// collected returns the tasks whose stored upload matches their verified root.
func (c *Collector) collected() map[uint64]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[uint64]bool, len(c.verified))
	for index, root := range c.verified {
		if stored, ok := c.stored[index]; ok && stored == root {
			out[index] = true
		}
	}
	return out
}

// httpError is an upload refusal with its status code.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func refuse(code int, format string, args ...any) error {
	return &httpError{code: code, msg: fmt.Sprintf(format, args...)}
}

func (c *Collector) serveUpload(w http.ResponseWriter, r *http.Request) {
	task, err := c.acceptUpload(w, r)
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) {
			he = &httpError{code: http.StatusInternalServerError, msg: err.Error()}
		}
		level := slog.LevelInfo
		if he.code == http.StatusUnprocessableEntity || he.code == http.StatusForbidden || he.code >= 500 {
			level = slog.LevelWarn
		}
		c.log.Log(r.Context(), level, "upload refused", "path", r.URL.Path, "status", he.code, "reason", he.msg, "remote", r.RemoteAddr)
		http.Error(w, he.msg, he.code)
		return
	}
	c.log.Info("upload accepted", "task", task.Index, "items", task.ItemCount, "device", task.Device,
		"root", hex.EncodeToString(task.Root), "task_status", task.Status.String())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintf(w, "accepted task %d of job %d\n", task.Index, task.JobId)
}

// acceptUpload checks an upload against the chain and stores it.
func (c *Collector) acceptUpload(w http.ResponseWriter, r *http.Request) (types.Task, error) {
	jobID, err := strconv.ParseUint(r.PathValue("job"), 10, 64)
	if err != nil {
		return types.Task{}, refuse(http.StatusNotFound, "job id %q is not a number", r.PathValue("job"))
	}
	if jobID != c.cfg.JobID {
		return types.Task{}, refuse(http.StatusNotFound, "this endpoint collects job %d, not job %d", c.cfg.JobID, jobID)
	}
	index, err := strconv.ParseUint(r.PathValue("task"), 10, 64)
	if err != nil {
		return types.Task{}, refuse(http.StatusNotFound, "task index %q is not a number", r.PathValue("task"))
	}

	res, err := c.cfg.Query.Task(r.Context(), &types.QueryTaskRequest{JobId: jobID, TaskIndex: index})
	switch {
	case status.Code(err) == codes.NotFound:
		return types.Task{}, refuse(http.StatusConflict, "claim not on chain yet: task %d was never leased", index)
	case err != nil:
		return types.Task{}, refuse(http.StatusServiceUnavailable, "cannot read task %d from the chain: %v", index, err)
	}
	task := res.Task
	if task.Status != types.TASK_STATUS_CLAIMED && task.Status != types.TASK_STATUS_VERIFIED {
		return task, refuse(http.StatusConflict, "claim not on chain yet: task %d is %s", index, task.Status)
	}

	// A task's body is its outputs in base64; bound it by the task's item count.
	limit := int64(task.ItemCount)*(int64(types.MaxOutputSize)*4/3+8) + 4096
	var up Upload
	if err := decodeUpload(http.MaxBytesReader(w, r.Body, limit), &up); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return task, refuse(http.StatusRequestEntityTooLarge, "body exceeds %d bytes for %d items", limit, task.ItemCount)
		}
		return task, refuse(http.StatusBadRequest, "malformed upload: %v", err)
	}
	if up.Device != task.Device {
		return task, refuse(http.StatusForbidden, "task %d is held by %s, not %q", index, task.Device, up.Device)
	}
	if uint64(len(up.Outputs)) != task.ItemCount {
		return task, refuse(http.StatusBadRequest, "task %d has %d items, the upload has %d outputs", index, task.ItemCount, len(up.Outputs))
	}
	for i, out := range up.Outputs {
		if len(out) > types.MaxOutputSize {
			return task, refuse(http.StatusBadRequest, "output of item %d is %d bytes, at most %d", task.FirstItem+uint64(i), len(out), types.MaxOutputSize)
		}
	}
	root, err := merkle.TaskRoot(jobID, task.FirstItem, up.Outputs)
	if err != nil || !bytes.Equal(root[:], task.Root) {
		return task, refuse(http.StatusUnprocessableEntity, "outputs do not match the claimed root of task %d", index)
	}
	if err := c.store(task, root, up.Outputs); err != nil {
		return task, err
	}
	return task, nil
}

// store keeps an upload that matched the task's current claim, replacing a
// stale one, unless the task has meanwhile been verified with another root.
func (c *Collector) store(task types.Task, root [32]byte, outputs [][]byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if verified, ok := c.verified[task.Index]; ok && verified != root {
		// This upload matched a claim that has since been replaced and verified.
		return refuse(http.StatusUnprocessableEntity, "outputs do not match the verified root of task %d", task.Index)
	}
	if stored, ok := c.stored[task.Index]; !ok || stored != root {
		err := writeTask(c.cfg.OutDir, storedTask{JobID: task.JobId, TaskIndex: task.Index, FirstItem: task.FirstItem, Root: root, Outputs: outputs})
		if err != nil {
			return refuse(http.StatusInternalServerError, "storing task %d: %v", task.Index, err)
		}
		c.stored[task.Index] = root
	}
	if task.Status == types.TASK_STATUS_VERIFIED {
		c.verified[task.Index] = root
	}
	return nil
}

// missingTasks lists the tasks of a job of numTasks tasks not in collected.
func missingTasks(numTasks uint64, collected map[uint64]bool) []uint64 {
	var missing []uint64
	for i := uint64(0); i < numTasks; i++ {
		if !collected[i] {
			missing = append(missing, i)
		}
	}
	return missing
}

// formatIndices writes sorted indices compactly: "0-3, 7, 9-12".
func formatIndices(indices []uint64) string {
	indices = slices.Clone(indices)
	slices.Sort(indices)
	var b bytes.Buffer
	for i := 0; i < len(indices); {
		j := i
		for j+1 < len(indices) && indices[j+1] == indices[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if i == j {
			fmt.Fprintf(&b, "%d", indices[i])
		} else {
			fmt.Fprintf(&b, "%d-%d", indices[i], indices[j])
		}
		i = j + 1
	}
	return b.String()
}

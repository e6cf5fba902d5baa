package worker

// The inputs of a leased wasm task: fetched from the requester's server by
// the programinputs protocol, each checked against the job's input root
// before any item is computed, and kept with their paths until the task is
// settled, for the proof (each sampled item carries its input and
// input_nodes prove them against the root).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
	"github.com/nightshift-network/nightshift/pkg/programinputs"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// cannotRunError is a leased task this worker cannot compute for a reason
// retrying will not fix (inputs missing or not matching the root, program
// code refused): the lease is released, never claimed, and the job is not
// leased again this session (each release is charged: a requester serving
// bad inputs must not make a worker pay for task after task).
type cannotRunError struct {
	err    error
	reason SkipReason
}

func (e *cannotRunError) Error() string { return e.err.Error() }
func (e *cannotRunError) Unwrap() error { return e.err }

// taskInputs returns the task's inputs: from the store if they were fetched
// before a restart, else from the requester's server, checked and stored.
func (w *Worker) taskInputs(ctx context.Context, t *TaskState, ws *kinds.WasmSpec) ([]programinputs.Input, error) {
	if t.InputsSHA256 != "" {
		ins, err := w.cfg.Store.LoadInputs(t)
		if err == nil {
			return ins, nil
		}
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: err.Error() + "; fetching the inputs again"})
	}
	params, err := w.cfg.Programs.chainParams(ctx)
	if err != nil {
		return nil, err
	}
	// Six attempts span about 15 s: a server restarting is waited for, one
	// that stays down costs a release (far less than a lapse).
	client := &programinputs.Client{HTTP: w.cfg.HTTP, MaxBytes: params.maxInputBytes, Attempts: 6}
	w.report(Event{Kind: "inputs", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount, Message: "fetching from " + ws.InputsURL})
	ins, err := client.FetchRange(ctx, dataset(ws), t.FirstItem, t.ItemCount)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &cannotRunError{fmt.Errorf("inputs: %w", err), SkipInputs}
	}
	sum, err := w.cfg.Store.SaveInputs(t, ins)
	if err != nil {
		return nil, fatalState(err)
	}
	t.InputsSHA256 = sum
	if err := w.cfg.Store.Save(t); err != nil {
		return nil, fatalState(err)
	}
	return ins, nil
}

func dataset(ws *kinds.WasmSpec) programinputs.Dataset {
	return programinputs.Dataset{URL: ws.InputsURL, Items: ws.Items(), Root: ws.InputRoot}
}

// proofInputs fills the sampled items' inputs and returns their multi-proof
// against the input root (nil for a job without one).
func (w *Worker) proofInputs(ctx context.Context, t *TaskState, items []types.ChallengeItem) ([][]byte, error) {
	if t.Kind != kinds.WasmKindName {
		return nil, nil
	}
	ws, err := kinds.ParseWasmSpec([]byte(t.Spec), t.Items)
	if err != nil || !ws.HasInputRoot {
		return nil, err
	}
	if w.cfg.Programs == nil {
		return nil, errors.New("this worker runs no programs")
	}
	ins, err := w.taskInputs(ctx, t, ws)
	if err != nil {
		return nil, err
	}
	indices := make([]uint64, len(items))
	paths := make([][][32]byte, len(items))
	for i := range items {
		in := ins[items[i].Index-t.FirstItem]
		items[i].Input = in.Bytes
		indices[i], paths[i] = items[i].Index, in.Path
	}
	nodes, err := merkle.MultiProofFromPaths(indices, ws.Items(), paths)
	if err != nil {
		return nil, err
	}
	return merkle.NodeBytes(nodes), nil
}

func inputBytes(ins []programinputs.Input) [][]byte {
	out := make([][]byte, len(ins))
	for i, in := range ins {
		out[i] = in.Bytes
	}
	return out
}

// SaveInputs writes a task's inputs with their paths and returns their
// checksum: per item, uvarint length ‖ input ‖ uvarint node count ‖ nodes.
func (s *Store) SaveInputs(t *TaskState, ins []programinputs.Input) (string, error) {
	var buf bytes.Buffer
	var n [binary.MaxVarintLen64]byte
	for _, in := range ins {
		buf.Write(n[:binary.PutUvarint(n[:], uint64(len(in.Bytes)))])
		buf.Write(in.Bytes)
		buf.Write(n[:binary.PutUvarint(n[:], uint64(len(in.Path)))])
		for _, node := range in.Path {
			buf.Write(node[:])
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	if err := atomicfile.WriteBytes(s.path(t, ".in"), 0o600, buf.Bytes()); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// LoadInputs reads a task's inputs, checking them against the recorded checksum.
func (s *Store) LoadInputs(t *TaskState) ([]programinputs.Input, error) {
	bz, err := os.ReadFile(s.path(t, ".in"))
	if err != nil {
		return nil, fmt.Errorf("%w: task %s inputs: %v", ErrCorrupt, t.key(), err)
	}
	if sum := sha256.Sum256(bz); hex.EncodeToString(sum[:]) != t.InputsSHA256 {
		return nil, fmt.Errorf("%w: task %s inputs fail their checksum", ErrCorrupt, t.key())
	}
	r := bytes.NewReader(bz)
	var ins []programinputs.Input
	for r.Len() > 0 {
		size, err := binary.ReadUvarint(r)
		if err != nil || size > uint64(r.Len()) {
			return nil, fmt.Errorf("%w: task %s inputs malformed", ErrCorrupt, t.key())
		}
		in := programinputs.Input{Bytes: make([]byte, size)}
		_, _ = io.ReadFull(r, in.Bytes)
		nodes, err := binary.ReadUvarint(r)
		if err != nil || nodes > merkle.MaxProofLength || nodes*32 > uint64(r.Len()) {
			return nil, fmt.Errorf("%w: task %s input paths malformed", ErrCorrupt, t.key())
		}
		in.Path = make([][32]byte, nodes)
		for i := range in.Path {
			_, _ = io.ReadFull(r, in.Path[i][:])
		}
		ins = append(ins, in)
	}
	if uint64(len(ins)) != t.ItemCount {
		return nil, fmt.Errorf("%w: task %s has %d inputs, want %d", ErrCorrupt, t.key(), len(ins), t.ItemCount)
	}
	return ins, nil
}

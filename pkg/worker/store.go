package worker

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
)

// Stage is how far the worker has taken a task. Stages only move forward and
// each is written to disk before the action that follows it, so a worker killed
// at any point resumes without losing work or claiming twice.
type Stage string

const (
	StageLeased    Stage = "leased"    // lease confirmed; outputs not yet computed
	StageComputed  Stage = "computed"  // outputs and root on disk; claim not sent
	StageClaiming  Stage = "claiming"  // claim being sent: check the chain before sending again
	StageClaimed   Stage = "claimed"   // claim on chain; waiting for the challenge
	StageDone      Stage = "done"      // proof accepted, paid
	StageFailed    Stage = "failed"    // proof rejected (should never happen to an honest worker)
	StageAbandoned Stage = "abandoned" // lease or claim lost (expired, window closed, corrupt state)
	StageReleased  Stage = "released"  // lease handed back (MsgReleaseTask): it could not be finished in time

	// A predicted task (speculate.go): computed before its lease, then
	// leased and claimed in one MsgLeaseAndClaim from StageClaiming.
	StagePredicted    Stage = "predicted"    // the job's next task, not leased; outputs not yet computed
	StageMispredicted Stage = "mispredicted" // the chain leased another task (or none): outputs dropped, nothing owed
)

// Finished reports whether nothing more will be done for the task.
func (s Stage) Finished() bool {
	return s == StageDone || s == StageFailed || s == StageAbandoned || s == StageReleased || s == StageMispredicted
}

// TaskState is the persisted record of one leased task.
type TaskState struct {
	JobID       uint64 `json:"job_id"`
	TaskIndex   uint64 `json:"task_index"`
	FirstItem   uint64 `json:"first_item"`
	ItemCount   uint64 `json:"item_count"`
	Kind        string `json:"kind"`
	Spec        string `json:"spec"`
	Items       uint64 `json:"items"`
	ResultURL   string `json:"result_url,omitempty"`
	LeaseExpiry uint64 `json:"lease_expiry"`
	Stage       Stage  `json:"stage"`
	// Predicted: computed before its lease; its claim is a MsgLeaseAndClaim.
	Predicted       bool   `json:"predicted,omitempty"`
	Root            string `json:"root,omitempty"`
	OutputsSHA256   string `json:"outputs_sha256,omitempty"`
	InputsSHA256    string `json:"inputs_sha256,omitempty"` // a wasm task's fetched inputs (inputs.go)
	ChallengeHeight uint64 `json:"challenge_height,omitempty"`
	ProofDeadline   uint64 `json:"proof_deadline,omitempty"`
	Uploaded        bool   `json:"uploaded,omitempty"`
	Paid            string `json:"paid,omitempty"`
	Charged         string `json:"charged,omitempty"` // bond charged for a release
	Note            string `json:"note,omitempty"`
}

func (t *TaskState) key() string { return fmt.Sprintf("%d-%d", t.JobID, t.TaskIndex) }

// Store keeps task records and outputs under one directory, one worker key per
// directory.
type Store struct{ dir string }

// ErrCorrupt marks local state that fails its checksum.
var ErrCorrupt = errors.New("corrupt worker state")

// OpenStore opens (creating) the store in dir.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o700); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(t *TaskState, ext string) string {
	return filepath.Join(s.dir, "tasks", t.key()+ext)
}

// Save writes a task record atomically (write, fsync, rename).
func (s *Store) Save(t *TaskState) error {
	bz, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(s.path(t, ".json"), 0o600, bz)
}

// Has reports whether the store holds a record of task index of job jobID.
func (s *Store) Has(jobID, index uint64) bool {
	_, err := os.Stat(s.path(&TaskState{JobID: jobID, TaskIndex: index}, ".json"))
	return err == nil
}

// SaveOutputs writes a task's outputs and returns their checksum.
func (s *Store) SaveOutputs(t *TaskState, outputs [][]byte) (string, error) {
	var buf bytes.Buffer
	var n [binary.MaxVarintLen64]byte
	for _, o := range outputs {
		buf.Write(n[:binary.PutUvarint(n[:], uint64(len(o)))])
		buf.Write(o)
	}
	sum := sha256.Sum256(buf.Bytes())
	if err := atomicfile.WriteBytes(s.path(t, ".out"), 0o600, buf.Bytes()); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// LoadOutputs reads a task's outputs, checking them against the recorded checksum.
func (s *Store) LoadOutputs(t *TaskState) ([][]byte, error) {
	bz, err := os.ReadFile(s.path(t, ".out"))
	if err != nil {
		return nil, fmt.Errorf("%w: task %s outputs: %v", ErrCorrupt, t.key(), err)
	}
	sum := sha256.Sum256(bz)
	if hex.EncodeToString(sum[:]) != t.OutputsSHA256 {
		return nil, fmt.Errorf("%w: task %s outputs fail their checksum", ErrCorrupt, t.key())
	}
	r := bufio.NewReader(bytes.NewReader(bz))
	var outputs [][]byte
	for {
		n, err := binary.ReadUvarint(r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || n > 1<<20 {
			return nil, fmt.Errorf("%w: task %s outputs malformed", ErrCorrupt, t.key())
		}
		o := make([]byte, n)
		if _, err := io.ReadFull(r, o); err != nil {
			return nil, fmt.Errorf("%w: task %s outputs truncated", ErrCorrupt, t.key())
		}
		outputs = append(outputs, o)
	}
	if uint64(len(outputs)) != t.ItemCount {
		return nil, fmt.Errorf("%w: task %s has %d outputs, want %d", ErrCorrupt, t.key(), len(outputs), t.ItemCount)
	}
	return outputs, nil
}

// DropOutputs removes a finished task's outputs and inputs; its record stays
// as history.
func (s *Store) DropOutputs(t *TaskState) error {
	for _, ext := range []string{".out", ".in"} {
		if err := os.Remove(s.path(t, ext)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Tasks returns every task record, oldest job first. A record that cannot be
// parsed is reported, not skipped silently.
func (s *Store) Tasks() ([]*TaskState, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "tasks"))
	if err != nil {
		return nil, err
	}
	var out []*TaskState
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		bz, err := os.ReadFile(filepath.Join(s.dir, "tasks", e.Name()))
		if err != nil {
			return nil, err
		}
		var t TaskState
		if err := json.Unmarshal(bz, &t); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, e.Name(), err)
		}
		out = append(out, &t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].JobID != out[j].JobID {
			return out[i].JobID < out[j].JobID
		}
		return out[i].TaskIndex < out[j].TaskIndex
	})
	return out, nil
}

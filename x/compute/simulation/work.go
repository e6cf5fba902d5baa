package simulation

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// taskWork is what a simulated device committed to for a task: its outputs
// and the Merkle tree over them, built with the kinds and merkle packages the
// keeper verifies with.
//
// Factories hold no memory between operations (the simulation may restart
// from an exported genesis), so whether a device cheats is a function of the
// task: one lease in four fakes one output, chosen from the same hash. The
// claim and the proof factories thus agree on the committed tree.
type taskWork struct {
	spec    kinds.Spec
	first   uint64
	outputs [][]byte
	tree    *merkle.Tree
	forged  bool
}

// computeWork computes the task as its holder does, faking an output if the
// holder cheats on this lease.
func computeWork(k *keeper.Keeper, job types.Job, task types.Task) (*taskWork, error) {
	spec, err := k.Kinds().Parse(job.Kind, []byte(job.Spec), job.Items)
	if err != nil {
		return nil, err
	}
	h := leaseHash(task)
	forged := h[0] < 64
	fake := task.FirstItem + binary.BigEndian.Uint64(h[1:9])%task.ItemCount
	w := &taskWork{spec: spec, first: task.FirstItem, forged: forged}
	for i := range task.ItemCount {
		idx := task.FirstItem + i
		out, _, err := spec.ComputeOutput(kinds.Item{JobID: job.Id, Index: idx})
		if err != nil {
			return nil, err
		}
		if forged && idx == fake {
			out = flipFirstByte(out)
		}
		w.outputs = append(w.outputs, out)
	}
	w.tree, err = merkle.TaskTree(job.Id, task.FirstItem, w.outputs)
	return w, err
}

// abandoned reports whether the holder of this lease walks away from it: it
// never claims, so the lease expires (one lease in sixteen; a squatter's cost
// is what the simulation then checks). Like forging, it is a function of the
// lease, so the factories agree on it without memory.
func abandoned(t types.Task) bool {
	h := leaseHash(t)
	return h[9] < 16
}

// withheld reports whether the holder of this claim never answers its
// challenge (one claim in sixteen), so every run sees missed proofs.
func withheld(t types.Task) bool {
	h := leaseHash(t)
	return h[10] < 16
}

// leaseHash identifies one lease of a task: a task re-leased after a failure
// has a new attempt number, or a new holder.
func leaseHash(t types.Task) [32]byte {
	var buf [20]byte
	binary.BigEndian.PutUint64(buf[0:8], t.JobId)
	binary.BigEndian.PutUint64(buf[8:16], t.Index)
	binary.BigEndian.PutUint32(buf[16:20], t.Attempt)
	return sha256.Sum256(append(append([]byte("nightshift/sim/forge"), buf[:]...), t.Device...))
}

func (w *taskWork) root() []byte {
	r := w.tree.Root()
	return r[:]
}

// answer returns the proof items for the challenged indices from the committed
// outputs, and whether validators must accept them: every sampled output must
// be the item's correct output (a faked nonce may happen to be valid too).
func (w *taskWork) answer(jobID uint64, indices []uint64) ([]types.ChallengeItem, [][]byte, bool, error) {
	items := make([]types.ChallengeItem, len(indices))
	offsets := make([]uint64, len(indices))
	valid := true
	for i, idx := range indices {
		out := w.outputs[idx-w.first]
		items[i] = types.ChallengeItem{Index: idx, Output: out}
		offsets[i] = idx - w.first
		if _, err := w.spec.VerifyOutput(kinds.Item{JobID: jobID, Index: idx}, out); err != nil {
			valid = false
		}
	}
	nodes, err := w.tree.MultiProofBytes(offsets)
	if err != nil {
		return nil, nil, false, err
	}
	return items, nodes, valid, nil
}

func flipFirstByte(b []byte) []byte {
	out := append([]byte(nil), b...)
	out[0] ^= 0xff
	return out
}

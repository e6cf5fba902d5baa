package collector

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

// An accepted upload is stored as one file, tasks/<task index>.bin:
//
//	magic "nsupld01" ‖ job id ‖ task index ‖ first item (uint64 BE each) ‖
//	root (32 bytes) ‖ item count (uint32 BE) ‖ per item: length (uint32 BE) ‖ output
//
// The root is the on-chain claim the outputs matched when they were accepted;
// at assembly the root is recomputed from the outputs, so a damaged file is
// caught rather than assembled.
var storeMagic = [8]byte{'n', 's', 'u', 'p', 'l', 'd', '0', '1'}

// storeHeaderSize is the magic, three uint64s, the root and the item count.
const storeHeaderSize = 8 + 3*8 + 32 + 4

// errCorrupt marks a stored upload that cannot be read back.
var errCorrupt = errors.New("stored upload is corrupt")

// storedTask is one accepted upload.
type storedTask struct {
	JobID, TaskIndex, FirstItem uint64
	Root                        [32]byte
	Outputs                     [][]byte
}

// taskPath is the file holding the accepted upload of task index.
func taskPath(dir string, index uint64) string {
	return filepath.Join(dir, TasksDir, strconv.FormatUint(index, 10)+".bin")
}

// writeTask stores t atomically: a reader sees the old file or the new one.
func writeTask(dir string, t storedTask) error {
	return atomicfile.Write(taskPath(dir, t.TaskIndex), 0o644, func(w io.Writer) error {
		head := make([]byte, 0, storeHeaderSize)
		head = append(head, storeMagic[:]...)
		head = binary.BigEndian.AppendUint64(head, t.JobID)
		head = binary.BigEndian.AppendUint64(head, t.TaskIndex)
		head = binary.BigEndian.AppendUint64(head, t.FirstItem)
		head = append(head, t.Root[:]...)
		head = binary.BigEndian.AppendUint32(head, uint32(len(t.Outputs)))
		if _, err := w.Write(head); err != nil {
			return err
		}
		for _, out := range t.Outputs {
			if _, err := w.Write(binary.BigEndian.AppendUint32(nil, uint32(len(out)))); err != nil {
				return err
			}
			if _, err := w.Write(out); err != nil {
				return err
			}
		}
		return nil
	})
}

// readTaskHeader reads a stored upload's job, task, first item and root,
// without its outputs.
func readTaskHeader(r io.Reader) (t storedTask, count uint32, err error) {
	var head [storeHeaderSize]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return t, 0, fmt.Errorf("%w: header: %v", errCorrupt, err)
	}
	if [8]byte(head[:8]) != storeMagic {
		return t, 0, fmt.Errorf("%w: not a stored upload", errCorrupt)
	}
	t.JobID = binary.BigEndian.Uint64(head[8:])
	t.TaskIndex = binary.BigEndian.Uint64(head[16:])
	t.FirstItem = binary.BigEndian.Uint64(head[24:])
	t.Root = [32]byte(head[32:64])
	return t, binary.BigEndian.Uint32(head[64:]), nil
}

// readTask reads a stored upload and checks that its outputs still hash to the
// root it was accepted with.
func readTask(path string) (storedTask, error) {
	f, err := os.Open(path)
	if err != nil {
		return storedTask{}, err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return storedTask{}, err
	}
	r := bufio.NewReader(f)
	t, count, err := readTaskHeader(r)
	if err != nil {
		return t, fmt.Errorf("%s: %w", path, err)
	}
	// Every output takes at least its 4-byte length, so count is bounded by the
	// file size before anything is allocated for it.
	if int64(count)*4 > info.Size() {
		return t, fmt.Errorf("%s: %w: %d outputs cannot fit in %d bytes", path, errCorrupt, count, info.Size())
	}
	t.Outputs = make([][]byte, count)
	var size [4]byte
	for i := range t.Outputs {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return t, fmt.Errorf("%s: %w: output %d: %v", path, errCorrupt, i, err)
		}
		n := binary.BigEndian.Uint32(size[:])
		if int64(n) > info.Size() {
			return t, fmt.Errorf("%s: %w: output %d of %d bytes", path, errCorrupt, i, n)
		}
		t.Outputs[i] = make([]byte, n)
		if _, err := io.ReadFull(r, t.Outputs[i]); err != nil {
			return t, fmt.Errorf("%s: %w: output %d: %v", path, errCorrupt, i, err)
		}
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return t, fmt.Errorf("%s: %w: trailing bytes", path, errCorrupt)
	}
	root, err := merkle.TaskRoot(t.JobID, t.FirstItem, t.Outputs)
	if err != nil || root != t.Root {
		return t, fmt.Errorf("%s: %w: outputs no longer hash to the stored root", path, errCorrupt)
	}
	return t, nil
}

// storedRoots returns the task index and root of every upload stored in dir for
// job jobID, so a restarted collector knows what it already holds.
func storedRoots(dir string, jobID uint64) (map[uint64][32]byte, error) {
	entries, err := os.ReadDir(filepath.Join(dir, TasksDir))
	if err != nil {
		return nil, err
	}
	roots := make(map[uint64][32]byte)
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".bin")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		index, err := strconv.ParseUint(name, 10, 64)
		if err != nil {
			continue
		}
		t, err := readHeaderFile(filepath.Join(dir, TasksDir, e.Name()))
		if err != nil {
			return nil, err
		}
		if t.JobID != jobID || t.TaskIndex != index {
			return nil, fmt.Errorf("%s holds task %d of job %d, not task %d of job %d: use another output directory",
				e.Name(), t.TaskIndex, t.JobID, index, jobID)
		}
		roots[index] = t.Root
	}
	return roots, nil
}

func readHeaderFile(path string) (storedTask, error) {
	f, err := os.Open(path)
	if err != nil {
		return storedTask{}, err
	}
	defer func() { _ = f.Close() }()
	t, _, err := readTaskHeader(f)
	if err != nil {
		return t, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

package collector

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cosmos/cosmos-sdk/codec"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// decodeUpload reads one JSON upload.
func decodeUpload(r io.Reader, up *Upload) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(up); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}

// missingRange is a task without verified outputs, in MissingFile.
type missingRange struct {
	Task      uint64 `json:"task"`
	FirstItem uint64 `json:"first_item"`
	ItemCount uint64 `json:"item_count"`
}

// assemble writes the job's results from the uploads that match verified roots:
// JobFile, OutputsFile and the kind's own file. With tasks missing it writes
// what there is, lists the rest in MissingFile and returns an error naming them.
func (c *Collector) assemble(job types.Job) error {
	collected := c.collected()
	outputs := make([][]byte, job.Items) // nil: item not collected
	for index := range collected {
		first, count := job.TaskRange(index)
		t, err := readTask(taskPath(c.cfg.OutDir, index))
		if err == nil && (t.FirstItem != first || uint64(len(t.Outputs)) != count) {
			err = fmt.Errorf("%w: task %d holds items %d+%d, the job's task has %d+%d", errCorrupt, index, t.FirstItem, len(t.Outputs), first, count)
		}
		if err != nil {
			c.log.Error("cannot use stored upload", "task", index, "err", err)
			delete(collected, index)
			continue
		}
		copy(outputs[first:first+count], t.Outputs)
	}
	// Items delivered on chain for tasks not complete fill their places too: the
	// chain proved each against the task's verified root.
	for item, output := range c.deliveredItems(collected) {
		if item < uint64(len(outputs)) {
			outputs[item] = output
		}
	}
	missing := missingTasks(job.NumTasks, collected)

	var errs []error
	if err := c.writeJob(job); err != nil {
		errs = append(errs, err)
	}
	if err := c.writeOutputs(outputs); err != nil {
		errs = append(errs, err)
	}
	switch job.Kind {
	case kinds.Mandelbrot{}.Name():
		if err := c.writeRender(job, outputs); err != nil {
			errs = append(errs, err)
		}
	case kinds.Hashcash{}.Name():
		if err := c.writeNonces(outputs); err != nil {
			errs = append(errs, err)
		}
	}
	missingPath := filepath.Join(c.cfg.OutDir, MissingFile)
	if len(missing) == 0 {
		if err := os.Remove(missingPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	} else {
		ranges := make([]missingRange, len(missing))
		for i, index := range missing {
			first, count := job.TaskRange(index)
			ranges[i] = missingRange{Task: index, FirstItem: first, ItemCount: count}
		}
		if err := writeJSON(missingPath, ranges); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, fmt.Errorf("job %d is %s but tasks %s (%d of %d) have no verified outputs; the rest is in %s and the gaps are listed in %s",
			job.Id, job.Status, formatIndices(missing), len(missing), job.NumTasks, c.cfg.OutDir, MissingFile))
	}
	if len(errs) == 0 {
		c.log.Info("results assembled", "tasks", job.NumTasks, "items", job.Items, "out", c.cfg.OutDir)
	}
	return errors.Join(errs...)
}

func (c *Collector) writeJob(job types.Job) error {
	bz, err := codec.ProtoMarshalJSON(&job, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", JobFile, err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, bz, "", "  "); err != nil {
		return fmt.Errorf("%s: %w", JobFile, err)
	}
	pretty.WriteByte('\n')
	return atomicfile.Write(filepath.Join(c.cfg.OutDir, JobFile), 0o644, func(w io.Writer) error {
		_, err := w.Write(pretty.Bytes())
		return err
	})
}

// writeOutputs concatenates the collected outputs in item order; uncollected
// items are left out.
func (c *Collector) writeOutputs(outputs [][]byte) error {
	return atomicfile.Write(filepath.Join(c.cfg.OutDir, OutputsFile), 0o644, func(w io.Writer) error {
		for _, out := range outputs {
			if _, err := w.Write(out); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeRender draws a mandelbrot job's rows with RenderPartialMandelbrotPNG.
func (c *Collector) writeRender(job types.Job, rows [][]byte) error {
	var buf bytes.Buffer
	drawn, err := RenderPartialMandelbrotPNG([]byte(job.Spec), rows, &buf)
	if err != nil {
		return fmt.Errorf("%s: %w", RenderFile, err)
	}
	if !drawn {
		return nil
	}
	return atomicfile.Write(filepath.Join(c.cfg.OutDir, RenderFile), 0o644, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// writeNonces writes {"item index": "nonce hex", ...} in item order.
func (c *Collector) writeNonces(outputs [][]byte) error {
	return atomicfile.Write(filepath.Join(c.cfg.OutDir, NoncesFile), 0o644, func(w io.Writer) error {
		if _, err := io.WriteString(w, "{"); err != nil {
			return err
		}
		sep := "\n"
		for i, out := range outputs {
			if out == nil {
				continue
			}
			if _, err := fmt.Fprintf(w, "%s  %q: %q", sep, strconv.Itoa(i), hex.EncodeToString(out)); err != nil {
				return err
			}
			sep = ",\n"
		}
		_, err := io.WriteString(w, "\n}\n")
		return err
	})
}

func writeJSON(path string, v any) error {
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(append(bz, '\n'))
		return err
	})
}

package dashboard

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"sync"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/nightshift-network/nightshift/pkg/collector"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// previewCache keeps the last preview of each job, keyed by how many of its
// tasks were verified when it was drawn.
type previewCache struct {
	mu   sync.Mutex
	last map[uint64]cachedPreview
}

type cachedPreview struct {
	verified uint64
	png      []byte
}

func newPreviewCache() *previewCache { return &previewCache{last: make(map[uint64]cachedPreview)} }

// previewable reports whether a job's preview can be drawn: an image kind and
// a collector directory to read its uploads from.
func (s *Server) previewable(job types.Job) bool {
	return job.Kind == kinds.Mandelbrot{}.Name() && len(s.cfg.CollectorDirs) > 0
}

// servePreview draws a mandelbrot job from the uploads a collector accepted
// for its verified tasks; rows not verified yet are transparent.
func (s *Server) servePreview(w http.ResponseWriter, r *http.Request) {
	job, ok := s.lookupJob(w, r)
	if !ok {
		return
	}
	if !s.previewable(job) {
		s.notFound(w, r, "job %d has no preview: it is not an image job, or the dashboard reads no collector directory (--collector-dir)", job.Id)
		return
	}
	img, err := s.drawPreview(r.Context(), job)
	if err != nil {
		http.Error(w, "preview: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(img)
}

func (s *Server) drawPreview(ctx context.Context, job types.Job) ([]byte, error) {
	s.preview.mu.Lock()
	c, ok := s.preview.last[job.Id]
	s.preview.mu.Unlock()
	if ok && c.verified == job.TasksVerified {
		return c.png, nil
	}
	res, err := s.cfg.Query.JobTasks(ctx, &types.QueryJobTasksRequest{JobId: job.Id, Pagination: &query.PageRequest{Limit: 10000}})
	if err != nil {
		return nil, err
	}
	rows := make([][]byte, job.Items)
	complete := true // every verified task's rows were found
	for _, t := range res.Tasks {
		if t.Status != types.TASK_STATUS_VERIFIED {
			continue
		}
		found := false
		for _, dir := range s.cfg.CollectorDirs {
			first, root, outputs, err := collector.StoredUpload(dir, job.Id, t.Index)
			if err != nil || !bytes.Equal(root[:], t.Root) || first+uint64(len(outputs)) > job.Items {
				continue
			}
			copy(rows[first:], outputs)
			found = true
			break
		}
		complete = complete && found
	}
	var buf bytes.Buffer
	drawn, err := collector.RenderPartialMandelbrotPNG([]byte(job.Spec), rows, &buf)
	if err != nil {
		return nil, err
	}
	if !drawn {
		// Nothing collected yet: a transparent image of the job's size.
		spec, err := kinds.ParseMandelbrotSpec([]byte(job.Spec), job.Items)
		if err != nil {
			return nil, err
		}
		if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, spec.Width(), spec.Height()))); err != nil {
			return nil, err
		}
		complete = false
	}
	if complete {
		s.preview.mu.Lock()
		s.preview.last[job.Id] = cachedPreview{verified: job.TasksVerified, png: buf.Bytes()}
		s.preview.mu.Unlock()
	}
	return buf.Bytes(), nil
}

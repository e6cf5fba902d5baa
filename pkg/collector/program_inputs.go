package collector

import (
	"encoding/hex"
	"net/http"

	"github.com/nightshift-network/nightshift/pkg/programinputs"
)

// InputsPath is where a collector serves a dataset of input root root, below
// the root of its address: a wasm job's inputs_url is its result_url followed
// by this path, and workers GET {inputs_url}/{item} (pkg/programinputs).
func InputsPath(root [32]byte) string { return "/v1/inputs/" + hex.EncodeToString(root[:]) }

// serveInputs answers GET /v1/inputs/{root}/{item} from the configured
// dataset; another root is not served (404), so a worker of a job whose
// input root is not this dataset's learns it at once.
func (c *Collector) serveInputs(w http.ResponseWriter, r *http.Request) {
	inputs := c.cfg.Inputs
	if inputs == nil {
		http.Error(w, "this collector serves no inputs", http.StatusNotFound)
		return
	}
	root := inputs.Root()
	if r.PathValue("root") != hex.EncodeToString(root[:]) {
		http.Error(w, "this collector serves the inputs of root "+hex.EncodeToString(root[:]), http.StatusNotFound)
		return
	}
	inputs.ServeHTTP(w, r)
}

var _ http.Handler = (*programinputs.Server)(nil)

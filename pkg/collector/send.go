package collector

import "github.com/nightshift-network/nightshift/pkg/resultupload"

// The upload's wire format and its client are in pkg/resultupload (one
// definition, which the worker links without this package); these names
// keep the collector's API whole.
var (
	ErrRejected   = resultupload.ErrRejected
	ErrRetryLater = resultupload.ErrRetryLater
	Send          = resultupload.Send
)

// Upload is the body of an upload (resultupload.Upload).
type Upload = resultupload.Upload

func uploadURL(resultURL string, jobID, taskIndex uint64) string {
	return resultupload.URL(resultURL, jobID, taskIndex)
}

package cli

import (
	"fmt"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// explainPostRefusal turns the chain's refusal of a duplicate job into what
// the requester can do about it, naming the live job that computes the same
// outputs; any other error is returned as it is.
func explainPostRefusal(err error) error {
	id, ok := types.DuplicateJobID(err)
	if !ok {
		return err
	}
	return fmt.Errorf("not posted: job %d is identical (the same kind and spec, however spelled, so the same outputs) and is still open or has tasks being computed. "+
		"See it with `nightshiftd q compute job %d`; use its results, cancel it if it is yours (`nightshiftd tx compute cancel-job %d`) "+
		"or wait until it closes, or post a different spec. The chain said: %w", id, id, id, err)
}

package cli

import (
	"errors"
	"strings"
	"testing"

	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestPostRefusalNamesTheIdenticalJob(t *testing.T) {
	// What txclient hands back for a refused simulation: the registered error
	// wrapping the chain's text.
	chain := errorsmod.Wrap(types.ErrDuplicateJob, "rpc error: code = Unknown desc = failed to execute message; message index: 0: "+types.DuplicateJobError(7, "mandelbrot").Error())
	err := explainPostRefusal(chain)
	if !errors.Is(err, types.ErrDuplicateJob) {
		t.Fatalf("the registered error is lost: %v", err)
	}
	for _, want := range []string{"not posted: job 7 is identical", "nightshiftd q compute job 7", "cancel-job 7"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("%q does not say %q", err, want)
		}
	}
	other := errors.New("insufficient funds")
	if explainPostRefusal(other) != other {
		t.Fatal("another error is changed")
	}
}

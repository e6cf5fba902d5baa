package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
)

// errRetryNow asks retry to run the step again at once (state changed under us).
var errRetryNow = errors.New("retry")

type fatalError struct{ err error }

func (f fatalError) Error() string { return f.err.Error() }
func (f fatalError) Unwrap() error { return f.err }

// fatal marks an error a restart cannot fix; Run returns it.
func fatal(err error) error { return fatalError{err} }

func fatalState(err error) error {
	return fatal(fmt.Errorf("cannot write worker state (disk full or read-only?): %w", err))
}

// IsFatal reports whether err stops the worker.
func IsFatal(err error) bool {
	var f fatalError
	return errors.As(err, &f)
}

func unavailable(err error) error {
	if s, ok := status.FromError(err); ok && s.Code() != codes.Unavailable && s.Code() != codes.Unknown && s.Code() != codes.DeadlineExceeded {
		return err
	}
	return fmt.Errorf("%w: %v", workerclient.ErrUnavailable, err)
}

func isNotFound(err error) bool {
	s, ok := status.FromError(err)
	return ok && s.Code() == codes.NotFound
}

// retry runs step until it succeeds, fails for good, or ctx ends. A node that
// cannot be reached (or a wrong sequence) is retried with exponential backoff
// from one second up to a minute, and reported once per outage.
func (w *Worker) retry(ctx context.Context, what string, step func(context.Context) error) error {
	backoff := time.Second
	reported := false
	for {
		err := step(ctx)
		switch {
		case err == nil:
			if reported {
				w.report(Event{Kind: "reconnected", Message: what})
			}
			return nil
		case errors.Is(err, errRetryNow):
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, workerclient.ErrUnavailable), errors.Is(err, sdkerrors.ErrWrongSequence):
			// A wrong sequence outlasting Submit's own retries is a transaction of
			// this key still pending, e.g. one sent just before a restart.
			if !reported {
				w.report(Event{Kind: "error", Message: fmt.Sprintf("%s: retrying with backoff: %v", what, err)})
				reported = true
			}
		default:
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Minute)
	}
}

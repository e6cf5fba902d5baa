package types

import (
	"errors"
	"regexp"
	"strconv"

	errorsmod "cosmossdk.io/errors"
)

// DuplicateJobError is the refusal of a job whose outputs live job id of kind
// computes. Its text names the job; DuplicateJobID reads it back.
func DuplicateJobError(id uint64, kind string) error {
	return errorsmod.Wrapf(ErrDuplicateJob,
		"job %d is identical (kind %s, same outputs) and is still open or has unsettled tasks", id, kind)
}

var duplicateJobText = regexp.MustCompile(`job (\d+) is identical`)

// DuplicateJobID returns the live job a DuplicateJobError names. Clients get
// a refusal as text (a simulation's error, a tx's raw log), so it is read
// from the text of an error that is ErrDuplicateJob.
func DuplicateJobID(err error) (uint64, bool) {
	if !errors.Is(err, ErrDuplicateJob) {
		return 0, false
	}
	m := duplicateJobText.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseUint(m[1], 10, 64)
	return id, err == nil
}

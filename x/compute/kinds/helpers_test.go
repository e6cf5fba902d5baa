package kinds

// computeOut and verifyOut call a spec for item index of job jobID with no input,
// for tests that check outputs rather than the work measured.
func computeOut(s Spec, jobID, index uint64) ([]byte, error) {
	out, _, err := s.ComputeOutput(Item{JobID: jobID, Index: index})
	return out, err
}

func verifyOut(s Spec, jobID, index uint64, output []byte) error {
	_, err := s.VerifyOutput(Item{JobID: jobID, Index: index}, output)
	return err
}

package tests

import (
	"strconv"
	"testing"
)

// blockSeedJSON is nightshift.permission.v1.BlockSeed as protojson prints it.
type blockSeedJSON struct {
	Height    string `json:"height"`
	Source    string `json:"source"`
	Revealers uint32 `json:"revealers"`
}

// revealChainJSON is nightshift.permission.v1.RevealChain as protojson prints it.
type revealChainJSON struct {
	ConsAddress string `json:"cons_address"`
	StartHeight string `json:"start_height"`
	Revealed    string `json:"revealed"`
	Missed      string `json:"missed"`
}

// challengeSeed returns the seed of the block a task's challenge was drawn
// from (its challenge_height), as x/permission recorded it for that block.
func (d *devnet) challengeSeed(t *testing.T, jobID, task uint64) blockSeedJSON {
	t.Helper()
	var q struct {
		Task struct {
			ChallengeHeight string `json:"challenge_height"`
		} `json:"task"`
	}
	d.query(&q, "compute", "task", strconv.FormatUint(jobID, 10), strconv.FormatUint(task, 10))
	if q.Task.ChallengeHeight == "" || q.Task.ChallengeHeight == "0" {
		t.Fatalf("task %d/%d has no challenge height: %+v", jobID, task, q)
	}
	var seed struct {
		BlockSeed blockSeedJSON `json:"block_seed"`
	}
	d.query(&seed, "permission", "block-seed", "--height", q.Task.ChallengeHeight)
	if seed.BlockSeed.Height != q.Task.ChallengeHeight {
		t.Fatalf("block seed at height %s: %+v", q.Task.ChallengeHeight, seed.BlockSeed)
	}
	return seed.BlockSeed
}

func (d *devnet) revealChains(t *testing.T) []revealChainJSON {
	t.Helper()
	var q struct {
		RevealChains []revealChainJSON `json:"reveal_chains"`
	}
	d.query(&q, "permission", "reveal-chains")
	return q.RevealChains
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	if s == "" {
		return 0 // protojson omits zero
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

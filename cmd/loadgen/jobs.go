package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// Job is a posted job (hashcash or wasm) the devices lease from.
type Job struct {
	ID           uint64
	Items        uint64
	ItemsPerTask uint64
	NumTasks     uint64
	Spec         kinds.Spec
	// ProofGas is the gas limit of one task's proof; 0 is gasProof (hashcash).
	// A wasm proof re-runs every sampled item, so it needs the samples' work.
	ProofGas uint64
	leases   atomic.Int64 // leases sent for it
}

func (j *Job) proofGas() uint64 {
	if j.ProofGas == 0 {
		return gasProof
	}
	return j.ProofGas
}

// JobPicker hands out jobs in order until each has had a lease sent per task.
type JobPicker struct {
	jobs []*Job
	cur  atomic.Int64
}

// Pick returns the job to lease from next, or nil when all are taken.
func (p *JobPicker) Pick() *Job {
	for {
		i := p.cur.Load()
		if int(i) >= len(p.jobs) {
			return nil
		}
		j := p.jobs[i]
		if j.leases.Add(1) <= int64(j.NumTasks) {
			return j
		}
		p.cur.CompareAndSwap(i, i+1)
	}
}

// jobsPerPostTx bounds the jobs posted in one tx (64 × gasPostJob is 19.2M gas,
// well inside a block).
const jobsPerPostTx = 64

// PostJobs posts hashcash jobs of items items cut into tasks of itemsPerTask,
// all in one tx of the requester, and returns them.
func (g *Gen) PostJobs(ctx context.Context, requester *Account, n int, items, itemsPerTask uint64, difficulty uint) ([]*Job, error) {
	spec := fmt.Sprintf(`{"difficulty_bits":%d}`, difficulty)
	msgs := make([]sdk.Msg, n)
	for i := range msgs {
		msgs[i] = &computetypes.MsgPostJob{Requester: requester.Bech32, Kind: "hashcash", Spec: spec, Items: items,
			ItemsPerTask: itemsPerTask, PricePerItem: math.NewInt(1), DeadlineBlocks: 100_000}
	}
	out, err := g.SendAndWait(ctx, requester, KindSetup, gasPostJob*uint64(n), msgs...)
	if err != nil {
		return nil, err
	}
	if !out.OK() {
		return nil, fmt.Errorf("post %d jobs: code %d lost=%v: %s", n, out.Code, out.Lost, out.Log)
	}
	resps, err := g.msgResponses(out.Data)
	if err != nil {
		return nil, err
	}
	parsed, err := kinds.DefaultRegistry().Parse("hashcash", []byte(spec), items)
	if err != nil {
		return nil, err
	}
	jobs := make([]*Job, len(resps))
	for i, r := range resps {
		var res computetypes.MsgPostJobResponse
		if err := proto.Unmarshal(r, &res); err != nil {
			return nil, err
		}
		jobs[i] = &Job{ID: res.JobId, Items: items, ItemsPerTask: itemsPerTask, NumTasks: (items + itemsPerTask - 1) / itemsPerTask, Spec: parsed}
	}
	return jobs, nil
}

// msgResponses returns the encoded Msg responses of a tx result's data.
func (g *Gen) msgResponses(data []byte) ([][]byte, error) {
	var md sdk.TxMsgData
	if err := g.Codecs.Codec.Unmarshal(data, &md); err != nil {
		return nil, err
	}
	out := make([][]byte, len(md.MsgResponses))
	for i, a := range md.MsgResponses {
		out[i] = a.Value
	}
	return out, nil
}

func (g *Gen) msgResponse(o Outcome, into proto.Message) error {
	resps, err := g.msgResponses(o.Data)
	if err != nil {
		return err
	}
	if len(resps) != 1 {
		return fmt.Errorf("%d msg responses, want 1", len(resps))
	}
	return proto.Unmarshal(resps[0], into)
}

// benchBond is a bench device's bond: twice min_device_bond, or more when the
// lease check (x/compute README, Soundness) needs it. Jobs of the approved
// bench requester earn emission, so the bond's invalid-proof slash must cover
// the most one requester's jobs can draw from an epoch (C = epoch emission ×
// max_requester_emission_bps) besides the tasks' pay; 10 SHIFT more covers the
// pay of the live and disputable tasks at the bench's 1 ushift per item.
func benchBond(p computetypes.Params) math.Int {
	bond := p.MinDeviceBond.MulRaw(2)
	if p.SlashInvalidBps == 0 {
		return bond
	}
	perRequester := p.InitialEpochEmission.MulRaw(int64(p.MaxRequesterEmissionBps)).QuoRaw(computetypes.BasisPoints)
	cover := perRequester.Add(math.NewInt(10_000_000))
	need := cover.MulRaw(computetypes.BasisPoints).QuoRaw(int64(p.SlashInvalidBps)).AddRaw(1)
	return math.MaxInt(bond, need)
}

// RegisterDevices registers every device with bond, in parallel.
func (g *Gen) RegisterDevices(ctx context.Context, devices []*Account, bond math.Int) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(devices))
	for _, d := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := g.SendAndWait(ctx, d, KindSetup, gasRegister,
				&computetypes.MsgRegisterDevice{Operator: d.Bech32, Moniker: fmt.Sprintf("bench-%d", d.Index), Bond: bond})
			if err == nil && !o.OK() {
				err = fmt.Errorf("register device %d: code %d lost=%v: %s", d.Index, o.Code, o.Lost, o.Log)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

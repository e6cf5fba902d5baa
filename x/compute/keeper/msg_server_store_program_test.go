package keeper_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/simulation"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// testProgram reads a module of testdata/programs (built from its .wat with
// wabt's wat2wasm).
func testProgram(t testing.TB, name string) []byte {
	t.Helper()
	code, err := os.ReadFile(filepath.Join("testdata", "programs", name+".wasm"))
	require.NoError(t, err)
	return code
}

func (w *msgWorld) storeMsg(code []byte) *types.MsgStoreProgram {
	return &types.MsgStoreProgram{Sender: w.f.str(w.requester), Code: code}
}

// storeMixer stores the simulation's test program and returns its id.
func (w *msgWorld) storeMixer() [32]byte {
	w.f.t.Helper()
	must(w.f, w.f.msgs.StoreProgram, w.storeMsg(simulation.MixerProgram))
	return sha256.Sum256(simulation.MixerProgram)
}

func TestMsgStoreProgram(t *testing.T) {
	w := newMsgWorld(newFixture(t))
	f := w.f
	code := simulation.MixerProgram
	id := sha256.Sum256(code)
	fee := w.params().ProgramByteFee.MulRaw(int64(len(code)))
	require.True(t, fee.IsPositive())
	balance, supply := f.balance(w.requester), w.supply()

	res, em := mustEvents(f, f.msgs.StoreProgram, w.storeMsg(code))
	require.Equal(t, id[:], res.Id)
	require.Equal(t, fee, res.Fee)
	// The fee is burned: the requester pays it, the supply shrinks by it and
	// nothing else moves.
	require.Equal(t, balance.Sub(fee), f.balance(w.requester))
	require.Equal(t, supply.Sub(fee), w.supply())
	epoch, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.Equal(t, fee, epoch.TotalBurned)
	requireEvent(t, em, &types.EventProgramStored{Id: hex.EncodeToString(id[:]), Sender: f.str(w.requester), CodeSize: uint64(len(code)), Fee: fee})

	got, err := f.q.Program(f.ctx, &types.QueryProgramRequest{Id: hex.EncodeToString(id[:])})
	require.NoError(t, err)
	p := got.Program
	require.Equal(t, id[:], p.Id)
	require.Equal(t, uint64(len(code)), p.CodeSize)
	require.Equal(t, uint32(1), p.AbiVersion)
	require.Equal(t, uint32(1), p.MinMemoryPages)
	require.Equal(t, f.str(w.requester), p.Storer)
	require.Equal(t, uint64(f.ctx.BlockHeight()), p.StoredHeight)
	require.Equal(t, fee, p.Fee)
	gotCode, err := f.q.ProgramCode(f.ctx, &types.QueryProgramCodeRequest{Id: hex.EncodeToString(id[:])})
	require.NoError(t, err)
	require.Equal(t, code, gotCode.Code)
	list, err := f.q.Programs(f.ctx, &types.QueryProgramsRequest{})
	require.NoError(t, err)
	require.Equal(t, []types.Program{p}, list.Programs)

	_, err = f.q.Program(f.ctx, &types.QueryProgramRequest{Id: "00"})
	require.Error(t, err)
	_, err = f.q.ProgramCode(f.ctx, &types.QueryProgramCodeRequest{Id: hex.EncodeToString(make([]byte, 32))})
	require.Error(t, err)
}

// TestMsgStoreProgramRefuses: every refusal is a registered error and
// changes nothing (no fee taken, nothing stored).
func TestMsgStoreProgramRefuses(t *testing.T) {
	store := func(name string, err error, code func(t testing.TB) []byte) msgCase {
		return msgCase{name: name, err: err, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.StoreProgram, w.storeMsg(code(w.f.t)))
		}}
	}
	file := func(name string) func(testing.TB) []byte {
		return func(t testing.TB) []byte { return testProgram(t, name) }
	}
	cases := []msgCase{
		{name: "invalid sender", err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.StoreProgram, &types.MsgStoreProgram{Sender: badChecksumAddr, Code: simulation.MixerProgram})
		}},
		store("empty code", types.ErrMalformedProgram, func(testing.TB) []byte { return nil }),
		store("not WebAssembly", types.ErrMalformedProgram, func(testing.TB) []byte { return []byte("#!/bin/sh\necho hi\n") }),
		store("truncated module", types.ErrMalformedProgram, func(testing.TB) []byte { return simulation.MixerProgram[:40] }),
		store("imports a host function", types.ErrForbiddenImport, file("import")),
		store("float instruction", types.ErrForbiddenInstruction, file("float")),
		store("start function", types.ErrProgramABI, file("start")),
		store("no nightshift_run", types.ErrProgramABI, file("norun")),
		{name: "memory over max_program_memory_pages", err: types.ErrProgramMemoryTooLarge,
			tweak: func(p *types.Params) { p.MaxProgramMemoryPages = 16 },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.StoreProgram, w.storeMsg(testProgram(w.f.t, "bigmemory")))
			}},
		{name: "code over max_program_bytes", err: types.ErrProgramTooLarge,
			tweak: func(p *types.Params) { p.MaxProgramBytes = uint32(len(simulation.MixerProgram) - 1) },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.StoreProgram, w.storeMsg(simulation.MixerProgram))
			}},
		{name: "already stored", err: types.ErrProgramExists,
			prepare: func(w *msgWorld) { w.storeMixer() },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.StoreProgram, w.storeMsg(simulation.MixerProgram))
			}},
		{name: "sender cannot pay the fee", err: types.ErrInsufficientFunds, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.StoreProgram, &types.MsgStoreProgram{Sender: w.f.str(w.outsider), Code: simulation.MixerProgram})
		}},
		{name: "unapproved sender under the allowlist", err: types.ErrRequesterNotApproved,
			prepare: func(w *msgWorld) { w.setParams(func(p *types.Params) { p.RequesterAllowlist = true }) },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.StoreProgram, &types.MsgStoreProgram{Sender: w.f.str(w.outsider), Code: simulation.MixerProgram})
			}},
	}
	runMsgCases(t, cases)
}

// TestStoreProgramFeeScalesWithSize: an attacker storing code to bloat state
// pays for every byte, and the fee is gone for good (burned, not refundable).
func TestStoreProgramFeeScalesWithSize(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProgramByteFee = math.NewInt(7) }))
	before := w.supply()
	a := must(w.f, w.f.msgs.StoreProgram, w.storeMsg(simulation.MixerProgram))
	b := must(w.f, w.f.msgs.StoreProgram, w.storeMsg(testProgram(t, "bigmemory")))
	require.Equal(t, math.NewInt(7*int64(len(simulation.MixerProgram))), a.Fee)
	require.Equal(t, math.NewInt(7*int64(len(testProgram(t, "bigmemory")))), b.Fee)
	require.Equal(t, before.Sub(a.Fee).Sub(b.Fee), w.supply())
}

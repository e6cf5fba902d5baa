package main

import (
	"context"
	"log"
	"slices"
	"time"
)

// window marks the start of a measurement window.
type window struct {
	height              int64
	pids                []int
	nodeCPU             []float64
	selfCPU             float64
	busy, iowait, ticks float64
}

func (g *Gen) openWindow(pids []int) window {
	w := window{height: g.Tracker.Height(), pids: pids, selfCPU: selfCPU()}
	w.busy, w.iowait, w.ticks = machineTicks()
	for _, p := range pids {
		w.nodeCPU = append(w.nodeCPU, procCPU(p))
	}
	return w
}

// closeWindow computes the stats of the blocks read since w opened; only
// successful txs of kinds count toward TPS.
func (g *Gen) closeWindow(w window, kinds ...TxKind) WindowStats {
	end := g.Tracker.Height()
	blocks := g.Tracker.Blocks(w.height, end)
	ws := WindowStats{FromHeight: w.height, ToHeight: end, Blocks: len(blocks), ByKind: map[string]KindStats{},
		LoadgenCPU: selfCPU() - w.selfCPU}
	for i, p := range w.pids {
		ws.nodeCPU = append(ws.nodeCPU, procCPU(p)-w.nodeCPU[i])
	}
	if busy, iowait, ticks := machineTicks(); ticks > w.ticks {
		ws.MachineBusy = (busy - w.busy) / (ticks - w.ticks)
		ws.MachineIOWait = (iowait - w.iowait) / (ticks - w.ticks)
	}
	first, ok := g.Tracker.Block(w.height)
	if !ok || len(blocks) == 0 {
		return ws
	}
	var intervals []float64
	var perBlock []int
	var wanted, used []int64
	prev := first.Time
	agg := map[TxKind]*KindStats{}
	for _, b := range blocks {
		intervals = append(intervals, b.Time.Sub(prev).Seconds())
		prev = b.Time
		n := 0
		for _, k := range kinds {
			n += b.OK[k]
		}
		perBlock = append(perBlock, b.Txs)
		wanted, used = append(wanted, b.GasWanted), append(used, b.GasUsedAll)
		ws.TxsOK += n
		ws.Series = append(ws.Series, [4]float64{float64(b.Height), b.Time.Sub(first.Time).Seconds(), float64(b.Txs), float64(n)})
		for k := range numKinds {
			if b.OK[k]+b.Failed[k] == 0 {
				continue
			}
			s := agg[k]
			if s == nil {
				s = &KindStats{}
				agg[k] = s
			}
			s.OK += b.OK[k]
			s.Failed += b.Failed[k]
			s.GasUsedMean += float64(b.GasUsed[k])
			s.BytesMean += float64(b.TxBytes[k])
		}
		for _, k := range kinds {
			ws.TxsFailed += b.Failed[k]
		}
		ws.ItemsVerified += g.Tracker.itemsAt(b.Height)
	}
	for k, s := range agg {
		if n := float64(s.OK + s.Failed); n > 0 {
			s.GasUsedMean /= n
			s.BytesMean /= n
		}
		ws.ByKind[k.String()] = *s
	}
	ws.ChainSeconds = blocks[len(blocks)-1].Time.Sub(first.Time).Seconds()
	if ws.ChainSeconds > 0 {
		ws.TPS = float64(ws.TxsOK) / ws.ChainSeconds
	}
	slices.Sort(intervals)
	slices.Sort(perBlock)
	ws.BlockIntervalMedian = percentile(intervals, 0.5)
	ws.BlockIntervalMax = intervals[len(intervals)-1]
	ws.TxsPerBlockMedian = percentile(perBlock, 0.5)
	slices.Sort(wanted)
	slices.Sort(used)
	ws.GasWantedPerBlockMedian, ws.GasUsedPerBlockMedian = percentile(wanted, 0.5), percentile(used, 0.5)
	return ws
}

// closeComputeWindow closes a compute workload's window, stops run from
// leasing, and lets the tasks in flight settle (up to drain, then cancels the
// run) so their txs do not land in the next window.
func (g *Gen) closeComputeWindow(ctx context.Context, name string, w window, run *ComputeRun, runDone <-chan struct{}, stopRun func(), drain time.Duration) WindowStats {
	st := g.closeWindow(w, KindLease, KindClaim, KindProof)
	run.Stop()
	log.Printf("%s: window closed (%.1f tx/s); letting %d tasks in flight finish", name, st.TPS, g.Tracker.Pending())
	select {
	case <-runDone:
	case <-time.After(drain):
		stopRun()
		<-runDone
	}
	g.drain(ctx, 10*time.Second)
	return st
}

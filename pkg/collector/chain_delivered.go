package collector

// Outputs delivered on chain (design G5, issue #14 attack 9): when a
// requester's endpoint did not receive a verified task's outputs it demands
// them with MsgDemandDelivery, and the device answers with MsgDeliverOutputs,
// whose items the chain checks against the task's claimed root with their
// multi-proof before it publishes them in EventOutputsDelivered. The collector
// reads those events and keeps the items exactly like uploaded outputs, so a
// device that withholds its upload cannot keep the requester from its results.

import (
	"context"
	"encoding/hex"
	"fmt"

	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// DeliveredSource reads the EventOutputsDelivered the chain emitted for a job.
// Returning an event twice is harmless: items are merged idempotently.
type DeliveredSource interface {
	OutputsDelivered(ctx context.Context, jobID uint64) ([]types.EventOutputsDelivered, error)
}

// TxSearcher is the part of a CometBFT RPC client CometDelivered uses;
// client.Context.Client satisfies it.
type TxSearcher interface {
	TxSearch(ctx context.Context, query string, prove bool, page, perPage *int, orderBy string) (*coretypes.ResultTxSearch, error)
}

// CometDelivered finds EventOutputsDelivered with the node's tx_search. It
// remembers the last height it read, so each call reads only newer blocks.
type CometDelivered struct {
	rpc TxSearcher
	// after is the last block height fully read.
	after int64
}

// NewCometDelivered returns a DeliveredSource reading from rpc.
func NewCometDelivered(rpc TxSearcher) *CometDelivered { return &CometDelivered{rpc: rpc} }

// deliveredEventType is the ABCI event type of EventOutputsDelivered.
var deliveredEventType = proto.MessageName(&types.EventOutputsDelivered{})

// deliveredPerPage is the page size asked of tx_search (CometBFT caps it at 100).
const deliveredPerPage = 100

// OutputsDelivered returns the deliveries for jobID in transactions above the
// last height read. Typed event attributes are JSON values ("\"7\"" for job 7),
// which CometBFT's query language cannot match reliably, so the query selects
// every delivery and the job is filtered here.
func (d *CometDelivered) OutputsDelivered(ctx context.Context, jobID uint64) ([]types.EventOutputsDelivered, error) {
	query := fmt.Sprintf("%s.job_id EXISTS AND tx.height > %d", deliveredEventType, d.after)
	var (
		out     []types.EventOutputsDelivered
		highest = d.after
	)
	perPage := deliveredPerPage
	for page := 1; ; page++ {
		p := page
		res, err := d.rpc.TxSearch(ctx, query, false, &p, &perPage, "asc")
		if err != nil {
			return nil, fmt.Errorf("tx_search %q: %w", query, err)
		}
		for _, tx := range res.Txs {
			highest = max(highest, tx.Height)
			if tx.TxResult.Code != 0 {
				continue // a failed transaction's events are not state
			}
			for _, ev := range tx.TxResult.Events {
				if ev.Type != deliveredEventType {
					continue
				}
				msg, err := sdk.ParseTypedEvent(ev)
				if err != nil {
					return nil, fmt.Errorf("tx %X: %s: %w", tx.Hash, deliveredEventType, err)
				}
				if e, ok := msg.(*types.EventOutputsDelivered); ok && e.JobId == jobID {
					out = append(out, *e)
				}
			}
		}
		if len(res.Txs) == 0 || page*perPage >= res.TotalCount {
			break
		}
	}
	// Only now: a failed page leaves the height where it was, to be read again.
	d.after = highest
	return out, nil
}

// delivered holds items read from the chain for tasks without a full upload.
type delivered struct {
	root  [32]byte
	items map[uint64][]byte // item index -> output
}

// pollDelivered reads new deliveries for the job and merges them; a task whose
// items are then all there is stored like an accepted upload.
func (c *Collector) pollDelivered(ctx context.Context) error {
	events, err := c.cfg.Delivered.OutputsDelivered(ctx, c.cfg.JobID)
	if err != nil {
		return err
	}
	for _, ev := range events {
		if err := c.noteDelivered(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// noteDelivered checks one delivery against the task on chain and keeps its items.
func (c *Collector) noteDelivered(ctx context.Context, ev types.EventOutputsDelivered) error {
	if ev.JobId != c.cfg.JobID {
		return nil
	}
	res, err := c.cfg.Query.Task(ctx, &types.QueryTaskRequest{JobId: ev.JobId, TaskIndex: ev.TaskIndex})
	if status.Code(err) == codes.NotFound {
		c.log.Warn("delivery for a task not on chain ignored", "task", ev.TaskIndex)
		return nil
	}
	if err != nil {
		return err
	}
	task := res.Task
	root, err := hex.DecodeString(ev.Root)
	// The chain verified the items' multi-proof against the task's root when it
	// accepted the delivery; what is left to check is that this root is the one
	// the task was verified with (not an earlier, replaced claim).
	if err != nil || task.Status != types.TASK_STATUS_VERIFIED || len(task.Root) != types.RootSize || len(root) != types.RootSize || [32]byte(root) != [32]byte(task.Root) {
		c.log.Warn("delivery ignored: it does not match the task's verified root",
			"task", ev.TaskIndex, "task_status", task.Status.String(), "event_root", ev.Root, "task_root", hex.EncodeToString(task.Root))
		return nil
	}
	c.noteTask(task)
	for _, it := range ev.Items {
		if it.Index < task.FirstItem || it.Index-task.FirstItem >= task.ItemCount || len(it.Output) > types.MaxOutputSize {
			c.log.Warn("delivery ignored: an item is outside the task", "task", ev.TaskIndex, "item", it.Index)
			return nil
		}
	}

	c.mu.Lock()
	if stored, ok := c.stored[task.Index]; ok && stored == [32]byte(task.Root) {
		c.mu.Unlock()
		return nil // the full upload is already here
	}
	d := c.delivered[task.Index]
	if d == nil || d.root != [32]byte(task.Root) {
		d = &delivered{root: [32]byte(task.Root), items: make(map[uint64][]byte)}
		c.delivered[task.Index] = d
	}
	for _, it := range ev.Items {
		d.items[it.Index] = it.Output
	}
	complete := uint64(len(d.items)) == task.ItemCount
	var outputs [][]byte
	if complete {
		outputs = make([][]byte, task.ItemCount)
		for i := range outputs {
			outputs[i] = d.items[task.FirstItem+uint64(i)]
		}
	}
	c.mu.Unlock()
	c.log.Info("outputs delivered on chain", "task", task.Index, "items", len(ev.Items), "device", ev.Device, "complete", complete)
	if !complete {
		return nil
	}
	// Every item is here: the whole tree must hash to the verified root, as an
	// upload must, before the task is stored like one.
	full, err := merkle.TaskRoot(task.JobId, task.FirstItem, outputs)
	if err != nil || full != [32]byte(task.Root) {
		// The chain proved every item, so only a lying node gets here; which
		// item it forged cannot be told, so none of them is kept.
		c.log.Error("delivered outputs do not hash to the verified root: dropped; check the node", "task", task.Index, "err", err)
		c.mu.Lock()
		delete(c.delivered, task.Index)
		c.mu.Unlock()
		return nil
	}
	if err := c.store(task, full, outputs); err != nil {
		return err
	}
	c.mu.Lock()
	delete(c.delivered, task.Index)
	c.mu.Unlock()
	return nil
}

// deliveredItems returns the delivered items of tasks not collected in full,
// by item index, for assembly.
func (c *Collector) deliveredItems(collected map[uint64]bool) map[uint64][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[uint64][]byte)
	for index, d := range c.delivered {
		if collected[index] || c.verified[index] != d.root {
			continue
		}
		for item, output := range d.items {
			out[item] = output
		}
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

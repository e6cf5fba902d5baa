package dashboard

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cosmossdk.io/math"
	cmtservice "github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// fakeMarket answers the queries the pages make from fixed state.
type fakeMarket struct {
	types.QueryClient
	jobs    map[uint64]types.Job
	devices map[string]types.Device
}

func (f *fakeMarket) Job(_ context.Context, in *types.QueryJobRequest, _ ...grpc.CallOption) (*types.QueryJobResponse, error) {
	j, ok := f.jobs[in.JobId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "job %d not found", in.JobId)
	}
	return &types.QueryJobResponse{Job: j}, nil
}

func (f *fakeMarket) Jobs(context.Context, *types.QueryJobsRequest, ...grpc.CallOption) (*types.QueryJobsResponse, error) {
	var out []types.Job
	for _, j := range f.jobs {
		out = append(out, j)
	}
	return &types.QueryJobsResponse{Jobs: out}, nil
}

func (f *fakeMarket) JobTasks(_ context.Context, in *types.QueryJobTasksRequest, _ ...grpc.CallOption) (*types.QueryJobTasksResponse, error) {
	return &types.QueryJobTasksResponse{Tasks: []types.Task{{JobId: in.JobId, Index: 0, Device: testDevice, Status: types.TASK_STATUS_VERIFIED, ItemCount: 8}}}, nil
}

func (f *fakeMarket) Params(context.Context, *types.QueryParamsRequest, ...grpc.CallOption) (*types.QueryParamsResponse, error) {
	return &types.QueryParamsResponse{Params: types.DefaultParams()}, nil
}

func (f *fakeMarket) Device(_ context.Context, in *types.QueryDeviceRequest, _ ...grpc.CallOption) (*types.QueryDeviceResponse, error) {
	d, ok := f.devices[in.Operator]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no device registered by %s", in.Operator)
	}
	return &types.QueryDeviceResponse{Device: d}, nil
}

func (f *fakeMarket) Devices(context.Context, *types.QueryDevicesRequest, ...grpc.CallOption) (*types.QueryDevicesResponse, error) {
	var out []types.Device
	for _, d := range f.devices {
		out = append(out, d)
	}
	return &types.QueryDevicesResponse{Devices: out}, nil
}

func (f *fakeMarket) DeviceTasks(context.Context, *types.QueryDeviceTasksRequest, ...grpc.CallOption) (*types.QueryDeviceTasksResponse, error) {
	return &types.QueryDeviceTasksResponse{}, nil
}

func (f *fakeMarket) Rewards(context.Context, *types.QueryRewardsRequest, ...grpc.CallOption) (*types.QueryRewardsResponse, error) {
	return &types.QueryRewardsResponse{Withdrawable: math.NewInt(5), CurrentEpochUnits: math.ZeroInt()}, nil
}

func (f *fakeMarket) Epoch(context.Context, *types.QueryEpochRequest, ...grpc.CallOption) (*types.QueryEpochResponse, error) {
	p := types.DefaultParams()
	return &types.QueryEpochResponse{Current: types.EpochInfo{WorkUnits: math.ZeroInt(), Emission: math.ZeroInt()}, NextEmission: p.InitialEpochEmission,
		TotalEmitted: math.ZeroInt(), EmissionCap: p.EmissionCap, UnclaimedRewards: math.ZeroInt(), TotalBurned: math.ZeroInt()}, nil
}

type fakeNodeInfo struct{ cmtservice.ServiceClient }

const testDevice = "night1q8wry7d7v2kx7rfs793rlar4le4kef6fkrd0hw"

func newTestServer(t *testing.T) *Server {
	t.Helper()
	m := &fakeMarket{
		jobs: map[uint64]types.Job{1: {Id: 1, Kind: "mandelbrot", Spec: `{"width":8,"height":8,"max_iter":10}`, Items: 8, ItemsPerTask: 8,
			NumTasks: 1, TasksVerified: 1, PricePerItem: math.NewInt(1000), Escrow: math.ZeroInt(), Status: types.JOB_STATUS_OPEN}},
		devices: map[string]types.Device{testDevice: {Operator: testDevice, Moniker: "rig-1", Bond: math.NewInt(200_000_000), WorkUnits: math.ZeroInt(), Status: types.DEVICE_STATUS_ACTIVE}},
	}
	s, err := New(Config{Node: "tcp://127.0.0.1:1", GRPC: "127.0.0.1:1", Query: m, NodeInfo: fakeNodeInfo{}})
	if err != nil {
		t.Fatal(err)
	}
	s.setConnected("nightshift-devnet-1", 10, time.Now())
	return s
}

func get(t *testing.T, h http.Handler, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader("{}")))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestPagesRender(t *testing.T) {
	h := newTestServer(t).Handler()
	for path, want := range map[string]string{
		"/":                            "Mandelbrot render 8×8, 10 iterations",
		"/jobs/1":                      `data-state="verified"`,
		"/devices":                     "rig-1",
		"/devices/" + testDevice:       "does not report to this dashboard",
		"/emission":                    "Halving schedule",
		"/static/live.js":              "EventSource",
		"/static/vendor/uplot/LICENSE": "MIT",
	} {
		code, body := get(t, h, http.MethodGet, path)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, want 200 with %q:\n%.400s", path, code, want, body)
		}
	}
}

func TestFragmentIsMainOnly(t *testing.T) {
	h := newTestServer(t).Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(fragmentHeader, "1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if body := rec.Body.String(); rec.Code != 200 || strings.Contains(body, "<html") || !strings.Contains(body, "Open jobs") {
		t.Fatalf("fragment: %d %.300s", rec.Code, body)
	}
}

func TestNotFound(t *testing.T) {
	h := newTestServer(t).Handler()
	for path, want := range map[string]string{
		"/jobs/2":                     "job 2 not found",
		"/jobs/abc":                   "not a job id",
		"/jobs/0":                     "not a job id",
		"/devices/night1xyz":          "not a device address",
		"/devices/" + otherAddress(t): "no device registered",
		"/nowhere":                    "There is no page at /nowhere",
	} {
		code, body := get(t, h, http.MethodGet, path)
		if code != http.StatusNotFound || !strings.Contains(body, want) || !strings.Contains(body, "404 · Not found") {
			t.Errorf("GET %s: %d, want a 404 page with %q:\n%.400s", path, code, want, body)
		}
	}
}

// otherAddress is a valid address with no device.
func otherAddress(t *testing.T) string {
	t.Helper()
	a, err := bech32.ConvertAndEncode("night", make([]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestReadOnly(t *testing.T) {
	h := newTestServer(t).Handler()
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		for _, path := range []string{"/", "/jobs/1", "/devices", "/emission", "/events", "/static/live.js"} {
			if code, _ := get(t, h, method, path); code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", method, path, code)
			}
		}
	}
	if code, _ := get(t, h, http.MethodHead, "/"); code != http.StatusOK {
		t.Errorf("HEAD /: %d", code)
	}
}

func TestWorkerReport(t *testing.T) {
	s := newTestServer(t)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	if err := SendWorkerReport(context.Background(), srv.Client(), srv.URL, WorkerReport{Device: testDevice, State: "paused", Reason: "outside the schedule", Threads: 2}); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, s.Handler(), http.MethodGet, "/devices/"+testDevice); !strings.Contains(body, "outside the schedule") {
		t.Fatalf("device page lacks the pause reason:\n%s", body)
	}
	for _, bad := range []WorkerReport{{Device: "nobody", State: "paused"}, {Device: testDevice, State: "sleeping"}} {
		if err := SendWorkerReport(context.Background(), srv.Client(), srv.URL, bad); err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("report %+v: %v, want 400", bad, err)
		}
	}
}

// TestNodeUnreachable runs the follower against a closed port: the page says
// the node is unreachable, and a page needing the node answers 503.
func TestNodeUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s, err := New(Config{Node: "tcp://" + addr, GRPC: addr, Query: unreachableMarket{}, NodeInfo: fakeNodeInfo{}, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Follow(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.Conn().Problem, "unreachable") {
		if time.Now().After(deadline) {
			t.Fatalf("state after 10s: %+v", s.Conn())
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, body := get(t, s.Handler(), http.MethodGet, "/")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "the node at tcp://"+addr+" is unreachable") || !strings.Contains(body, "retrying") {
		t.Fatalf("GET / with the node down: %d\n%s", code, body)
	}
}

type unreachableMarket struct{ types.QueryClient }

func (unreachableMarket) Jobs(context.Context, *types.QueryJobsRequest, ...grpc.CallOption) (*types.QueryJobsResponse, error) {
	return nil, status.Error(codes.Unavailable, "connection refused")
}

func TestCheckChain(t *testing.T) {
	for _, c := range []struct{ want, rpc, grpc, err string }{
		{"", "a-1", "a-1", ""},
		{"a-1", "a-1", "a-1", ""},
		{"a-1", "b-1", "b-1", "serves chain b-1, not a-1"},
		{"", "a-1", "b-1", "point both at the same node"},
	} {
		err := checkChain(c.want, c.rpc, c.grpc, "rpc", "grpc")
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("checkChain(%q, %q, %q) = %v, want %q", c.want, c.rpc, c.grpc, err, c.err)
		}
	}
}

func TestHalvingSchedule(t *testing.T) {
	p := types.DefaultParams()
	s := halvingSchedule(p, 0)
	if len(s) != maxHalvings || !s[0].Current || !s[0].PerEpoch.Equal(p.InitialEpochEmission) || !s[1].PerEpoch.Equal(p.InitialEpochEmission.QuoRaw(2)) {
		t.Fatalf("schedule: %+v", s[:2])
	}
	if want := p.InitialEpochEmission.MulRaw(int64(p.HalvingEpochs)); !s[0].CumulativeAt.Equal(want) {
		t.Fatalf("emitted by the first halving %s, want %s", s[0].CumulativeAt, want)
	}
	for _, h := range s {
		if h.CumulativeAt.GT(p.EmissionCap) {
			t.Fatalf("period %d exceeds the cap", h.Index)
		}
	}
}

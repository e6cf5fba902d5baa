package dashboard

import (
	"net/http"
	"strconv"
	"time"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// deviceRow is a device as the devices page lists it.
type deviceRow struct {
	types.Device
	Status       string
	Withdrawable math.Int
	Earned       math.Int // payments seen since the dashboard started
}

func deviceStatus(s types.DeviceStatus) string {
	switch s {
	case types.DEVICE_STATUS_ACTIVE:
		return "active"
	case types.DEVICE_STATUS_JAILED:
		return "jailed"
	case types.DEVICE_STATUS_UNBONDING:
		return "unbonding"
	case types.DEVICE_STATUS_UNBONDED:
		return "unbonded"
	}
	return "unknown"
}

func (s *Server) deviceRow(r *http.Request, d types.Device) deviceRow {
	row := deviceRow{Device: d, Status: deviceStatus(d.Status), Withdrawable: math.ZeroInt(), Earned: math.ZeroInt()}
	if rw, err := s.cfg.Query.Rewards(r.Context(), &types.QueryRewardsRequest{Operator: d.Operator}); err == nil {
		row.Withdrawable = rw.Withdrawable
	}
	if pts := s.history.deviceEarnings(d.Operator); len(pts) > 0 {
		row.Earned = pts[len(pts)-1].Paid
	}
	return row
}

// devicesPage lists the devices.
type devicesPage struct {
	page
	Devices []deviceRow
}

func (s *Server) serveDevices(w http.ResponseWriter, r *http.Request) {
	res, err := s.cfg.Query.Devices(r.Context(), &types.QueryDevicesRequest{Pagination: &query.PageRequest{Limit: maxListed}})
	if err != nil {
		s.chainError(w, r, "the devices", err)
		return
	}
	p := devicesPage{page: s.page("Devices", "devices")}
	for _, d := range res.Devices {
		p.Devices = append(p.Devices, s.deviceRow(r, d))
	}
	s.render(w, r, http.StatusOK, "devices", p)
}

// devicePage is one device.
type devicePage struct {
	page
	Device    deviceRow
	Live      []types.Task
	Earnings  chart
	Points    int
	Report    WorkerReport
	Reporting bool
}

func (s *Server) serveDevice(w http.ResponseWriter, r *http.Request) {
	addr := r.PathValue("addr")
	if _, _, err := bech32.DecodeAndConvert(addr); err != nil {
		s.notFound(w, r, "%q is not a device address: %v.", addr, err)
		return
	}
	res, err := s.cfg.Query.Device(r.Context(), &types.QueryDeviceRequest{Operator: addr})
	if err != nil {
		s.chainError(w, r, "device "+addr, err)
		return
	}
	live, err := s.cfg.Query.DeviceTasks(r.Context(), &types.QueryDeviceTasksRequest{Operator: addr, Pagination: &query.PageRequest{Limit: maxListed}})
	if err != nil {
		s.chainError(w, r, "the device's tasks", err)
		return
	}
	p := devicePage{page: s.page("Device "+res.Device.Moniker, "devices"), Device: s.deviceRow(r, res.Device), Live: live.Tasks}
	p.Report, p.Reporting = s.reports.get(addr, time.Now())
	pts := s.history.deviceEarnings(addr)
	p.Points = len(pts)
	p.Earnings = earningsChart(s.history.started, pts)
	s.render(w, r, http.StatusOK, "device", p)
}

// earningsChart plots a device's running totals, starting from zero when the
// dashboard started.
func earningsChart(started time.Time, pts []earningPoint) chart {
	c := chart{Title: "Earned since the dashboard started (SHIFT)", XTime: true, Series: []string{"task payments", "emission withdrawn"}, Data: make([][]float64, 3)}
	add := func(t time.Time, paid, emission float64) {
		c.Data[0] = append(c.Data[0], float64(t.Unix()))
		c.Data[1] = append(c.Data[1], paid)
		c.Data[2] = append(c.Data[2], emission)
	}
	add(started, 0, 0)
	for _, p := range pts {
		add(p.Time, shiftFloat(p.Paid), shiftFloat(p.Emission))
	}
	if n := len(pts); n > 0 && time.Since(pts[n-1].Time) > time.Second {
		add(time.Now(), shiftFloat(pts[n-1].Paid), shiftFloat(pts[n-1].Emission))
	} else if n == 0 {
		add(time.Now(), 0, 0)
	}
	return c
}

func uintString(v uint64) string { return strconv.FormatUint(v, 10) }

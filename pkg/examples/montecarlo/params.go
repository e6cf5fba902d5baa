package montecarlo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ParamsLen is the size of the encoded params.
const ParamsLen = 52

// Limits the program enforces (it traps beyond them).
const (
	MaxSteps = 1 << 16
	MaxPaths = 1 << 24
)

// One is 1.0 in Q32.
const One = 1 << 32

// Style is the payoff.
type Style uint32

const (
	European Style = 0 // max(S_T - K, 0)
	Asian    Style = 1 // max(mean(S_1..S_T) - K, 0), arithmetic average
)

// Params are the program's params, prices in Q32 (value * 2^32).
//
// Encoding (52 bytes, little-endian): u64 Spot, Strike, Up, Down, Discount;
// u32 Steps, PathsPerItem, Style.
type Params struct {
	Spot, Strike, Up, Down, Discount uint64
	Steps, PathsPerItem              uint32
	Style                            Style
}

// Encode returns the params as the program reads them.
func (p Params) Encode() []byte {
	b := make([]byte, 0, ParamsLen)
	for _, v := range []uint64{p.Spot, p.Strike, p.Up, p.Down, p.Discount} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	for _, v := range []uint32{p.Steps, p.PathsPerItem, uint32(p.Style)} {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// DecodeParams parses encoded params (it does not check them; see Check).
func DecodeParams(b []byte) (Params, error) {
	if len(b) != ParamsLen {
		return Params{}, fmt.Errorf("montecarlo params are %d bytes, got %d", ParamsLen, len(b))
	}
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
	return Params{
		Spot: u(0), Strike: u(1), Up: u(2), Down: u(3), Discount: u(4),
		Steps:        binary.LittleEndian.Uint32(b[40:]),
		PathsPerItem: binary.LittleEndian.Uint32(b[44:]),
		Style:        Style(binary.LittleEndian.Uint32(b[48:])),
	}, nil
}

// Check refuses params the program traps on, and params whose prices could wrap
// around 2^64 (the program's arithmetic is modular; a wrapped price is garbage):
// the highest path price Spot*Up^Steps, summed over Steps, must stay below 2^63.
func (p Params) Check() error {
	switch {
	case p.Steps < 1 || p.Steps > MaxSteps:
		return fmt.Errorf("steps must be in [1, %d]", MaxSteps)
	case p.PathsPerItem < 1 || p.PathsPerItem > MaxPaths:
		return fmt.Errorf("paths per item must be in [1, %d]", MaxPaths)
	case p.Style != European && p.Style != Asian:
		return fmt.Errorf("style %d is neither 0 (European) nor 1 (Asian)", p.Style)
	case p.Down > p.Up:
		return errors.New("down must not exceed up")
	case p.Discount > One:
		return errors.New("the discount factor must be at most 1")
	}
	top := float64(p.Spot) * math.Pow(float64(p.Up)/One, float64(p.Steps)) * float64(p.Steps)
	if top >= 1<<63 {
		return errors.New("spot * up^steps * steps reaches 2^63 in Q32: prices would wrap")
	}
	return nil
}

// Option describes a call option under geometric Brownian motion, in the units a
// desk uses; Params converts it to the program's fixed-point tree.
type Option struct {
	Spot, Strike float64 // e.g. 100, 105
	Rate         float64 // risk-free rate per year, continuously compounded (0.05)
	Volatility   float64 // per sqrt(year) (0.2)
	Maturity     float64 // years (1)
	Steps        uint32  // tree steps (time resolution)
	PathsPerItem uint32
	Style        Style
}

// Params builds the equal-probability (Jarrow–Rudd) tree: with dt = T/steps,
// up, down = exp((r - σ²/2)·dt ± σ·√dt), each with probability 1/2, and the
// discount exp(-r·T). Floats are fine here: this runs off chain, once, and the
// program only ever sees the rounded Q32 integers.
func (o Option) Params() (Params, error) {
	if !(o.Spot > 0 && o.Strike >= 0 && o.Volatility > 0 && o.Maturity > 0 && o.Rate >= 0) {
		return Params{}, errors.New("need spot > 0, strike >= 0, volatility > 0, maturity > 0, rate >= 0")
	}
	if o.Steps < 1 {
		return Params{}, errors.New("steps must be at least 1")
	}
	if o.Spot >= 1<<30 || o.Strike >= 1<<30 {
		return Params{}, errors.New("spot and strike must be below 2^30")
	}
	dt := o.Maturity / float64(o.Steps)
	drift := (o.Rate - o.Volatility*o.Volatility/2) * dt
	shock := o.Volatility * math.Sqrt(dt)
	p := Params{
		Spot:         q32(o.Spot),
		Strike:       q32(o.Strike),
		Up:           q32(math.Exp(drift + shock)),
		Down:         q32(math.Exp(drift - shock)),
		Discount:     q32(math.Exp(-o.Rate * o.Maturity)),
		Steps:        o.Steps,
		PathsPerItem: o.PathsPerItem,
		Style:        o.Style,
	}
	return p, p.Check()
}

func q32(x float64) uint64 { return uint64(math.Round(x * One)) }

package montecarlo

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nightshift-network/nightshift/pkg/examples/internal/abitest"
)

func runner(t testing.TB) *abitest.Runner {
	t.Helper()
	r, err := abitest.New(Wasm, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func option(t testing.TB, style Style, steps, paths uint32) Params {
	t.Helper()
	p, err := Option{Spot: 100, Strike: 105, Rate: 0.05, Volatility: 0.2, Maturity: 1, Steps: steps, PathsPerItem: paths, Style: style}.Params()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProgramMatchesReference(t *testing.T) {
	r := runner(t)
	for _, p := range []Params{
		option(t, European, 1, 1),
		option(t, European, 63, 17),
		option(t, Asian, 64, 33),
		option(t, Asian, 200, 50),
		{Spot: 7 * One, Strike: 0, Up: One + One/16, Down: One - One/16, Discount: One, Steps: 129, PathsPerItem: 9, Style: Asian},
	} {
		for _, job := range []uint64{1, 1 << 40} {
			for item := range uint64(12) {
				want, ok := Reference(job, item, p)
				if !ok {
					t.Fatalf("reference refuses %+v", p)
				}
				got, err := r.Run(context.Background(), job, item, p.Encode(), nil)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, append([]byte{0}, want...)) {
					t.Fatalf("params %+v job %d item %d: program %x, reference 0x00%x", p, job, item, got, want)
				}
			}
		}
	}
}

// binomialPrice is the exact expectation on the program's tree (from its Q32
// params): sum over j of C(n,j)/2^n * max(S*u^j*d^(n-j) - K, 0) * discount.
func binomialPrice(p Params) float64 {
	n := float64(p.Steps)
	s, k := float64(p.Spot)/One, float64(p.Strike)/One
	lu, ld := math.Log(float64(p.Up)/One), math.Log(float64(p.Down)/One)
	var price float64
	for j := 0.0; j <= n; j++ {
		lc, _ := math.Lgamma(n + 1)
		la, _ := math.Lgamma(j + 1)
		lb, _ := math.Lgamma(n - j + 1)
		w := math.Exp(lc - la - lb - n*math.Ln2)
		price += w * math.Max(s*math.Exp(j*lu+(n-j)*ld)-k, 0)
	}
	return price * float64(p.Discount) / One
}

func blackScholesCall(s, k, r, sigma, t float64) float64 {
	d1 := (math.Log(s/k) + (r+sigma*sigma/2)*t) / (sigma * math.Sqrt(t))
	d2 := d1 - sigma*math.Sqrt(t)
	cdf := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	return s*cdf(d1) - k*math.Exp(-r*t)*cdf(d2)
}

func simulate(t *testing.T, p Params, items uint64) Estimate {
	t.Helper()
	recorded := make([][]byte, items)
	for item := range items {
		out, _ := Reference(42, item, p)
		recorded[item] = append([]byte{0}, out...)
	}
	est, err := Reduce(p, recorded)
	if err != nil {
		t.Fatal(err)
	}
	return est
}

// The estimate converges to the tree's exact price, which converges to
// Black–Scholes (8.0214 for S=100, K=105, r=5%, σ=20%, T=1).
func TestEuropeanEstimateMatchesExactPrice(t *testing.T) {
	p := option(t, European, 256, 4096)
	est := simulate(t, p, 48)
	exact := binomialPrice(p)
	bs := blackScholesCall(100, 105, 0.05, 0.2, 1)
	if math.Abs(est.Price-exact) > 4*est.StdErr {
		t.Fatalf("estimate %.4f ± %.4f, exact tree price %.4f", est.Price, est.StdErr, exact)
	}
	if math.Abs(exact-bs) > 0.05 || math.Abs(bs-8.0214) > 0.001 {
		t.Fatalf("tree %.4f, Black–Scholes %.4f", exact, bs)
	}
	if est.StdErr <= 0 || est.StdErr > 0.05 || est.Paths != 48*4096 {
		t.Fatalf("%d paths, standard error %.4f", est.Paths, est.StdErr)
	}
}

// gbmAsian prices the Asian call independently: float64 geometric Brownian motion
// with Gaussian increments (not a binomial tree), from math/rand.
func gbmAsian(s, k, r, sigma, t float64, steps, paths int) (float64, float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	dt := t / float64(steps)
	var sum, sumSq float64
	for range paths {
		x, total := s, 0.0
		for range steps {
			x *= math.Exp((r-sigma*sigma/2)*dt + sigma*math.Sqrt(dt)*rng.NormFloat64())
			total += x
		}
		pv := math.Max(total/float64(steps)-k, 0) * math.Exp(-r*t)
		sum += pv
		sumSq += pv * pv
	}
	mean := sum / float64(paths)
	return mean, math.Sqrt((sumSq/float64(paths) - mean*mean) / float64(paths))
}

// The Asian (average-price) call agrees with an independent Gaussian simulation and
// is worth less than the European one (the average is less volatile).
func TestAsianEstimateMatchesGaussianSimulation(t *testing.T) {
	est := simulate(t, option(t, Asian, 252, 2048), 32)
	want, se := gbmAsian(100, 105, 0.05, 0.2, 1, 252, 40000)
	if math.Abs(est.Price-want) > 4*math.Hypot(est.StdErr, se) {
		t.Fatalf("Asian call %.4f ± %.4f, Gaussian simulation %.4f ± %.4f", est.Price, est.StdErr, want, se)
	}
	if est.Price >= blackScholesCall(100, 105, 0.05, 0.2, 1) {
		t.Fatalf("Asian call %.4f is not below the European price", est.Price)
	}
}

// Outputs depend on the job id (the seed): one job's results are not another's (G2).
func TestOutputBindsJob(t *testing.T) {
	p := option(t, European, 64, 64)
	a, _ := Reference(1, 0, p)
	b, _ := Reference(2, 0, p)
	c, _ := Reference(1, 1, p)
	if bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Fatal("two jobs or two items share an output")
	}
}

func TestBadParamsTrap(t *testing.T) {
	r := runner(t)
	good := option(t, European, 8, 8)
	mod := func(f func(*Params)) []byte { p := good; f(&p); return p.Encode() }
	for name, raw := range map[string][]byte{
		"short":          good.Encode()[:51],
		"zero steps":     mod(func(p *Params) { p.Steps = 0 }),
		"too many steps": mod(func(p *Params) { p.Steps = MaxSteps + 1 }),
		"zero paths":     mod(func(p *Params) { p.PathsPerItem = 0 }),
		"too many paths": mod(func(p *Params) { p.PathsPerItem = MaxPaths + 1 }),
		"unknown style":  mod(func(p *Params) { p.Style = 2 }),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := r.Run(context.Background(), 1, 0, raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte{0x01, 0x05}) {
				t.Fatalf("recorded %x, want the trap 0105", got)
			}
			if p, err := DecodeParams(raw); err == nil {
				if _, ok := Reference(1, 0, p); ok {
					t.Fatal("the reference accepts what the program traps on")
				}
			}
		})
	}
}

func TestCheckRefusesWrappingPrices(t *testing.T) {
	p := Params{Spot: 1 << 40, Strike: 0, Up: 2 * One, Down: One, Discount: One, Steps: 64, PathsPerItem: 1}
	if p.Check() == nil {
		t.Fatal("a tree whose top price wraps 2^64 passed Check")
	}
	if _, err := (Option{Spot: 100, Strike: 100, Rate: 0.01, Volatility: 5, Maturity: 30, Steps: 65536, PathsPerItem: 1}).Params(); err == nil {
		t.Fatal("an option whose tree wraps passed")
	}
}

func TestReduceTalliesAndRefuses(t *testing.T) {
	p := option(t, European, 16, 100)
	out, _ := Reference(1, 0, p)
	ok := append([]byte{0}, out...)
	est, err := Reduce(p, [][]byte{ok, nil, {0x01, 0x01}, ok})
	if err != nil {
		t.Fatal(err)
	}
	if est.Paths != 200 || len(est.Missing) != 1 || est.Trapped[2] != 0x01 {
		t.Fatalf("estimate %+v", est)
	}
	if _, err := Reduce(option(t, European, 16, 99), [][]byte{ok}); err == nil {
		t.Fatal("an output with another path count than the params was accepted")
	}
	if _, err := Reduce(p, [][]byte{ok[:40]}); err == nil {
		t.Fatal("a short output was accepted")
	}
}

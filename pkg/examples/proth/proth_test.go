package proth

import (
	"bytes"
	"context"
	"math/big"
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

// bigPrimes lists the k of items [0, items) whose k*2^n+1 math/big calls prime.
func bigPrimes(p Params, items uint64) []uint64 {
	var ks []uint64
	for item := range items {
		for j := range p.KPerItem {
			k := p.K(item, j)
			n := new(big.Int).Lsh(new(big.Int).SetUint64(k), uint(p.N))
			n.Add(n, big.NewInt(1))
			if n.ProbablyPrime(20) {
				ks = append(ks, k)
			}
		}
	}
	return ks
}

var cases = []struct {
	name  string
	p     Params
	items uint64
}{
	{"tiny n=4", Params{N: 4, KStart: 1, KPerItem: 4}, 2},         // 17, 49 (a square), 81, 113, ...
	{"n=12", Params{N: 12, KStart: 1, KPerItem: 16}, 8},           // one limb
	{"n=31 two limbs", Params{N: 31, KStart: 1, KPerItem: 10}, 4}, // N crosses 32 bits
	{"n=64 three limbs", Params{N: 64, KStart: 1001, KPerItem: 8}, 4},
	{"n=127", Params{N: 127, KStart: 3, KPerItem: 16}, 3},
	{"n=521", Params{N: 521, KStart: 1, KPerItem: 4}, 2},
}

func TestProgramMatchesReference(t *testing.T) {
	r := runner(t)
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, job := range []uint64{1, 77} {
				for item := range c.items {
					want, ok := Reference(job, item, c.p)
					if !ok {
						t.Fatalf("reference refuses item %d", item)
					}
					got, err := r.Run(ctx, job, item, c.p.Encode(), nil)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, append([]byte{0}, want...)) {
						t.Fatalf("job %d item %d: program %x, reference 0x00%x", job, item, got, want)
					}
				}
			}
		})
	}
}

func TestReferenceAgreesWithMathBig(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recorded := make([][]byte, c.items)
			for item := range c.items {
				out, _ := Reference(9, item, c.p)
				recorded[item] = append([]byte{0}, out...)
			}
			s, err := Reduce(c.p, recorded)
			if err != nil {
				t.Fatal(err)
			}
			want := bigPrimes(c.p, c.items)
			if !equalKs(s.Ks, want) {
				t.Fatalf("primes %v, math/big %v", s.Ks, want)
			}
			if s.Tested != c.items*uint64(c.p.KPerItem) || !s.Complete() {
				t.Fatalf("tested %d, tally %+v", s.Tested, s.Tally)
			}
		})
	}
}

// 3*2^n+1 is prime exactly for these n in [2, 220] (OEIS A002253), and math/big agrees.
func TestKnownProthPrimes(t *testing.T) {
	known := map[uint32]bool{2: true, 5: true, 6: true, 8: true, 12: true, 18: true, 30: true, 36: true, 41: true, 66: true, 189: true, 201: true, 209: true}
	for n := uint32(2); n <= 220; n++ {
		p := Params{N: n, KStart: 3, KPerItem: 1}
		out, ok := Reference(5, 0, p)
		if !ok {
			t.Fatalf("n=%d refused", n)
		}
		o, err := DecodeOutput(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(o.Ks) == 1; got != known[n] || got != (len(bigPrimes(p, 1)) == 1) {
			t.Fatalf("3*2^%d+1: prime %v, expected %v", n, got, known[n])
		}
	}
}

// A perfect square has no quadratic non-residue: 3*2^4+1 = 49 stays undecided,
// never prime.
func TestSquareIsUndecided(t *testing.T) {
	out, _ := Reference(1, 0, Params{N: 4, KStart: 3, KPerItem: 1})
	o, err := DecodeOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	if o.Undecided != 1 || len(o.Ks) != 0 {
		t.Fatalf("49: %+v", o)
	}
}

// The digest depends on the job (its bases), so an output cannot be replayed into
// another job with the same params (G2); the primes found do not change.
func TestDigestBindsJob(t *testing.T) {
	p := Params{N: 127, KStart: 3, KPerItem: 16}
	a, _ := Reference(1, 0, p)
	b, _ := Reference(2, 0, p)
	oa, _ := DecodeOutput(a)
	ob, _ := DecodeOutput(b)
	if oa.Digest == ob.Digest {
		t.Fatal("the same digest for two jobs")
	}
	if !equalKs(oa.Ks, ob.Ks) {
		t.Fatalf("primes depend on the job: %v vs %v", oa.Ks, ob.Ks)
	}
}

func TestBadParamsTrap(t *testing.T) {
	r := runner(t)
	good := Params{N: 12, KStart: 1, KPerItem: 4}
	bad := map[string]struct {
		raw  []byte
		item uint64
	}{
		"short":            {good.Encode()[:15], 0},
		"n zero":           {Params{N: 0, KStart: 1, KPerItem: 1}.Encode(), 0},
		"even k":           {Params{N: 12, KStart: 2, KPerItem: 1}.Encode(), 0},
		"zero per item":    {Params{N: 12, KStart: 1, KPerItem: 0}.Encode(), 0},
		"per item too big": {Params{N: 900, KStart: 1, KPerItem: MaxPerItem + 1}.Encode(), 0},
		"k not below 2^n":  {good.Encode(), 1024},
		"N over 1024 bits": {Params{N: 1020, KStart: 31, KPerItem: 1}.Encode(), 0},
		"k wraps":          {Params{N: 900, KStart: ^uint64(0), KPerItem: 2}.Encode(), 0},
		"item too large":   {Params{N: 900, KStart: 1, KPerItem: 1}.Encode(), MaxItems},
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			got, err := r.Run(context.Background(), 1, c.item, c.raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte{0x01, 0x05}) {
				t.Fatalf("recorded %x, want the trap 0105", got)
			}
			if p, err := DecodeParams(c.raw); err == nil {
				if _, ok := Reference(1, c.item, p); ok {
					t.Fatal("the reference accepts what the program traps on")
				}
			}
		})
	}
}

func TestReduceTalliesAndRefuses(t *testing.T) {
	p := Params{N: 12, KStart: 1, KPerItem: 16}
	out0, _ := Reference(3, 0, p)
	out2, _ := Reference(3, 2, p)
	recorded := [][]byte{append([]byte{0}, out0...), nil, append([]byte{0}, out2...), {0x01, 0x01}}
	s, err := Reduce(p, recorded)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Missing) != 1 || s.Missing[0] != 1 || s.Trapped[3] != 0x01 || s.Tested != 32 {
		t.Fatalf("summary %+v", s)
	}
	forged := append([]byte{0}, out0...)
	forged[5]++ // claims one more prime than it lists
	if _, err := Reduce(p, [][]byte{forged}); err == nil {
		t.Fatal("an output claiming more primes than it holds was accepted")
	}
	if _, err := Reduce(Params{N: 12, KStart: 1, KPerItem: 8}, recorded[:1]); err == nil {
		t.Fatal("an output testing another number of candidates than the params was accepted")
	}
}

func equalKs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The largest item the params allow runs: its output (every candidate prime in the
// worst case) fits in the program's memory.
func TestLargestItemRuns(t *testing.T) {
	p := Params{N: 20, KStart: 1, KPerItem: MaxPerItem}
	got, err := runner(t).Run(context.Background(), 1, 0, p.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := Reference(1, 0, p)
	if !ok || !bytes.Equal(got, append([]byte{0}, want...)) {
		t.Fatalf("recorded %x…", got[:min(len(got), 8)])
	}
}

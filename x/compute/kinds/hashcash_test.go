package kinds

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"testing"
)

func mustHashcash(t testing.TB, spec string, items uint64) *HashcashSpec {
	t.Helper()
	s, err := ParseHashcashSpec([]byte(spec), items)
	if err != nil {
		t.Fatalf("ParseHashcashSpec(%s): %v", spec, err)
	}
	return s
}

// Smallest nonces, computed independently (Python hashlib) from the definition.
var hashcashGolden = []struct {
	jobID, index uint64
	difficulty   uint
	nonce        uint64
}{
	{0, 0, 1, 3},
	{1, 0, 8, 369},
	{1, 1, 8, 356},
	{42, 7, 12, 1305},
	{7, 3, 16, 31956},
	{123456789, 99, 20, 2529488},
	{math.MaxUint64, math.MaxUint64 - 1, 10, 338},
}

func TestHashcashGolden(t *testing.T) {
	for _, g := range hashcashGolden {
		if testing.Short() && g.difficulty > 16 {
			continue
		}
		spec := `{"difficulty_bits":` + itoa(uint64(g.difficulty)) + `}`
		s := mustHashcash(t, spec, math.MaxUint64)
		out, err := computeOut(s, g.jobID, g.index)
		if err != nil {
			t.Fatal(err)
		}
		if got := binary.BigEndian.Uint64(out); len(out) != 8 || got != g.nonce {
			t.Errorf("ComputeOutput(%d, %d) at %d bits = %x, want nonce %d", g.jobID, g.index, g.difficulty, out, g.nonce)
		}
		if err := verifyOut(s, g.jobID, g.index, out); err != nil {
			t.Errorf("own output rejected: %v", err)
		}
		// Every smaller nonce fails, so the search returned the smallest.
		if g.nonce > 0 {
			if n, found := HashcashSearch(g.jobID, g.index, g.difficulty, 0, g.nonce); found {
				t.Errorf("nonce %d below the golden %d also qualifies", n, g.nonce)
			}
		}
	}
}

func TestHashcashSearchChunks(t *testing.T) {
	const job, item, bits = 1, 0, 8 // smallest nonce 369, see the golden vectors
	if _, found := HashcashSearch(job, item, bits, 0, 369); found {
		t.Fatal("found a nonce below 369")
	}
	if n, found := HashcashSearch(job, item, bits, 300, 70); !found || n != 369 {
		t.Fatalf("chunk [300, 370) = %d, %v; want 369", n, found)
	}
	if n, found := HashcashSearch(job, item, bits, 369, 1); !found || n != 369 {
		t.Fatalf("chunk [369, 370) = %d, %v; want 369", n, found)
	}
	if _, found := HashcashSearch(job, item, bits, 369, 0); found {
		t.Fatal("empty chunk found a nonce")
	}
	// A chunk running past 2^64-1 stops there instead of wrapping to 0.
	if n, found := HashcashSearch(job, item, 40, math.MaxUint64-3, 100); found {
		t.Fatalf("found %d at 40 bits near the top of the range", n)
	}
	if _, found := HashcashSearch(job, item, 257, 0, 1000); found {
		t.Fatal("found a digest with more than 256 leading zero bits")
	}
}

func TestLeadingZeroBits(t *testing.T) {
	var h [32]byte
	for d := uint(0); d <= 256; d++ {
		if !leadingZeroBitsAtLeast(&h, d) {
			t.Fatalf("zero digest fails %d bits", d)
		}
	}
	for bit := uint(0); bit < 256; bit++ {
		h = [32]byte{}
		h[bit/8] = 0x80 >> (bit % 8) // exactly bit leading zeros
		for _, d := range []uint{bit, bit + 1} {
			if got, want := leadingZeroBitsAtLeast(&h, d), d <= bit; got != want {
				t.Fatalf("digest with %d leading zeros, at least %d = %v", bit, d, got)
			}
		}
	}
}

func TestHashcashParse(t *testing.T) {
	s := mustHashcash(t, `{"difficulty_bits":32}`, 1)
	// A check is one hash at any difficulty: that is the work validators see.
	if s.DifficultyBits() != 32 || s.MaxWorkPerItem() != HashcashWork {
		t.Fatalf("got bits %d work bound %d", s.DifficultyBits(), s.MaxWorkPerItem())
	}
	if s := mustHashcash(t, ` { "difficulty_bits" : 1 } `, 1); s.MaxWorkPerItem() != HashcashWork {
		t.Fatalf("MaxWorkPerItem = %d, want %d", s.MaxWorkPerItem(), HashcashWork)
	}
	for _, tc := range []struct {
		name  string
		spec  string
		items uint64
	}{
		{"empty", ``, 1},
		{"whitespace", `  `, 1},
		{"empty object", `{}`, 1},
		{"zero difficulty", `{"difficulty_bits":0}`, 1},
		{"difficulty above 32", `{"difficulty_bits":33}`, 1},
		{"huge difficulty", `{"difficulty_bits":18446744073709551615}`, 1},
		{"overflowing difficulty", `{"difficulty_bits":18446744073709551616}`, 1},
		{"negative", `{"difficulty_bits":-8}`, 1},
		{"fraction", `{"difficulty_bits":8.5}`, 1},
		{"float form", `{"difficulty_bits":8.0}`, 1},
		{"exponent", `{"difficulty_bits":8e0}`, 1},
		{"string", `{"difficulty_bits":"8"}`, 1},
		{"null", `{"difficulty_bits":null}`, 1},
		{"unknown field", `{"difficulty_bits":8,"salt":1}`, 1},
		{"case-folded key", `{"Difficulty_Bits":8}`, 1},
		{"duplicate key", `{"difficulty_bits":8,"difficulty_bits":9}`, 1},
		{"trailing data", `{"difficulty_bits":8}{}`, 1},
		{"array", `[8]`, 1},
		{"zero items", `{"difficulty_bits":8}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseHashcashSpec([]byte(tc.spec), tc.items)
			if !errors.Is(err, ErrInvalidSpec) || s != nil {
				t.Fatalf("got %v, %v; want ErrInvalidSpec", s, err)
			}
		})
	}
}

func TestHashcashVerifyOutput(t *testing.T) {
	s := mustHashcash(t, `{"difficulty_bits":12}`, 10)
	good := binary.BigEndian.AppendUint64(nil, 1305) // job 42 item 7, from the golden vectors
	if err := verifyOut(s, 42, 7, good); err != nil {
		t.Fatalf("valid nonce rejected: %v", err)
	}
	// A larger qualifying nonce is also valid: verification cannot know the smallest.
	next, found := HashcashSearch(42, 7, 12, 1306, 1<<30)
	if !found {
		t.Fatal("no second nonce")
	}
	if err := verifyOut(s, 42, 7, binary.BigEndian.AppendUint64(nil, next)); err != nil {
		t.Fatalf("second nonce rejected: %v", err)
	}

	flipped := append([]byte(nil), good...)
	flipped[7] ^= 1
	for _, tc := range []struct {
		name         string
		jobID, index uint64
		output       []byte
		want         error
	}{
		{"empty", 42, 7, nil, ErrInvalidOutput},
		{"short", 42, 7, good[:7], ErrInvalidOutput},
		{"long", 42, 7, append(append([]byte(nil), good...), 0), ErrInvalidOutput},
		{"flipped byte", 42, 7, flipped, ErrInvalidOutput},
		{"other item", 42, 8, good, ErrInvalidOutput},
		{"other job", 43, 7, good, ErrInvalidOutput},
		{"item out of range", 42, 10, good, ErrItemOutOfRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := verifyOut(s, tc.jobID, tc.index, tc.output); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}

	// The nonce for 12 bits has 12..15 leading zeros; at a higher difficulty
	// (spec of 20 bits) it is insufficient.
	hard := mustHashcash(t, `{"difficulty_bits":20}`, 10)
	if err := verifyOut(hard, 42, 7, good); !errors.Is(err, ErrInvalidOutput) {
		t.Fatalf("insufficient difficulty: error = %v, want ErrInvalidOutput", err)
	}
	if _, err := computeOut(s, 42, 10); !errors.Is(err, ErrItemOutOfRange) {
		t.Fatalf("ComputeOutput out of range: error = %v, want ErrItemOutOfRange", err)
	}
}

func FuzzHashcashValidateSpec(f *testing.F) {
	for _, seed := range []string{
		`{"difficulty_bits":1}`, `{"difficulty_bits":32}`, `{"difficulty_bits":33}`,
		`{"difficulty_bits":8.0}`, `{"difficulty_bits":"8"}`, `{"difficulty_bits":8,"x":1}`,
		`{"difficulty_bits":8}{}`, ``, `{`, `{"difficulty_bits":1e1}`, `{"difficulty_bits":[1]}`,
	} {
		f.Add([]byte(seed), uint64(1))
	}
	f.Add([]byte(`{"difficulty_bits":4}`), uint64(0))
	f.Fuzz(func(t *testing.T, spec []byte, items uint64) {
		s, err := ParseHashcashSpec(spec, items)
		if err != nil {
			if !errors.Is(err, ErrInvalidSpec) || s != nil {
				t.Fatalf("got %v, %v; errors must wrap ErrInvalidSpec", s, err)
			}
			return
		}
		if d := s.DifficultyBits(); d < 1 || d > HashcashMaxDifficulty || items == 0 {
			t.Fatalf("accepted difficulty %d with %d items", d, items)
		}
		if s.MaxWorkPerItem() != HashcashWork {
			t.Fatalf("MaxWorkPerItem = %d", s.MaxWorkPerItem())
		}
	})
}

func FuzzHashcashVerifyOutput(f *testing.F) {
	for _, g := range hashcashGolden {
		f.Add(g.jobID, g.index, uint8(g.difficulty), binary.BigEndian.AppendUint64(nil, g.nonce))
	}
	f.Add(uint64(0), uint64(0), uint8(1), []byte{})
	f.Add(uint64(0), uint64(0), uint8(1), []byte{0, 0, 0, 0, 0, 0, 0, 3, 0})
	f.Add(uint64(1), uint64(0), uint8(8), []byte{0, 0, 0, 0, 0, 0, 1, 0x72})
	f.Fuzz(func(t *testing.T, jobID, index uint64, bits uint8, output []byte) {
		d := uint(bits)%HashcashMaxDifficulty + 1
		s := mustHashcash(t, `{"difficulty_bits":`+itoa(uint64(d))+`}`, math.MaxUint64)
		err := verifyOut(s, jobID, index, output)
		if index == math.MaxUint64 {
			if !errors.Is(err, ErrItemOutOfRange) {
				t.Fatalf("index out of range: error = %v", err)
			}
			return
		}
		// Independent check: count the digest's leading zero bits one by one.
		valid := false
		if len(output) == 8 {
			h := HashcashDigest(jobID, index, binary.BigEndian.Uint64(output))
			zeros := uint(0)
			for zeros < 256 && h[zeros/8]&(0x80>>(zeros%8)) == 0 {
				zeros++
			}
			valid = zeros >= d
		}
		if valid != (err == nil) {
			t.Fatalf("valid=%v but VerifyOutput error = %v", valid, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidOutput) {
			t.Fatalf("error %v does not wrap ErrInvalidOutput", err)
		}
	})
}

// BenchmarkHashcashSearch measures one hash per op, the unit of hashcash work.
func BenchmarkHashcashSearch(b *testing.B) {
	b.ReportAllocs()
	var next uint64
	for b.Loop() {
		HashcashSearch(1, 2, 256, next, 1) // nothing meets 256 bits
		next++
	}
}

func BenchmarkHashcashVerifyOutput(b *testing.B) {
	s := mustHashcash(b, `{"difficulty_bits":12}`, 10)
	out := binary.BigEndian.AppendUint64(nil, 1305)
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyOut(s, 42, 7, out); err != nil {
			b.Fatal(err)
		}
	}
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

// BenchmarkHashcashBareLoop is one SHA-256 of the 24-byte preimage with the
// nonce bumped in place: the baseline BenchmarkHashcashSearch is measured against.
func BenchmarkHashcashBareLoop(b *testing.B) {
	var buf [24]byte
	binary.BigEndian.PutUint64(buf[0:8], 1)
	binary.BigEndian.PutUint64(buf[8:16], 2)
	var sink byte
	var next uint64
	for b.Loop() {
		binary.BigEndian.PutUint64(buf[16:24], next)
		h := sha256.Sum256(buf[:])
		sink ^= h[0]
		next++
	}
	if sink == 42 {
		b.Log(sink)
	}
}

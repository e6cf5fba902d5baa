package kinds

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"testing"
)

const smallSpec = `{"width":16,"height":16,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":64}`

// mustMandelbrot parses spec for a job of as many items as its height.
func mustMandelbrot(t testing.TB, spec string) *MandelbrotSpec {
	t.Helper()
	var hdr struct {
		Height uint64 `json:"height"`
	}
	if err := json.Unmarshal([]byte(spec), &hdr); err != nil {
		t.Fatal(err)
	}
	s, err := ParseMandelbrotSpec([]byte(spec), hdr.Height)
	if err != nil {
		t.Fatalf("ParseMandelbrotSpec(%s): %v", spec, err)
	}
	return s
}

func renderAll(t testing.TB, s *MandelbrotSpec) [][]byte {
	t.Helper()
	rows := make([][]byte, s.Height())
	for y := range rows {
		out, err := computeOut(s, 0, uint64(y))
		if err != nil {
			t.Fatal(err)
		}
		rows[y] = out
	}
	return rows
}

func counts(row []byte) []int {
	out := make([]int, len(row)/2)
	for i := range out {
		out[i] = int(binary.LittleEndian.Uint16(row[2*i:]))
	}
	return out
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

type rowSHA struct {
	y   int
	sha string
}

type rowCounts struct {
	y      int
	counts []int
}

// Golden outputs computed independently (Python, unbounded integers, no shortcuts)
// from the definition in the Mandelbrot doc comment. Any change to the arithmetic,
// on any architecture, changes them.
var mandelbrotGolden = []struct {
	name, spec string
	full       string      // sha256 of all rows concatenated
	rows       []rowSHA    // sha256 of single rows
	counts     []rowCounts // exact escape counts of single rows
}{
	{
		name: "small",
		spec: smallSpec,
		full: "fb61cba76d61f6e4f3b42d564b32d5d85c9b1b615816ee0160a41256967b06ea",
		rows: []rowSHA{
			{0, "b19318c266952346968afe7b728e182c346206bd2ef5370c5757e0a4e634241f"},
			{5, "b1eb8c8a4e32fa7984cc5a2acc7b7903995cb1438123b29b5572f8a911b27c99"},
			{8, "75c7172330383e87acdf8159ee21af1a1427f751fff984f3b7bb511242c38ee1"},
			{15, "b19318c266952346968afe7b728e182c346206bd2ef5370c5757e0a4e634241f"},
		},
		counts: []rowCounts{
			{0, []int{1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}},
			{5, []int{2, 3, 3, 4, 5, 5, 6, 18, 64, 64, 64, 64, 11, 4, 3, 2}},
			{8, []int{4, 5, 7, 13, 64, 64, 64, 64, 64, 64, 64, 64, 64, 5, 3, 3}},
		},
	},
	{
		// Seahorse valley at 10^-8: counts near 1,000 depend on every rounding (row
		// 11's 1277 is 1282 if every rounding is toward zero instead).
		name: "deep",
		spec: `{"width":24,"height":12,"center_re":"-0.7436438870","center_im":"0.1318259042","scale":"0.00000001","max_iter":2000}`,
		full: "28bf82af70d0becfad6f8c87ffaabd3025fa38e1ddc82c7f36e20b3cbcf6a2ec",
		rows: []rowSHA{
			{0, "209463f9b0dcb8e4d827e5103b2bb41d0f3316ac94cffce5f8a0ed85d0b04add"},
			{6, "6cb4d27789386a9075329a53589202d4c4bb56cc44e9f34c94576154295876e4"},
			{11, "7d7ec46703cb661aeb5f8a8ae28d51d30024afd151775d1c54ec147228b0069b"},
		},
		counts: []rowCounts{
			{5, []int{1039, 1006, 1006, 1007, 1047, 1140, 1259, 1215, 1209, 1130, 1047, 1057, 1038, 1046, 1128, 1084, 1096, 1027, 1003, 1087, 982, 980, 980, 1033}},
			{11, []int{1099, 1018, 1013, 1013, 1013, 1014, 1015, 1015, 1017, 1018, 1019, 1021, 1022, 1023, 1024, 1026, 1029, 1277, 1111, 1002, 1001, 1000, 1003, 1018}},
		},
	},
	{
		// Far taller than wide: most rows lie outside |c_im| <= 2.
		name: "tall",
		spec: `{"width":2,"height":64,"center_re":"-1","center_im":"0.25","scale":"0.5","max_iter":100}`,
		full: "35d7386f3faa17f09fb23bd5fcb08618f231645ba6df544456f82ea1aa0eb9f7",
		counts: []rowCounts{
			{0, []int{1, 1}},
			{32, []int{100, 100}},
			{63, []int{1, 1}},
		},
	},
}

func TestMandelbrotGolden(t *testing.T) {
	for _, g := range mandelbrotGolden {
		t.Run(g.name, func(t *testing.T) {
			s := mustMandelbrot(t, g.spec)
			rows := renderAll(t, s)
			if got := sha(bytes.Join(rows, nil)); got != g.full {
				t.Errorf("image sha256 = %s, want %s", got, g.full)
			}
			for _, r := range g.rows {
				if got := sha(rows[r.y]); got != r.sha {
					t.Errorf("row %d sha256 = %s, want %s", r.y, got, r.sha)
				}
			}
			for _, r := range g.counts {
				if got := counts(rows[r.y]); !slices.Equal(got, r.counts) {
					t.Errorf("row %d counts = %v, want %v", r.y, got, r.counts)
				}
			}
		})
	}
}

// refEscape is the definition in the Mandelbrot doc comment, computed with
// unbounded integers and without the kernel's shortcuts. big.Int's Rsh rounds
// toward −∞, as the definition does.
func refEscape(s *MandelbrotSpec, x, y int) int {
	four := new(big.Int).Lsh(big.NewInt(4), fpFracBits)
	mul := func(a, b *big.Int) *big.Int {
		p := new(big.Int).Mul(a, b)
		return p.Rsh(p, fpFracBits)
	}
	px := big.NewInt(s.pixel)
	cr := new(big.Int).Mul(big.NewInt(int64(2*x+1)-int64(s.width)), px)
	cr.Rsh(cr, 1).Add(cr, big.NewInt(s.centerRe))
	ci := new(big.Int).Mul(big.NewInt(int64(s.height)-1-int64(2*y)), px)
	ci.Rsh(ci, 1).Add(ci, big.NewInt(s.centerIm))
	a, b := new(big.Int), new(big.Int)
	for n := 0; n < int(s.maxIter); n++ {
		aa, bb := mul(a, a), mul(b, b)
		if new(big.Int).Add(aa, bb).Cmp(four) > 0 {
			return n
		}
		ab := mul(new(big.Int).Lsh(a, 1), b)
		a = aa.Sub(aa, bb).Add(aa, cr)
		b = ab.Add(ab, ci)
	}
	return int(s.maxIter)
}

func checkAgainstReference(t *testing.T, s *MandelbrotSpec) {
	t.Helper()
	for y := 0; y < s.Height(); y++ {
		out, err := computeOut(s, 0, uint64(y))
		if err != nil {
			t.Fatal(err)
		}
		for x, got := range counts(out) {
			if want := refEscape(s, x, y); got != want {
				t.Fatalf("pixel (%d, %d): kernel %d, reference %d", x, y, got, want)
			}
		}
	}
}

func TestMandelbrotMatchesReference(t *testing.T) {
	for _, spec := range []string{
		smallSpec,
		`{"width":9,"height":7,"center_re":"-1.25","center_im":"0.1","scale":"0.4","max_iter":300}`,
		`{"width":5,"height":5,"center_re":"-2","center_im":"0","scale":"0.000000000001","max_iter":500}`,
		`{"width":6,"height":6,"center_re":"0.25","center_im":"0","scale":"0.0000001","max_iter":900}`,
		`{"width":4,"height":9,"center_re":"4","center_im":"-4","scale":"8","max_iter":50}`,
		`{"width":1,"height":40,"center_re":"0","center_im":"3.5","scale":"8","max_iter":50}`,
		`{"width":7,"height":3,"center_re":"-0.1","center_im":"0.65","scale":"0.3","max_iter":400}`,
		`{"width":8,"height":8,"center_re":"-1.999999999999999999","center_im":"-0","scale":"0.000000000000005","max_iter":300}`,
	} {
		checkAgainstReference(t, mustMandelbrot(t, spec))
	}
}

func TestMandelbrotExtremeSpecs(t *testing.T) {
	// The widest range of c_im: one column, 4096 rows of pixel size 8.
	s := mustMandelbrot(t, `{"width":1,"height":4096,"center_re":"0","center_im":"4","scale":"8","max_iter":65535}`)
	for y := 0; y < s.Height(); y++ {
		out, _ := computeOut(s, 0, uint64(y))
		// c_im = 4 − 4(2y+1−4096) is 0 only at y = 2048, where c = 0 never escapes.
		want := 1
		if y == 2048 {
			want = 65535
		}
		if got := counts(out)[0]; got != want {
			t.Fatalf("row %d: count %d, want %d", y, got, want)
		}
	}
	// The widest row at the finest pixel size allowed for it.
	fine := mustMandelbrot(t, `{"width":4096,"height":1,"center_re":"-0.75","center_im":"0.1","scale":"0.000000000000007106","max_iter":10}`)
	if fine.pixel != 1 {
		t.Fatalf("pixel = %d, want 1", fine.pixel)
	}
	if _, err := computeOut(fine, 0, 0); err != nil {
		t.Fatal(err)
	}
}

func TestMandelbrotParse(t *testing.T) {
	s := mustMandelbrot(t, smallSpec)
	if s.Width() != 16 || s.Height() != 16 || s.MaxIter() != 64 || s.OutputSize() != 32 {
		t.Fatalf("got %dx%d max_iter %d", s.Width(), s.Height(), s.MaxIter())
	}
	if want := uint64(MandelbrotBaseWork + 16*(MandelbrotWorkPerPixel+64*MandelbrotWorkPerIter)); s.MaxWorkPerItem() != want {
		t.Fatalf("MaxWorkPerItem = %d, want %d", s.MaxWorkPerItem(), want)
	}
	big := `{"width":4096,"height":4096,"center_re":"-4","center_im":"4","scale":"8","max_iter":65535}`
	bs, err := ParseMandelbrotSpec([]byte(big), 4096)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(MandelbrotBaseWork + 4096*(MandelbrotWorkPerPixel+65535*MandelbrotWorkPerIter)); bs.MaxWorkPerItem() != want {
		t.Fatalf("maximal spec: work bound %d, want %d", bs.MaxWorkPerItem(), want)
	}
}

func TestMandelbrotParseRejects(t *testing.T) {
	spec := func(w, h, m, re, im, scale string) string {
		return fmt.Sprintf(`{"width":%s,"height":%s,"center_re":%s,"center_im":%s,"scale":%s,"max_iter":%s}`, w, h, re, im, scale, m)
	}
	ok := func() (string, string, string, string, string, string) {
		return "16", "16", "64", `"-0.5"`, `"0"`, `"3"`
	}
	w, h, m, re, im, sc := ok()
	for _, tc := range []struct {
		name  string
		spec  string
		items uint64
	}{
		{"empty", ``, 16},
		{"empty object", `{}`, 16},
		{"missing field", `{"width":16,"height":16,"center_re":"-0.5","center_im":"0","scale":"3"}`, 16},
		{"unknown field", `{"width":16,"height":16,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":64,"palette":1}`, 16},
		{"duplicate field", `{"width":16,"width":16,"height":16,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":64}`, 16},
		{"trailing data", smallSpec + `,`, 16},
		{"items != height", spec(w, h, m, re, im, sc), 15},
		{"zero items", spec(w, h, m, re, im, sc), 0},
		{"width 0", spec("0", h, m, re, im, sc), 16},
		{"width 4097", spec("4097", h, m, re, im, sc), 16},
		{"width negative", spec("-16", h, m, re, im, sc), 16},
		{"width float", spec("16.0", h, m, re, im, sc), 16},
		{"width string", spec(`"16"`, h, m, re, im, sc), 16},
		{"height 0", spec(w, "0", m, re, im, sc), 0},
		{"height 4097", spec(w, "4097", m, re, im, sc), 4097},
		{"max_iter 0", spec(w, h, "0", re, im, sc), 16},
		{"max_iter 65536", spec(w, h, "65536", re, im, sc), 16},
		{"center_re number", spec(w, h, m, "-0.5", im, sc), 16},
		{"center_re exponent", spec(w, h, m, `"-5e-1"`, im, sc), 16},
		{"center_re plus", spec(w, h, m, `"+0.5"`, im, sc), 16},
		{"center_re bare point", spec(w, h, m, `".5"`, im, sc), 16},
		{"center_re too precise", spec(w, h, m, `"0.1234567890123456789"`, im, sc), 16},
		{"center_re above 4", spec(w, h, m, `"4.000000000000000001"`, im, sc), 16},
		{"center_re below -4", spec(w, h, m, `"-5"`, im, sc), 16},
		{"center_im empty", spec(w, h, m, re, `""`, sc), 16},
		{"center_im above 4", spec(w, h, m, re, `"4.5"`, sc), 16},
		{"center_im null", spec(w, h, m, re, `null`, sc), 16},
		{"scale 0", spec(w, h, m, re, im, `"0"`), 16},
		{"scale 0.000", spec(w, h, m, re, im, `"0.000"`), 16},
		{"scale negative", spec(w, h, m, re, im, `"-3"`), 16},
		{"scale above 8", spec(w, h, m, re, im, `"8.5"`), 16},
		{"scale NaN", spec(w, h, m, re, im, `"NaN"`), 16},
		{"scale below resolution", spec("4096", h, m, re, im, `"0.000000000000007105"`), 16},
		{"scale rounds to 0", spec(w, h, m, re, im, `"0.000000000000000001"`), 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseMandelbrotSpec([]byte(tc.spec), tc.items)
			if !errors.Is(err, ErrInvalidSpec) || s != nil {
				t.Fatalf("got %v, %v; want ErrInvalidSpec", s, err)
			}
		})
	}
}

func TestMandelbrotVerifyOutput(t *testing.T) {
	s := mustMandelbrot(t, smallSpec)
	good, err := computeOut(s, 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyOut(s, 7, 5, good); err != nil {
		t.Fatalf("correct row rejected: %v", err)
	}
	// The output does not depend on the job id.
	if err := verifyOut(s, 8, 5, good); err != nil {
		t.Fatalf("correct row rejected for another job: %v", err)
	}
	for i := range good {
		bad := slices.Clone(good)
		bad[i] ^= 0x01
		if err := verifyOut(s, 7, 5, bad); !errors.Is(err, ErrInvalidOutput) {
			t.Fatalf("byte %d flipped: error = %v, want ErrInvalidOutput", i, err)
		}
	}
	for _, tc := range []struct {
		name   string
		index  uint64
		output []byte
		want   error
	}{
		{"empty", 5, nil, ErrInvalidOutput},
		{"one byte short", 5, good[:len(good)-1], ErrInvalidOutput},
		{"one pixel long", 5, append(slices.Clone(good), 0, 0), ErrInvalidOutput},
		{"other row", 4, good, ErrInvalidOutput},
		{"row out of range", 16, good, ErrItemOutOfRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := verifyOut(s, 7, tc.index, tc.output); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := computeOut(s, 0, 16); !errors.Is(err, ErrItemOutOfRange) {
		t.Fatalf("ComputeOutput out of range: error = %v", err)
	}
}

package kinds

import (
	"bytes"
	"testing"
)

func TestReplayKeys(t *testing.T) {
	key := func(k Kind, spec string, items uint64) []byte {
		t.Helper()
		s, err := k.Parse([]byte(spec), items)
		if err != nil {
			t.Fatal(err)
		}
		return s.ReplayKey()
	}
	view := `{"width":16,"height":8,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":50}`
	base := key(Mandelbrot{}, view, 8)
	for _, same := range []string{
		`{"max_iter":50,"scale":"3.0","center_im":"-0","center_re":"-0.50","height":8,"width":16}`,
		`{"width":16,"height":8,"center_re":"-0.5","center_im":"0","scale":"3.000000000000000001","max_iter":50}`, // the same pixel size
	} {
		if !bytes.Equal(base, key(Mandelbrot{}, same, 8)) {
			t.Errorf("%s is the same view as %s", same, view)
		}
	}
	for _, other := range []string{
		`{"width":16,"height":8,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":51}`,
		`{"width":16,"height":8,"center_re":"-0.5","center_im":"0.000000000000000002","scale":"3","max_iter":50}`,
		`{"width":16,"height":8,"center_re":"-0.5","center_im":"0","scale":"2.9","max_iter":50}`,
		`{"width":17,"height":8,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":50}`,
	} {
		if bytes.Equal(base, key(Mandelbrot{}, other, 8)) {
			t.Errorf("%s is another view than %s", other, view)
		}
	}
	if k := key(Hashcash{}, `{"difficulty_bits":4}`, 8); k != nil {
		t.Errorf("hashcash outputs hash the job id, yet its key is %x", k)
	}

	w := &WasmSpec{Program: [32]byte{1}, Params: []byte{2}, FuelLimit: 1000, MemoryPages: 1, MaxOutputBytes: 64,
		HasInputRoot: true, InputRoot: [32]byte{3}, InputsURL: "http://a.example/i"}
	wkey := func(edit func(*WasmSpec)) []byte {
		c := *w
		edit(&c)
		s, err := ParseWasmSpec(c.Encode(), 4)
		if err != nil {
			t.Fatal(err)
		}
		return s.ReplayKey()
	}
	wbase := wkey(func(*WasmSpec) {})
	if !bytes.Equal(wbase, wkey(func(s *WasmSpec) {
		s.FuelLimit, s.MemoryPages, s.MaxOutputBytes, s.InputsURL = 2000, 2, 65, "https://b.example/j"
	})) {
		t.Error("limits and inputs_url do not change an item that stays within them")
	}
	for name, edit := range map[string]func(*WasmSpec){
		"program":       func(s *WasmSpec) { s.Program[0] = 9 },
		"params":        func(s *WasmSpec) { s.Params = []byte{2, 0} },
		"input root":    func(s *WasmSpec) { s.InputRoot[0] = 9 },
		"no input root": func(s *WasmSpec) { s.HasInputRoot, s.InputRoot, s.InputsURL = false, [32]byte{}, "" },
	} {
		if bytes.Equal(wbase, wkey(edit)) {
			t.Errorf("another %s is another computation", name)
		}
	}
}

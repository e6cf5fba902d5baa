package dashboard

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"cosmossdk.io/math"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/pkg/coin"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed static
var staticFS embed.FS

// fragmentHeader asks for a page's main element only: the page's script swaps
// it in on every block instead of reloading.
const fragmentHeader = "X-Dashboard-Fragment"

// pageNames are the templates, each a page of its own on top of layout.html.
var pageNames = []string{"market", "job", "devices", "device", "emission", "error"}

// pages holds the parsed templates by page name.
type pages map[string]*template.Template

var templateFuncs = template.FuncMap{
	"shift":   func(v math.Int) string { return coin.FormatShort(v) },
	"exact":   func(v math.Int) string { return coin.FormatWithBase(v) },
	"short":   shortAddress,
	"percent": percent,
	"ago":     ago,
	"clock":   func(t time.Time) string { return t.Local().Format("15:04:05") },
}

func parsePages() (*pages, error) {
	p := pages{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(templateFuncs).ParseFS(templatesFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard: template %s: %w", name, err)
		}
		p[name] = t
	}
	return &p, nil
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// page is what every page shows around its content.
type page struct {
	Title   string
	Nav     string // market, devices or emission: the highlighted tab
	Conn    ConnState
	Node    string
	GRPC    string
	Started time.Time
}

func (s *Server) page(title, nav string) page {
	return page{Title: title, Nav: nav, Conn: s.Conn(), Node: s.cfg.Node, GRPC: s.cfg.GRPC, Started: s.history.started}
}

// render writes the named page, or only its main element when the page's
// script asks for a fragment.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	tmpl := "layout"
	if r.Header.Get(fragmentHeader) == "1" {
		tmpl = "main"
	}
	var buf bytes.Buffer
	if err := (*s.pages)[name].ExecuteTemplate(&buf, tmpl, data); err != nil {
		s.log.Error("rendering", "page", name, "err", err)
		http.Error(w, "rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is a 404 or a page the node could not fill.
type errorPage struct {
	page
	Code    int
	Heading string
	Message string
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, format string, args ...any) {
	s.render(w, r, http.StatusNotFound, "error", errorPage{page: s.page("Not found", ""), Code: http.StatusNotFound,
		Heading: "Not found", Message: fmt.Sprintf(format, args...)})
}

func (s *Server) serveNotFound(w http.ResponseWriter, r *http.Request) {
	s.notFound(w, r, "There is no page at %s.", r.URL.Path)
}

// chainError answers a failed query: 404 for what the chain does not have,
// 503 with the node's state otherwise.
func (s *Server) chainError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if c := status.Code(err); c == codes.NotFound || c == codes.InvalidArgument {
		s.notFound(w, r, "%s: %s.", what, grpcReason(err))
		return
	}
	msg := fmt.Sprintf("Cannot read %s: %s.", what, grpcReason(err))
	if c := s.Conn(); !c.Connected {
		msg = fmt.Sprintf("Cannot read %s: %s. The page fills in when the node is back.", what, c.Problem)
	}
	s.render(w, r, http.StatusServiceUnavailable, "error", errorPage{page: s.page("Node unavailable", ""), Code: http.StatusServiceUnavailable,
		Heading: "Node unavailable", Message: msg})
}

// chart is the data of one uPlot chart: x values then one array per series.
type chart struct {
	Title  string      `json:"title"`
	XLabel string      `json:"xLabel"`
	XTime  bool        `json:"xTime"`
	Series []string    `json:"series"`
	Data   [][]float64 `json:"data"`
}

// JSON is the chart as the page's chart script reads it from data-chart.
func (c chart) JSON() string {
	bz, err := json.Marshal(c)
	if err != nil {
		return "{}"
	}
	return string(bz)
}

// shiftFloat is an amount in SHIFT for charts only (never for accounting).
func shiftFloat(v math.Int) float64 {
	f, _ := math.LegacyNewDecFromInt(v).QuoInt64(1_000_000).Float64()
	return f
}

func shortAddress(a string) string {
	if len(a) <= 20 {
		return a
	}
	return a[:10] + "…" + a[len(a)-6:]
}

func percent(part, whole uint64) int {
	if whole == 0 {
		return 0
	}
	return int(part * 100 / whole)
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	default:
		return fmt.Sprintf("%dh%02dm ago", int(d.Hours()), int(d.Minutes())%60)
	}
}

package main

import (
	"go/ast"
	"go/types"
	"regexp"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Analyzer reports range loops over maps and go statements, outside test and
// generated files (the grpc-gateway handlers serve HTTP, not consensus) and
// files matching -skip.
var Analyzer = &analysis.Analyzer{
	Name: "maprange",
	Doc:  "reports ranging over maps and go statements in state-machine code (nondeterministic across validators)",
	Run:  run,
}

var skip = regexp.MustCompile(`^$`)

func init() {
	Analyzer.Flags.Func("skip", "regexp of file paths not to check (beyond tests and generated files)", func(s string) error {
		re, err := regexp.Compile(s)
		if err == nil {
			skip = re
		}
		return err
	})
}

const directive = "//nolint:maprange"

func run(pass *analysis.Pass) (any, error) {
	for _, file := range pass.Files {
		name := pass.Fset.File(file.Pos()).Name()
		if strings.HasSuffix(name, "_test.go") || ast.IsGenerated(file) || skip.MatchString(name) {
			continue
		}
		allowed := nolintLines(pass, file)
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.RangeStmt:
				if isMap(pass.TypesInfo.TypeOf(n.X)) && !allowed[pass.Fset.Position(n.Pos()).Line] {
					pass.Reportf(n.Pos(), "range over map %s: iteration order is random; range over sorted keys or a collection instead", types.ExprString(n.X))
				}
			case *ast.GoStmt:
				if !allowed[pass.Fset.Position(n.Pos()).Line] {
					pass.Reportf(n.Pos(), "go statement: goroutine scheduling is not deterministic across validators")
				}
			}
			return true
		})
	}
	return nil, nil
}

// nolintLines returns the lines a maprange directive covers: its own and the
// next. A directive without a reason is itself reported.
func nolintLines(pass *analysis.Pass, file *ast.File) map[int]bool {
	lines := map[int]bool{}
	for _, group := range file.Comments {
		for _, c := range group.List {
			if !strings.HasPrefix(c.Text, directive) {
				continue
			}
			rest := strings.TrimPrefix(c.Text, directive)
			if i := strings.Index(rest, "//"); i < 0 || strings.TrimSpace(rest[i+2:]) == "" {
				pass.Reportf(c.Pos(), "%s needs a reason: %s // why the order does not matter", directive, directive)
				continue
			}
			line := pass.Fset.Position(c.Pos()).Line
			lines[line], lines[line+1] = true, true
		}
	}
	return lines
}

// isMap reports whether t is a map, or a type parameter whose every type is one.
func isMap(t types.Type) bool {
	if t == nil {
		return false
	}
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		iface, ok := tp.Constraint().Underlying().(*types.Interface)
		if !ok {
			return false
		}
		for i := range iface.NumEmbeddeds() {
			if terms, ok := iface.EmbeddedType(i).(*types.Union); ok {
				all := terms.Len() > 0
				for j := range terms.Len() {
					all = all && isMap(terms.Term(j).Type())
				}
				if all {
					return true
				}
			} else if isMap(iface.EmbeddedType(i)) {
				return true
			}
		}
		return false
	}
	_, ok := t.Underlying().(*types.Map)
	return ok
}

package main

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), Analyzer, "a")
}

func TestSkip(t *testing.T) {
	if err := Analyzer.Flags.Set("skip", `module_simulation\.go$`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Analyzer.Flags.Set("skip", `^$`) })
	analysistest.Run(t, analysistest.TestData(), Analyzer, "b")
}

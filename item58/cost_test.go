package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// costRow is one line of the README's refactoring-cost table: a name and the declarations (types,
// functions, methods as "Type.Method") it counts, per file.
type costRow struct {
	name  string
	decls map[string][]string // file → declaration names; nil means every declaration in the file
}

// sharedWithPhased are the declarations of fixed.go that the phased pipeline reuses.
var sharedWithPhased = []string{
	"logicItem", "cellResult", "gameLogicThread", "worker", "crew", "crew.start",
	"SimulationError", "SimulationError.Error", "SimulationError.Unwrap", "fanIn",
}

// costRows are what the README compares: item56's serial simulate, with and without its I/O, and
// the two pipelines with everything they need that item56 does not already provide.
var costRows = []costRow{
	{"`Simulate` + `StepCell` (item56, serial, no I/O)",
		map[string][]string{"../item56/life/life.go": {"Simulate", "StepCell"}}},
	{"`SimulateIO` + `StepCellIO` (item56, serial, with I/O)",
		map[string][]string{"../item56/life/io.go": {"SimulateIO", "StepCellIO"}}},
	{"single-stage pipeline (all of fixed.go)",
		map[string][]string{"fixed.go": nil}},
	{"the second stage alone (all of fixed_phased.go)",
		map[string][]string{"fixed_phased.go": nil}},
	{"phased pipeline (fixed_phased.go + what it reuses from fixed.go)",
		map[string][]string{"fixed_phased.go": nil, "fixed.go": sharedWithPhased}},
}

// codeLines counts the lines of the named declarations in file that hold code: blank lines and
// lines holding only a comment do not count, and neither do doc comments (they sit outside a
// declaration's span). It fails the test if a name is not found, so a rename cannot go unnoticed.
func codeLines(t *testing.T, file string, names []string) int {
	t.Helper()
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, 0)
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")

	found := map[string]bool{}
	total := 0
	count := func(name string, node ast.Node) {
		if names != nil && !slices.Contains(names, name) {
			return
		}
		found[name] = true
		first, last := fset.Position(node.Pos()).Line, fset.Position(node.End()).Line
		for _, line := range lines[first-1 : last] {
			line = strings.TrimSpace(line)
			if line != "" && !strings.HasPrefix(line, "//") {
				total++
			}
		}
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil {
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				name = recv.(*ast.Ident).Name + "." + name
			}
			count(name, d)
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			name := d.Tok.String()
			if spec, ok := d.Specs[0].(*ast.TypeSpec); ok {
				name = spec.Name.Name
			}
			count(name, d)
		}
	}
	for _, name := range names {
		require.True(t, found[name], "%s declares no %s", file, name)
	}
	return total
}

// TestRefactoringCost_MatchesREADME: the README's refactoring-cost table, and the figures its prose
// quotes, are counted from the code, so they cannot drift from it. Run
// `go test -run TestRefactoringCost -v ./item58` to see the figures.
func TestRefactoringCost_MatchesREADME(t *testing.T) {
	src, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := strings.Join(strings.Fields(string(src)), " ") // the prose may wrap anywhere
	totals := make([]int, len(costRows))
	for i, row := range costRows {
		for file, names := range row.decls {
			totals[i] += codeLines(t, filepath.FromSlash(file), names)
		}
		t.Logf("%4d lines  %s", totals[i], row.name)
		want := fmt.Sprintf("| %s | %d |", row.name, totals[i])
		assert.True(t, strings.Contains(readme, want), "README.md's cost table has no row %q: the code changed", want)
	}
	for _, phrase := range []string{
		fmt.Sprintf("The %d lines of `simulate` become a %d-line pipeline", totals[0], totals[2]),
		fmt.Sprintf("The serial version with I/O is %d lines", totals[1]),
		fmt.Sprintf("The second stage adds %d lines", totals[3]),
	} {
		assert.True(t, strings.Contains(readme, phrase), "README.md does not say %q: the code changed", phrase)
	}
}

package life_test

import (
	"fmt"
	"strings"

	"workbook/item56/life"
)

// The book's driver: the glider over five generations, printed side by side. Each line is quoted so
// the output is checked byte for byte, including the header's trailing spaces (an Example's plain
// output would have them trimmed: "the comparison ignores leading and trailing space",
// pkg.go.dev/testing#hdr-Examples).
func ExampleTable() {
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return life.Simulate(g), nil })
	if err != nil {
		fmt.Println(err)
		return
	}
	for line := range strings.SplitSeq(table, "\n") {
		fmt.Printf("%q\n", line)
	}
	// Output:
	// "    0     |     1     |     2     |     3     |     4    "
	// "---*----- | --------- | --------- | --------- | ---------"
	// "----*---- | --*-*---- | ----*---- | ---*----- | ----*----"
	// "--***---- | ---**---- | --*-*---- | ----**--- | -----*---"
	// "--------- | ---*----- | ---**---- | ---**---- | ---***---"
	// "--------- | --------- | --------- | --------- | ---------"
}

// print(grid) in the book: the glider's starting position.
func ExampleGrid_String() {
	fmt.Print(life.Glider())
	// Output:
	// ---*-----
	// ----*----
	// --***----
	// ---------
	// ---------
}

// The figures in items 56–60 are written as the book writes them.
func ExampleThousands() {
	for _, n := range []int{0, 999, 1000, 10_000, 1_234_567, -45_000} {
		fmt.Println(life.Thousands(n))
	}
	// Output:
	// 0
	// 999
	// 1,000
	// 10,000
	// 1,234,567
	// -45,000
}

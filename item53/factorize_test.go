package main

import (
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bookFactors are the factor lists of the book's four numbers, worked out independently of
// factorize (by multiplying prime factors), so a wrong factorize cannot agree with itself.
var bookFactors = map[int][]int{
	2139079: {1, 101, 21179, 2139079},                                            // 101 × 21179
	1214759: {1, 7, 13, 49, 91, 637, 1907, 13349, 24791, 93443, 173537, 1214759}, // 7² × 13 × 1907
	1516637: {1, 19, 79823, 1516637},                                             // 19 × 79823
	1852285: {1, 5, 271, 1355, 1367, 6835, 370457, 1852285},                      // 5 × 271 × 1367
}

// TestFactorize_ExactFactors checks listing 1 on small cases and on the book's four numbers.
func TestFactorize_ExactFactors(t *testing.T) {
	tests := []struct {
		number int
		want   []int
	}{
		{1, []int{1}},
		{12, []int{1, 2, 3, 4, 6, 12}},
		{13, []int{1, 13}},
	}
	for _, number := range bookNumbers() {
		tests = append(tests, struct {
			number int
			want   []int
		}{number, bookFactors[number]})
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.number), func(t *testing.T) {
			assert.Equal(t, tt.want, slices.Collect(factorize(tt.number)))
		})
	}
}

// TestFactorize_StopsWhenCallerStops checks the iterator honours an early break, as a Python
// generator does when the loop over it ends.
func TestFactorize_StopsWhenCallerStops(t *testing.T) {
	var got []int
	// An iterator that ignores yield's false and calls it again makes the runtime panic ("range
	// function continued iteration after function for loop body returned false"): caught here,
	// so the test fails saying so instead of the panic killing the test binary.
	assert.NotPanics(t, func() {
		for f := range factorize(1214759) {
			got = append(got, f)
			if len(got) == 3 {
				break
			}
		}
	}, "factorize went on calling yield after the loop over it broke (yield returned false)")
	assert.Equal(t, []int{1, 7, 13}, got)
}

// TestFactorizeGoroutines_SameAnswerAsSerial checks listings 2 to 5 give every number's factors,
// in the input order, at GOMAXPROCS=1 and at the default: running in parallel changes the time
// taken, never the answer.
func TestFactorizeGoroutines_SameAnswerAsSerial(t *testing.T) {
	numbers := bookNumbers()
	var want [][]int
	for _, number := range numbers {
		want = append(want, bookFactors[number])
	}
	require.Equal(t, want, factorizeSerial(numbers))
	for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			withGOMAXPROCS(procs, func() {
				assert.Equal(t, want, factorizeGoroutines(numbers))
			})
		})
	}
}

// TestWithGOMAXPROCS_Restores checks the helper the lesson uses leaves GOMAXPROCS as it found it.
func TestWithGOMAXPROCS_Restores(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	var inside int
	withGOMAXPROCS(1, func() { inside = runtime.GOMAXPROCS(0) })
	assert.Equal(t, 1, inside)
	assert.Equal(t, before, runtime.GOMAXPROCS(0))
}

// Example_factorize shows listing 1: a generator in Python, an iter.Seq in Go.
func Example_factorize() {
	fmt.Println(slices.Collect(factorize(1214759)))
	// Output: [1 7 13 49 91 637 1907 13349 24791 93443 173537 1214759]
}

// BenchmarkFactorize backs the lesson's speedup table: the book's four numbers factorized serially
// and with one goroutine per number, at GOMAXPROCS=1 and at the default. Goroutines beat serial
// only where there is more than one P to run them. GOMAXPROCS is set inside each case, so ignore
// the -N suffix go test adds to the names (it is the -cpu setting, which these cases override).
func BenchmarkFactorize(b *testing.B) {
	numbers := bookNumbers()
	defaultProcs := runtime.GOMAXPROCS(0)
	for _, bc := range []struct {
		name  string
		procs int
		impl  func([]int) [][]int
	}{
		{"serial/GOMAXPROCS=1", 1, factorizeSerial},
		{"goroutines/GOMAXPROCS=1", 1, factorizeGoroutines},
		{fmt.Sprintf("serial/GOMAXPROCS=%d(default)", defaultProcs), defaultProcs, factorizeSerial},
		{fmt.Sprintf("goroutines/GOMAXPROCS=%d(default)", defaultProcs), defaultProcs, factorizeGoroutines},
	} {
		b.Run(bc.name, func(b *testing.B) {
			withGOMAXPROCS(bc.procs, func() {
				for b.Loop() {
					bc.impl(numbers)
				}
			})
		})
	}
}

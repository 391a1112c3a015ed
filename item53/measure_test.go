package main

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestFastest_KeepsFastestRunOfEachInTurns checks the lesson's "fastest of 3 runs each", exactly,
// on synctest's fake clock: each run's time is the shortest of its repetitions, and the runs take
// turns (0, 1, 0, 1, …) rather than repeating one before the next.
func TestFastest_KeepsFastestRunOfEachInTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var order []int
		ms := time.Millisecond
		sleeps := [][]time.Duration{{30 * ms, 10 * ms, 20 * ms}, {5 * ms, 7 * ms, 6 * ms}}
		run := func(i int) func() {
			rep := 0
			return func() {
				order = append(order, i)
				time.Sleep(sleeps[i][rep])
				rep++
			}
		}
		got := fastest(3, run(0), run(1))
		assert.Equal(t, []time.Duration{10 * ms, 5 * ms}, got)
		assert.Equal(t, []int{0, 1, 0, 1, 0, 1}, order, "the order the runs took")
	})
}

// TestPrintTable_SpeedupAndLatencies checks the lesson's table arithmetic: speedup is the first
// row's time over each row's, latencies is each row's time over one call's latency.
func TestPrintTable_SpeedupAndLatencies(t *testing.T) {
	var b strings.Builder
	printTable(&b, 20*time.Millisecond,
		row{"slow", 2, 100 * time.Millisecond},
		row{"faster one", 1, 25 * time.Millisecond})
	assert.Equal(t, ""+
		"            GOMAXPROCS  wall time  latencies  speedup\n"+
		"slow                 2   100.0 ms       5.00    1.00×\n"+
		"faster one           1    25.0 ms       1.25    4.00×\n", b.String())
}

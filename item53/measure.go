package main

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"workbook/item56/life"
)

// fastest runs each of runs reps times and returns, for each, its fastest wall time. The runs
// take turns (1, 2, 3, 1, 2, 3, …), so a moment when another program holds a core spoils one
// run of each rather than every run of one.
func fastest(reps int, runs ...func()) []time.Duration {
	best := make([]time.Duration, len(runs))
	for range reps {
		for i, f := range runs {
			start := time.Now()
			f()
			if elapsed := time.Since(start); best[i] == 0 || elapsed < best[i] {
				best[i] = elapsed
			}
		}
	}
	return best
}

// systemcallsFunc is the shape broken.go's and fixed.go's versions share.
type systemcallsFunc func(calls int, call func() error, compute func(index int)) error

// systemcallsRun is what one run of a systemcallsFunc showed.
type systemcallsRun struct {
	procs    int            // GOMAXPROCS during the run, as the runtime reported it
	elapsed  time.Duration  // wall time
	inFlight *life.Timeline // the calls in flight over time, for the charts
	last     location       // the last helicopter location main computed
}

// runSystemcalls runs version at GOMAXPROCS procs: calls blocking calls of latency (the real
// slowSystemcall), while main computes a helicopter location per call.
func runSystemcalls(version systemcallsFunc, procs, calls int, latency time.Duration) (r systemcallsRun, err error) {
	r.inFlight = life.NewTimeline()
	locations := make([]location, calls)
	withGOMAXPROCS(procs, func() {
		r.procs = runtime.GOMAXPROCS(0)
		start := time.Now()
		err = version(calls, recorded(r.inFlight, func() error { return slowSystemcall(latency) }),
			func(index int) { locations[index] = computeHelicopterLocation(index) })
		r.elapsed = time.Since(start)
	})
	r.last = locations[calls-1]
	return r, err
}

// recorded returns call, recording on tl when each call begins and ends.
func recorded(tl *life.Timeline, call func() error) func() error {
	return func() error {
		defer tl.Begin()()
		return call()
	}
}

// row is one line of a lesson table: how the work ran, at which GOMAXPROCS, and how long it took.
type row struct {
	how     string
	procs   int
	elapsed time.Duration
}

// printTable prints rows with their wall time in milliseconds and their speedup against the first
// row. If latency is not zero, it also prints each wall time counted in latencies.
func printTable(w io.Writer, latency time.Duration, rows ...row) {
	width := 0
	for _, r := range rows {
		width = max(width, len([]rune(r.how)))
	}
	fmt.Fprintf(w, "%-*s  GOMAXPROCS  wall time", width, "")
	if latency != 0 {
		fmt.Fprint(w, "  latencies")
	}
	fmt.Fprintln(w, "  speedup")
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s  %10d  %6.1f ms", width, r.how, r.procs, r.elapsed.Seconds()*1000)
		if latency != 0 {
			fmt.Fprintf(w, "  %9.2f", r.elapsed.Seconds()/latency.Seconds())
		}
		fmt.Fprintf(w, "  %6.2f×\n", rows[0].elapsed.Seconds()/r.elapsed.Seconds())
	}
}

package main

import (
	"fmt"
	"io"
	"time"
)

// The lesson's fixed numbers, and the bounds on its flags.
const (
	pollInterval = 10 * time.Millisecond  // how long a broken worker sleeps on an empty queue (the book: 0.01 s)
	idle         = 100 * time.Millisecond // how long the lesson watches the broken workers after the work
	pythonPolls  = "3029–3044"            // example 10's count in 20 unchanged runs of the book's code on CPython 3.11.7

	maxItems   = 100_000
	maxBuffer  = 100_000
	maxLatency = 100 * time.Millisecond
	maxWork    = 2 * time.Second // items × latency: each one-goroutine-per-stage pipeline takes about that long
)

// lessonLimit bounds every run of the lesson, so that a run that can never end (say, after
// deleting a close in fixed.go) is reported instead of hanging. A correct run needs about
// items × latency (the slowest pipeline moves one item at a time through its busiest stage) plus
// a few poll intervals; a sleep on a loaded machine can take twice as long, and the bound is
// twice that again, plus 5 s.
func lessonLimit(items int, latency time.Duration) time.Duration {
	return 5*time.Second + 4*time.Duration(items)*latency
}

// within runs f and waits at most limit for it. A run that takes longer is stuck for good, not
// slow (see lessonLimit): within reports it and leaves it blocked, as the process is about to end.
// A panic in f's own goroutine (say, a WaitGroup's Done before its Add) is reported too.
func within(limit time.Duration, name string, f func()) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("%s panicked: %v", name, p)
			}
		}()
		f()
		done <- nil
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("deadlock: %s did not finish within %v", name, limit)
	}
}

// measurement is one pipeline run as the comparison table shows it.
type measurement struct {
	name      string
	res       Result
	wall, cpu time.Duration
	cpuOK     bool
}

// measure runs f within limit and records its wall-clock and CPU time.
func measure(name string, limit time.Duration, f func() Result) (measurement, error) {
	m := measurement{name: name}
	cpu0, ok0 := processCPUTime()
	start := time.Now()
	if err := within(limit, name, func() { m.res = f() }); err != nil {
		return m, err
	}
	m.wall = time.Since(start)
	cpu1, ok1 := processCPUTime()
	m.cpu, m.cpuOK = cpu1-cpu0, ok0 && ok1
	return m, nil
}

// compare prints the runs side by side.
func compare(w io.Writer, runs ...measurement) {
	fmt.Fprintf(w, "%-18s %7s %11s %11s %12s\n", "pipeline", "polls", "CPU time", "wall time", "peak queue")
	for _, m := range runs {
		cpu := "n/a"
		if m.cpuOK {
			cpu = ms(m.cpu)
		}
		fmt.Fprintf(w, "%-18s %7d %11s %11s %6d items\n", m.name, m.res.Polls, cpu, ms(m.wall), m.res.PeakQueue)
	}
	fmt.Fprintln(w, "CPU time is user + system time of the whole process (getrusage) during the run: broken, main")
	fmt.Fprintln(w, "spins on a core the whole time. Peak queue is the most items seen waiting in one queue: the")
	fmt.Fprintln(w, "broken download queue takes every item at once, while a producer facing a full channel waits.")
}

// ms formats d in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

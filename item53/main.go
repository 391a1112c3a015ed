// Command item53 ports Effective Python item 53, "Use threads for blocking I/O, avoid them for
// parallelism", to goroutines: the first half of the advice does not hold in Go, the second does.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// factorizeReps is how many times each factorize row runs; the table shows the fastest.
const factorizeReps = 3

// run is the lesson, the book's listings in order; main only turns its result into the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	opts, code := parseOptions(args, stderr)
	if code >= 0 {
		return code // -h, or bad flags: already explained on stderr
	}
	stopTrace, err := startTrace(opts.tracePath)
	if err != nil {
		fmt.Fprintf(stderr, "item53: -trace: %v\n", err)
		return 2
	}
	defer stopTrace()
	procs := runtime.GOMAXPROCS(0)
	fmt.Fprintf(stdout, "machine: %s/%s, %d CPUs; GOMAXPROCS %d by default\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), procs)

	// Listings 1–5: CPU work. In Python the threads are no faster than serial; in Go they are.
	fmt.Fprintln(stdout, "\n== Listings 1–5: factorize the book's four numbers, serially, then a goroutine per number ==")
	numbers := bookNumbers()
	for i, factors := range factorizeGoroutines(numbers) {
		fmt.Fprintf(stdout, "  factors of %d: %v\n", numbers[i], factors)
	}
	serial := func() { factorizeSerial(numbers) }
	goroutines := func() { factorizeGoroutines(numbers) }
	times := fastest(factorizeReps, serial, func() { withGOMAXPROCS(1, goroutines) }, goroutines)
	printTable(stdout, 0,
		row{"listing 2: serial", procs, times[0]},
		row{"listings 3–5: goroutine per number", 1, times[1]},
		row{"listings 3–5: goroutine per number", procs, times[2]})
	fmt.Fprintf(stdout, "(fastest of %d runs each) In CPython the threads take as long as serial: the GIL runs one at a time.\n", factorizeReps)
	fmt.Fprintln(stdout, "Go has no GIL: goroutines run in parallel on up to GOMAXPROCS cores; at GOMAXPROCS=1 they take turns.")

	// Listings 6–9: blocking system calls, while main computes helicopter locations.
	fmt.Fprintf(stdout, "\n== Listings 6–9: %d blocking calls one after another (broken), then a goroutine per call (fixed) ==\n", opts.calls)
	fmt.Fprintf(stdout, "each call is %s of %v (the book's: 0.1 s); main computes %d helicopter locations meanwhile\n", systemcallName, opts.latency, opts.calls)
	call := func() error { return slowSystemcall(opts.latency) }
	locations := make([]location, opts.calls)
	compute := func(index int) { locations[index] = computeHelicopterLocation(index) }
	errs := make([]error, 3)
	var serialCalls, onePCalls *timeline // the calls in flight over time, for the charts
	times = fastest(1,
		func() {
			serialCalls = newTimeline()
			errs[0] = systemcallsSerial(opts.calls, recorded(serialCalls, call), compute)
		},
		func() {
			onePCalls = newTimeline()
			withGOMAXPROCS(1, func() { errs[1] = systemcallsConcurrent(opts.calls, recorded(onePCalls, call), compute) })
		},
		func() { errs[2] = systemcallsConcurrent(opts.calls, call, compute) })
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(stderr, "item53: %v\n", err)
		return 1
	}
	printTable(stdout, opts.latency,
		row{"listing 7 (broken): one call after another", procs, times[0]},
		row{"listings 8–9 (fixed): goroutine per call", 1, times[1]},
		row{"listings 8–9 (fixed): goroutine per call", procs, times[2]})
	fmt.Fprintln(stdout, "(the book: 0.5 s and 0.1 s for five calls of 0.1 s, that is 5 and 1 latencies)")
	fmt.Fprintf(stdout, "listing 7 (broken), calls in flight over time: one at a time, %d columns of height 1\n", opts.calls)
	fmt.Fprint(stdout, serialCalls.chart(opts.latency, opts.calls))
	fmt.Fprintf(stdout, "listings 8–9 (fixed) at GOMAXPROCS=1: up to %d in flight at once, each starting when the runtime hands the P on\n", opts.calls)
	fmt.Fprint(stdout, onePCalls.chart(opts.latency, opts.calls))
	fmt.Fprintf(stdout, "main's last answer: after %d minutes the helicopter is %s of base.\n", opts.calls-1, locations[opts.calls-1])
	fmt.Fprintln(stdout, "A goroutine blocked in a system call hands its processor to another, so the calls overlap even at GOMAXPROCS=1.")
	return 0
}

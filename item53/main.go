// Command item53 ports Effective Python item 53, "Use threads for blocking I/O, avoid them for
// parallelism", to goroutines: the first half of the advice does not hold in Go, the second does.
package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

// The book's parameters, the lesson's defaults.
const (
	bookLatency   = 100 * time.Millisecond // the book's select timeout, 0.1 s
	bookCalls     = 5                      // the book's five threads
	factorizeReps = 3                      // how many times each factorize row runs; the table shows the fastest
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run parses the flags and runs the lesson; main only turns its result into the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item53", "Item 53: goroutines overlap blocking system calls even at GOMAXPROCS=1, and, unlike Python threads, also run CPU work in parallel.", stderr)
	latency := fs.Duration("latency", bookLatency, "how long each blocking system call waits, 1ms to 1s (the book's 0.1 s)")
	calls := fs.Int("calls", bookCalls, "how many blocking system calls, 1 to 20 (the book makes 5)")
	return runLesson(fs, args, func() error {
		return cmp.Or( // the bounds keep a run within 30 s: the broken row takes calls × latency
			inRange("latency", *latency, time.Millisecond, time.Second, "the broken row takes calls × latency, and the lesson must end within 30 s"),
			inRange("calls", *calls, 1, 20, "each call blocked at once holds an OS thread, and the broken row takes calls × latency"),
		)
	}, func() error { return lesson(stdout, *latency, *calls) })
}

// lesson is the book's listings in order.
func lesson(w io.Writer, latency time.Duration, calls int) error {
	procs := runtime.GOMAXPROCS(0)
	fmt.Fprintf(w, "machine: %s/%s, %d CPUs; GOMAXPROCS %d by default\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), procs)

	// Listings 1–5: CPU work. In Python the threads are no faster than serial; in Go they are.
	fmt.Fprintln(w, "\n== Listings 1–5: factorize the book's four numbers, serially, then a goroutine per number ==")
	numbers := bookNumbers()
	var factors [][]int // the goroutines' answer, kept from the timed runs
	serial := func() { factorizeSerial(numbers) }
	goroutines := func() { factors = factorizeGoroutines(numbers) }
	times := fastest(factorizeReps, serial, func() { withGOMAXPROCS(1, goroutines) }, goroutines)
	for i, f := range factors {
		fmt.Fprintf(w, "  factors of %d: %v\n", numbers[i], f)
	}
	printTable(w, 0,
		row{"listing 2: serial", procs, times[0]},
		row{"listings 3–5: goroutine per number", 1, times[1]},
		row{"listings 3–5: goroutine per number", procs, times[2]})
	fmt.Fprintf(w, "(fastest of %d runs each) In CPython the threads take as long as serial: the GIL runs one at a time.\n", factorizeReps)
	fmt.Fprintln(w, "Go has no GIL: goroutines run in parallel on up to GOMAXPROCS cores; at GOMAXPROCS=1 they take turns.")

	// Listings 6–9: blocking system calls, while main computes helicopter locations.
	fmt.Fprintf(w, "\n== Listings 6–9: %d blocking calls one after another (broken), then a goroutine per call (fixed) ==\n", calls)
	fmt.Fprintf(w, "each call is %s of %v (the book's: 0.1 s); main computes %d helicopter locations meanwhile\n", systemcallName, latency, calls)
	broken, err1 := runSystemcalls(systemcallsSerial, procs, calls, latency)
	fixed1, err2 := runSystemcalls(systemcallsConcurrent, 1, calls, latency)
	fixed, err3 := runSystemcalls(systemcallsConcurrent, procs, calls, latency)
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	printTable(w, latency,
		row{"listing 7 (broken): one call after another", broken.procs, broken.elapsed},
		row{"listings 8–9 (fixed): goroutine per call", fixed1.procs, fixed1.elapsed},
		row{"listings 8–9 (fixed): goroutine per call", fixed.procs, fixed.elapsed})
	fmt.Fprintln(w, "(the book: 0.5 s and 0.1 s for five calls of 0.1 s, that is 5 and 1 latencies)")
	fmt.Fprintf(w, "listing 7 (broken), calls in flight over time: one at a time, %d columns of height 1\n", calls)
	fmt.Fprint(w, broken.inFlight.Chart(latency, calls))
	fmt.Fprintf(w, "listings 8–9 (fixed) at GOMAXPROCS=1: up to %d in flight at once, each starting when the runtime hands the P on\n", calls)
	fmt.Fprint(w, fixed1.inFlight.Chart(latency, calls))
	fmt.Fprintf(w, "main's last answer: after %d minutes the helicopter is %s of base.\n", calls-1, fixed.last)
	fmt.Fprintln(w, "A goroutine blocked in a system call hands its processor to another, so the calls overlap even at GOMAXPROCS=1.")
	return nil
}

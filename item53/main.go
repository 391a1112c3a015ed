// Command item53 ports Effective Python item 53, "Use threads for blocking I/O, avoid them for
// parallelism", to goroutines: the first half of the advice does not hold in Go, the second does.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Book parameters, and the most blocking calls a run may make.
const (
	bookLatency = 100 * time.Millisecond // the book's select timeout, 0.1 s
	bookCalls   = 5                      // the book's five threads
	maxCalls    = 100                    // each call blocked at once holds an OS thread
)

// run is the whole lesson; main only turns its result into the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("item53", flag.ContinueOnError)
	fs.SetOutput(stderr)
	latency := fs.Duration("latency", bookLatency, "how long each blocking system call waits (the book's 0.1 s)")
	calls := fs.Int("calls", bookCalls, fmt.Sprintf("how many blocking system calls, 1 to %d (the book makes 5)", maxCalls))
	reps := fs.Int("reps", 10, "time each factorize row this many times and show the fastest (less noise)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./item53 [flags]")
		fmt.Fprintln(fs.Output(), "Item 53: goroutines overlap blocking system calls even at GOMAXPROCS=1, and, unlike Python threads, also run CPU work in parallel.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package has printed the problem and the usage
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "item53: unexpected argument %q (this lesson takes only flags; -h lists them)\n", fs.Arg(0))
		return 2
	case *latency <= 0:
		fmt.Fprintf(stderr, "item53: -latency must be positive (got %v)\n", *latency)
		return 2
	case *calls < 1 || *calls > maxCalls:
		fmt.Fprintf(stderr, "item53: -calls must be between 1 and %d (got %d)\n", maxCalls, *calls)
		return 2
	case *reps < 1:
		fmt.Fprintf(stderr, "item53: -reps must be positive (got %d)\n", *reps)
		return 2
	}

	fmt.Fprintf(stdout, "machine: %s/%s, %d CPUs; GOMAXPROCS %d by default\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if err := showFactorize(stdout, *reps); err != nil {
		fmt.Fprintf(stderr, "item53: %v\n", err)
		return 1
	}
	if err := showSystemcalls(stdout, *calls, *latency); err != nil {
		fmt.Fprintf(stderr, "item53: %v\n", err)
		return 1
	}
	return 0
}

// row is one line of a lesson table: how the work was run, at which GOMAXPROCS, how long it took.
type row struct {
	how     string
	procs   int
	elapsed time.Duration
}

// showFactorize prints listings 1 to 5: the factor lists, then one table timing factorize serial,
// with a goroutine per number at GOMAXPROCS=1, and with a goroutine per number at the default.
// Each row is the fastest of reps runs, which filters out moments when other programs had a core.
func showFactorize(w io.Writer, reps int) error {
	numbers := bookNumbers()
	fmt.Fprintln(w, "\n== Listings 1–5: factorize serially, then one goroutine per number (the book's \"avoid\"; not broken in Go) ==")
	fmt.Fprintf(w, "numbers %s (the book's); in Python the threads are no faster than serial\n", joinInts(numbers, ", "))
	want := factorizeSerial(numbers)
	for i, number := range numbers {
		fmt.Fprintf(w, "  factors of %d: %s\n", number, joinInts(want[i], " "))
	}

	defaultProcs := runtime.GOMAXPROCS(0)
	rows := []row{{how: "listing 2: serial", procs: defaultProcs}, {how: "listings 3-5: goroutine per number", procs: 1},
		{how: "listings 3-5: goroutine per number", procs: defaultProcs}}
	impls := []func([]int) [][]int{factorizeSerial, factorizeGoroutines, factorizeGoroutines}
	// Take turns between the rows rather than timing one row reps times in a row, so a burst of
	// other work on the machine spoils one run of every row instead of every run of one row.
	for range reps {
		for i := range rows {
			var got [][]int
			withGOMAXPROCS(rows[i].procs, func() {
				start := time.Now()
				got = impls[i](numbers)
				elapsed := time.Since(start)
				if rows[i].elapsed == 0 || elapsed < rows[i].elapsed {
					rows[i].elapsed = elapsed
				}
			})
			if !slices.EqualFunc(got, want, slices.Equal) {
				return fmt.Errorf("%s found factors %v, serial found %v", rows[i].how, got, want)
			}
		}
	}

	fmt.Fprintf(w, "%-38s %10s  %10s  %8s\n", "", "GOMAXPROCS", "wall time", "speedup")
	for _, r := range rows {
		fmt.Fprintf(w, "%-38s %10d  %10s  %7.2f×\n", r.how, r.procs, millis(r.elapsed), ratio(rows[0].elapsed, r.elapsed))
	}
	fmt.Fprintf(w, "(fastest of %d runs each; speedup against serial)\n", reps)
	fmt.Fprintln(w, "Go has no GIL: goroutines run in parallel on up to GOMAXPROCS cores; at GOMAXPROCS=1 they take turns, as Python's threads do.")
	return nil
}

// showSystemcalls prints listings 6 to 9: calls real blocking system calls made one after another
// (broken), then one goroutine per call at GOMAXPROCS=1 and at the default (fixed), while main
// computes a helicopter location per call.
func showSystemcalls(w io.Writer, calls int, latency time.Duration) error {
	fmt.Fprintln(w, "\n== Listings 6–9: blocking system calls, one after another (broken) vs one goroutine per call (fixed) ==")
	fmt.Fprintf(w, "each call is %s; %s; %s\n", systemcallName,
		bookParam("latency", latency.String(), bookLatency.String(), latency == bookLatency, "the book's 0.1 s"),
		bookParam("calls", fmt.Sprint(calls), fmt.Sprint(bookCalls), calls == bookCalls, "the book's five threads"))
	fmt.Fprintf(w, "main also computes %d helicopter locations (real CPU work): after the calls (broken), without waiting for them (fixed)\n", calls)

	call := func() error { return slowSystemcall(latency) }
	locations := make([]location, calls)
	compute := func(index int) { locations[index] = computeHelicopterLocation(index) }
	defaultProcs := runtime.GOMAXPROCS(0)
	rows := []row{{how: "listing 7 (broken): calls one after another", procs: defaultProcs},
		{how: "listings 8-9 (fixed): goroutine per call", procs: 1},
		{how: "listings 8-9 (fixed): goroutine per call", procs: defaultProcs}}
	impls := []func(int, func() error, func(int)) error{systemcallsSerial, systemcallsConcurrent, systemcallsConcurrent}
	// The book's times, 0.5 s and 0.1 s for five calls of 0.1 s, counted in latencies, so they
	// compare with ours at any -latency. They are for five calls only.
	book := []string{"~5", "~1", "~1"}
	if calls != bookCalls {
		book = []string{"-", "-", "-"}
	}
	for i := range rows {
		var err error
		withGOMAXPROCS(rows[i].procs, func() {
			start := time.Now()
			err = impls[i](calls, call, compute)
			rows[i].elapsed = time.Since(start)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", rows[i].how, err)
		}
	}

	fmt.Fprintf(w, "%-44s %10s  %10s  %9s  %4s  %8s\n", "", "GOMAXPROCS", "wall time", "latencies", "book", "speedup")
	for i, r := range rows {
		fmt.Fprintf(w, "%-44s %10d  %10s  %9.2f  %4s  %7.2f×\n", r.how, r.procs, millis(r.elapsed),
			ratio(r.elapsed, latency), book[i], ratio(rows[0].elapsed, r.elapsed))
	}
	fmt.Fprintln(w, "(latencies = wall time / one call's latency; book = the book's 0.5 s and 0.1 s at 0.1 s a call, in latencies;")
	fmt.Fprintln(w, " speedup against one call after another)")
	last := locations[calls-1]
	fmt.Fprintf(w, "main's last answer: after %d minutes the helicopter is %s of base.\n", calls-1, last)
	fmt.Fprintln(w, "A goroutine blocked in a system call hands its processor to another goroutine, so the calls overlap even at GOMAXPROCS=1.")
	return nil
}

// bookParam says which value of a parameter the run used and how it relates to the book's.
func bookParam(flagName, ours, books string, same bool, bookPhrase string) string {
	if same {
		return fmt.Sprintf("%s %s is %s", flagName, ours, bookPhrase)
	}
	return fmt.Sprintf("%s %s; the book uses %s: -%s %s to match", flagName, ours, books, flagName, books)
}

// millis formats d in milliseconds with one decimal, so every time in a table has the same unit.
func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// ratio returns a/b as a float, for speedups and for wall time counted in latencies.
func ratio(a, b time.Duration) float64 {
	return float64(a) / float64(b)
}

// joinInts writes numbers separated by sep.
func joinInts(numbers []int, sep string) string {
	parts := make([]string, len(numbers))
	for i, n := range numbers {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, sep)
}

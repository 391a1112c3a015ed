// Item 54 of Effective Python, "Use Lock to prevent data races in threads", in Go: goroutines
// adding to one counter lose updates unless the read-add-write is guarded (sync.Mutex), made
// indivisible (atomic.Int64) or given to a single owner goroutine.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program: it parses args, prints the lesson to stdout and problems to stderr,
// and returns the exit status (0 done, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("item54", flag.ContinueOnError)
	fs.SetOutput(stderr)
	workers := fs.Int("workers", 5, "goroutines sharing one counter (the book: 5)")
	howMany := fs.Int("n", 1_000_000, "increments per goroutine (the book prints 100000; the study notes use 1000000)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./item54 [flags]")
		fmt.Fprintln(fs.Output(), "Item 54: goroutines adding to one counter lose updates without a lock; a mutex, an atomic or an owner goroutine fixes it.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "item54: unexpected argument %q (this lesson takes only flags; -h lists them)\n", fs.Arg(0))
		return 2
	case *workers <= 0:
		fmt.Fprintf(stderr, "item54: -workers must be positive (got %d)\n", *workers)
		return 2
	case *howMany <= 0:
		fmt.Fprintf(stderr, "item54: -n must be positive (got %d)\n", *howMany)
		return 2
	}
	lesson(stdout, *workers, *howMany)
	return 0
}

// lesson prints the item listing by listing.
func lesson(w io.Writer, workers, howMany int) {
	expected := workers * howMany
	fmt.Fprintf(w, "%d goroutines × %d increments each, one shared counter\n", workers, howMany)

	fmt.Fprintln(w, "\n== Listings 1–3 (broken): Counter, no lock ==")
	found, took := count(workers, howMany, &Counter{})
	fmt.Fprintf(w, "Counter should be %d, got %d  (%d updates lost, %s)\n", expected, found, expected-found, took)

	fmt.Fprintln(w, "\n== Listings 4–6: how an update is lost (the real Counter, one goroutine paused on purpose) ==")
	broken := &Counter{}
	steps := forceInterleaving(broken, func(p func()) { broken.pause = p }, 5*time.Second)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  goroutine A\tvalue = count\tvalue is %d\tthen A is paused\n", steps.aRead)
	fmt.Fprintf(tw, "  goroutine B\tvalue = count\tvalue is %d\n", steps.aRead)
	fmt.Fprintf(tw, "  goroutine B\tcount = value + 1\tcount is %d\n", steps.afterB)
	fmt.Fprintf(tw, "  goroutine A\tcount = value + 1\tcount is %d\tA's stale value overwrites B's write\n", steps.final)
	tw.Flush()
	fmt.Fprintf(w, "Two increments, count is %d: B's update is lost.\n", steps.final)
	locked := &LockingCounter{}
	steps = forceInterleaving(locked, func(p func()) { locked.pause = p }, 50*time.Millisecond)
	fmt.Fprintf(w, "The same schedule with LockingCounter: count is %d (B cannot read until A has written and unlocked).\n", steps.final)

	fmt.Fprintln(w, "\n== Listings 7–8 (fixed): LockingCounter, and two Go alternatives ==")
	owned := NewOwnedCounter()
	defer owned.Close()
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range []struct {
		name, how string
		c         counter
	}{
		{"LockingCounter", "sync.Mutex", &LockingCounter{}},
		{"AtomicCounter", "atomic.Int64", &AtomicCounter{}},
		{"OwnedCounter", "owner goroutine + channel", owned},
	} {
		found, took := count(workers, howMany, v.c)
		fmt.Fprintf(tw, "%s\t%s\tCounter should be %d, got %d\t%s\n", v.name, v.how, expected, found, took)
	}
	tw.Flush()
}

// count runs the workers on c and returns the final count and how long it took.
func count(workers, howMany int, c counter) (int, time.Duration) {
	start := time.Now()
	runWorkers(workers, howMany, c)
	return c.Count(), time.Since(start).Round(time.Millisecond)
}

// interleaving is what forceInterleaving saw.
type interleaving struct {
	aRead      int  // the value A read before it was paused
	afterB     int  // the count once B was done, or A's read again if B could not finish
	final      int  // the count after both increments
	bInBetween bool // B finished its whole increment while A was between its read and write
}

// forceInterleaving plays the schedule of the book's listings 5–6 on a counter with a pause hook:
// goroutine A reads and is paused before it writes; goroutine B runs a whole increment; then A
// resumes. setPause installs the hook. If B has not finished within wait (it cannot, if a lock is
// held across the pause), A is resumed anyway, so this always returns.
func forceInterleaving(c counter, setPause func(func()), wait time.Duration) interleaving {
	aPaused, resumeA := make(chan struct{}), make(chan struct{})
	first := true
	setPause(func() {
		if first { // only A's call pauses; B runs B's call after A has cleared the flag
			first = false
			close(aPaused)
			<-resumeA
		}
	})

	var seen interleaving
	aDone, bDone := make(chan struct{}), make(chan struct{})
	seen.aRead = c.Count() // nobody else runs yet, so this is what A is about to read
	seen.afterB = seen.aRead
	go func() { defer close(aDone); c.Increment(1) }()
	<-aPaused // from here A may hold a lock: no Count until it resumes
	go func() { defer close(bDone); c.Increment(1) }()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-bDone:
		seen.bInBetween = true
		seen.afterB = c.Count()
	case <-timer.C:
	}
	close(resumeA)
	<-aDone
	<-bDone
	seen.final = c.Count()
	return seen
}

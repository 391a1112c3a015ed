// Item 54 of Effective Python, "Use Lock to prevent data races in threads", in Go: goroutines
// adding to one counter lose updates unless the read-add-write is guarded (sync.Mutex), made
// indivisible (atomic.Int64) or given to a single owner goroutine.
package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

// maxIncrements bounds workers × n: the lesson runs four counters that size, and the slowest (the
// owner goroutine, one channel hand-off per increment) must still finish in a few seconds.
const maxIncrements = 20_000_000

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run reads the flags, prints the lesson to stdout and problems to stderr, and returns the exit
// status (see runLesson).
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item54", "Item 54: goroutines adding to one counter lose updates without a lock; a mutex, an atomic or an owner goroutine fixes it.", stderr)
	workers := fs.Int("workers", 5, "goroutines sharing one counter (the book: 5)")
	howMany := fs.Int("n", 1_000_000, "increments per goroutine (the book prints 100000; the study notes use 1000000)")
	return runLesson(fs, args, func() error {
		return cmp.Or(
			inRange("workers", *workers, 1, 1000, "the book uses 5; more add nothing to the lesson"),
			inRange("n", *howMany, 1, maxIncrements/max(*workers, 1), "workers × n is at most 20,000,000, so the lesson ends in seconds"))
	}, func() error {
		lesson(stdout, *workers, *howMany)
		return nil
	})
}

// lesson prints the item example by example.
func lesson(w io.Writer, workers, howMany int) {
	expected := workers * howMany
	fmt.Fprintf(w, "%d goroutines × %d increments each, one shared counter\n", workers, howMany)

	fmt.Fprintln(w, "\n== Examples 1–3 (broken): Counter, no lock ==")
	found, took := count(workers, howMany, &Counter{})
	fmt.Fprintf(w, "Counter should be %d, got %d  (%d updates lost, %s)\n", expected, found, expected-found, took)
	fmt.Fprintln(w, "Run it again: the loss changes every run, and can be 0. The race is there every time:")
	fmt.Fprintln(w, "go run -race ./item54 -n 1000 reports it.")

	// The book's example 6 plays the bad schedule in one thread, statement by statement; so do we,
	// on a real Counter. In a real run the same steps happen in two goroutines.
	fmt.Fprintln(w, "\n== Examples 4–6: how an update is lost, the book's schedule played step by step ==")
	c := &Counter{}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	valueA := c.count
	fmt.Fprintf(tw, "  goroutine A\tvalue = count\tvalue is %d\n", valueA)
	valueB := c.count
	fmt.Fprintf(tw, "  goroutine B\tvalue = count\tvalue is %d\n", valueB)
	c.count = valueB + 1
	fmt.Fprintf(tw, "  goroutine B\tcount = value + 1\tcount is %d\n", c.count)
	c.count = valueA + 1
	fmt.Fprintf(tw, "  goroutine A\tcount = value + 1\tcount is %d\tA's stale value overwrites B's write\n", c.count)
	tw.Flush()
	fmt.Fprintf(w, "Two increments, count is %d: B's update is lost.\n", c.count)

	fmt.Fprintln(w, "\n== Examples 7–8 (fixed): LockingCounter, and two Go alternatives ==")
	owned := newOwnedCounter()
	defer owned.Close()
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range []struct {
		name, how string
		c         counter
	}{
		{"LockingCounter", "sync.Mutex", &LockingCounter{}},
		{"atomicCounter", "atomic.Int64", &atomicCounter{}},
		{"ownedCounter", "owner goroutine + channel", owned},
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

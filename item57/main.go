// Item 57 of Effective Python, "Avoid creating new Thread instances for on-demand fan-out", in Go:
// a goroutine per cell costs a few KiB rather than a thread's megabytes, so the book's main
// objection dissolves; what remains are real Go bugs — an error written to shared state (a race
// that also loses the error) and a panic that kills the whole program.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// bookLatency is the book's I/O time per cell.
const bookLatency = 100 * time.Millisecond

// threadStack is the book's figure for one thread: about 8 MB of stack (Linux reserves 8 MiB).
const threadStack = 8_000_000

// lessonChildEnv makes this program run as its own child process: the panic demo, which must not
// run in the lesson's own process because the panic ends the process.
const lessonChildEnv = "ITEM57_LESSON_CHILD"

// failY, failX is the cell where the lesson's game_logic fails or panics.
const failY, failX = 2, 3

func main() {
	if role, ok := os.LookupEnv(lessonChildEnv); ok {
		os.Exit(lessonChild(role, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program: it parses args, prints the lesson to stdout and problems to stderr,
// and returns the exit status (0 done, 1 failed, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("item57", flag.ContinueOnError)
	fs.SetOutput(stderr)
	latency := fs.Duration("latency", 10*time.Millisecond, "blocking I/O per cell (the book: 100ms)")
	measure := fs.String("measure", "10000", "comma-separated goroutine counts whose memory to measure (the book's grid is 10,000 cells; "+millionHint+")")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./item57 [flags]")
		fmt.Fprintln(fs.Output(), "Item 57: a goroutine per cell is cheap (a few KiB, not a thread's 8 MB), but an error written to one shared variable races and gets lost, and a panic in any goroutine kills the program.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	counts, err := parseCounts(*measure)
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "item57: unexpected argument %q (this lesson takes only flags; -h lists them)\n", fs.Arg(0))
		return 2
	case *latency <= 0:
		fmt.Fprintf(stderr, "item57: -latency must be positive (got %s)\n", *latency)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "item57: -measure %v (got %q)\n", err, *measure)
		return 2
	}
	if err := lesson(context.Background(), stdout, *latency, counts); err != nil {
		fmt.Fprintf(stderr, "item57: %v\n", err)
		return 1
	}
	return 0
}

// maxMeasure bounds -measure: ten million goroutines would need about 30 GB.
const maxMeasure = 5_000_000

// million is the goroutine count the lesson measures only when asked: it takes about 2.8 GB of memory
// and a few seconds, too much to spring on a learner's laptop by default.
const million = 1_000_000

// millionHint says how to measure a million goroutines.
const millionHint = "-measure 10000,1000000 adds a million goroutines: about 2.8 GB of memory for a few seconds"

// parseCounts reads -measure: goroutine counts, each between 1 and maxMeasure.
func parseCounts(list string) ([]int, error) {
	var counts []int
	for field := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(field), "_", ""))
		if err != nil || n < 1 || n > maxMeasure {
			return nil, fmt.Errorf("must be a list of goroutine counts from 1 to %d", maxMeasure)
		}
		counts = append(counts, n)
	}
	return counts, nil
}

// lesson prints the item listing by listing.
func lesson(ctx context.Context, w io.Writer, latency time.Duration, counts []int) error {
	fmt.Fprintf(w, "I/O per cell: %s%s\n", latency, bookNote(latency))
	io := life.CellIO{Logic: life.Latency(latency)}

	fmt.Fprintln(w, "\n== Listings LockingGrid, simulate_threaded and the driver (broken version, nothing failing) ==")
	if err := driver(w, func(g *life.Grid) (*life.Grid, error) { return simulateThreadedOn(ctx, io, g) }, latency); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== The same driver with simulateThreadedSafe (fixed): no lock on the grids ==")
	if err := driver(w, func(g *life.Grid) (*life.Grid, error) { return simulateThreadedSafe(ctx, io, g) }, latency); err != nil {
		return err
	}

	y, x := failY, failX
	fmt.Fprintf(w, "\n== Listing game_logic raising %q: cell (%d, %d) fails at once, the other 44 after %s ==\n", "Problem with I/O", y, x, latency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "version\treturned error\tcell (%d, %d) of the new grid\n", y, x)
	next, err := simulateThreadedOn(ctx, life.CellIO{Logic: failsFirst(y, x, latency)}, life.Glider())
	fmt.Fprintf(tw, "simulateThreaded (broken)\t%v\t%s\n", err, cellNote(next, y, x))
	next, err = simulateThreadedSafe(ctx, life.CellIO{Logic: failsFirst(y, x, latency)}, life.Glider())
	fmt.Fprintf(tw, "simulateThreadedSafe (fixed)\t%v\t%s\n", err, cellNote(next, y, x))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "The broken version's err is one variable written by all 45 goroutines: the 44 that succeed")
	fmt.Fprintln(w, "after the failure overwrite it with nil. It is also a data race; go test -race ./item57 proves it.")

	fmt.Fprintf(w, "\n== A panic in cell (%d, %d)'s goroutine ==\n", y, x)
	status, stderrHead, err := panicInChild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "simulateThreaded (broken), run in a child process: %s; its stderr says:\n", status)
	for _, line := range stderrHead {
		fmt.Fprintf(w, "    %s\n", line)
	}
	_, err = simulateThreadedSafe(ctx, life.CellIO{Logic: crashesAt(y, x, nil)}, life.Glider())
	fmt.Fprintf(w, "simulateThreadedSafe (fixed): returned error %q\n", err)

	fmt.Fprintln(w, "\n== What a goroutine per cell costs (the book: a thread needs about 8 MB of stack) ==")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "goroutines\tmemory each\tof which stack\tall of them\tstart-up each\tas threads at 8 MB\t")
	millionDone := false
	for _, n := range counts {
		c := goroutineCost(n)
		fmt.Fprintf(tw, "%s\t%s bytes\t%s bytes\t%s\t%s\t%s\t\n", thousands(n), thousands(int(c.perG+0.5)),
			thousands(int(c.stackPerG+0.5)), bytesIEC(c.perG*float64(n)), c.startPerG, bytesSI(float64(n)*threadStack))
		millionDone = millionDone || n >= million
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !millionDone {
		fmt.Fprintf(w, "(%s.)\n", millionHint)
	}
	return nil
}

// driver runs the book's driver with step, prints the table and how long the five generations took.
func driver(w io.Writer, step life.Step, latency time.Duration) error {
	start := time.Now()
	table, err := life.Table(step)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, table)
	fmt.Fprintf(w, "%d generations × %d goroutines took %s measured (5 × latency = %s)\n",
		life.Generations, life.Glider().Cells(), time.Since(start).Round(time.Millisecond), life.Generations*latency)
	return nil
}

// simulateThreadedOn runs the broken simulateThreaded on a plain grid, as the book's driver runs it
// on a LockingGrid: it copies the grid into a LockingGrid, and the result back out.
func simulateThreadedOn(ctx context.Context, io life.CellIO, grid *life.Grid) (*life.Grid, error) {
	next, err := simulateThreaded(ctx, io, LockingGridFrom(grid))
	return next.Snapshot(), err
}

// failsFirst is the I/O of the failing game_logic for one generation: cell (y, x) fails at once with
// life.ErrIO, the book's OSError('Problem with I/O'), and every other cell waits for that failure
// and then latency before it succeeds. So the failure comes first and the successes after it, by
// construction rather than by the scheduler's luck. Make a new one for every generation.
func failsFirst(y, x int, latency time.Duration) life.IO {
	failed := make(chan struct{})
	wait := life.Latency(latency)
	return func(ctx context.Context, cy, cx int) error {
		if cy == y && cx == x {
			close(failed)
			return life.ErrIO
		}
		select {
		case <-failed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		return wait(ctx, cy, cx)
	}
}

// crashesAt is I/O with a bug: at cell (y, x) it panics instead of returning an error; every other
// cell does io.
func crashesAt(y, x int, io life.IO) life.IO {
	return func(ctx context.Context, cy, cx int) error {
		if cy == y && cx == x {
			panic(fmt.Sprintf("I/O client: no connection for cell (%d, %d)", y, x))
		}
		return io.Do(ctx, cy, cx)
	}
}

// cellNote describes cell (y, x) of a returned grid.
func cellNote(grid *life.Grid, y, x int) string {
	if grid == nil {
		return "no grid returned"
	}
	want := life.Simulate(life.Glider()).Get(y, x)
	if got := grid.Get(y, x); got != want {
		return fmt.Sprintf("%c, should be %c: the grid is wrong", got, want)
	}
	return fmt.Sprintf("%c, as it should be", want)
}

// panicInChild runs the broken simulateThreaded with a panicking cell in a child process (this
// program again, told by lessonChildEnv what to do) and returns how the child ended and the first
// panic lines of its stderr.
func panicInChild(ctx context.Context) (status string, head []string, err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), lessonChildEnv+"=panic")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		status = fmt.Sprintf("exit status %d", exit.ExitCode())
	case err != nil:
		return "", nil, err
	default:
		status = "exit status 0 (it should have crashed)"
	}
	// Show the panic line and the goroutine it names. (Under go test -race the child also reports
	// the race on err before it dies, so the panic is not always the first line.)
	for line := range strings.SplitSeq(stderr.String(), "\n") {
		if strings.HasPrefix(line, "panic: ") || (len(head) == 1 && strings.HasPrefix(line, "goroutine ")) {
			head = append(head, line)
		}
	}
	return status, head, nil
}

// lessonChild is the program when it runs as its own child process. "panic": the broken
// simulateThreaded on the glider with a cell whose I/O panics; the panic ends the process.
func lessonChild(role string, stdout, stderr io.Writer) int {
	if role != "panic" {
		fmt.Fprintf(stderr, "item57: unknown child role %q\n", role)
		return 3
	}
	y, x := failY, failX
	_, err := simulateThreaded(context.Background(), life.CellIO{Logic: crashesAt(y, x, nil)}, LockingGridFrom(life.Glider()))
	fmt.Fprintf(stdout, "simulateThreaded returned %v\n", err) // not reached: the panic ends the process first
	return 0
}

// bookNote says how latency compares with the book's.
func bookNote(latency time.Duration) string {
	if latency == bookLatency {
		return " (the book's value)"
	}
	return fmt.Sprintf(" (the book uses %s; -latency %s to match)", bookLatency, bookLatency)
}

// thousands writes n with a comma between groups of three digits, as the book writes 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// bytesIEC writes a byte count in KiB, MiB or GiB.
func bytesIEC(b float64) string {
	for _, u := range []string{"bytes", "KiB", "MiB", "GiB"} {
		if b < 1024 || u == "GiB" {
			return fmt.Sprintf("%.1f %s", b, u)
		}
		b /= 1024
	}
	return ""
}

// bytesSI writes a byte count in GB or TB, as the book's "8 MB" is written.
func bytesSI(b float64) string {
	if b >= 1e12 {
		return fmt.Sprintf("%.0f TB", b/1e12)
	}
	return fmt.Sprintf("%.0f GB", b/1e9)
}

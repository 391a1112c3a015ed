package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"workbook/item56/life"
)

// failY, failX is the cell whose I/O fails, or panics, in Examples 4 and 5.
const failY, failX = 2, 3

// failsFirst is the I/O of the book's failing game_logic (Example 4) for one generation: cell (y, x)
// fails at once with life.ErrIO, the book's OSError('Problem with I/O'), and every other cell waits
// for that failure and then latency before it succeeds. So the failure comes first and the
// successes after it, by construction rather than by the scheduler's luck. The book makes every
// cell fail; here one does, because that is when a shared err loses it. One per generation.
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

// panicsAt is I/O with a bug: at cell (y, x) it panics instead of returning an error.
func panicsAt(y, x int) life.IO {
	return func(ctx context.Context, cy, cx int) error {
		if cy == y && cx == x {
			panic(fmt.Sprintf("I/O client: no connection for cell (%d, %d)", y, x))
		}
		return nil
	}
}

// cellNote describes cell (failY, failX) of a grid returned for the glider's next generation.
func cellNote(grid *life.Grid) string {
	if grid == nil {
		return "no grid"
	}
	want := life.Simulate(life.Glider()).Get(failY, failX)
	if got := grid.Get(failY, failX); got != want {
		return fmt.Sprintf("its cell (%d, %d) is %c, should be %c", failY, failX, got, want)
	}
	return fmt.Sprintf("its cell (%d, %d) is %c, as it should be", failY, failX, want)
}

// simulation is one generation with the cells' I/O: simulateThreaded and simulateThreadedSafe.
type simulation func(ctx context.Context, cellIO life.CellIO, grid *life.Grid) (*life.Grid, error)

// printTable runs the book's driver (life.Table) with step and prints the table and how long the
// five generations took.
func printTable(ctx context.Context, w io.Writer, step simulation, latency time.Duration) error {
	cellIO := life.CellIO{Logic: life.Latency(latency)}
	start := time.Now()
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return step(ctx, cellIO, g) })
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\n%d generations × %d goroutines took %s measured (5 × latency = %s)\n", table,
		life.Generations, life.Glider().Cells(), time.Since(start).Round(time.Millisecond), life.Generations*latency)
	return nil
}

// lessonChildEnv makes this program run as its own child process (Example 5), because the panic it
// shows ends the process that runs it.
const lessonChildEnv = "ITEM57_LESSON_CHILD"

// printPanicInChild runs lessonChild in a child process (this program again) and prints how the
// child ended and the panic line of its stderr.
func printPanicInChild(ctx context.Context, w io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), lessonChildEnv+"=panic", "GORACE=atexit_sleep_ms=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	status := "exit status 0 (it should have died)"
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		status = fmt.Sprintf("exit status %d", exit.ExitCode())
	}
	panicLine := "no panic on its stderr"
	for line := range strings.SplitSeq(stderr.String(), "\n") {
		if strings.HasPrefix(line, "panic: ") {
			panicLine = line
			break
		}
	}
	fmt.Fprintf(w, "The child ended with %s: %s\n", status, panicLine)
	return nil
}

// lessonChild is this program as its own child: simulateThreadedSafe on the glider with cell
// (failY, failX) panicking. The panic ends the process before the last line can print.
func lessonChild(role string, stderr io.Writer) int {
	if role != "panic" {
		fmt.Fprintf(stderr, "item57: unknown child role %q\n", role)
		return 3
	}
	_, err := simulateThreadedSafe(context.Background(), life.CellIO{Logic: panicsAt(failY, failX)}, life.Glider())
	fmt.Fprintf(stderr, "simulateThreadedSafe returned %v\n", err) // not reached
	return 0
}

// printCharts draws one generation of the glider's I/O done serially (life.SimulateIO, item 56)
// and with a goroutine per cell (simulateThreadedSafe).
func printCharts(ctx context.Context, w io.Writer, latency time.Duration) error {
	if err := printChart(w, latency, "serial (life.SimulateIO, item 56): one call at a time, 45 columns of height 1",
		func(cellIO life.CellIO) error { _, err := life.SimulateIO(ctx, cellIO, life.Glider()); return err }); err != nil {
		return err
	}
	return printChart(w, latency, "a goroutine per cell (simulateThreadedSafe): all 45 at once, one column (real timers end a little late)",
		func(cellIO life.CellIO) error { _, err := simulateThreadedSafe(ctx, cellIO, life.Glider()); return err })
}

// printChart runs one generation with recorded I/O of the given latency and draws how many calls
// were in flight over time (life.Timeline), under its caption, on the scale every item uses.
func printChart(w io.Writer, latency time.Duration, caption string, generation func(cellIO life.CellIO) error) error {
	tl := life.NewTimeline()
	if err := generation(life.CellIO{Logic: life.Recorded(life.Latency(latency), tl)}); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\n%s", caption, tl.Chart(latency, life.Glider().Cells()))
	return nil
}

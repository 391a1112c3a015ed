package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// printCost measures cells held as a goroutine each and then as an OS thread each, and prints them
// side by side, with the kernel's limits on threads. Where /proc is missing it says so and skips.
func printCost(ctx context.Context, w io.Writer, cells int) error {
	// The watchdog: the lesson never hangs. 10,000 cells took 8 s here on a loaded machine.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second+time.Duration(cells)*2*time.Millisecond)
	defer cancel()
	g, err := measureCells(ctx, cells, false)
	if errors.Is(err, errNoProc) {
		fmt.Fprintf(w, "(skipped: %v)\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	if free := freeTasks(); free >= 0 && cells > free/2 {
		fmt.Fprintf(w, "goroutines: %s resident each; OS threads skipped: only %s more tasks fit under this machine's pid_max and threads-max\n",
			bytesIEC(g.resident), life.Thousands(free))
		return nil
	}
	t, err := measureCells(ctx, cells, true)
	if err != nil {
		return err
	}
	const rounds = 1000
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "a cell as\tresident each\tvirtual each\tOS threads added\tstart each\tswitch each\t")
	for _, row := range []struct {
		name   string
		c      cost
		pinned bool
	}{{"goroutine", g, false}, {"OS thread", t, true}} {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", row.name, bytesIEC(row.c.resident), bytesIEC(row.c.virtual),
			life.Thousands(row.c.threads), row.c.start, switchTime(rounds, row.pinned))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	n := float64(cells)
	fmt.Fprintf(w, "Each OS thread also has a kernel stack, which VmRSS does not count: %s each (KernelStack in /proc/meminfo).\n",
		bytesIEC(t.kernelStack))
	fmt.Fprintf(w, "All %s cells: as goroutines %s resident; as OS threads %s resident plus %s of kernel stacks.\n",
		life.Thousands(cells), bytesIEC(g.resident*n), bytesIEC(t.resident*n), bytesIEC(t.kernelStack*n))
	fmt.Fprintln(w, "The book's 8 MB per thread is the stack a C or Python thread reserves (ulimit -s): virtual, not resident.")
	limit := debug.SetMaxThreads(10_000)
	debug.SetMaxThreads(limit)
	fmt.Fprintf(w, "Limits on threads here: kernel.threads-max %s, kernel.pid_max %s, vm.max_map_count %s, Go's debug.SetMaxThreads %s.\n",
		life.Thousands(sysctl("kernel/threads-max")), life.Thousands(sysctl("kernel/pid_max")), life.Thousands(sysctl("vm/max_map_count")), life.Thousands(limit))
	return nil
}

// bytesIEC writes a byte count in bytes, KiB, MiB or GiB.
func bytesIEC(b float64) string {
	for _, u := range []string{"bytes", "KiB", "MiB"} {
		if b < 1024 && b > -1024 {
			return fmt.Sprintf("%.1f %s", b, u)
		}
		b /= 1024
	}
	return fmt.Sprintf("%.1f GiB", b)
}

// bookCells says how to measure the book's 10,000 cells, unless cells is that already.
func bookCells(cells int) string {
	if cells == 10_000 {
		return " (the book's 10,000)"
	}
	return " (the book's 10,000: -cells 10000)"
}

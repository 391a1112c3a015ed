package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// measureOrFail runs measureCells under a 5 s watchdog and fails, saying what is stuck, if it does
// not finish cleanly: so a measurement whose cells are never released fails in seconds. (Real time:
// the cells hold real OS threads, which synctest's fake clock cannot run.)
func measureOrFail(t *testing.T, cells int, pinned bool) cost {
	t.Helper()
	if readProc().err != nil {
		t.Skip(errNoProc)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	c, err := measureCells(ctx, cells, pinned)
	require.NoError(t, err, "measureCells(%d cells, pinned=%v) did not finish", cells, pinned)
	return c
}

// The book's claim, made like with like: a cell held by an OS thread of its own costs more resident
// memory than a cell held by a goroutine, and takes an OS thread per cell; a goroutine takes none.
// After the measurement the threads are gone again (a goroutine that ends locked ends its thread).
func TestCost_ThreadPerCellHoldsMoreThanGoroutine(t *testing.T) {
	// Few threads: under -race every OS thread takes a millisecond to start and end. The same number
	// of goroutines, so that the race detector's own per-goroutine state weighs the same on both
	// sides; and ten times more for the size of a stack, where a few stacks the runtime kept from
	// earlier goroutines, reused without adding to VmRSS, would blur 100.
	const cells = 100
	stacks := measureOrFail(t, 10*cells, false)
	g := measureOrFail(t, cells, false)
	before := readProc()
	th := measureOrFail(t, cells, true)
	after := readProc()

	assert.Greater(t, stacks.resident, 1024.0, "every goroutine has a stack of its own, at least 2 KiB")
	assert.Less(t, g.threads, 20, "goroutines blocked in I/O need no OS thread each")
	assert.GreaterOrEqual(t, th.threads, cells-20, "every pinned cell holds an OS thread of its own (a few idle ones are reused)")
	assert.Greater(t, th.resident, g.resident, "a thread per cell should hold more resident memory than a goroutine per cell")
	assert.LessOrEqual(t, after.threads, before.threads+10, "the cells' threads should have exited with their goroutines")
	t.Logf("per cell: goroutine %s resident, thread %s resident (%s kernel stack)", bytesIEC(g.resident), bytesIEC(th.resident), bytesIEC(th.kernelStack))
}

// The measurement turns the garbage collector off and raises Go's thread limit; both come back.
func TestCost_RestoresGCAndThreadLimit(t *testing.T) {
	const gcPercent, maxThreads = 123, 12_345
	gcWas, maxWas := debug.SetGCPercent(gcPercent), debug.SetMaxThreads(maxThreads)
	defer debug.SetGCPercent(gcWas)
	defer debug.SetMaxThreads(maxWas)
	measureOrFail(t, 20, true)
	assert.Equal(t, gcPercent, debug.SetGCPercent(gcPercent), "the GC setting was not restored")
	assert.Equal(t, maxThreads, debug.SetMaxThreads(maxThreads), "Go's thread limit was not restored")
}

// BenchmarkCells reports what a cell holds as a goroutine (at the book's 10,000 and at 100,000) and
// as an OS thread (10,000; not under -race). Run it with
// go test -run '^$' -bench Cells -benchtime 1x ./item57
func BenchmarkCells(b *testing.B) {
	for _, bc := range []struct {
		cells  int
		pinned bool
	}{{10_000, false}, {100_000, false}, {10_000, true}} {
		name := "goroutine"
		if bc.pinned {
			name = "thread"
		}
		b.Run(fmt.Sprintf("%s/cells=%d", name, bc.cells), func(b *testing.B) {
			if raceEnabled && (bc.pinned || bc.cells > 10_000) {
				b.Skip("too much memory under -race")
			}
			if readProc().err != nil {
				b.Skip(errNoProc)
			}
			var c cost
			for b.Loop() {
				var err error
				if c, err = measureCells(b.Context(), bc.cells, bc.pinned); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(c.resident, "resident-bytes/cell")
			b.ReportMetric(c.virtual, "virtual-bytes/cell")
			b.ReportMetric(c.stack, "goroutine-stack-bytes/cell")
			b.ReportMetric(float64(c.start.Nanoseconds()), "start-ns/cell")
		})
	}
}

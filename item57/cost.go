package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"workbook/item56/life"
)

// cost is what a goroutine per cell holds while the cells wait in their I/O, per cell, measured
// from /proc on Linux: resident with resident, virtual with virtual.
type cost struct {
	resident    float64       // growth of VmRSS, the memory really in use, bytes per cell
	virtual     float64       // growth of VmSize, address space reserved, bytes per cell
	kernelStack float64       // growth of /proc/meminfo's KernelStack (system-wide), bytes per cell
	threads     int           // OS threads added
	start       time.Duration // from the first start to the last cell blocked, per cell
	stack       float64       // growth of Go's goroutine stacks in use (runtime.MemStats), bytes per cell
}

// errNoProc says the memory could not be measured: /proc/self/status is Linux's.
var errNoProc = errors.New("resident memory and threads are read from /proc/self/status (Linux only)")

// measureCells runs simulateThreadedSafe on a 1 × cells grid whose I/O blocks until every cell's
// goroutine is waiting in it, reads what the process then holds, and releases them. With pinned,
// each cell's goroutine first locks itself to an OS thread of its own (runtime.LockOSThread), so
// the same fan-out holds one OS thread per cell: a thread per cell, as in the book. A goroutine that
// ends still locked takes its thread with it, so the threads end with the generation.
//
// The garbage collector is off while the cells start (restored after): starting them makes next to
// no garbage, and a cycle in the middle would scan every goroutine started so far. ctx is a watchdog: if the cells are never released,
// their I/O gives up when ctx ends and measureCells returns an error instead of hanging.
func measureCells(ctx context.Context, cells int, pinned bool) (cost, error) {
	if pinned {
		// Go's runtime crashes a program that uses more OS threads than debug.SetMaxThreads (10,000
		// at start), so raise it for the cells' threads, and restore it only once they have exited.
		defer debug.SetMaxThreads(debug.SetMaxThreads(cells + 10_000))
		defer waitForThreads(readProc())
	}
	release, arrived := make(chan struct{}), make(chan struct{})
	var waiting atomic.Int64
	waiting.Store(int64(cells))
	io := life.CellIO{Logic: func(ctx context.Context, y, x int) error {
		if pinned {
			runtime.LockOSThread() // never unlocked: the thread ends when this goroutine does
		}
		if waiting.Add(-1) == 0 {
			close(arrived) // the last cell is in its I/O
		}
		select {
		case <-release: // the I/O in flight
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}}

	runtime.GC()
	debug.FreeOSMemory() // so the cells' memory comes from fresh pages, which VmRSS counts
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var stacksBefore, stacksAfter runtime.MemStats
	runtime.ReadMemStats(&stacksBefore)
	before := readProc()
	if before.err != nil {
		return cost{}, before.err
	}
	start := time.Now()
	finished := make(chan error, 1)
	go func() {
		_, err := simulateThreadedSafe(ctx, io, life.NewGrid(1, cells))
		finished <- err
	}()
	select {
	case <-arrived:
	case <-ctx.Done():
		<-finished
		return cost{}, fmt.Errorf("only %d of %d cells reached their I/O before the watchdog ended", cells-int(waiting.Load()), cells)
	}
	took := time.Since(start)
	after := readProc()
	runtime.ReadMemStats(&stacksAfter)
	close(release)
	if err := <-finished; err != nil {
		return cost{}, fmt.Errorf("the cells were never released: their I/O ended only when the watchdog did (%w)", context.Cause(ctx))
	}
	per := func(a, b int64) float64 { return float64(a-b) / float64(cells) }
	return cost{
		resident:    per(after.rss, before.rss),
		virtual:     per(after.vsize, before.vsize),
		kernelStack: per(after.kernelStack, before.kernelStack),
		threads:     int(after.threads - before.threads),
		start:       took / time.Duration(cells),
		stack:       per(int64(stacksAfter.StackInuse), int64(stacksBefore.StackInuse)),
	}, after.err
}

// switchTime measures one hand-over between two goroutines that take turns, a ping and a pong over
// unbuffered channels, rounds times. With pinned, each is locked to an OS thread of its own, so
// every hand-over is a switch between OS threads: one sleeps in the kernel and the other is woken.
func switchTime(rounds int, pinned bool) time.Duration {
	ping, pong := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if pinned {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		for range rounds {
			<-ping
			pong <- struct{}{}
		}
	})
	if pinned {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	start := time.Now()
	for range rounds {
		ping <- struct{}{}
		<-pong
	}
	took := time.Since(start)
	wg.Wait()
	return took / time.Duration(2*rounds)
}

// waitForThreads waits until the process is back to before's OS threads (plus a few the runtime
// may keep), for at most 10 s: Go counts a thread against debug.SetMaxThreads until it has exited.
func waitForThreads(before procFigures) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if now := readProc(); now.err != nil || now.threads <= before.threads+10 {
			return
		}
		time.Sleep(time.Millisecond) // OS threads exit on their own; /proc is the only way to watch
	}
}

package main

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/item56/life"
)

// systemcallsVersions are the broken and fixed versions of listings 7 to 9, for proofs that run
// over both. wantBug is true for the version that makes the calls one after another, except in
// exercise mode, where broken.go must behave as fixed.go does (README.md, "Your turn").
var systemcallsVersions = []struct {
	name    string
	file    string
	impl    systemcallsFunc
	wantBug bool
}{
	{"broken systemcallsSerial", "broken.go", systemcallsSerial, !exercise},
	{"fixed systemcallsConcurrent", "fixed.go", systemcallsConcurrent, false},
}

// The proofs' workload: the book's five calls of 0.1 s, on synctest's fake clock.
const (
	fakeCalls   = 5
	fakeLatency = 100 * time.Millisecond
)

// observation is what one run of a version showed on the fake clock.
type observation struct {
	elapsed               time.Duration // from the start until the version returned
	made                  int64         // blocking calls made
	computed              []int         // the locations main computed, in order
	finishedWhenComputing []int64       // blocking calls finished when each location was computed
	inFlight              []float64     // calls in flight in each fakeLatency of the run (the chart)
	err                   error         // what the version returned
}

// observe runs impl inside a synctest bubble with fakeCalls blocking calls of fakeLatency each
// (time.Sleep, which the bubble's clock controls, so elapsed time is exact) and records what
// happened. The calls numbered in failing (counting from 1, in the order they start) return
// failedCall(n). A version still running after an hour of fake time is stuck: observe fails the
// test saying so.
func observe(t *testing.T, file string, impl systemcallsFunc, failing ...int64) (o observation) {
	t.Helper()
	var made, finished atomic.Int64
	tl := life.NewTimeline()
	call := func() error {
		n := made.Add(1)
		time.Sleep(fakeLatency)
		finished.Add(1)
		if slices.Contains(failing, n) {
			return failedCall(n)
		}
		return nil
	}
	var mu sync.Mutex // main computes in both versions; a learner's version might not
	compute := func(index int) {
		mu.Lock()
		defer mu.Unlock()
		o.computed = append(o.computed, index)
		o.finishedWhenComputing = append(o.finishedWhenComputing, finished.Load())
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- impl(fakeCalls, recorded(tl, call), compute) }() // recorded: the lesson's chart
	select {
	case o.err = <-done:
	case <-time.After(time.Hour):
		t.Fatalf("%s is stuck: still running after an hour on the fake clock (%d of %d calls made)", file, made.Load(), fakeCalls)
	}
	o.elapsed = time.Since(start)
	// Let any calls the version left running finish, so that a version that returns before its
	// calls end fails by the elapsed time it shows, not by synctest's panic about goroutines
	// still blocked when the bubble ends.
	synctest.Wait() // goroutines the version started have made their calls, or returned
	for range fakeCalls {
		if finished.Load() == made.Load() {
			break
		}
		time.Sleep(fakeLatency)
		synctest.Wait()
	}
	o.made = made.Load()
	o.inFlight = tl.InFlight(fakeLatency)
	mu.Lock()
	defer mu.Unlock()
	return o
}

// failedCall is the error observe's nth call returns when it is told to fail: a distinct value
// per call, so a test can tell which failures a version reported.
type failedCall int64

func (n failedCall) Error() string { return fmt.Sprintf("select failed (call %d)", int64(n)) }

// TestSystemcalls_CallsOverlap is the first BUG of listing 7 and its fix, exact on the fake clock:
// one call after another takes 5 × 100 ms, one call in flight in each of 5 latencies (the lesson's
// chart); one goroutine per call takes 1 × 100 ms, all 5 calls in flight in one latency.
func TestSystemcalls_CallsOverlap(t *testing.T) {
	for _, tt := range systemcallsVersions {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				o := observe(t, tt.file, tt.impl)
				require.NoError(t, o.err)
				assert.Equal(t, int64(fakeCalls), o.made, "%s made %d calls, want %d", tt.file, o.made, fakeCalls)
				if tt.wantBug {
					assert.Equal(t, fakeCalls*fakeLatency, o.elapsed, "%s no longer makes the calls one after another: %d calls of %v took %v on the fake clock", tt.file, fakeCalls, fakeLatency, o.elapsed)
					assert.Equal(t, []float64{1, 1, 1, 1, 1}, o.inFlight, "%s: calls in flight in each %v", tt.file, fakeLatency)
				} else {
					assert.Equal(t, fakeLatency, o.elapsed, "%s: %d calls of %v took %v on the fake clock, want %v: the calls must wait at the same time, each on its own goroutine, and the function must wait for them", tt.file, fakeCalls, fakeLatency, o.elapsed, fakeLatency)
					assert.Equal(t, []float64{fakeCalls}, o.inFlight, "%s: calls in flight in each %v, want all %d in the first", tt.file, fakeLatency, fakeCalls)
				}
			})
		})
	}
}

// TestSystemcalls_MainComputesWhileCallsBlock is the second BUG of listing 7 and its fix: main
// computes the helicopter locations only after every call has finished (broken), or at once,
// while all the calls are still blocked (fixed), in order 0 to 4 either way.
func TestSystemcalls_MainComputesWhileCallsBlock(t *testing.T) {
	for _, tt := range systemcallsVersions {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				o := observe(t, tt.file, tt.impl)
				require.NoError(t, o.err)
				assert.Equal(t, []int{0, 1, 2, 3, 4}, o.computed, "%s: the helicopter locations computed, in order", tt.file)
				want, why := int64(0), "main must compute at once, without waiting for the calls"
				if tt.wantBug {
					want, why = fakeCalls, "it no longer waits for the calls before computing"
				}
				for i, n := range o.finishedWhenComputing {
					if !assert.Equal(t, want, n, "%s: %d of %d calls had finished when main computed location %d: %s", tt.file, n, fakeCalls, i, why) {
						break // one line says it; the other locations say the same
					}
				}
			})
		})
	}
}

// TestSystemcalls_ReportErrors checks that a failing call is not lost in either version, even
// when it fails on a goroutine main never looks at directly, and that the other calls are still
// made. One case fails the 3rd of 5 calls; the other fails every call, so an error slot dropped
// anywhere (the last one, say) is missed whichever goroutine made which call.
func TestSystemcalls_ReportErrors(t *testing.T) {
	cases := []struct {
		name    string
		failing []int64
	}{
		{"3rd call fails", []int64{3}},
		{"every call fails", []int64{1, 2, 3, 4, 5}},
	}
	for _, tt := range systemcallsVersions {
		for _, c := range cases {
			t.Run(tt.name+"/"+c.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					o := observe(t, tt.file, tt.impl, c.failing...)
					for _, n := range c.failing {
						assert.ErrorIs(t, o.err, failedCall(n), "%s lost the error of call %d of %d (%s); it returned %v", tt.file, n, fakeCalls, c.name, o.err)
					}
					assert.Equal(t, int64(fakeCalls), o.made, "%s: the other calls are still made", tt.file)
				})
			})
		}
	}
}

// TestSlowSystemcall_WaitsAtLeastLatency checks listing 6 on the real clock: the select never
// comes back early, even though signals can cut it short (it waits again for what is left).
// Only a lower bound is asserted; how much later it returns depends on the machine.
func TestSlowSystemcall_WaitsAtLeastLatency(t *testing.T) {
	const latency = 20 * time.Millisecond
	for range 3 {
		start := time.Now()
		var err error
		finishes(t, "slowSystemcall(20ms)", func() { err = slowSystemcall(latency) })
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), latency)
	}
}

// realCallWatchdog is how long a test waits on the real clock for code that makes real blocking
// calls. The slowest such test takes well under a second, so code still running after 5 s will
// not end: a slowSystemcall that recomputes its deadline on every turn of its loop, say.
const realCallWatchdog = 5 * time.Second

// finishes runs f on a goroutine of its own and waits for it to return. If it is still running
// after realCallWatchdog, finishes fails the test at once, naming what is stuck, and leaves f
// running: it cannot be stopped, and goleak then names it too. That failure is an assertion,
// where waiting on f directly would end only in the package's timeout.
func finishes(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(realCallWatchdog):
		t.Fatalf("%s is stuck: still running after %v on the real clock", what, realCallWatchdog)
	}
}

// TestComputeHelicopterLocation_StaysOnCircle checks the stand-in for main's work against the
// exact answer: after t seconds the helicopter is at angle speed/radius × t on the circle.
func TestComputeHelicopterLocation_StaysOnCircle(t *testing.T) {
	for index := range 5 {
		got := computeHelicopterLocation(index)
		angle := flightSpeed / flightRadius * float64(index) * 60
		assert.InDelta(t, flightRadius*math.Cos(angle), got.x, 0.01, "x after %d minutes", index)
		assert.InDelta(t, flightRadius*math.Sin(angle), got.y, 0.01, "y after %d minutes", index)
	}
}

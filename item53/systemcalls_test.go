package main

import (
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// systemcallsFunc is the shape the broken and fixed versions share.
type systemcallsFunc func(calls int, call func() error, compute func(index int)) error

// systemcallsVersions are the broken and fixed versions of listings 7 to 9, for proofs that run
// over both. wantBug is true for the version that makes the calls one after another.
var systemcallsVersions = []struct {
	name    string
	impl    systemcallsFunc
	wantBug bool
}{
	{"broken systemcallsSerial", systemcallsSerial, true},
	{"fixed systemcallsConcurrent", systemcallsConcurrent, false},
}

// TestSystemcalls_OverlapOnFakeClock is the timing claim of listings 7 to 9, exact on synctest's
// fake clock: one call after another takes calls × latency and main's work starts only after
// them; one goroutine per call takes 1 × latency and main's work starts at once, while every call
// is still blocked. The blocking call is time.Sleep here, which the bubble's clock controls.
func TestSystemcalls_OverlapOnFakeClock(t *testing.T) {
	const calls, latency = 5, 100 * time.Millisecond
	for _, tt := range systemcallsVersions {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var made, finished atomic.Int64
				call := func() error {
					made.Add(1)
					time.Sleep(latency)
					finished.Add(1)
					return nil
				}
				var computed []int // only main appends, in both versions
				var finishedWhenComputing []int64
				compute := func(index int) {
					computed = append(computed, index)
					finishedWhenComputing = append(finishedWhenComputing, finished.Load())
				}

				require.NoError(t, tt.impl(calls, call, compute))

				wantElapsed, wantFinished := latency, int64(0)
				if tt.wantBug {
					wantElapsed, wantFinished = calls*latency, calls
				}
				assert.Equal(t, wantElapsed, time.Since(start), "wall time on the fake clock")
				assert.Equal(t, int64(calls), made.Load(), "calls made")
				assert.Equal(t, []int{0, 1, 2, 3, 4}, computed, "helicopter locations computed")
				for i, n := range finishedWhenComputing {
					assert.Equal(t, wantFinished, n, "calls finished when main computed location %d", i)
				}
			})
		})
	}
}

// TestSystemcalls_ReportErrors checks that a failing call is not lost in either version, even
// when it fails on a goroutine main never looks at directly.
func TestSystemcalls_ReportErrors(t *testing.T) {
	errSelect := errors.New("select failed")
	for _, tt := range systemcallsVersions {
		t.Run(tt.name, func(t *testing.T) {
			var made atomic.Int64
			call := func() error {
				if made.Add(1) == 3 {
					return errSelect
				}
				return nil
			}
			err := tt.impl(5, call, func(int) {})
			assert.ErrorIs(t, err, errSelect)
			assert.Equal(t, int64(5), made.Load(), "the other calls are still made")
		})
	}
}

// TestSlowSystemcall_WaitsAtLeastLatency checks listing 6 on the real clock: the select never
// comes back early, even though signals can cut it short (it waits again for what is left).
// Only a lower bound is asserted; how much later it returns depends on the machine.
func TestSlowSystemcall_WaitsAtLeastLatency(t *testing.T) {
	const latency = 20 * time.Millisecond
	for range 3 {
		start := time.Now()
		require.NoError(t, slowSystemcall(latency))
		assert.GreaterOrEqual(t, time.Since(start), latency)
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

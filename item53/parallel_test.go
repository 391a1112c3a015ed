package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() { childRoles["parallel"] = parallelChild }

// TestGoroutines_RunInParallel proves the claim behind the factorize table without timing it:
// with GOMAXPROCS ≥ 2, two CPU-bound goroutines run at the same time. Each says it has started,
// then spins until it sees that the other has started too. Neither ever gives up its processor
// while spinning, so each can only see the other start if the other runs on a second processor
// at the same time; at GOMAXPROCS=1 the first would spin out its limit alone.
//
// "Never gives up its processor" needs the runtime's preemption off: after 10 ms it would
// otherwise stop the spinner by a signal and let the other run on the same processor, which is
// taking turns, not running in parallel. So the proof runs in a child process with
// GODEBUG=asyncpreemptoff=1, and the spin makes no function call (where the runtime could stop it
// too); its limit is a count of tries, a second or two of spinning, far more than the other
// goroutine needs to start.
func TestGoroutines_RunInParallel(t *testing.T) {
	// Read before t.Parallel: the parallel TestRun_MatchesREADME sets GOMAXPROCS while it runs.
	procs := runtime.GOMAXPROCS(0)
	if runtime.NumCPU() < 2 || procs < 2 {
		t.Skipf("two goroutines can run at once only with 2 CPUs and GOMAXPROCS ≥ 2; here NumCPU=%d, GOMAXPROCS=%d",
			runtime.NumCPU(), procs)
	}
	t.Parallel() // the child process runs while the other parallel tests run
	stdout, stderr, err := reexec(t, "parallel", fmt.Sprintf("GOMAXPROCS=%d", procs),
		"GODEBUG="+strings.TrimPrefix(os.Getenv("GODEBUG")+",asyncpreemptoff=1", ","))
	require.NoError(t, err, "the child failed; its stderr:\n%s", stderr)
	assert.Equal(t, "goroutine 0 saw goroutine 1 start: true\ngoroutine 1 saw goroutine 0 start: true\n", stdout,
		"two spinning goroutines did not both run at once at GOMAXPROCS=%d: a goroutine that spun out its limit never saw the other start", procs)
}

// parallelChild is the child's side of TestGoroutines_RunInParallel.
func parallelChild() int {
	tries := 1 << 29 // 0.5 to 1 s of spinning on the README's machine
	if raceEnabled {
		tries = 1 << 24 // 1 to 2 s: each atomic load is a call into the race runtime
	}
	var started [2]uint32 // set with atomic.StoreUint32: atomic.Bool's methods are calls under -race
	var sawOther [2]bool  // each written only by its own goroutine, read after wg.Wait
	var wg sync.WaitGroup
	for me := range 2 {
		wg.Go(func() {
			atomic.StoreUint32(&started[me], 1)
			for range tries {
				if atomic.LoadUint32(&started[1-me]) == 1 {
					sawOther[me] = true
					return
				}
			}
		})
	}
	wg.Wait()
	for me := range 2 {
		fmt.Printf("goroutine %d saw goroutine %d start: %t\n", me, 1-me, sawOther[me])
	}
	return 0
}

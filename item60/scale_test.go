package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// minStack is the smallest stack a goroutine can have (runtime/stack.go, Go 1.4 release notes).
const minStack = 2048

// memoryPerGoroutine measures goroutines that are all alive and waiting: in a fresh process (a
// child, as go run would be) 1,000 parked goroutines hold at least the minimum 2 KiB stack each,
// and far less than 64 KiB. A measurement taken before they had all started would come out low.
func TestScale_MemoryPerGoroutine(t *testing.T) {
	t.Parallel() // a child process: it can run while the others do
	stdout, stderr, err := reexec(t, "memory")
	require.NoError(t, err, "the child failed; its stderr:\n%s", stderr)
	var stack, heap float64
	_, err = fmt.Sscan(stdout, &stack, &heap)
	require.NoError(t, err, "child output %q", stdout)
	assert.GreaterOrEqual(t, stack, float64(minStack), "stack bytes per goroutine: were they all waiting when measured?")
	assert.Less(t, stack+heap, float64(64<<10), "bytes per goroutine")
	assert.Positive(t, heap, "heap bytes per goroutine: each holds its closure and errgroup's share")
}

// The waits of a fresh generation fit in a goroutine's 2 KiB starting stack: life.Latency builds its
// cancellation error out of line, and with fmt.Errorf's arguments in its own frame every stack was
// copied to 4 KiB (README, "Goroutines at their cost floor"). GODEBUG=adaptivestackstart=0 keeps
// the runtime from starting goroutines at a larger average size. Under -race every frame is bigger
// and the stacks grow anyway, so the check needs a build without it: go test ./item60.
func TestScale_WaitFitsTheStartingStack(t *testing.T) {
	if raceEnabled {
		t.Skip("under -race the instrumented frames no longer fit in 2 KiB; run go test ./item60")
	}
	t.Parallel()
	stdout, stderr, err := reexec(t, "memory", "GODEBUG=adaptivestackstart=0")
	require.NoError(t, err, "the child failed; its stderr:\n%s", stderr)
	var stack float64
	_, err = fmt.Sscan(stdout, &stack)
	require.NoError(t, err, "child output %q", stdout)
	assert.Less(t, stack, 1.5*minStack, "stack bytes per goroutine: most waiting goroutines had their stacks copied to a bigger one (a bigger frame under the wait in life.Latency?)")
}

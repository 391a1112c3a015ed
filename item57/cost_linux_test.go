package main

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A thread made with pthread_create — as C's and Python's threads are, and Go's own under cgo,
// which -race needs — reserves its whole stack up front: ulimit -s of address space (pthread_create(3)),
// the book's 8 MB. Reserved is virtual: the resident memory per thread is a small part of it.
func TestCost_PthreadReservesItsStackVirtually(t *testing.T) {
	if !raceEnabled {
		t.Skip("run go test -race: the race detector links cgo, so Go then makes its threads with pthread_create")
	}
	var stack syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_STACK, &stack))
	if stack.Cur > 64<<20 { // unlimited is the largest value
		t.Skipf("ulimit -s is %d: glibc then picks its own default stack size", stack.Cur)
	}
	const cells = 50
	th := measureOrFail(t, cells, true)
	require.Positive(t, th.threads, "the pinned cells added no OS thread")
	// Per thread added, not per cell: a cell may reuse an idle thread, and glibc keeps the stacks of
	// exited threads in a small cache for reuse, already reserved. Half of ulimit -s is still MiB.
	perThread := th.virtual * cells / float64(th.threads)
	assert.GreaterOrEqual(t, perThread, float64(stack.Cur)/2, "each thread should reserve about ulimit -s (%d bytes)", stack.Cur)
	assert.Less(t, th.resident, perThread/10, "the reservation is virtual: little of it is resident")
	t.Logf("per thread: %s virtual, %s resident (ulimit -s %s)", bytesIEC(perThread), bytesIEC(th.resident), bytesIEC(float64(stack.Cur)))
}

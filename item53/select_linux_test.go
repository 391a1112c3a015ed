package main

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitReadable blocks in select(2) until fd is readable or timeout passes, and says which.
func waitReadable(fd int, timeout time.Duration) (bool, error) {
	for {
		var set syscall.FdSet // one bit per descriptor, in words as wide as a C long
		set.Bits[fd/bits.UintSize] |= 1 << (fd % bits.UintSize)
		tv := syscall.NsecToTimeval(timeout.Nanoseconds())
		n, err := syscall.Select(fd+1, &set, nil, nil, &tv)
		if errors.Is(err, syscall.EINTR) {
			continue // cut short by a signal; the timeout is only a safety net, so start it again
		}
		return n > 0, err
	}
}

func init() { childRoles["handoff"] = handoffChild }

// TestBlockedSystemcall_HandsOffProcessor proves the mechanism behind the GOMAXPROCS=1 row,
// without timing anything. At GOMAXPROCS=1 only one goroutine may run Go code at a time, and five
// goroutines each enter a select that can only return once a pipe is written. Each signals just
// before its select; if a goroutine blocked in a system call kept the only P, the next goroutine
// (and the writer) could not run until that select gave up after 2 s, and the child would find a
// call already returned. Instead the runtime hands the P on, so all five signal while none has
// returned, and one write to the pipe then releases all five.
//
// The proof runs in a child process with asynchronous preemption off (GODEBUG=asyncpreemptoff=1).
// Otherwise a second way could let the goroutines through: the runtime signals a goroutine that
// has held its P for 10 ms, the signal cuts the select short (EINTR), and the goroutine is
// preempted on its way back into the call. With that off, only the hand-off is left to prove.
func TestBlockedSystemcall_HandsOffProcessor(t *testing.T) {
	t.Parallel() // the child process runs while the other parallel tests run
	stdout, stderr, err := reexec(t, "handoff", "GODEBUG="+strings.TrimPrefix(os.Getenv("GODEBUG")+",asyncpreemptoff=1", ","))
	require.NoError(t, err, "the child failed; its stderr:\n%s", stderr)
	assert.Equal(t, "selects returned before the write: 0\nselects that saw the pipe readable: 5 of 5\n", stdout,
		"at GOMAXPROCS=1, five goroutines blocked in select at once, and the write released them all")
}

// handoffChild is the child's side of TestBlockedSystemcall_HandsOffProcessor.
func handoffChild() int {
	const calls, safety = 5, 2 * time.Second
	var pipe [2]int
	if err := syscall.Pipe2(pipe[:], syscall.O_CLOEXEC); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer syscall.Close(pipe[0])
	defer syscall.Close(pipe[1])

	var readable, returned atomic.Int64
	var returnedBeforeWrite int64
	errs := make([]error, calls+1)
	withGOMAXPROCS(1, func() {
		entering := make(chan struct{}, calls)
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() {
				entering <- struct{}{}
				ready, err := waitReadable(pipe[0], safety)
				if ready {
					readable.Add(1)
				}
				errs[i] = err
				returned.Add(1)
			})
		}
		for range calls {
			<-entering
		}
		returnedBeforeWrite = returned.Load()
		_, errs[calls] = syscall.Write(pipe[1], []byte{1})
		wg.Wait()
	})
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("selects returned before the write: %d\nselects that saw the pipe readable: %d of %d\n",
		returnedBeforeWrite, readable.Load(), calls)
	return 0
}

// TestSlowSystemcall_WaitsOutSignals checks listing 6 waits out signals, neither less nor more
// than its latency. A signal that interrupts select makes Linux return EINTR however long is left,
// and Go's runtime sends its own threads signals (SIGURG asks a goroutine to stop for the
// scheduler). The test pins the call to one OS thread and sends that thread SIGURG every 2 ms for
// up to 3 latencies. A slowSystemcall that took EINTR as "done" would return within a few
// milliseconds; one that restarted the full wait after each signal would return only a latency
// after the signals stop, after 4 latencies. The right one returns after 1: the bound of 3 leaves
// 2 latencies (120 ms) for a busy machine to run it again. SIGURG is harmless to a Go program:
// the runtime ignores it when it did not ask for a stop.
func TestSlowSystemcall_WaitsOutSignals(t *testing.T) {
	const latency, signalFor = 60 * time.Millisecond, 3 * 60 * time.Millisecond
	tid := make(chan int)
	result := make(chan error)
	var elapsed time.Duration
	go func() {
		runtime.LockOSThread() // stay on the thread the test is signalling
		defer runtime.UnlockOSThread()
		tid <- syscall.Gettid()
		start := time.Now()
		err := slowSystemcall(latency)
		elapsed = time.Since(start)
		result <- err
	}()
	target := <-tid
	ticker := time.NewTicker(2 * time.Millisecond)
	defer ticker.Stop()
	stop := time.After(signalFor)
	var err error
signalling:
	for {
		select {
		case err = <-result:
			break signalling
		case <-ticker.C:
			require.NoError(t, syscall.Tgkill(syscall.Getpid(), target, syscall.SIGURG))
		case <-stop:
			// Stop signalling; a version that restarts the wait now ends a latency later.
			select {
			case err = <-result:
			case <-time.After(realCallWatchdog):
				t.Fatalf("slowSystemcall(60ms) is stuck: still running %v after the signals stopped, on the real clock", realCallWatchdog)
			}
			break signalling
		}
	}
	require.NoError(t, err)
	assert.GreaterOrEqual(t, elapsed, latency, "slowSystemcall returned early: it took EINTR from a signal as the end of its wait")
	assert.Less(t, elapsed, signalFor, "slowSystemcall took %v with a signal every 2 ms, for a %v wait: after EINTR it must wait only for what is left, not start the whole wait again", elapsed, latency)
}

// TestBookSelect_ReturnsAtOnceOnLinux checks what the book's listing 6 really does on Linux:
// select on a fresh, unconnected TCP socket (Python's socket.socket()) reports it ready at once
// instead of waiting out its timeout. Linux reports such a socket as hung up (tcp_poll in
// net/ipv4/tcp.c, "to prevent blocking on fresh not-connected or disconnected socket"), and
// select counts a hang-up as readable (POLLIN_SET in fs/select.c). That is why slowSystemcall
// watches no descriptor at all.
func TestBookSelect_ReturnsAtOnceOnLinux(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	defer syscall.Close(fd)
	ready, err := waitReadable(fd, 5*time.Second)
	require.NoError(t, err)
	assert.True(t, ready, "select on an unconnected socket timed out (5 s) instead of returning at once")
}

package main

import (
	"errors"
	"math/bits"
	"os"
	"os/exec"
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

// handoffChildEnv tells a re-executed test binary that it is the child of
// TestBlockedSystemcall_HandsOffProcessor and should run the proof itself.
const handoffChildEnv = "ITEM53_HANDOFF_CHILD"

// TestBlockedSystemcall_HandsOffProcessor proves the mechanism behind the GOMAXPROCS=1 row,
// without timing anything. At GOMAXPROCS=1 only one goroutine may run Go code at a time, and five
// goroutines each enter a select that can only return once the test writes to a pipe. Each
// signals just before its select; if a goroutine blocked in a system call kept the only P, the
// next goroutine (and the test itself) could not run until that select gave up after 2 s, and
// the test would find a call already returned. Instead the runtime hands the P on, so all five
// signal while none has returned, and one write to the pipe then releases all five.
//
// The proof runs in a child process with asynchronous preemption off (GODEBUG=asyncpreemptoff=1).
// Otherwise a second way could let the goroutines through: the runtime signals a goroutine that
// has held its P for 10 ms, the signal cuts the select short (EINTR), and the goroutine is
// preempted on its way back into the call. With that off, only the hand-off is left to prove.
func TestBlockedSystemcall_HandsOffProcessor(t *testing.T) {
	if os.Getenv(handoffChildEnv) == "" {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestBlockedSystemcall_HandsOffProcessor$", "-test.v")
		cmd.Env = append(os.Environ(), handoffChildEnv+"=1", "GORACE=atexit_sleep_ms=0",
			"GODEBUG="+strings.TrimPrefix(os.Getenv("GODEBUG")+",asyncpreemptoff=1", ","))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "the child failed:\n%s", out)
		require.Contains(t, string(out), "--- PASS: TestBlockedSystemcall_HandsOffProcessor", "the child ran the proof:\n%s", out)
		return
	}
	const calls, safety = 5, 2 * time.Second
	var pipe [2]int
	require.NoError(t, syscall.Pipe2(pipe[:], syscall.O_CLOEXEC))
	defer syscall.Close(pipe[0])
	defer syscall.Close(pipe[1])

	readable := make([]bool, calls)
	errs := make([]error, calls)
	var returned atomic.Int64
	var returnedBeforeWrite int64
	withGOMAXPROCS(1, func() {
		entering := make(chan int, calls)
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() {
				entering <- i
				readable[i], errs[i] = waitReadable(pipe[0], safety)
				returned.Add(1)
			})
		}
		for range calls {
			<-entering
		}
		returnedBeforeWrite = returned.Load()
		_, err := syscall.Write(pipe[1], []byte{1})
		assert.NoError(t, err)
		wg.Wait()
	})

	assert.Zero(t, returnedBeforeWrite, "selects that returned before the pipe was written")
	for i := range calls {
		assert.NoError(t, errs[i], "select %d", i)
		assert.True(t, readable[i], "select %d returned for the pipe, not its 2 s safety timeout", i)
	}
}

// TestSlowSystemcall_WaitsOutSignals checks listing 6 keeps waiting when a signal interrupts its
// select: Linux then returns EINTR however long is left, and Go's runtime sends its own threads
// signals (SIGURG asks a goroutine to stop for the scheduler). The test pins the call to one OS
// thread and sends that thread SIGURG every 2 ms; a slowSystemcall that took EINTR as "done"
// would return within a few milliseconds. SIGURG is harmless to a Go program: the runtime
// ignores it when it did not ask for a stop.
func TestSlowSystemcall_WaitsOutSignals(t *testing.T) {
	const latency = 30 * time.Millisecond
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
	for {
		select {
		case err := <-result:
			require.NoError(t, err)
			assert.GreaterOrEqual(t, elapsed, latency)
			return
		case <-ticker.C:
			require.NoError(t, syscall.Tgkill(syscall.Getpid(), target, syscall.SIGURG))
		}
	}
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

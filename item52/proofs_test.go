package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Real children cannot run on synctest's fake clock, so these proofs use real time. No assertion
// is a stopwatch: overlap is shown by a barrier, hangs by a watchdog that must fire. Where a
// broken row's hang is certain, its watchdog is short (it only sets how long we watch the hang);
// a fixed row's watchdog is generous (it only stops a regression from hanging the suite). Every
// child is started under t.Context(), so it is killed when its test ends, whatever happened.

const (
	watchHang  = 150 * time.Millisecond // a broken row: the hang is certain, so watch it briefly
	watchSlow  = time.Second            // a broken row whose children must first finish some work
	watchFixed = 10 * time.Second       // a fixed row: only a regression would get near this
)

// TestEcho_CapturesOutput proves listing 1: the child's stdout comes back exactly.
func TestEcho_CapturesOutput(t *testing.T) {
	t.Parallel()
	out, err := runEcho(t.Context(), testSelf())
	require.NoError(t, err)
	assert.Equal(t, "Hello from the child!\n", out)
}

// Example_runEcho is listing 1 as runnable documentation: the test binary is the echo child.
func Example_runEcho() {
	out, err := runEcho(context.Background(), testSelf())
	if err != nil {
		fmt.Println(err)
	}
	fmt.Print(out)
	// Output: Hello from the child!
}

// TestPoll_WorksWhileChildRuns proves listing 2: the parent keeps working (prints Working...
// again on a tick) while the child runs, then reports exit status 0. The child sleeps 200ms and
// the tick is 10ms, so a second Working... needs only that the parent run once in 190ms.
func TestPoll_WorksWhileChildRuns(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	status, err := pollSleeper(t.Context(), testSelf(), 200*time.Millisecond, 10*time.Millisecond, &out)
	require.NoError(t, err)
	assert.Equal(t, 0, status)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 3, "want Working... at least twice, then the status:\n%s", out.String())
	assert.Equal(t, "Exit status 0", lines[len(lines)-1])
	for _, line := range lines[:len(lines)-1] {
		assert.Equal(t, "Working...", line)
	}
}

// TestSleepers_OverlapAtBarrier proves listings 3–4 without a stopwatch. Each sleeper records its
// start in a directory and waits until all n have — possible only if n children are alive at
// once. Started one at a time, the first sleeper waits alone until its bound and fails
// (barrierCode); started all at once, every sleeper passes. A watchdog bounds the whole run, so a
// fixed version gone one-at-a-time fails in watchFixed, not n × watchFixed.
func TestSleepers_OverlapAtBarrier(t *testing.T) {
	t.Parallel()
	const n = 10
	tests := []struct {
		name    string
		run     func(context.Context, self, int, time.Duration) error
		bound   time.Duration // how long each sleeper waits for the others
		wantBug bool
	}{
		{"broken: start and wait one by one", runSleepersOneByOne, watchHang, true},
		{"fixed: start all then wait", runSleepers, watchFixed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := testSelf(fmt.Sprintf("%s=%d,%s,%s", barrierEnv, n, tt.bound, dir))
			err := underWatchdog(t.Context(), watchFixed, func(watchdog context.Context) error {
				return tt.run(watchdog, s, n, time.Millisecond)
			})
			started, readErr := os.ReadDir(dir)
			require.NoError(t, readErr)
			if tt.wantBug {
				var exitErr *exec.ExitError
				require.ErrorAs(t, err, &exitErr, "the first sleeper should give up waiting for the others")
				assert.Equal(t, barrierCode, exitErr.ExitCode())
				assert.Len(t, started, 1, "one by one, no second sleeper may start")
				return
			}
			require.NoError(t, err)
			assert.Len(t, started, n, "all sleepers should have been alive at once")
		})
	}
}

// TestEncrypt_SmallInputsWorkEitherWay proves listings 5–7, and why listing 5's flaw hides: with
// 10 bytes per child, writing all of stdin first is harmless. Each output is a 16-byte IV and 10
// bytes of ciphertext that decrypts back to the input.
func TestEncrypt_SmallInputsWorkEitherWay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		start encryptStarter
	}{
		{"broken: write first", runEncryptWriteFirst},
		{"fixed: feed concurrently", runEncrypt},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inputs := randomInputs(encryptInputs, smallInput)
			outs, err := runEncrypts(t.Context(), testSelf(), bookPassword, inputs, tt.start)
			require.NoError(t, err)
			require.Len(t, outs, encryptInputs)
			for i, out := range outs {
				assert.Len(t, out, ivSize+smallInput)
				plain, err := decrypt(bookPassword, out)
				require.NoError(t, err)
				assert.Equal(t, inputs[i], plain)
			}
		})
	}
}

// TestEncrypt_DeadlockOn1MiB proves the large-input pair. Writing all of 1 MiB before reading
// hangs: the watchdog must fire, and the write stopped part-way (the pipes were full). Feeding
// stdin from a goroutine finishes, and the output decrypts back to the input.
func TestEncrypt_DeadlockOn1MiB(t *testing.T) {
	t.Parallel()
	data := randomInputs(1, 1<<20)[0]
	tests := []struct {
		name     string
		start    encryptStarter
		watchdog time.Duration
		wantBug  bool
	}{
		{"broken: write all then read", runEncryptWriteFirst, watchHang, true},
		{"fixed: feed from a goroutine", runEncrypt, watchFixed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var outs [][]byte
			err := underWatchdog(t.Context(), tt.watchdog, func(watchdog context.Context) error {
				var err error
				outs, err = runEncrypts(watchdog, testSelf(), bookPassword, [][]byte{data}, tt.start)
				return err
			})
			if tt.wantBug {
				require.ErrorIs(t, err, errWatchdog)
				var fe *feedError
				require.ErrorAs(t, err, &fe, "the parent should have been stuck writing stdin")
				assert.Less(t, fe.written, len(data))
				if onUnix {
					// The parent's stdin pipe is not fd 1 or 2, so the broken pipe is an error
					// (os/signal, "SIGPIPE"), not a fatal signal: the run goes on.
					assert.ErrorIs(t, fe, syscall.EPIPE, "the write should fail with EPIPE once the child is killed")
				}
				t.Logf("stuck after writing %d KiB", fe.written/1024)
				return
			}
			require.NoError(t, err)
			plain, err := decrypt(bookPassword, outs[0])
			require.NoError(t, err)
			assert.True(t, bytes.Equal(data, plain), "decrypting the output should give back the 1 MiB input")
		})
	}
}

// TestPipeline_HashNeedsParentToClosePipe proves listings 8–10. Each encrypt child also copies its
// output to a file (the tee), so the test sees exactly what went down the pipe. Fixed: every
// digest is 32 bytes, equals SHA-256 of that output, which decrypts back to the input, and both
// children exit 0. Broken: the encrypt children write everything and exit 0, yet the hash
// children never finish — the watchdog has to kill them (signal 9).
func TestPipeline_HashNeedsParentToClosePipe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		start    pipelineStarter
		watchdog time.Duration
		wantBug  bool
	}{
		{"broken: parent keeps the write end", startPipelineKeepWriteEnd, watchSlow, true},
		{"fixed: parent closes its copies", startPipeline, watchFixed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tee := func(i int) string { return filepath.Join(dir, strconv.Itoa(i)) }
			n := 0
			teeing := func(ctx context.Context, s self, password string, data []byte) (*pipeline, error) {
				s.env = slices.Concat(s.env, []string{teeEnv + "=" + tee(n)})
				n++
				return tt.start(ctx, s, password, data)
			}
			inputs := randomInputs(encryptInputs, pipelineInput)
			var results []pipelineResult
			err := underWatchdog(t.Context(), tt.watchdog, func(watchdog context.Context) error {
				var err error
				results, err = runPipelines(watchdog, testSelf(), bookPassword, inputs, teeing)
				return err
			})
			if tt.wantBug {
				require.ErrorIs(t, err, errWatchdog)
			} else {
				require.NoError(t, err)
			}
			require.Len(t, results, encryptInputs)
			for i, r := range results {
				written, err := os.ReadFile(tee(i))
				require.NoError(t, err)
				plain, err := decrypt(bookPassword, written)
				require.NoError(t, err)
				assert.Equal(t, inputs[i], plain, "the encrypt child wrote all of its output")
				assert.Equal(t, 0, r.encryptStatus)
				if tt.wantBug {
					if onUnix {
						assert.Equal(t, -9, r.hashStatus, "the hash child should still be waiting for EOF when killed")
					}
					continue
				}
				assert.Equal(t, 0, r.hashStatus)
				assert.Len(t, r.digest, hashSize)
				want := sha256.Sum256(written)
				assert.Equal(t, want[:], r.digest)
			}
		})
	}
}

// TestSleepTimeout_TerminatesAndReaps proves listing 11. With no timeout, only the watchdog ends
// the wait, by SIGKILL (-9). With CommandContext, Cancel and WaitDelay, the child is terminated by
// SIGTERM (-15) well before the watchdog, and in both cases it is reaped: its pid is gone.
func TestSleepTimeout_TerminatesAndReaps(t *testing.T) {
	t.Parallel()
	if !onUnix {
		t.Skip("signal numbers are Unix")
	}
	tests := []struct {
		name       string
		wait       func(context.Context, self) (*os.ProcessState, error)
		watchdog   time.Duration
		wantStatus int
		wantBug    bool
	}{
		{"broken: no timeout", func(ctx context.Context, s self) (*os.ProcessState, error) {
			return waitSleeperNoTimeout(ctx, s, time.Minute)
		}, watchHang, -9, true},
		{"fixed: timeout SIGTERM WaitDelay", func(ctx context.Context, s self) (*os.ProcessState, error) {
			return waitSleeperWithTimeout(ctx, s, time.Minute, 100*time.Millisecond)
		}, watchFixed, -15, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ps *os.ProcessState
			err := underWatchdog(t.Context(), tt.watchdog, func(watchdog context.Context) error {
				var err error
				ps, err = tt.wait(watchdog, testSelf())
				return err
			})
			require.Error(t, err, "a one-minute sleeper cannot finish on its own here")
			assert.Equal(t, tt.wantBug, errors.Is(err, errWatchdog), "did the watchdog have to end the wait? err: %v", err)
			require.NotNil(t, ps)
			assert.Equal(t, tt.wantStatus, exitStatus(ps))
			assert.Equal(t, -1, ps.ExitCode(), "Go reports -1 for any death by signal")
			assert.True(t, processGone(t, ps.Pid()), "pid %d should be reaped and gone", ps.Pid())
		})
	}
}

// TestPipeline_DeadReaderKillsWriterBySIGPIPE proves what the parent's closing of the pipe's read
// end is for (the book: "lets SIGPIPE propagate to the upstream process if the downstream process
// dies"). The hash child exits at once without reading; the encrypt child has 1 MiB to write,
// more than the pipe holds. Fixed: nobody else holds the read end, so the encrypt child's write
// to its stdout (fd 1) raises SIGPIPE, which kills it: exit status -13, as os/signal documents for
// a Go program that does not handle SIGPIPE. Broken: the parent still holds the read end, so the
// pipe still has a reader and the encrypt child blocks on it until the watchdog kills it (-9).
func TestPipeline_DeadReaderKillsWriterBySIGPIPE(t *testing.T) {
	t.Parallel()
	if !onUnix {
		t.Skip("SIGPIPE is Unix")
	}
	tests := []struct {
		name       string
		start      pipelineStarter
		watchdog   time.Duration
		wantStatus int
		wantBug    bool
	}{
		{"broken: parent keeps the read end", startPipelineKeepWriteEnd, watchSlow, -9, true},
		{"fixed: parent closes its copies", startPipeline, watchFixed, -int(syscall.SIGPIPE), false},
	}
	data := randomInputs(1, 1<<20)[0]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var results []pipelineResult
			err := underWatchdog(t.Context(), tt.watchdog, func(watchdog context.Context) error {
				var err error
				results, err = runPipelines(watchdog, testSelf(quitEnv+"="+roleHash), bookPassword, [][]byte{data}, tt.start)
				return err
			})
			require.Len(t, results, 1)
			assert.Equal(t, tt.wantBug, errors.Is(err, errWatchdog), "did the watchdog have to end the wait? err: %v", err)
			assert.Equal(t, tt.wantStatus, results[0].encryptStatus, "how the encrypt child ended")
			if !tt.wantBug {
				assert.Equal(t, 0, results[0].hashStatus, "the hash child quits at once")
				assert.ErrorContains(t, err, "signal: broken pipe")
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/item56/life"
)

// Real children cannot run on synctest's fake clock, so these proofs use real time. No assertion
// is a stopwatch: overlap is shown by a barrier, hangs by a watchdog that must fire. Where a
// broken row's hang is certain, its watchdog is short (it only sets how long we watch the hang);
// a row that must not hang gets a generous one (it only turns a regression into a failure
// within seconds, saying what is stuck). Every child is started under t.Context(), so it is
// killed when its test ends, whatever happened.

const (
	watchHang = 150 * time.Millisecond // a broken row: the hang is certain, so watch it briefly
	watchSlow = time.Second            // a broken row whose children must first get going
	watchOK   = 8 * time.Second        // a row that must not hang: only a regression (or a machine far past busy) gets near this
)

// watchFor returns how long a row's watchdog waits: briefly where the bug makes a hang certain,
// generously where nothing should hang.
func watchFor(wantBug bool, hang time.Duration) time.Duration {
	if wantBug {
		return hang
	}
	return watchOK
}

// Example_runEcho proves listing 1 as runnable documentation: the child's stdout comes back
// exactly. The test binary is the echo child.
func Example_runEcho() {
	out, err := runEcho(context.Background(), testSpawn())
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
	status, err := pollSleeper(t.Context(), testSpawn(), 200*time.Millisecond, 10*time.Millisecond, &out)
	require.NoError(t, err)
	assert.Equal(t, 0, status)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 3, "want Working... at least twice, then the status:\n%s", out.String())
	assert.Equal(t, "Exit status 0", lines[len(lines)-1])
	for _, line := range lines[:len(lines)-1] {
		assert.Equal(t, "Working...", line)
	}
}

// sleeperRuns are listings 3–4's two versions, for the tables below.
var sleeperRuns = []struct {
	name    string
	run     func(context.Context, spawner, int, time.Duration) error
	wantBug bool
}{
	{"broken: start and wait one by one", runSleepersOneByOne, !exercise},
	{"fixed: start all then wait", runSleepers, false},
}

// TestSleepers_OverlapAtBarrier proves listings 3–4 without a stopwatch. Each sleeper records its
// start in a directory and waits until all n have — possible only if n children are alive at
// once. Started one at a time, the first sleeper waits alone until its bound and fails
// (barrierCode); started all at once, every sleeper passes. A watchdog bounds the whole run. The
// children are recorded as for the lesson's chart, whose peak is then exact: 1, or all n.
func TestSleepers_OverlapAtBarrier(t *testing.T) {
	t.Parallel()
	const n = 3 // the book starts 10; 3 alive at once prove the overlap as well, for less CPU
	for _, tt := range sleeperRuns {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tl := life.NewTimeline()
			spawn := recording(testSpawn(fmt.Sprintf("%s=%d,%s,%s", barrierEnv, n, watchFor(tt.wantBug, watchHang), dir)), tl)
			err := underWatchdog(t.Context(), watchOK, func(ctx context.Context) error {
				return tt.run(ctx, spawn, n, time.Millisecond)
			})
			started, readErr := os.ReadDir(dir)
			require.NoError(t, readErr)
			if tt.wantBug {
				var exitErr *exec.ExitError
				require.ErrorAs(t, err, &exitErr, "the first sleeper should give up waiting for the others")
				assert.Equal(t, barrierCode, exitErr.ExitCode())
				assert.Len(t, started, 1, "one by one, no second sleeper may start")
				most, last := tl.Peak()
				assert.Equal(t, 1, most, "the lesson's chart: one child at a time")
				assert.Zero(t, last, "every recorded child should be recorded as ended")
				return
			}
			require.NoError(t, err, "the sleepers were not all alive at once: %d of %d started", len(started), n)
			assert.Len(t, started, n, "all sleepers should have been alive at once")
			most, last := tl.Peak()
			assert.Equal(t, n, most, "the lesson's chart: all %d children in flight at once", n)
			assert.Zero(t, last, "every recorded child should be recorded as ended")
		})
	}
}

// encryptStarts are listing 5's two versions, for the tables below.
var encryptStarts = []struct {
	name    string
	start   func(context.Context, spawner, string, []byte) (*exec.Cmd, io.Reader, error)
	wantBug bool
}{
	{"broken: write all then read", runEncryptWriteFirst, !exercise},
	{"fixed: exec feeds stdin", runEncrypt, false},
}

// TestEncrypt_SmallInputsWorkEitherWay proves listings 5–7, and why listing 5's flaw hides: with
// 10 bytes per child, writing all of stdin first is harmless. Each output is a 16-byte IV and 10
// bytes of ciphertext that decrypts back to the input.
func TestEncrypt_SmallInputsWorkEitherWay(t *testing.T) {
	t.Parallel()
	for _, tt := range encryptStarts {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inputs := randomInputs(1, 10) // the book starts 3 (as the lesson does); one shows the flaw hiding
			var outs [][]byte
			err := underWatchdog(t.Context(), watchOK, func(ctx context.Context) error {
				var err error
				outs, err = encryptAll(ctx, testSpawn(), bookPassword, inputs, tt.start)
				return err
			})
			require.NotErrorIs(t, err, errWatchdog, "the encrypt children never finished: does each one's stdin get closed, so it sees EOF?")
			require.NoError(t, err)
			require.Len(t, outs, len(inputs))
			for i, out := range outs {
				assert.Len(t, out, ivSize+10)
				assert.True(t, decryptsTo(out, inputs[i]), "child %d's output should decrypt to its input", i)
			}
		})
	}
}

// wrote matches how far broken's write of stdin got.
var wrote = regexp.MustCompile(`stdin: wrote (\d+) of (\d+) bytes`)

// TestEncrypt_DeadlockOn1MiB proves the large-input pair. Writing all of 1 MiB before reading
// hangs: the watchdog must fire while the parent is still writing, which it shows by a write that
// stopped part-way and then failed with EPIPE when the watchdog killed the child (the parent's end
// of a child's stdin is not fd 1 or 2, so a broken pipe is an error there, not a fatal signal:
// os/signal, "SIGPIPE"). With exec feeding stdin, it finishes and decrypts back to the input.
func TestEncrypt_DeadlockOn1MiB(t *testing.T) {
	t.Parallel()
	data := randomInputs(1, 1<<20)
	for _, tt := range encryptStarts {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var outs [][]byte
			err := underWatchdog(t.Context(), watchFor(tt.wantBug, watchHang), func(ctx context.Context) error {
				var err error
				outs, err = encryptAll(ctx, testSpawn(), bookPassword, data, tt.start)
				return err
			})
			if tt.wantBug {
				require.ErrorIs(t, err, errWatchdog)
				m := wrote.FindStringSubmatch(err.Error())
				require.NotNil(t, m, "the parent should have been stuck writing stdin: %v", err)
				n, _ := strconv.Atoi(m[1])
				assert.Less(t, n, len(data[0]), "the write should have stopped part-way")
				if onUnix {
					assert.ErrorIs(t, err, syscall.EPIPE, "the stuck write should fail with EPIPE once the child is killed")
				}
				return
			}
			require.NotErrorIs(t, err, errWatchdog, "1 MiB did not get through within %s: is the caller still writing all of stdin before it reads stdout, or is stdin never closed?", watchOK)
			require.NoError(t, err)
			assert.True(t, decryptsTo(outs[0], data[0]), "decrypting the output should give back the 1 MiB input")
		})
	}
}

// pipelineStarts are listings 9–10's two versions, for the tables below.
var pipelineStarts = []struct {
	name    string
	start   func(context.Context, spawner, string, []byte) (*pipeline, error)
	wantBug bool
}{
	{"broken: parent keeps the pipe", startPipelineKeepPipe, !exercise},
	{"fixed: parent closes its copies", startPipeline, false},
}

// TestPipeline_HashNeedsParentToClosePipe proves listings 8–10. Each encrypt child also copies its
// output to a file (the tee) and marks it done once all is written, so the test sees exactly what
// went down the pipe and when. Only then does the hash children's watchdog start: broken, the hash
// children still wait for EOF and must be killed (-9) although every encrypt child wrote
// everything and exited 0; fixed, every digest is SHA-256 of that output, which decrypts back to
// the input, and both children exit 0.
func TestPipeline_HashNeedsParentToClosePipe(t *testing.T) {
	t.Parallel()
	const n = 1 // the book starts 3 (as the lesson does); one shows the same, for a third of the CPU
	for _, tt := range pipelineStarts {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tee := func(i int) string { return filepath.Join(dir, strconv.Itoa(i)) }
			// The hash children get a context of their own, cancelled once the encrypt children
			// are done and the hash children have had their grace.
			hashCtx, killHash := context.WithCancelCause(t.Context())
			defer killHash(nil)
			started, base := 0, testSpawn()
			spawn := func(ctx context.Context, role string, args ...string) *exec.Cmd {
				if role == roleHash {
					return base(hashCtx, role, args...)
				}
				started++
				return testSpawn(teeEnv+"="+tee(started-1))(ctx, role, args...)
			}
			stop := make(chan struct{})
			watcher := make(chan error, 1)
			go func() { watcher <- watchEncrypts(stop, n, tee, watchFor(tt.wantBug, 100*time.Millisecond), killHash) }()
			inputs := randomInputs(n, 100)
			var pipes []*pipeline
			err := underWatchdog(t.Context(), watchOK, func(ctx context.Context) error {
				var err error
				pipes, err = runPipelines(ctx, spawn, bookPassword, inputs, tt.start)
				return err
			})
			close(stop)
			require.NoError(t, <-watcher)
			hung := errors.Is(context.Cause(hashCtx), errWatchdog)
			require.Len(t, pipes, n)
			for i, p := range pipes {
				written, err := os.ReadFile(tee(i) + ".done")
				require.NoError(t, err, "encrypt child %d should have written all of its output", i)
				assert.True(t, decryptsTo(written, inputs[i]), "the encrypt child wrote all of its output")
				assert.Equal(t, 0, exitStatus(p.encrypt.ProcessState), "encrypt child %d", i)
				if tt.wantBug {
					assert.True(t, hung, "the hash children should still wait for EOF after the encrypt children are done")
					if onUnix {
						assert.Equal(t, -9, exitStatus(p.hash.ProcessState), "the hash child should still be waiting for EOF when killed")
					}
					continue
				}
				require.False(t, hung, "hash child %d still waited for EOF %s after its encrypt child was done: does the parent still hold the pipe's write end?", i, watchOK)
				assert.Equal(t, 0, exitStatus(p.hash.ProcessState), "hash child %d", i)
				want := sha256.Sum256(written)
				assert.Equal(t, want[:], p.digest.Bytes(), "digest %d", i)
			}
			if !tt.wantBug {
				assert.NoError(t, err)
			}
		})
	}
}

// watchEncrypts waits until the n encrypt children have marked their tee files done, then gives
// the hash children grace to finish before it cancels them with errWatchdog. It stops early when
// stop is closed (the pipelines ended) and fails if the encrypt children never finish.
func watchEncrypts(stop <-chan struct{}, n int, tee func(int) string, grace time.Duration, kill context.CancelCauseFunc) error {
	poll := time.NewTicker(5 * time.Millisecond) // real children: nothing to wait on but their files
	defer poll.Stop()
	limit := time.After(watchOK)
	for done := 0; done < n; {
		select {
		case <-stop:
			return nil
		case <-limit:
			kill(errors.New("the encrypt children did not finish"))
			return fmt.Errorf("after %s, %d of %d encrypt children had written all their output", watchOK, done, n)
		case <-poll.C:
			done = 0
			for i := range n {
				if _, err := os.Stat(tee(i) + ".done"); err == nil {
					done++
				}
			}
		}
	}
	select {
	case <-stop:
	case <-time.After(grace):
		kill(errWatchdog)
	}
	return nil
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
	data := randomInputs(1, 1<<20)
	for _, tt := range pipelineStarts {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var pipes []*pipeline
			err := underWatchdog(t.Context(), watchFor(tt.wantBug, watchSlow), func(ctx context.Context) error {
				var err error
				pipes, err = runPipelines(ctx, testSpawn(quitEnv+"="+roleHash), bookPassword, data, tt.start)
				return err
			})
			require.Len(t, pipes, 1)
			encrypt := exitStatus(pipes[0].encrypt.ProcessState)
			if tt.wantBug {
				assert.ErrorIs(t, err, errWatchdog, "the encrypt child should block on a pipe whose reader is gone")
				assert.Equal(t, -9, encrypt, "the encrypt child should have been killed by the watchdog")
				return
			}
			require.NotErrorIs(t, err, errWatchdog, "the encrypt child still blocked %s after its reader died: does the parent still hold the pipe's read end?", watchOK)
			assert.Equal(t, -int(syscall.SIGPIPE), encrypt, "the encrypt child should die of SIGPIPE")
			assert.ErrorContains(t, err, "signal: broken pipe")
			assert.Equal(t, 0, exitStatus(pipes[0].hash.ProcessState), "the hash child quits at once")
		})
	}
}

// sleepWaits are listing 11's two versions, for the tables below.
var sleepWaits = []struct {
	name    string
	wait    func(context.Context, spawner, time.Duration, time.Duration) (*os.ProcessState, error)
	wantBug bool
}{
	{"broken: no timeout", waitSleeperNoTimeout, !exercise},
	{"fixed: timeout SIGTERM WaitDelay", waitSleeperWithTimeout, false},
}

// TestSleepTimeout_TerminatesAndReaps proves listing 11. With no timeout, only the watchdog ends
// the wait, by SIGKILL (-9). With CommandContext, Cancel and WaitDelay, the child is terminated by
// SIGTERM (-15) well before the watchdog, and in both cases it is reaped: its pid is gone.
func TestSleepTimeout_TerminatesAndReaps(t *testing.T) {
	t.Parallel()
	if !onUnix {
		t.Skip("signal numbers are Unix")
	}
	for _, tt := range sleepWaits {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ps *os.ProcessState
			err := underWatchdog(t.Context(), watchFor(tt.wantBug, watchHang), func(ctx context.Context) error {
				var err error
				ps, err = tt.wait(ctx, testSpawn(), time.Minute, 100*time.Millisecond)
				return err
			})
			require.Error(t, err, "a one-minute sleeper cannot finish on its own here")
			if tt.wantBug {
				assert.ErrorIs(t, err, errWatchdog, "only the watchdog should end the wait")
				assert.Equal(t, -9, exitStatus(ps), "the watchdog's context kills with SIGKILL")
			} else {
				require.NotErrorIs(t, err, errWatchdog, "the 100ms timeout never ended the wait")
				assert.Equal(t, -int(syscall.SIGTERM), exitStatus(ps), "the timeout should end the child by SIGTERM, as Python's terminate() does")
			}
			require.NotNil(t, ps)
			assert.Equal(t, -1, ps.ExitCode(), "Go reports -1 for any death by signal")
			assert.True(t, processGone(t, ps.Pid()), "pid %d should be reaped and gone", ps.Pid())
		})
	}
}

// TestSleepTimeout_WaitDelayKillsStubbornChild proves the WaitDelay bound of listing 11's fix: a
// child that ignores SIGTERM is killed (SIGKILL, -9) once waitDelay has passed after Cancel, and
// Run returns. The child says on stderr when it is ignoring SIGTERM; only then does the test end
// the context (the timeout itself is a minute), so the SIGTERM surely meets a child that ignores
// it. The broken version has no Cancel to ignore (its context kills with SIGKILL at once), so its
// row runs only in exercise mode, where a fix that sends SIGTERM must bound the wait too.
func TestSleepTimeout_WaitDelayKillsStubbornChild(t *testing.T) {
	t.Parallel()
	if !onUnix {
		t.Skip("signal numbers are Unix")
	}
	for _, tt := range sleepWaits {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.wantBug {
				t.Skip("the broken version sends no SIGTERM to ignore; this row is for exercise mode")
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			ready := make(chan struct{})
			var cmd *exec.Cmd
			base := testSpawn(stubbornEnv + "=1")
			spawn := func(ctx context.Context, role string, args ...string) *exec.Cmd {
				cmd = base(ctx, role, args...)
				cmd.Stderr = firstWrite(ready) // exec copies the child's stderr here from its own goroutine
				return cmd
			}
			type result struct {
				ps  *os.ProcessState
				err error
			}
			done := make(chan result, 1)
			go func() {
				ps, err := tt.wait(ctx, spawn, time.Minute, time.Minute)
				done <- result{ps, err}
			}()
			select {
			case <-ready:
			case r := <-done:
				t.Fatalf("the stubborn child ended before it said it ignores SIGTERM: %v", r.err)
			case <-time.After(watchOK):
				cancel()
				<-done
				t.Fatalf("the stubborn child did not start within %s", watchOK)
			}
			cancel() // Cancel now sends SIGTERM, which the child ignores
			select {
			case r := <-done:
				require.Error(t, r.err)
				require.NotNil(t, r.ps)
				assert.Equal(t, -9, exitStatus(r.ps), "WaitDelay should end a child that ignores SIGTERM with SIGKILL")
			case <-time.After(watchOK):
				_ = cmd.Process.Kill() // cmd was set before the child started, which was before ready
				<-done
				t.Fatalf("Wait was still blocked %s after SIGTERM to a child that ignores it: is WaitDelay set?", watchOK)
			}
		})
	}
}

// firstWrite is an io.Writer that closes ready on its first write and discards everything.
type firstWrite chan struct{}

// Write closes the channel the first time, then only counts.
func (c firstWrite) Write(p []byte) (int, error) {
	select {
	case <-c:
	default:
		close(c)
	}
	return len(p), nil
}

// The next three tests make Start fail part-way through starting several children (the spawner
// names a program that does not exist for one child) and check that every child that did start
// was waited for — reaped, not left running or as a zombie — and that the error names the child
// that failed.

// TestSleepers_StartFailureLeavesNoneBehind: the second of three sleepers fails to start.
func TestSleepers_StartFailureLeavesNoneBehind(t *testing.T) {
	t.Parallel()
	for _, tt := range sleeperRuns {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertNoneLeftBehind(t, 1, "sleep child 1", func(ctx context.Context, spawn spawner) error {
				return tt.run(ctx, spawn, 3, time.Millisecond)
			})
		})
	}
}

// TestSleepers_ReportAChildThatFails: the second of three sleepers starts but exits with an error
// (its argument is no duration); both versions wait for every child and name the one that failed.
func TestSleepers_ReportAChildThatFails(t *testing.T) {
	t.Parallel()
	for _, tt := range sleeperRuns {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spawn, started := testSpawn(), 0
			secondFails := func(ctx context.Context, role string, args ...string) *exec.Cmd {
				if started++; started == 2 {
					args = []string{"soon"}
				}
				return spawn(ctx, role, args...)
			}
			err := tt.run(t.Context(), secondFails, 3, time.Millisecond)
			require.Error(t, err, "a sleeper exited with status %d, and no error came back", usageCode)
			assert.Contains(t, err.Error(), "sleep child 1", "the error should name the child that failed")
			assert.NotContains(t, err.Error(), "sleep child 0")
			assert.NotContains(t, err.Error(), "sleep child 2")
		})
	}
}

// TestEncrypt_StartFailureLeavesNoneBehind: the second of three encrypt children fails to start.
func TestEncrypt_StartFailureLeavesNoneBehind(t *testing.T) {
	t.Parallel()
	for _, tt := range encryptStarts {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertNoneLeftBehind(t, 1, "encrypt child 1", func(ctx context.Context, spawn spawner) error {
				_, err := encryptAll(ctx, spawn, bookPassword, randomInputs(3, 10), tt.start)
				return err
			})
		})
	}
}

// TestPipeline_StartFailureLeavesNoneBehind: the second pipeline's hash child fails to start. The
// inputs are 1 MiB, more than the pipe holds, so the encrypt child left without its hash child
// blocks until killed: start must kill it, not merely wait. The broken version hangs on its own
// bug first (TestPipeline_HashNeedsParentToClosePipe), so its row runs only in exercise mode.
func TestPipeline_StartFailureLeavesNoneBehind(t *testing.T) {
	t.Parallel()
	for _, tt := range pipelineStarts {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.wantBug {
				t.Skip("the broken pipelines hang on their own bug; this row is for exercise mode")
			}
			assertNoneLeftBehind(t, 3, "pipeline 1: hash child", func(ctx context.Context, spawn spawner) error {
				_, err := runPipelines(ctx, spawn, bookPassword, randomInputs(3, 1<<20), tt.start)
				return err
			})
		})
	}
}

// assertNoneLeftBehind runs run with a spawner whose child number failAt (counting from 0) cannot
// start, and checks the error and that every child started before it was waited for.
func assertNoneLeftBehind(t *testing.T, failAt int, wantErr string, run func(context.Context, spawner) error) {
	t.Helper()
	var cmds []*exec.Cmd
	base, missing := testSpawn(), filepath.Join(t.TempDir(), "no such program")
	spawn := func(ctx context.Context, role string, args ...string) *exec.Cmd {
		cmd := base(ctx, role, args...)
		if len(cmds) == failAt {
			cmd.Path = missing
		}
		cmds = append(cmds, cmd)
		return cmd
	}
	err := underWatchdog(t.Context(), watchOK, func(ctx context.Context) error { return run(ctx, spawn) })
	require.NotErrorIs(t, err, errWatchdog, "the run hung after a failed Start")
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorContains(t, err, wantErr)
	require.Len(t, cmds, failAt+1, "nothing more should be spawned after the failure")
	for i, cmd := range cmds[:failAt] {
		require.NotNil(t, cmd.Process, "child %d should have started", i)
		assert.NotNil(t, cmd.ProcessState, "child %d started but was never waited for: left behind", i)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// self starts this same program again as a child in one of the roles of child.go. It is the Go
// stand-in for the book's `subprocess.Popen(['sleep', '1'])`: the command line names our own
// program file and the role travels in the environment.
type self struct {
	// path is the program to start: os.Executable() under `go run`, the test binary in tests.
	path string
	// env is added to every child's environment after os.Environ(); tests use it for the barrier
	// and the tee. A later entry wins over an earlier one with the same name.
	env []string
}

// command returns an unstarted child in role. ctx kills the child (SIGKILL) if it is done before
// the child exits; exec.Cmd is Go's Popen, but nothing runs until Start or Run.
func (s self) command(ctx context.Context, role string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.path, args...)
	cmd.Env = append(os.Environ(), roleEnv+"="+role)
	cmd.Env = append(cmd.Env, s.env...)
	return cmd
}

// exitStatus reports a finished child's status the way Python's returncode does: the exit code,
// or minus the signal number if a signal ended it (so SIGTERM gives -15). Go's own
// ProcessState.ExitCode() says -1 for every signal; the signal itself is in the WaitStatus.
func exitStatus(ps *os.ProcessState) int {
	if ps == nil {
		return -1 // never started, or not yet waited for
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -int(ws.Signal())
	}
	return ps.ExitCode()
}

// errWatchdog is the cause of a watchdog context that expired: the code it guarded was still
// blocked, so the watchdog killed that code's children to end the demonstration.
var errWatchdog = errors.New("watchdog expired")

// underWatchdog runs f with a context that expires after limit. Children started with that
// context are killed when it expires, which releases a parent blocked on them; the returned error
// then wraps errWatchdog (an f that finished in time returns its own result, even if the watchdog
// fired just after). This is the lesson's safety net, not part of any listing: it lets `go run`
// show a hang and still end.
func underWatchdog(ctx context.Context, limit time.Duration, f func(watchdog context.Context) error) error {
	watchdog, cancel := context.WithTimeoutCause(ctx, limit, errWatchdog)
	defer cancel()
	err := f(watchdog)
	if err != nil && errors.Is(context.Cause(watchdog), errWatchdog) {
		return fmt.Errorf("%w after %s, and killed the children: %w", errWatchdog, limit, err)
	}
	return err
}

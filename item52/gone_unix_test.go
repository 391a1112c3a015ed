//go:build unix

package main

import (
	"errors"
	"syscall"
	"testing"
)

// onUnix says whether children can be ended by signal numbers (SIGTERM is 15) and whether
// processGone can look for a pid.
const onUnix = true

// processGone reports whether no process with this pid exists any more. Signal 0 checks without
// sending anything; a zombie (exited, not yet waited for) still answers, so ESRCH also proves the
// child was reaped.
func processGone(t *testing.T, pid int) bool {
	t.Helper()
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

package main

// The child-process runner that every item with a child copies word for word (CONVENTIONS.md: one
// helper, one form). The item defines its childEnv constant and, in TestMain, runs the child's
// role before goleak.VerifyTestMain.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// childLimit bounds a child process, so a child that hangs fails its test in seconds instead of
// reaching the package's timeout.
const childLimit = 20 * time.Second

// reexec runs this test binary again as a child process in the given role (childEnv=role, no test
// selected, the race detector's exit pause off) and returns its stdout, its stderr and its exit
// error. Racy or crashing workloads run here, never in the test process itself.
func reexec(t *testing.T, role string, extraEnv ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), childLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+role, "GORACE=atexit_sleep_ms=0")
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.WaitDelay = time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	require.NoError(t, ctx.Err(), "child %q did not finish within %s; its stderr:\n%s", role, childLimit, errOut.String())
	return out.String(), errOut.String(), err
}

package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"go.uber.org/goleak"

	"workbook/item56/life"
)

// childEnv names the environment variable that tells this test binary to run a child role (see
// reexec): the lesson, or a version of the hand-made gather whose leaked goroutines only the
// child's exit can end.
const childEnv = "ITEM60_CHILD"

// traceEnv names the file the "lesson" child writes its execution trace to (-trace).
const traceEnv = "ITEM60_TRACE"

// readmeArgs is the command line of the README's sample run.
var readmeArgs = []string{"-latency", "10ms", "-cells", "1000"}

// childWatchdog ends a child that is still running after this long, printing every goroutine's
// stack, so a hang fails its test by assertion in seconds and says what is stuck.
const childWatchdog = 6 * time.Second

// runChild runs the child role named by childEnv and returns the process's exit code.
func runChild(role string) int {
	time.AfterFunc(childWatchdog, func() {
		fmt.Fprintf(os.Stderr, "child %q still running after %v; its goroutines:\n", role, childWatchdog)
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		os.Exit(3)
	})
	switch role {
	case "lesson": // with -trace, which prints nothing: stdout is the README's command's
		return run(append(readmeArgs, "-trace", os.Getenv(traceEnv)), os.Stdout, os.Stderr)
	case "memory":
		cost, err := memoryPerGoroutine(context.Background(), 1_000)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("%.0f %.0f\n", cost.stack, cost.heap)
		return 0
	}
	for _, v := range gathers {
		if role == "leak "+v.name {
			return leakChild(v.name, v.gather)
		}
	}
	fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
	return 2
}

// leakChild runs one version on the glider with cell (0, 0) failing once the other 44 cells' I/O
// has begun, lets their I/O finish after the call returns, and prints how many goroutines are still
// inside the version's per-cell function, then goleak's report. The leaked goroutines, if any, end
// with this process.
func leakChild(name string, gather gather) int {
	_, err := runFailFirst(context.Background(), gather, life.Glider())
	leaks := goleak.Find() // retries for a while, so goroutines that are only exiting are not counted
	fmt.Printf("error: %v\nleft behind: %d\n", err, goroutinesIn("."+name+".func1"))
	if leaks == nil {
		fmt.Println("goleak: no leaks")
	} else {
		fmt.Println(leaks)
	}
	return 0
}

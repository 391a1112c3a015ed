// Command item52 is Effective Python's item 52, "Use subprocess to manage child processes", in Go:
// os/exec runs children in parallel with the parent, pipes connect them, and every wait is bounded.
//
// The children are this same program started again with ITEM52_ROLE set (echo, sleep, encrypt,
// hash), so the lesson needs nothing installed but Go.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"workbook/item56/life"
)

// The book's values, and the lesson's bounds.
const (
	bookSleep    = time.Second                        // the book's `sleep 1`
	bookPassword = "zf7ShyBhZOraQDdE/FiZpm/m/8f9X+M1" // the book's listing 5
	bookTimeout  = 100 * time.Millisecond             // listing 11: communicate(timeout=0.1)
	hungSleep    = 10 * time.Second                   // listing 11: `sleep 10`
	watchdog     = 200 * time.Millisecond             // how long the lesson watches a broken listing hang
)

// executable names the program every child runs: this one. (The tests point it at a copy of
// the test binary built without -race: main_test.go.)
var executable = os.Executable

func main() {
	// A child role is decided before anything else: a child must not run the lesson.
	if role := os.Getenv(roleEnv); role != "" {
		os.Exit(runChild(role, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the flags and runs the lesson with this program as every child. It returns the exit
// status: 0, 1 if a child that should have worked did not, 2 for a bad flag.
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item52", "Item 52: run child processes with os/exec — in parallel, joined by pipes, always with a bound on the wait.", stderr)
	sleep := fs.Duration("sleep", 50*time.Millisecond, "how long each sleeper sleeps (the book: 1s)")
	children := fs.Int("children", 10, "how many sleepers listings 3–4 start (the book: 10)")
	size := fs.Int("size", 1<<20, "bytes fed to one encrypt child in the deadlock demo")
	return runLesson(fs, args, func() error {
		return cmp.Or( // each bounded so a run stays within about 30 s
			inRange("sleep", *sleep, time.Millisecond, 2*time.Second, "the broken listings 3–4 sleep one child after another"),
			inRange("children", *children, 1, 100, "each child is a process of its own"),
			inRange("size", *size, 1, 64<<20, "the input is held in memory"),
			inRange("children × -sleep", time.Duration(*children)**sleep, 0, 20*time.Second, "the broken listings 3–4 take that long"),
		)
	}, func() error {
		exe, err := executable()
		if err != nil {
			return err
		}
		return underSafetyLimit(30*time.Second+2*time.Duration(*children)**sleep, func(ctx context.Context) error {
			return lesson(ctx, selfAs(exe), *sleep, *children, *size, stdout)
		})
	})
}

// lesson runs the book's listings in order, each broken version under a watchdog.
func lesson(ctx context.Context, spawn spawner, sleep time.Duration, sleepers, size int, w io.Writer) error {
	fmt.Fprintf(w, "Every child is this program started again in a role (echo, sleep, encrypt, hash).\n")
	fmt.Fprintf(w, "Sleepers sleep %s (the book: %s). A broken listing that hangs is watched for %s.\n", sleep, bookSleep, watchdog)

	heading(w, "Listing 1: run `echo`, capture its output, check its exit status")
	out, err := runEcho(ctx, spawn)
	if err != nil {
		return err
	}
	fmt.Fprint(w, out)

	tick := max(sleep*3/10, time.Millisecond) // the book polls every 0.3 s during a 1 s sleep
	heading(w, "Listing 2: start `sleep %s`, print Working... every %s until it exits", sleep, tick)
	if _, err := pollSleeper(ctx, spawn, sleep, tick, w); err != nil {
		return err
	}

	heading(w, "Listings 3–4 (broken): start one sleeper, wait for it, then start the next")
	start, tl := time.Now(), life.NewTimeline()
	if err := runSleepersOneByOne(ctx, recording(spawn, tl), sleepers, sleep); err != nil {
		return err
	}
	fmt.Fprintf(w, "Finished in %.3f s  (%d × %s, one child at a time)\n", time.Since(start).Seconds(), sleepers, sleep)
	fmt.Fprintf(w, "One child at a time: a long row, never above 1.\n%s", tl.Chart(sleep, sleepers))

	heading(w, "Listings 3–4 (fixed): start all %d sleepers, then wait for each", sleepers)
	start, tl = time.Now(), life.NewTimeline()
	if err := runSleepers(ctx, recording(spawn, tl), sleepers, sleep); err != nil {
		return err
	}
	fmt.Fprintf(w, "Finished in %.3f s  (about 1 × %s: they overlap; the book: 1.05 seconds with 1s sleeps)\n", time.Since(start).Seconds(), sleep)
	fmt.Fprintf(w, "All at once: a short, tall block, up to %d in flight.\n%s", sleepers, tl.Chart(sleep, sleepers))

	heading(w, "Listings 5–7 (the book's run_encrypt): 3 encrypt children, 10 random bytes each, the password in their environment")
	inputs := randomInputs(3, 10)
	outs, err := encryptAll(ctx, spawn, bookPassword, inputs, runEncryptWriteFirst)
	if err != nil {
		return err
	}
	printEncrypted(w, inputs, outs)

	heading(w, "Listing 5 with %s (broken): write all of stdin, then read stdout", byteSize(size))
	inputs = randomInputs(1, size)
	err = underWatchdog(ctx, watchdog, func(ctx context.Context) error {
		_, err := encryptAll(ctx, spawn, bookPassword, inputs, runEncryptWriteFirst)
		return err
	})
	switch {
	case errors.Is(err, errWatchdog) && errors.Is(err, syscall.EPIPE):
		fmt.Fprintf(w, "deadlock: we were still writing stdin, and the child a stdout nobody read, when the watchdog killed it:\n%v\n", err)
	case err != nil:
		return err
	default:
		fmt.Fprintf(w, "no deadlock: %s fits in the pipes' buffers (try a larger -size)\n", byteSize(size))
	}

	heading(w, "Listing 5 with %s (fixed): exec feeds stdin from its own goroutine while we read stdout", byteSize(size))
	outs, err = encryptAll(ctx, spawn, bookPassword, inputs, runEncrypt)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d B out (%d B IV + %d B ciphertext); decrypts to the input: %s\n", len(outs[0]), ivSize, len(outs[0])-ivSize, yesNo(decryptsTo(outs[0], inputs[0])))

	heading(w, "Listings 8–10 (broken): 3 encrypt → hash pipelines; the parent keeps its copy of each pipe")
	var pipes []*pipeline
	err = underWatchdog(ctx, watchdog, func(ctx context.Context) error {
		pipes, err = runPipelines(ctx, spawn, bookPassword, randomInputs(3, 100), startPipelineKeepPipe)
		return err
	})
	switch {
	case errors.Is(err, errWatchdog):
		fmt.Fprintf(w, "deadlock: the hash children waited for an EOF our open write end withheld; the watchdog killed them\n")
	case err != nil:
		return err
	default:
		fmt.Fprintln(w, "no deadlock: the pipelines finished (has broken.go been fixed?)")
	}
	printPipelines(w, pipes, false)

	heading(w, "Listings 8–10 (fixed): the parent closes its copies of each pipe once both children run")
	pipes, err = runPipelines(ctx, spawn, bookPassword, randomInputs(3, 100), startPipeline)
	if err != nil {
		return err
	}
	printPipelines(w, pipes, true)

	heading(w, "Listing 11 (broken): start `sleep %s` and wait with no timeout", hungSleep)
	var ps *os.ProcessState
	err = underWatchdog(ctx, watchdog, func(ctx context.Context) error {
		ps, err = waitSleeperNoTimeout(ctx, spawn, hungSleep, bookTimeout)
		return err
	})
	if errors.Is(err, errWatchdog) {
		fmt.Fprintf(w, "hung: Wait still blocked after %s (a hung child would block it forever); the watchdog killed the child\n", watchdog)
	} else {
		fmt.Fprintln(w, "no hang: the wait ended before the watchdog (has broken.go been fixed?)")
	}
	fmt.Fprintln(w, "Exit status", exitStatus(ps))

	heading(w, "Listing 11 (fixed): a %s timeout; Cancel sends SIGTERM, WaitDelay %s", bookTimeout, waitDelay)
	ps, err = waitSleeperWithTimeout(ctx, spawn, hungSleep, bookTimeout)
	if err == nil {
		return errors.New("the sleeper should not finish before its timeout")
	}
	fmt.Fprintf(w, "Exit status %d  (the book: Exit status -15; Go's ProcessState.ExitCode() says %d)\n", exitStatus(ps), ps.ExitCode())
	return nil
}

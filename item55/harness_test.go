package main

// Test machinery for the broken pipeline: ending its workers whatever a fix of broken.go has made
// of them, and, in exercise mode, running its test rows in a child process.

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// childEnv names the test row a child process runs (see inBrokenChild), or fixedRole.
const childEnv = "ITEM55_CHILD"

// fixedRole is the child that runs the fixed pipeline for real (see requireFixedRuns).
const fixedRole = "fixed"

// poison is an item no pipeline run puts: a worker given it ends (see killable).
const poison = -1

// killable wraps stages so that a worker handed the poison item ends its own goroutine
// (runtime.Goexit runs its deferred calls, so the pipeline's WaitGroup still counts it out). It is
// how stopBroken ends a worker that a fix of broken.go has left blocked in Get.
func killable(s Stages) Stages {
	wrap := func(work func(int) int) func(int) int {
		return func(item int) int {
			if item == poison {
				runtime.Goexit()
			}
			return work(item)
		}
	}
	return Stages{Download: wrap(s.Download), Resize: wrap(s.Resize), Upload: wrap(s.Upload)}
}

// stopBroken ends the broken pipeline's workers, built with killable stages, inside a synctest
// bubble. It closes the stop channel (the shipped workers look at it between polls) and puts the
// poison item in each worker's input (a worker that waits in Get takes it and ends). It fails the
// test if they are still running after an hour of fake time.
func stopBroken(t *testing.T, p *PollingPipeline) {
	t.Helper()
	p.stopOnce.Do(func() { close(p.stop) })
	for _, q := range []*MyQueue{p.downloadQueue, p.resizeQueue, p.uploadQueue} {
		func() {
			defer func() { _ = recover() }() // a closed queue may refuse it: its worker has ended
			q.Put(poison)
		}()
	}
	stopped := make(chan struct{})
	go func() {
		p.running.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(time.Hour):
		t.Error("the broken workers were still running an hour after the stop channel was closed and each was handed an item")
	}
}

// inBrokenChild runs the calling test row in a child process in exercise mode, and reports true:
// the caller then returns. A learner's broken.go may panic in a worker goroutine ("send on closed
// channel") or leave goroutines blocked for good (synctest's deadlock panic), and either would end
// this test binary with a long trace; the child's end is summed up in a line or two instead. In
// the child itself, and outside exercise mode, it reports false and the row runs here.
func inBrokenChild(t *testing.T) bool {
	t.Helper()
	if !exercise || os.Getenv(childEnv) != "" {
		return false
	}
	var pattern []string
	for _, part := range strings.Split(t.Name(), "/") {
		pattern = append(pattern, "^"+regexp.QuoteMeta(part)+"$")
	}
	stdout, stderr, err := reexec(t, strings.Join(pattern, "/"))
	if err != nil {
		t.Error(childFailure("broken.go", stdout+stderr))
	}
	return true
}

// requireFixedRuns runs the fixed pipeline for real in a child process, once per test binary,
// before a test runs it here. A fixed.go that closes a channel too early (say, without waiting
// for every sender) panics in a worker goroutine, which would end this test binary with a long
// trace; the child's panic is summed up instead, and every test that runs the fixed pipeline
// fails with it. A pipeline that never ends is left to the tests, which name the queue nobody
// closed.
func requireFixedRuns(t *testing.T) {
	t.Helper()
	if os.Getenv(childEnv) != "" {
		return // a child runs only what it was asked to
	}
	once.Do(func() {
		stdout, stderr, err := reexec(t, fixedRole)
		switch {
		case err != nil:
			fixedFailure = childFailure("fixed.go", stdout+stderr)
		case strings.Contains(stdout, "stuck"):
			fixedStuck = "the fixed pipeline did not finish within 2 s, for real (the tests that run it on the fake clock name the queue nobody closed)"
		}
	})
	if fixedFailure != "" {
		t.Fatal(fixedFailure)
	}
}

// requireFixedEnds is requireFixedRuns for a test that runs the lesson for real: it also fails at
// once if the trial run never ended, instead of waiting out the lesson's own limit.
func requireFixedEnds(t *testing.T) {
	t.Helper()
	requireFixedRuns(t)
	if fixedStuck != "" {
		t.Fatal(fixedStuck)
	}
}

var (
	once         sync.Once
	fixedFailure string // the trial run panicked
	fixedStuck   string // the trial run never ended
)

// runFixed is the fixedRole child: the fixed pipeline with 1/1/1, 2/2/2 and 3/4/5 workers and
// buffers 0, 1 and 10, twice each, for real.
func runFixed() int {
	for range 2 {
		for _, workers := range []Workers{{1, 1, 1}, {2, 2, 2}, {3, 4, 5}} {
			for _, buffer := range []int{0, 1, 10} {
				err := within(2*time.Second, "the fixed pipeline", func() {
					runChannels(newChannelPipeline(bookStages(), workers, buffer), 100)
				})
				if err != nil {
					fmt.Println("stuck")
					return 0
				}
			}
		}
	}
	return 0
}

// runChild is TestMain's part in a child process: run the one row named in childEnv, here. It is
// bounded, as the child's rows run on synctest's fake clock and need well under a second.
func runChild(m *testing.M, pattern string) int {
	if pattern == fixedRole {
		return runFixed()
	}
	flag.Parse() // the command line says -test.run=^$ (see reexec); the row to run is pattern
	if err := flag.Set("test.run", pattern); err != nil {
		fmt.Println(err)
		return 2
	}
	time.AfterFunc(8*time.Second, func() {
		fmt.Println("panic: still running after 8 s: something in broken.go spins or waits on the real clock")
		os.Exit(3)
	})
	return m.Run()
}

var (
	panicLine = regexp.MustCompile(`(?m)^panic: (.*?)( \[recovered.*\])?$`)
	ourFrame  = regexp.MustCompile(`^\s*workbook/item55\.(\S+?)\(.*\n\s+(\S+):\d+`)
	createdBy = regexp.MustCompile(`created by workbook/item55\.(\S+) in goroutine`)
	errorLine = regexp.MustCompile(`(?m)^\s+(?:Error|Messages):\s+(.*)$`)
	expected  = regexp.MustCompile(`(?m)^\s+expected: (.*)$`)
	actual    = regexp.MustCompile(`(?m)^\s+actual\s*: (.*)$`)
)

// childFailure sums up in a line or two how a child failed, blaming file (broken.go or fixed.go).
func childFailure(file, out string) string {
	if m := panicLine.FindStringSubmatch(out); m != nil {
		where := strings.Join(stuckAt(out[strings.Index(out, m[0]):]), "; ")
		switch {
		case strings.Contains(m[1], "blocked goroutines remain"), strings.Contains(m[1], "all goroutines in bubble are blocked"):
			hint := "a Get that waits for an item nobody will put needs its queue closed"
			if strings.Contains(where, "Put") {
				hint = "a Put that waits for room nobody will make: its consumer stopped (a queue closed before its producer finished?) or is not reading yet"
			}
			return file + " left goroutines blocked for good: " + where + "; " + hint
		case strings.Contains(m[1], "closed channel"):
			return file + " panicked: " + m[1] + " in " + where + ": close once, by the last sender, after its last send"
		default:
			return file + " panicked: " + m[1] + " in " + where
		}
	}
	if strings.Contains(out, "WARNING: DATA RACE") {
		return file + " has a data race: " + strings.Join(stuckAt(out[strings.Index(out, "WARNING: DATA RACE"):]), "; ")
	}
	msg := errorLine.FindAllStringSubmatch(out, -1)
	if len(msg) == 0 {
		return "the row failed in its child process:\n" + out
	}
	summary := strings.TrimSpace(msg[len(msg)-1][1]) // testify's Messages, else its Error
	if want, got := expected.FindStringSubmatch(out), actual.FindStringSubmatch(out); want != nil && got != nil {
		summary += fmt.Sprintf(" (want %s, got %s)", want[1], got[1])
	} else if i := strings.Index(out, "found unexpected goroutines"); i >= 0 {
		summary += " (still running: " + strings.Join(stuckAt(out[i:]), "; ") + ")"
	} else if len(msg) > 1 {
		summary += " (" + strings.TrimSpace(msg[0][1]) + ")"
	}
	return summary
}

// stuckAt names, for each goroutine in a trace, the innermost function of broken.go, fixed.go or
// pipeline.go it is in and the function that started it: "(*MyQueue).Put in
// (*PollingPipeline).process.func1". Test code is left out.
func stuckAt(trace string) []string {
	var names []string
	for _, g := range regexp.MustCompile(`(?m)^\s*(?:goroutine \d+ |Goroutine \d+ in state|Previous write|Read at|Write at)`).Split(trace, -1) {
		if strings.Contains(g, "item55.stopBroken(") {
			continue // the test's own attempt to end the workers
		}
		lines := strings.Split(g, "\n")
		inner := ""
		for i := range lines[:max(len(lines)-1, 0)] {
			if m := ourFrame.FindStringSubmatch(lines[i] + "\n" + lines[i+1]); m != nil && !strings.HasSuffix(m[2], "_test.go") {
				inner = m[1]
				break
			}
		}
		if inner == "" {
			continue
		}
		name := inner
		if c := createdBy.FindStringSubmatch(g); c != nil && !strings.HasPrefix(c[1], "Test") {
			name += " in a goroutine started by " + c[1]
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return []string{"the runtime"}
	}
	return names
}

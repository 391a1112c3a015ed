package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// The book's parameters, the lesson's defaults.
const (
	bookLatency = 100 * time.Millisecond // the book's select timeout, 0.1 s
	bookCalls   = 5                      // the book's five threads
)

// options are the lesson's flags.
type options struct {
	latency   time.Duration // how long each blocking call waits
	calls     int           // how many blocking calls each row makes
	tracePath string        // where to write an execution trace, if anywhere
}

// parseOptions reads the flags. code is -1 when the lesson should run; otherwise the lesson
// should exit with code at once: 0 after -h, 2 after a bad flag (the problem is on stderr).
// The bounds keep a run within 30 s: the broken row takes calls × latency.
func parseOptions(args []string, stderr io.Writer) (opts options, code int) {
	fs := flag.NewFlagSet("item53", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&opts.latency, "latency", bookLatency, "how long each blocking system call waits, 1ms to 1s (the book's 0.1 s)")
	fs.IntVar(&opts.calls, "calls", bookCalls, "how many blocking system calls, 1 to 20 (the book makes 5)")
	fs.StringVar(&opts.tracePath, "trace", "", "write an execution trace of the run to `FILE`, for go tool trace FILE")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./item53 [flags]")
		fmt.Fprintln(fs.Output(), "Item 53: goroutines overlap blocking system calls even at GOMAXPROCS=1, and, unlike Python threads, also run CPU work in parallel.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, 0
		}
		return opts, 2 // the flag package or parseFlags has said what is wrong
	}
	if err := cmp.Or(
		inRange("latency", opts.latency, time.Millisecond, time.Second, "the broken row takes calls × latency, and the lesson must end within 30 s"),
		inRange("calls", opts.calls, 1, 20, "each call blocked at once holds an OS thread, and the broken row takes calls × latency"),
	); err != nil {
		fmt.Fprintf(stderr, "item53: %v\n", err)
		return opts, 2
	}
	return opts, -1
}

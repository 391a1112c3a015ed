package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// options are the lesson's flags, each bounded so a run stays within about 30 s.
type options struct {
	sleep    time.Duration // how long each sleeper sleeps
	children int           // how many sleepers listings 3–4 start
	size     int           // bytes fed to one encrypt child in the deadlock demo
	trace    string        // where to write an execution trace of the run ("" for none)
}

// parseOptions parses args. It returns code -1 to go on, or the exit status to end with: 0 after
// -h, 2 (with one line on stderr) for a bad flag.
func parseOptions(args []string, stderr io.Writer) (options, int) {
	var o options
	fs := flag.NewFlagSet("item52", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./item52 [flags]")
		fmt.Fprintln(fs.Output(), "Item 52: run child processes with os/exec — in parallel, joined by pipes, always with a bound on the wait.")
		fs.PrintDefaults()
	}
	fs.DurationVar(&o.sleep, "sleep", 50*time.Millisecond, "how long each sleeper sleeps (the book: 1s)")
	fs.IntVar(&o.children, "children", 10, "how many sleepers listings 3–4 start (the book: 10)")
	fs.IntVar(&o.size, "size", 1<<20, "bytes fed to one encrypt child in the deadlock demo")
	fs.StringVar(&o.trace, "trace", "", "write an execution trace of the run to `FILE`, for `go tool trace FILE`")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, 0
		}
		return o, 2
	}
	if err := cmp.Or(
		inRange("sleep", o.sleep, time.Millisecond, 2*time.Second, "the broken listings 3–4 sleep one child after another"),
		inRange("children", o.children, 1, 100, "each child is a process of its own"),
		inRange("size", o.size, 1, 64<<20, "the input is held in memory"),
		inRange("children × -sleep", time.Duration(o.children)*o.sleep, 0, 20*time.Second, "the broken listings 3–4 take that long"),
	); err != nil {
		fmt.Fprintln(stderr, "item52:", err)
		return o, 2
	}
	return o, -1
}

// safetyLimit returns the lesson's context: a safety net for an edited lesson, so a listing that
// hangs has its children killed and the run ends with an error naming the limit, instead of
// hanging. No healthy run comes near it.
func (o options) safetyLimit() (context.Context, context.CancelFunc) {
	limit := 30*time.Second + 2*time.Duration(o.children)*o.sleep
	return context.WithTimeoutCause(context.Background(), limit, fmt.Errorf("the lesson ran past its %s safety limit", limit))
}

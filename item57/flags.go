package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"
)

// The flag handling that every item copies word for word (CONVENTIONS.md: one helper, one form).

// newFlagSet returns the lesson's flag set: problems go to stderr, and -h prints the usage line,
// what the item teaches (about) and every flag.
func newFlagSet(item, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(item, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: go run ./%s [flags]\n%s\n", item, about)
		fs.PrintDefaults()
	}
	return fs
}

// runLesson is what every lesson does once its flags are defined: it adds -trace, parses args,
// checks the values (check returns the first one out of bounds, see inRange) and runs lesson, under
// Go's execution tracer when -trace names a file. It returns the exit status: 0 done (or -h), 1 the
// lesson failed, 2 a bad flag. Each problem is one line on stderr, after the item's name.
func runLesson(fs *flag.FlagSet, args []string, check func() error, lesson func() error) int {
	tracePath := fs.String("trace", "", "write an execution trace of the run to `FILE`, for go tool trace FILE")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package or parseFlags has said what is wrong
	}
	if err := check(); err != nil {
		fmt.Fprintf(fs.Output(), "%s: %v\n", fs.Name(), err)
		return 2
	}
	stopTrace, err := startTrace(*tracePath)
	if err != nil {
		fmt.Fprintf(fs.Output(), "%s: -trace: %v\n", fs.Name(), err)
		return 2
	}
	err = lesson()
	if stopErr := stopTrace(); stopErr != nil {
		err = errors.Join(err, fmt.Errorf("-trace: %w", stopErr))
	}
	if err != nil {
		fmt.Fprintf(fs.Output(), "%s: %v\n", fs.Name(), err)
		return 1
	}
	return 0
}

// badFlag is the flag package's message for a value it cannot parse.
var badFlag = regexp.MustCompile(`^invalid value ".*" for flag -(\S+): parse error$`)

// parseFlags is fs.Parse plus the hint the flag package leaves out: `-latency 10` fails with a
// bare "parse error", so say that a duration needs a unit.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil {
		if fs.NArg() > 0 {
			err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
			fmt.Fprintf(fs.Output(), "%s: %v\n", fs.Name(), err)
		}
		return err
	}
	if m := badFlag.FindStringSubmatch(err.Error()); m != nil {
		if f := fs.Lookup(m[1]); f != nil {
			if _, ok := f.Value.(flag.Getter).Get().(time.Duration); ok {
				fmt.Fprintln(fs.Output(), "hint: a duration needs a unit, e.g. 10ms or 1.5s")
			}
		}
	}
	return err
}

// inRange returns an error naming the flag, its bounds and why they exist when got is outside
// [lo, hi]: every lesson stays within about 1 GiB of memory and 30 s.
func inRange[T int | time.Duration](name string, got, lo, hi T, why string) error {
	if got < lo || got > hi {
		return fmt.Errorf("-%s must be between %v and %v (got %v): %s", name, lo, hi, got, why)
	}
	return nil
}

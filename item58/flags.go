package main

import (
	"flag"
	"fmt"
	"regexp"
	"time"
)

// Flag checks that every item copies word for word (CONVENTIONS.md: one helper, one form).

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

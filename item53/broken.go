package main

import "errors"

// systemcallsSerial is the book's listing 7, followed by the work main has to do: make calls
// blocking calls one after another, then compute(i) for i in 0..calls-1. call stands for the
// book's slow_systemcall; the lesson passes a real select(2), tests pass a sleep on a fake clock.
// It takes calls × (one call's latency), plus the computing.
func systemcallsSerial(calls int, call func() error, compute func(index int)) error {
	errs := make([]error, calls)
	for i := range calls {
		errs[i] = call() // BUG: main waits out each call in turn, though the calls do not depend on each other.
	}
	for i := range calls {
		compute(i) // BUG: and only then does main start its own work, which did not need the calls either.
	}
	return errors.Join(errs...)
}

package main

import (
	"errors"
	"sync"
)

// systemcallsConcurrent is the book's listings 8 and 9: start one goroutine per blocking call,
// compute(i) for i in 0..calls-1 on main while the calls wait, then wait for the calls. It takes
// about one call's latency: the waits overlap each other and main's computing. They overlap each
// other even at GOMAXPROCS=1, because a goroutine blocked in a system call hands its processor to
// another (README.md, "The hand-off during system calls").
func systemcallsConcurrent(calls int, call func() error, compute func(index int)) error {
	errs := make([]error, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() { errs[i] = call() }) // FIX: each call waits on its own goroutine; main goes on at once.
	}
	for i := range calls {
		compute(i) // FIX: main computes at once, without waiting for the calls.
	}
	wg.Wait() // the book's thread.join(): each goroutine wrote only its own errs[i]
	return errors.Join(errs...)
}

package main

import (
	"iter"
	"runtime"
	"slices"
	"sync"
)

// bookNumbers returns the four numbers the book factorizes in listings 2 to 5. It is a function,
// not a package variable, so no caller can change the lesson's input for another.
func bookNumbers() []int { return []int{2139079, 1214759, 1516637, 1852285} }

// factorize is the book's listing 1: every i in 1..number that divides number, found by trying
// them all. It is slow on purpose (about two million divisions per number), so it stands for any
// CPU-bound work. The Python version is a generator; its Go twin is an iter.Seq, which a caller
// ranges over (`for f := range factorize(n)`) or collects (`slices.Collect`).
func factorize(number int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; i <= number; i++ {
			if number%i == 0 && !yield(i) {
				return // the caller stopped ranging early
			}
		}
	}
}

// factorizeSerial is the book's listing 2: factorize one number after another on one goroutine.
// factors[i] holds the factors of numbers[i].
func factorizeSerial(numbers []int) (factors [][]int) {
	for _, number := range numbers {
		factors = append(factors, slices.Collect(factorize(number)))
	}
	return factors
}

// FactorizeThread is the book's listing 3, a Thread subclass that factorizes one number and keeps
// the result. In Go there is no thread object to subclass: any function can run as a goroutine,
// so this is a plain struct and its run method is what the goroutine executes.
type FactorizeThread struct {
	number  int
	factors []int
}

// run factorizes t.number into t.factors. Only the goroutine running it writes t.factors, and
// nobody reads them before wg.Wait returns, which is what makes the read safe.
func (t *FactorizeThread) run() {
	t.factors = slices.Collect(factorize(t.number))
}

// factorizeGoroutines is the book's listings 4 and 5: start one goroutine per number, then wait
// for all of them. In CPython the GIL lets only one thread run Python code at a time, so there this
// is no faster than factorizeSerial (measured on 3.6 to 3.13: README.md). Go has no GIL: the
// goroutines run in parallel on up to GOMAXPROCS cores (TestGoroutines_RunInParallel), and with
// GOMAXPROCS=1 they take turns on one core, as Python's threads do.
func factorizeGoroutines(numbers []int) (factors [][]int) {
	threads := make([]*FactorizeThread, len(numbers))
	var wg sync.WaitGroup
	for i, number := range numbers {
		threads[i] = &FactorizeThread{number: number}
		wg.Go(threads[i].run)
	}
	wg.Wait() // the book's thread.join() for every thread
	for _, t := range threads {
		factors = append(factors, t.factors)
	}
	return factors
}

// withGOMAXPROCS runs f with GOMAXPROCS set to procs and puts the previous setting back after.
// GOMAXPROCS is how many OS threads may run Go code at the same instant (the default is the
// number of cores the process may use). Setting it also stops the runtime from adjusting it on
// its own (Go 1.25+ follows CPU quota changes; runtime.GOMAXPROCS docs), which does not matter
// for a short lesson.
func withGOMAXPROCS(procs int, f func()) {
	previous := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(previous)
	f()
}

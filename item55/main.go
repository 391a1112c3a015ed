// Command item55 ports Effective Python's item 55, "Use Queue to coordinate work between
// threads", to Go: a hand-made polling queue against channels, close, range and a WaitGroup.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// pythonPolls is what the book's example code (example 10) printed in 20 unchanged runs on
// CPython 3.11.7 on the machine the README names: the count varies with timing.
const pythonPolls = "3029–3044"

// config is what the flags set.
type config struct {
	items   int
	poll    time.Duration
	buffer  int
	workers Workers
	idle    time.Duration
	latency time.Duration
}

// run parses the flags and plays the lesson, example by example. It returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("item55", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.IntVar(&cfg.items, "items", 1000, "items sent through each pipeline (the book: 1000)")
	fs.DurationVar(&cfg.poll, "poll", 10*time.Millisecond, "how long a broken worker sleeps when its queue is empty (the book: 0.01 s)")
	fs.IntVar(&cfg.buffer, "buffer", 10, "capacity of each channel in the fixed pipeline (0 = unbuffered)")
	fs.IntVar(&cfg.workers.Download, "download", 3, "download goroutines in the second fixed run (the book: 3)")
	fs.IntVar(&cfg.workers.Resize, "resize", 4, "resize goroutines in the second fixed run (the book: 4)")
	fs.IntVar(&cfg.workers.Upload, "upload", 5, "upload goroutines in the second fixed run (the book: 5)")
	fs.DurationVar(&cfg.latency, "latency", 0, "simulated I/O time per item in each stage (the book's stubs take none: -latency 0)")
	fs.DurationVar(&cfg.idle, "idle", 100*time.Millisecond, "how long to watch the broken workers poll after the work is done")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: go run ./item55 [flags]")
		fmt.Fprintln(stderr, "Item 55: a hand-made polling queue burns CPU, never stops and grows without bound; channels, close and a WaitGroup fix all three.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if msg := cfg.invalid(fs); msg != "" {
		fmt.Fprintln(stderr, "item55: "+msg)
		return 2
	}
	if err := lesson(stdout, cfg); err != nil {
		fmt.Fprintf(stderr, "item55: %v\n", err)
		return 1
	}
	return 0
}

// invalid returns a one-line complaint about a flag value that parses but makes no sense, or "".
func (c config) invalid(fs *flag.FlagSet) string {
	switch {
	case fs.NArg() > 0:
		return fmt.Sprintf("unexpected argument %q (the lesson takes only flags)", fs.Arg(0))
	case c.items < 1:
		return fmt.Sprintf("-items must be positive (got %d)", c.items)
	case c.poll <= 0:
		return fmt.Sprintf("-poll must be positive (got %v)", c.poll)
	case c.buffer < 0:
		return fmt.Sprintf("-buffer must be zero or more (got %d)", c.buffer)
	case c.workers.Download < 1:
		return fmt.Sprintf("-download must be positive (got %d)", c.workers.Download)
	case c.workers.Resize < 1:
		return fmt.Sprintf("-resize must be positive (got %d)", c.workers.Resize)
	case c.workers.Upload < 1:
		return fmt.Sprintf("-upload must be positive (got %d)", c.workers.Upload)
	case c.latency < 0:
		return fmt.Sprintf("-latency must be zero or more (got %v)", c.latency)
	case c.idle < 0:
		return fmt.Sprintf("-idle must be zero or more (got %v)", c.idle)
	}
	return ""
}

// watchdog bounds every pipeline run of the lesson, so that a run that hangs (say, after
// deleting a close in fixed.go) is reported as a deadlock instead. A correct run needs about
// items × latency (one goroutine per stage, each item waiting its turn in the slowest stage),
// plus a few poll intervals in the broken pipeline, whose workers sleep when they find their
// queue empty; the bound is twice that, plus 2 s for a slow machine.
func (c config) watchdog() time.Duration {
	return 2*time.Second + 2*time.Duration(c.items)*c.latency + 10*c.poll
}

// measurement is one pipeline run as the comparison table shows it.
type measurement struct {
	name  string
	res   Result
	wall  time.Duration
	cpu   time.Duration
	cpuOK bool
}

// measure runs f under a watchdog of limit and records its wall-clock and CPU time.
func measure(name string, limit time.Duration, f func() Result) (measurement, error) {
	m := measurement{name: name}
	cpu0, ok0 := processCPUTime()
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.res = f()
	}()
	watchdog := time.NewTimer(limit)
	defer watchdog.Stop()
	select {
	case <-done:
	case <-watchdog.C:
		return m, fmt.Errorf("deadlock: %s did not finish within %v", name, limit)
	}
	m.wall = time.Since(start)
	cpu1, ok1 := processCPUTime()
	m.cpu, m.cpuOK = cpu1-cpu0, ok0 && ok1
	return m, nil
}

// lesson prints the item: the broken pipeline, the three queue demos, the fixed pipelines,
// and a table comparing them.
func lesson(w io.Writer, cfg config) error {
	stages := bookStages()
	if cfg.latency > 0 {
		stages = withLatency(stages, cfg.latency)
		fmt.Fprintf(w, "Each stage spends %v per item (simulated I/O; the book's stubs take none).\n\n", cfg.latency)
	}
	fmt.Fprintf(w, "== Examples 1–10 (broken): MyQueue and one polling Worker per stage, %d items ==\n", cfg.items)
	p := newPollingPipeline(stages, cfg.poll)
	defer p.Stop() // also on a watchdog error: the workers must not outlive the lesson
	broken, err := measure("broken (polling)", cfg.watchdog(), func() Result { return runPolling(p, cfg.items, nil) })
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Processed %d items after polling %d times (the book's code on CPython 3.11: %s)\n",
		len(broken.res.Done), broken.res.Polls, pythonPolls)
	fmt.Fprintf(w, "While it busy-waited, main looked at the done queue %d times.\n", broken.res.Checks)
	before := p.polls()
	time.Sleep(cfg.idle)
	fmt.Fprintf(w, "The work is done, but in the next %v the 3 workers polled %d more times (each looks every %v).\n",
		cfg.idle, p.polls()-before, cfg.poll)
	fmt.Fprintln(w, "MyQueue cannot say \"no more items\", so nothing tells them to stop; we stop them from outside.")
	p.Stop()

	demos := []struct {
		heading string
		demo    func(io.Writer)
	}{
		{"Examples 11–12: a receive waits for a send (Queue.get blocks)", demoBlockingGet},
		{"Examples 13–14: Queue(1) is a channel of capacity 1; the second send waits", demoBufferSize},
		{"Examples 15–16: task_done and join are WaitGroup.Done and Wait", demoTaskDone},
	}
	for _, d := range demos {
		fmt.Fprintf(w, "\n== %s ==\n", d.heading)
		d.demo(w)
	}

	runs := []measurement{broken}
	for i, workers := range []Workers{{1, 1, 1}, cfg.workers} {
		if i == 0 {
			fmt.Fprintln(w, "\n== Examples 17–22 (fixed): channels, close and range; one goroutine per stage ==")
		} else {
			fmt.Fprintf(w, "\n== Examples 23–24 (fixed): %d download, %d resize and %d upload goroutines ==\n",
				workers.Download, workers.Resize, workers.Upload)
		}
		name := fmt.Sprintf("fixed, %d/%d/%d", workers.Download, workers.Resize, workers.Upload)
		m, err := measure(name, cfg.watchdog(), func() Result {
			return runChannels(newChannelPipeline(stages, workers, cfg.buffer), cfg.items)
		})
		if err != nil {
			return fmt.Errorf("%w (does every stage still close its output?)", err)
		}
		fmt.Fprintf(w, "%d items finished\n", len(m.res.Done))
		runs = append(runs, m)
	}

	fmt.Fprintf(w, "\n== Broken vs fixed: %d items, broken workers poll every %v (the book: 0.01 s), channels hold %d ==\n",
		cfg.items, cfg.poll, cfg.buffer)
	fmt.Fprintf(w, "%-18s %7s %11s %11s %12s\n", "pipeline", "polls", "CPU time", "wall time", "peak queue")
	for _, m := range runs {
		cpu := "n/a"
		if m.cpuOK {
			cpu = ms(m.cpu)
		}
		fmt.Fprintf(w, "%-18s %7d %11s %11s %6d items\n", m.name, m.res.Polls, cpu, ms(m.wall), m.res.PeakQueue)
	}
	fmt.Fprintln(w, "CPU time is user + system time of the whole process (getrusage) during the run: broken, main")
	fmt.Fprintln(w, "spins on a core the whole time. Peak queue is the most items seen waiting in one queue: the")
	fmt.Fprintln(w, "broken download queue takes every item at once, while a producer facing a full channel waits.")
	return nil
}

// ms formats d in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// Command item55 ports Effective Python's item 55, "Use Queue to coordinate work between
// threads", to Go: a hand-made polling queue against channels, close, range and a WaitGroup.
package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run reads the flags and plays the lesson. It returns the exit status (see runLesson): 1 means a
// run was stuck.
func run(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("item55", "Item 55: a hand-made polling queue burns CPU, never stops and grows without bound; channels, close and a WaitGroup fix all three.", stderr)
	items := fs.Int("items", 1000, "items sent through each pipeline (the book: 1000)")
	buffer := fs.Int("buffer", 10, "capacity of each channel in the fixed pipelines (0 = unbuffered)")
	latency := fs.Duration("latency", 0, "simulated I/O per item in each stage (the book's stubs take none); draws each stage at work over time")
	// The bounds keep the lesson within seconds and a few MiB: it runs two pipelines one item at a time.
	return runLesson(fs, args, func() error {
		work := time.Duration(*items) * *latency // the 1/1/1 pipeline's busiest stage, one item at a time
		return cmp.Or(
			inRange("items", *items, 1, maxItems, "more only make the lesson slower"),
			inRange("buffer", *buffer, 0, maxBuffer, "each of the 4 channels allocates its buffer up front"),
			inRange("latency", *latency, 0, maxLatency, "a stage's simulated I/O per item"),
			inRange("items × -latency", work, 0, maxWork, "the broken and the 1/1/1 pipelines each take about that long"))
	}, func() error { return lesson(stdout, *items, *buffer, *latency) })
}

// lesson prints the item example by example. It fails only if a run is stuck (see measure).
func lesson(w io.Writer, items, buffer int, latency time.Duration) error {
	stages, limit := bookStages(), lessonLimit(items, latency)
	if latency > 0 {
		stages = withLatency(stages, latency)
		fmt.Fprintf(w, "Each stage spends %v per item (simulated I/O; the book's stubs take none).\n\n", latency)
	}

	fmt.Fprintf(w, "== Examples 1–10 (broken): MyQueue and one polling Worker per stage, %d items ==\n", items)
	recorded, busy := recordStages(stages)
	p := newPollingPipeline(recorded, pollInterval)
	defer within(limit, "stopping the broken workers", p.Stop) // also when stuck: the workers must not outlive the lesson
	broken, err := measure("broken (polling)", limit, func() Result { return runPolling(p, items, nil) })
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Processed %d items after polling %d times (the book's code on CPython 3.11: %s)\n",
		len(broken.res.Done), broken.res.Polls, pythonPolls)
	busy.show(w, latency, Workers{1, 1, 1}, "they overlap, but each waits up to 10 ms, polling, to notice its first item.")
	fmt.Fprintf(w, "While it busy-waited, main looked at the done queue %d times.\n", broken.res.Checks)
	before := p.polls()
	time.Sleep(idle)
	fmt.Fprintf(w, "The work is done, but in the next %v the 3 workers polled %d more times (each looks every %v).\n",
		idle, p.polls()-before, pollInterval)
	fmt.Fprintln(w, `MyQueue cannot say "no more items", so nothing tells them to stop; we stop them from outside.`)
	if err := within(limit, "stopping the broken workers", p.Stop); err != nil {
		return err
	}

	for _, d := range []struct {
		heading string
		demo    func(io.Writer)
	}{
		{"Examples 11–12: a receive waits for a send (Queue.get blocks)", demoBlockingGet},
		{"Examples 13–14: Queue(1) is a channel of capacity 1; the second send waits", demoBufferSize},
		{"Examples 15–16: task_done and join are WaitGroup.Done and Wait", demoTaskDone},
	} {
		fmt.Fprintf(w, "\n== %s ==\n", d.heading)
		if err := within(limit, "the demo", func() { d.demo(w) }); err != nil {
			return err
		}
	}

	runs := []measurement{broken}
	for _, fixed := range []struct {
		heading, caption string
		workers          Workers
	}{
		{"Examples 17–22 (fixed): channels, close and range; one goroutine per stage",
			"each starts the moment its first item comes, and all three stay busy.", Workers{1, 1, 1}},
		{"Examples 23–24 (fixed): 3 download, 4 resize and 5 upload goroutines",
			"3 downloads at a time set the pace; resize and upload have goroutines to spare.", Workers{3, 4, 5}},
	} {
		fmt.Fprintf(w, "\n== %s ==\n", fixed.heading)
		wk := fixed.workers
		recorded, busy := recordStages(stages)
		m, err := measure(fmt.Sprintf("fixed, %d/%d/%d", wk.Download, wk.Resize, wk.Upload), limit, func() Result {
			return runChannels(newChannelPipeline(recorded, wk, buffer), items)
		})
		if err != nil {
			return fmt.Errorf("%w (does every stage still close its output?)", err)
		}
		fmt.Fprintf(w, "%d items finished\n", len(m.res.Done))
		busy.show(w, latency, wk, fixed.caption)
		runs = append(runs, m)
	}

	fmt.Fprintf(w, "\n== Broken vs fixed: %d items, broken workers poll every %v (the book: 0.01 s), channels hold %d ==\n",
		items, pollInterval, buffer)
	compare(w, runs...)
	return nil
}

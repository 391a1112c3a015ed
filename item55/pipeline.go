package main

import (
	"fmt"
	"io"
	"time"

	"workbook/item56/life"
)

// download, resize and upload are example 1's stand-ins for real work: each returns its argument.
// The pipelines take them through Stages, so tests can swap in work that takes time on
// synctest's fake clock, or work that stalls.
func download(item int) int { return item }

// resize is example 1's second stage stub.
func resize(item int) int { return item }

// upload is example 1's third stage stub.
func upload(item int) int { return item }

// Stages is the work each stage does to one item. Items are ints (the book uses object())
// so that a test can check every item arrives exactly once.
type Stages struct {
	Download, Resize, Upload func(item int) int
}

// bookStages returns example 1's stubs.
func bookStages() Stages {
	return Stages{Download: download, Resize: resize, Upload: upload}
}

// withLatency returns stages that each sleep d before doing their work: simulated I/O. The
// lesson uses it so that waiting costs something visible; tests use it on synctest's fake clock.
func withLatency(s Stages, d time.Duration) Stages {
	slow := func(work func(int) int) func(int) int {
		return func(item int) int {
			time.Sleep(d)
			return work(item)
		}
	}
	return Stages{Download: slow(s.Download), Resize: slow(s.Resize), Upload: slow(s.Upload)}
}

// Workers says how many goroutines run each stage: 1/1/1 first, then the book's 3/4/5.
type Workers struct {
	Download, Resize, Upload int
}

// Result is what one pipeline run reports.
type Result struct {
	// Done holds the items that reached the done queue, in arrival order.
	Done []int
	// Polls counts the workers' attempts to take an item (the book's polled_count, summed),
	// successful or not. A channel receive waits instead of failing, so it is no poll: the
	// fixed pipeline reports 0.
	Polls int64
	// Checks counts how often main looked at the done queue while it busy-waited (broken only).
	Checks int64
	// PeakQueue is the most items seen waiting in any one queue.
	PeakQueue int
}

// stageTimelines records, for each stage, when its work runs: which stage is busy over time.
type stageTimelines struct {
	download, resize, upload *life.Timeline
}

// recordStages returns stages that record each call's work on their stage's timeline, and the
// timelines, whose time starts now.
func recordStages(s Stages) (Stages, stageTimelines) {
	tl := stageTimelines{life.NewTimeline(), life.NewTimeline(), life.NewTimeline()}
	rec := func(t *life.Timeline, work func(int) int) func(int) int {
		return func(item int) int {
			defer t.Begin()()
			return work(item)
		}
	}
	return Stages{Download: rec(tl.download, s.Download), Resize: rec(tl.resize, s.Resize), Upload: rec(tl.upload, s.Upload)}, tl
}

// show prints, after a caption, each stage's timeline as a chart: one column per latency, top =
// the stage's goroutines. With no latency there is nothing to draw, and it prints nothing.
func (tl stageTimelines) show(w io.Writer, latency time.Duration, workers Workers, caption string) {
	if latency <= 0 {
		return
	}
	fmt.Fprintf(w, "Each stage at work over time (the top = its goroutines): %s\n", caption)
	for _, s := range []struct {
		name    string
		tl      *life.Timeline
		workers int
	}{{"download", tl.download, workers.Download}, {"resize", tl.resize, workers.Resize}, {"upload", tl.upload, workers.Upload}} {
		fmt.Fprintf(w, "%s:\n%s", s.name, s.tl.Chart(latency, s.workers))
	}
}

package life

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Timeline records when calls begin and end, so a lesson can draw how many were in flight over
// time: the shape of a concurrency strategy. It is safe for concurrent use. Inside a
// testing/synctest bubble time.Now is the fake clock, so a test can check the shape exactly.
type Timeline struct {
	mu     sync.Mutex
	start  time.Time
	events []event
}

// event is a call beginning (+1) or ending (-1) at an offset from the timeline's start.
type event struct {
	at    time.Duration
	delta int
}

// NewTimeline returns a timeline whose time starts now.
func NewTimeline() *Timeline {
	return &Timeline{start: time.Now()}
}

// Begin records a call starting now and returns the function that records its end.
func (tl *Timeline) Begin() (end func()) {
	tl.record(+1)
	return func() { tl.record(-1) }
}

func (tl *Timeline) record(delta int) {
	at := time.Since(tl.start)
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.events = append(tl.events, event{at, delta})
}

// Recorded returns an IO that does io's work and records each call on tl.
func Recorded(io IO, tl *Timeline) IO {
	return func(ctx context.Context, y, x int) error {
		defer tl.Begin()()
		return io.Do(ctx, y, x)
	}
}

// Peak returns the most calls that were ever in flight at once, and how many still are.
func (tl *Timeline) Peak() (most, now int) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	for _, e := range tl.events { // in the order they happened: recorded under the lock
		now += e.delta
		most = max(most, now)
	}
	return most, now
}

// Starts returns when each call began, as offsets from the timeline's start, earliest first.
func (tl *Timeline) Starts() []time.Duration {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	var at []time.Duration
	for _, e := range tl.events {
		if e.delta > 0 {
			at = append(at, e.at)
		}
	}
	slices.Sort(at)
	return at
}

// InFlight splits the run (from the timeline's start to its last event) into slices of the given
// length and returns, for each, the average number of calls in flight during it: the time all
// calls spent in flight inside the slice divided by the slice. On the fake clock a call that
// starts on a slice boundary and lasts one slice counts exactly 1 there.
func (tl *Timeline) InFlight(slice time.Duration) []float64 {
	if slice <= 0 {
		panic("life: InFlight needs a positive slice")
	}
	tl.mu.Lock()
	events := slices.Clone(tl.events)
	tl.mu.Unlock()
	if len(events) == 0 {
		return nil
	}
	slices.SortStableFunc(events, func(a, b event) int { return int(a.at - b.at) })
	end := events[len(events)-1].at
	n := max(1, int((end+slice-1)/slice))
	busy := make([]time.Duration, n) // call-time in flight inside each slice
	inFlight := 0
	for i, e := range events {
		if i > 0 && inFlight > 0 {
			addBusy(busy, slice, events[i-1].at, e.at, inFlight)
		}
		inFlight += e.delta
	}
	out := make([]float64, n)
	for i, b := range busy {
		out[i] = float64(b) / float64(slice)
	}
	return out
}

// last returns when the timeline's last event happened, as an offset from its start.
func (tl *Timeline) last() time.Duration {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	var at time.Duration
	for _, e := range tl.events {
		at = max(at, e.at)
	}
	return at
}

// addBusy adds k calls in flight from from to to, split over the slices it crosses.
func addBusy(busy []time.Duration, slice, from, to time.Duration, k int) {
	for from < to {
		i := int(from / slice)
		edge := min(to, time.Duration(i+1)*slice)
		busy[i] += time.Duration(k) * (edge - from)
		from = edge
	}
}

// chartRows is the height of a chart in lines; each line holds eight levels (▁ to █).
const chartRows = 4

// maxColumns keeps a chart within a terminal's width: a longer run gets wider slices.
const maxColumns = 60

// Chart draws InFlight as a bar per slice, time across, height scaled so that top calls in flight
// fill the chart (use the same top and slice to compare runs side by side). A slice with any call
// in flight shows at least the lowest bar.
func (tl *Timeline) Chart(slice time.Duration, top int) string {
	if top <= 0 {
		panic("life: Chart needs a positive top")
	}
	// A longer run gets wider columns, per slices each, so that there are at most maxColumns. Each
	// column is then InFlight at that width: never a slice per nanosecond of a long run.
	n := max(1, int((tl.last()+slice-1)/slice))
	per := (n + maxColumns - 1) / maxColumns
	columns := tl.InFlight(time.Duration(per) * slice)
	levels := make([]int, len(columns)) // eighths of a line, 0 … chartRows*8
	for i, c := range columns {
		levels[i] = min(chartRows*8, int(math.Round(c/float64(top)*chartRows*8)))
		if c > 0 && levels[i] == 0 {
			levels[i] = 1
		}
	}
	label := fmt.Sprint(top)
	pad := strings.Repeat(" ", len(label))
	var b strings.Builder
	for row := chartRows - 1; row >= 0; row-- {
		if row == chartRows-1 {
			b.WriteString(label)
		} else {
			b.WriteString(pad)
		}
		b.WriteString(" ┤")
		var line strings.Builder
		for _, l := range levels {
			line.WriteRune(bar(l - row*8))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteString("\n")
	}
	width := time.Duration(per) * slice
	fmt.Fprintf(&b, "%s └%s\n", pad, strings.Repeat("─", len(levels)))
	fmt.Fprintf(&b, "%s  calls in flight per %v: %s\n", pad, width, runs(columns))
	return b.String()
}

// runs writes counts rounded to whole calls, a repeated value once with its repeat count:
// "5 ×9", "10 ×4, 5". A count between 0 and ½ is "<1", so a slice with any call in it shows.
func runs(counts []float64) string {
	var parts []string
	for i := 0; i < len(counts); {
		j := i
		for j < len(counts) && math.Round(counts[j]) == math.Round(counts[i]) {
			j++
		}
		n := fmt.Sprint(math.Round(counts[i]))
		if counts[i] > 0 && n == "0" {
			n = "<1"
		}
		if j-i > 1 {
			n += fmt.Sprintf(" ×%d", j-i)
		}
		parts = append(parts, n)
		i = j
	}
	return strings.Join(parts, ", ")
}

// bar is one character of a column: eighths beyond this line's bottom, 0 to 8 (more fills it).
func bar(eighths int) rune {
	const blocks = " ▁▂▃▄▅▆▇█"
	return []rune(blocks)[max(0, min(8, eighths))]
}

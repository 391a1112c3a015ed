package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// demos are examples 11–16 with the lines each must print, in order.
var demos = []struct {
	name string
	demo func(io.Writer)
	want []string
}{
	{"Examples 11–12", demoBlockingGet, []string{
		"Consumer waiting", "Producer putting", "Consumer done"}},
	{"Examples 13–14", demoBufferSize, []string{
		"Producer put 1", "Producer cannot put 2 yet: the buffer is full",
		"Consumer got 1", "Consumer got 2", "Consumer done", "Producer done"}},
	{"Examples 15–16", demoTaskDone, []string{
		"Consumer waiting", "Producer putting", "Consumer working", "Consumer done", "Producer done"}},
}

// demoLimit bounds one real run of a demo, which takes microseconds: a demo still running after
// it is stuck for good.
const demoLimit = 2 * time.Second

// printed runs demo once, for real, and returns its lines; it fails the test, instead of hanging
// it, if the demo never finishes.
func printed(t *testing.T, name string, demo func(io.Writer)) []string {
	t.Helper()
	var out bytes.Buffer // not locked: under -race, two prints that nothing orders are a reported race
	err := within(demoLimit, name, func() { demo(&out) })
	require.NoError(t, err, "a send, receive or Wait in the demo waits for something that never happens")
	return strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
}

// demosEnd runs each demo once, for real, and says whether one never finished.
var demosEnd = sync.OnceValue(func() error {
	for _, d := range demos {
		if err := within(demoLimit, d.name, func() { d.demo(io.Discard) }); err != nil {
			return err
		}
	}
	return nil
})

// requireDemosEnd fails a test that runs the lesson for real at once if a demo never finishes,
// instead of letting the lesson wait out its 5 s limit.
func requireDemosEnd(t *testing.T) {
	t.Helper()
	require.NoError(t, demosEnd(), "a send, receive or Wait in the demo waits for something that never happens")
}

// TestDemoTaskDone_AddsBeforeSending checks, in demos.go's source, that demo 3's producer counts
// its task (tasks.Add) before it sends the item, as Python's put counts it before the item is
// in the queue. Sent first, the item can reach the consumer, and its tasks.Done, before the Add:
// the counter goes below zero (a panic), or tasks.Wait sees zero and returns early. No run
// proves the order: the producer does nothing between the send and the Add that a test could
// hold it at, so which comes first is up to the scheduler (a swapped version panicked in 7 of 20
// runs under -race, and printed the right lines the other 13). So this reads the code, the way
// go vet's checks do.
func TestDemoTaskDone_AddsBeforeSending(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "demos.go", nil, 0)
	require.NoError(t, err)
	var add, send token.Pos
	for _, decl := range file.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Name.Name == "demoTaskDone" {
			ast.Inspect(fn, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Add" && isIdent(sel.X, "tasks") && !add.IsValid() {
						add = n.Pos()
					}
				case *ast.SendStmt:
					if isIdent(n.Chan, "queue") && !send.IsValid() {
						send = n.Pos()
					}
				}
				return true
			})
		}
	}
	require.True(t, add.IsValid(), "demoTaskDone in demos.go has no tasks.Add: nothing counts the task that tasks.Wait waits for")
	require.True(t, send.IsValid(), "demoTaskDone in demos.go has no send on queue")
	assert.Less(t, add, send, "demoTaskDone (%v) sends on queue before it calls tasks.Add (%v): the consumer can receive and call tasks.Done first, taking the counter below zero or letting tasks.Wait return before the work is done; count the task, then send it", fset.Position(send), fset.Position(add))
}

// isIdent reports whether e is the identifier name.
func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// TestQueueDemos_PrintOneOrder runs each demo 100 times with the real scheduler and expects the
// same lines in the same order every time. No sleep and no extra channel orders them: only the
// demo's queue, its WaitGroups and its go statements. Under -race, a print that nothing orders
// against another is also reported as a race.
func TestQueueDemos_PrintOneOrder(t *testing.T) {
	for _, d := range demos {
		t.Run(d.name, func(t *testing.T) {
			for range 100 {
				require.Equal(t, d.want, printed(t, d.name, d.demo))
			}
		})
	}
}

// heldWriter records the lines a demo prints. When the line at is printed, the goroutine that
// printed it is held up there for an hour of synctest's fake clock (the clock jumps only once
// every other goroutine of the demo is durably blocked), and the lines printed by then are kept in
// seen: what the demo's other goroutines could do while that one was stopped right after at.
type heldWriter struct {
	at    string
	mu    sync.Mutex
	lines []string
	seen  []string
}

// Write records one line; fmt.Fprintln writes a line in one call.
func (h *heldWriter) Write(p []byte) (int, error) {
	line := strings.TrimSuffix(string(p), "\n")
	h.mu.Lock()
	h.lines = append(h.lines, line)
	h.mu.Unlock()
	if line == h.at {
		time.Sleep(time.Hour)
		h.mu.Lock()
		h.seen = slices.Clone(h.lines)
		h.mu.Unlock()
	}
	return len(p), nil
}

// TestQueueDemos_Block proves the waiting each demo describes. Inside a synctest bubble it holds
// one goroutine for an hour of fake time right after it prints a line, and checks how far the
// other goroutine got meanwhile: a receive that waits for the send, or a Wait that waits for Done,
// has kept it from printing its next line. (Examples 13–14 prove the full buffer with their own
// select, which TestQueueDemos_PrintOneOrder checks.)
func TestQueueDemos_Block(t *testing.T) {
	tests := []struct {
		name   string
		demo   func(io.Writer)
		at     string // the line after which the demo's producer is held up
		notYet string // the line the other goroutine must not have printed by then
		why    string
	}{
		{"Examples 11–12: the receive waits for the send", demoBlockingGet,
			"Producer putting", "Consumer done",
			"the consumer went on although nothing was sent: its receive did not wait"},
		{"Examples 15–16: the receive waits for the send", demoTaskDone,
			"Producer putting", "Consumer working",
			"the consumer went on although nothing was sent: its receive did not wait"},
		{"Examples 15–16: join waits for task_done", demoTaskDone,
			"Consumer done", "Producer done",
			"the producer went on before the consumer called tasks.Done: its tasks.Wait did not wait for the work"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			printed(t, tt.name, tt.demo) // a demo that never finishes would leave the bubble blocked
			synctest.Test(t, func(t *testing.T) {
				h := &heldWriter{at: tt.at}
				tt.demo(h)
				time.Sleep(2 * time.Hour) // a demo that returned without its join: let the held goroutine end
				require.Contains(t, h.seen, tt.at, "the demo never printed %q", tt.at)
				assert.NotContains(t, h.seen, tt.notYet, "an hour after %q: %s", tt.at, tt.why)
			})
		})
	}
}

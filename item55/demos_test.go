package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestQueueDemos_PrintBookOrder runs each of examples 11–16's demos many times and expects the
// book's line order every time: the order is built from channel operations, not left to the
// scheduler.
func TestQueueDemos_PrintBookOrder(t *testing.T) {
	tests := []struct {
		name string
		demo func(io.Writer)
		want []string
	}{
		{"blocking get", demoBlockingGet, []string{
			"Consumer waiting", "Producer putting", "Producer done", "Consumer done"}},
		{"buffer size 1", demoBufferSize, []string{
			"Producer put 1", "Consumer got 1", "Producer put 2", "Producer done", "Consumer got 2", "Consumer done"}},
		{"task_done and join", demoTaskDone, []string{
			"Consumer waiting", "Producer putting", "Producer waiting", "Consumer working", "Consumer done", "Producer done"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 {
				var out bytes.Buffer
				tt.demo(&out)
				require.Equal(t, tt.want, strings.Split(strings.TrimRight(out.String(), "\n"), "\n"))
			}
		})
	}
}

// Example_blockingGet is the first queue demo: the consumer's receive waits for the send.
func Example_blockingGet() {
	demoBlockingGet(os.Stdout)
	// Output:
	// Consumer waiting
	// Producer putting
	// Producer done
	// Consumer done
}

// Example_bufferSize is the second queue demo: with room for one item, the second send waits.
func Example_bufferSize() {
	demoBufferSize(os.Stdout)
	// Output:
	// Producer put 1
	// Consumer got 1
	// Producer put 2
	// Producer done
	// Consumer got 2
	// Consumer done
}

// Example_taskDone is the third queue demo: join (WaitGroup.Wait) returns after task_done (Done).
func Example_taskDone() {
	demoTaskDone(os.Stdout)
	// Output:
	// Consumer waiting
	// Producer putting
	// Producer waiting
	// Consumer working
	// Consumer done
	// Producer done
}

package main

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
)

// upTo returns 0, 1, …, n-1: every item of a run, each once.
func upTo(n int) []int {
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	return items
}

// TestStartWorkers_ClosesOutputAfterLastWorker runs one stage of the fixed pipeline with 1, 3,
// 4 and 5 workers on channels the test owns. Once the input is closed and drained, the stage
// must close its output, or a range over it waits forever. synctest.Wait returns once every
// goroutine is durably blocked, so a missing close shows at once as a drain that has not
// ended, and the test reports it (and closes the output itself to release the drain) instead
// of hanging.
func TestStartWorkers_ClosesOutputAfterLastWorker(t *testing.T) {
	for _, count := range []int{1, 3, 4, 5} {
		t.Run(fmt.Sprintf("%d workers", count), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				in, out := make(chan int), make(chan int)
				startWorkers(count, download, in, out)
				go func() {
					for _, item := range upTo(100) {
						in <- item
					}
					close(in)
				}()
				var got []int
				drained := make(chan struct{})
				go func() {
					defer close(drained)
					for item := range out {
						got = append(got, item)
					}
				}()

				synctest.Wait()
				select {
				case <-drained:
				default:
					t.Errorf("startWorkers(%d) did not close its output after its input was closed and drained: a range over it waits forever", count)
					close(out) // release the drain, so that the bubble can end
					<-drained
				}
				slices.Sort(got)
				assert.Equal(t, upTo(100), got, "every item passes the stage exactly once")
			})
		})
	}
}

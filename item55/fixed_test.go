package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

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
// 4 and 5 workers on channels the test owns. startWorkers must return at once, before its input
// is fed: the caller goes on to start the next stage and the producer. Once the input is closed
// and drained, the stage must close its output, or a range over it waits forever. synctest.Wait returns once every
// goroutine is durably blocked, so a missing close shows at once as a drain that has not
// ended, and the test reports it (and closes the output itself to release the drain) instead
// of hanging.
func TestStartWorkers_ClosesOutputAfterLastWorker(t *testing.T) {
	requireFixedRuns(t)
	for _, count := range []int{1, 3, 4, 5} {
		t.Run(fmt.Sprintf("%d workers", count), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				in, out := make(chan int), make(chan int)
				var got []int
				drained := make(chan struct{})
				go func() {
					defer close(drained)
					for item := range out {
						got = append(got, item)
					}
				}()
				// startWorkers runs on a goroutine of its own, so that one that waits for its
				// workers before returning fails here instead of blocking the bubble for good.
				returned := make(chan struct{})
				go func() {
					defer close(returned)
					startWorkers(count, download, in, out)
				}()
				synctest.Wait()
				select {
				case <-returned:
				default:
					t.Errorf("startWorkers(%d) did not return before its input was fed: it waits for its workers itself, so its caller cannot go on to feed them (wait and close on a goroutine of its own)", count)
				}
				go func() {
					for _, item := range upTo(100) {
						in <- item
					}
					close(in)
				}()

				synctest.Wait()
				select {
				case <-drained:
				default:
					t.Errorf("startWorkers(%d) did not close its output after its input was closed and drained: a range over it waits forever", count)
					close(out) // release the drain, so that the bubble can end
					<-drained
				}
				<-returned
				slices.Sort(got)
				assert.Equal(t, upTo(100), got, "every item passes the stage exactly once")
			})
		})
	}
}

// stuckAfter is how much fake time a test gives a fixed pipeline before it calls it stuck. The
// runs here need about a second at most, and the fake clock jumps to the bound only once every
// goroutine in the bubble is durably blocked, so a stuck pipeline costs no real time.
const stuckAfter = time.Hour

// untilClosed runs take, which receives from p's done queue until it is closed, inside a
// synctest bubble, and returns its result. If a stage never closes its output (or the producer
// its input), take would wait forever, every goroutine would be durably blocked, and synctest
// would end the whole test binary with its "deadlock: all goroutines in bubble are blocked"
// panic. So untilClosed waits at most stuckAfter of fake time, then releases the pipeline and
// fails the test saying why it was stuck. It never closes a queue someone is waiting to send on
// (that send would panic, "send on closed channel", and end the test binary): it first takes
// whatever waits in the queues until nothing more arrives, which lets every waiting sender
// finish its send. A pipeline that then runs to its end was stuck on a full queue nobody read
// (a producer running on runChannels' own goroutine, before it reads the done queue). Otherwise
// it closes, stage by stage, every queue left open, draining again after each, so that every
// goroutine can end, and names them.
func untilClosed(t *testing.T, p *ChannelPipeline, take func() Result) Result {
	t.Helper()
	done := make(chan Result, 1)
	go func() { done <- take() }()
	select {
	case res := <-done:
		return res
	case <-time.After(stuckAfter):
	}
	queues := []struct {
		name string
		ch   chan int
	}{{"download", p.downloadQueue}, {"resize", p.resizeQueue}, {"upload", p.uploadQueue}, {"done", p.doneQueue}}
	drain := func() {
		for {
			// Every goroutine has done what the last drain or close let it do, work that takes
			// fake time included: the clock jumps only once every other goroutine is blocked.
			// synctest.Wait then orders what they did before this goroutine's closes for the race
			// detector; time passing does not, and a close after a send it did not see is a race.
			time.Sleep(stuckAfter)
			synctest.Wait()
			took := false
			for _, q := range queues {
				took = drainQueue(q.ch) || took
			}
			if !took {
				return
			}
		}
	}
	drain()
	select {
	case res := <-done:
		t.Errorf("the fixed pipeline was stuck for %v of fake time, and ran to its end only once the test took the items waiting in its queues: a send waited on a full queue that nobody was reading yet (does the producer run on a goroutine of its own?)", stuckAfter)
		return res
	default:
	}
	var open []string
	for _, q := range queues {
		if closeIfOpen(q.ch) {
			open = append(open, q.name)
		}
		drain() // the stages that the close let finish have closed what they close
	}
	switch len(open) {
	case 0:
		t.Errorf("the fixed pipeline was stuck for %v of fake time, though every queue was closed", stuckAfter)
	case 1:
		t.Errorf("the fixed pipeline was stuck for %v of fake time: nobody closed the %s queue, so a range over it waited forever",
			stuckAfter, open[0])
	default:
		t.Errorf("the fixed pipeline was stuck for %v of fake time: nobody closed the %s and %s queues, so a range over them waited forever",
			stuckAfter, strings.Join(open[:len(open)-1], ", "), open[len(open)-1])
	}
	return <-done
}

// drainQueue takes every item waiting in ch without waiting for more, and reports whether it took
// any. A sender waiting on ch, full or unbuffered, can then finish its send.
func drainQueue(ch chan int) (took bool) {
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return took
			}
			took = true
		default:
			return took
		}
	}
}

// closeIfOpen closes ch unless it is closed already, and reports whether it did. Call it only
// when nobody sends on ch any more (after drainQueue, once every goroutine is blocked): a
// receive that finds it empty then means it is open.
func closeIfOpen(ch chan int) bool {
	select {
	case _, ok := <-ch:
		if !ok {
			return false
		}
	default:
	}
	close(ch)
	return true
}

package main

import (
	"context"
	"sync/atomic"

	"workbook/item56/life"
)

// failOnceAt is life.FailAt that fails only the first time cell (y, x) is served, so the lesson can
// run the same pool again afterwards and see that it still works.
func failOnceAt(y, x int, err error, io life.IO) life.IO {
	var fired atomic.Bool
	return func(ctx context.Context, cy, cx int) error {
		if e := io.Do(ctx, cy, cx); e != nil {
			return e
		}
		if cy == y && cx == x && fired.CompareAndSwap(false, true) {
			return err
		}
		return nil
	}
}

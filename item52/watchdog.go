package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errWatchdog is the cause of a watchdog context that expired: the code it guarded was still
// blocked, so the watchdog killed that code's children to end the demonstration.
var errWatchdog = errors.New("watchdog expired")

// underWatchdog runs f with a context that expires after limit. Children started with that
// context are killed when it expires, which releases a parent blocked on them; the returned error
// then wraps errWatchdog (an f that finished in time returns its own result, even if the watchdog
// fired just after). This is the lesson's safety net, not part of any listing: it lets `go run`
// show a hang and still end.
func underWatchdog(ctx context.Context, limit time.Duration, f func(watchdog context.Context) error) error {
	watchdog, cancel := context.WithTimeoutCause(ctx, limit, errWatchdog)
	defer cancel()
	err := f(watchdog)
	if err != nil && errors.Is(context.Cause(watchdog), errWatchdog) {
		return fmt.Errorf("%w after %s: %w", errWatchdog, limit, err)
	}
	return err
}

// underSafetyLimit runs the lesson f under a context that expires after limit: a safety net for
// an edited lesson, so a listing that hangs has its children killed and the run ends with an
// error naming the limit, instead of hanging. No healthy run comes near it.
func underSafetyLimit(limit time.Duration, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeoutCause(context.Background(), limit, fmt.Errorf("the lesson ran past its %s safety limit", limit))
	defer cancel()
	if err := f(ctx); err != nil {
		return errors.Join(context.Cause(ctx), err)
	}
	return nil
}

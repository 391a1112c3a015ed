package main

// The -trace flag's helper, which every item with a -trace flag copies word for word
// (CONVENTIONS.md: one helper, one form).

import (
	"os"
	"runtime/trace"
)

// startTrace starts Go's execution tracer (runtime/trace), writing to path for `go tool trace
// path`; an empty path traces nothing. The returned stop ends the trace and closes the file.
func startTrace(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		trace.Stop()
		return f.Close()
	}, nil
}

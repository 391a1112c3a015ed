//go:build !exercise

package main

// exercise is true under `go test -tags exercise`: every test then expects broken.go to behave as
// fixed.go does, so the learner fixes broken.go until the tests pass (README.md, "Your turn").
const exercise = false

//go:build !race

package main

import "os"

// exit ends the test binary; TestMain passes it to goleak.VerifyTestMain. Without -race there is no
// pause at exit to skip (see race_test.go).
func exit(code int) { os.Exit(code) }

//go:build !unix

package main

import "os"

// terminate ends p. Windows has no SIGTERM to send, so this is Process.Kill, as Python's
// Popen.terminate() is there too; the lesson's "Exit status -15" is then an exit code instead.
func terminate(p *os.Process) error {
	return p.Kill()
}

package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"text/tabwriter"
)

// How the lesson prints what it shows: headings, tables and sizes.

// heading starts a section of the lesson.
func heading(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "\n== "+format+" ==\n", args...)
}

// randomInputs returns n slices of size random bytes, like the book's os.urandom(size).
func randomInputs(n, size int) [][]byte {
	inputs := make([][]byte, n)
	for i := range inputs {
		inputs[i] = make([]byte, size)
		_, _ = rand.Read(inputs[i]) // crypto/rand.Read never fails
	}
	return inputs
}

// tail returns the last 10 bytes of b, like the book's out[-10:].
func tail(b []byte) []byte {
	return b[max(0, len(b)-10):]
}

// decryptsTo reports whether decrypting out with the book's password gives back want.
func decryptsTo(out, want []byte) bool {
	plain, err := decrypt(bookPassword, out)
	return err == nil && string(plain) == string(want)
}

// printEncrypted prints one row per encrypt child of listings 6–7.
func printEncrypted(w io.Writer, inputs, outs [][]byte) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "child\toutput\tlast 10 bytes (hex)\tdecrypts to the input")
	for i, out := range outs {
		fmt.Fprintf(tw, "%d\t%d B\t%x\t%s\n", i+1, len(out), tail(out), yesNo(decryptsTo(out, inputs[i])))
	}
	_ = tw.Flush()
}

// printPipelines prints one row per pipeline of listings 9–10: exit statuses and, if withDigest,
// the digest.
func printPipelines(w io.Writer, pipes []*pipeline, withDigest bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "pipeline\tencrypt exit status\thash exit status"
	if withDigest {
		header += "\tdigest\tlast 10 bytes (hex)"
	}
	fmt.Fprintln(tw, header)
	for i, p := range pipes {
		fmt.Fprintf(tw, "%d\t%d\t%d", i+1, exitStatus(p.encrypt.ProcessState), exitStatus(p.hash.ProcessState))
		if withDigest {
			fmt.Fprintf(tw, "\t%d B\t%x", p.digest.Len(), tail(p.digest.Bytes()))
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
}

// yesNo spells a check's result for a person.
func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// byteSize formats a byte count in MiB or KiB when whole, else in bytes.
func byteSize(n int) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

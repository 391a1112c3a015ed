// Command item52 is Effective Python's item 52, "Use subprocess to manage child processes", in Go:
// os/exec runs children in parallel with the parent, pipes connect them, and every wait is bounded.
//
// The children are this same program started again with ITEM52_ROLE set (echo, sleep, encrypt,
// hash), so the lesson needs nothing installed but Go.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Book values and lesson defaults.
const (
	bookSleep     = time.Second                        // the book's `sleep 1`
	bookTick      = 300 * time.Millisecond             // listing 2 works 0.3 s between polls
	bookPassword  = "zf7ShyBhZOraQDdE/FiZpm/m/8f9X+M1" // the book's listing 5
	hungSleep     = 10 * time.Second                   // the book's `sleep 10` in listing 11
	encryptInputs = 3                                  // listings 6–7 and 9–10 start three of each
	smallInput    = 10                                 // listings 6–7: bytes per encrypt child
	pipelineInput = 100                                // listings 9–10: bytes per pipeline
	lastBytes     = 10                                 // the book prints out[-10:]
	maxChildren   = 100                                // -children above this is refused
	minWatchdog   = 100 * time.Millisecond             // -watchdog below this is refused
	maxWait       = hungSleep / 2                      // -timeout and -watchdog above this are refused: listing 11's child must still be asleep
	maxSize       = 64 << 20                           // -size above this is refused: the input is held in memory
)

func main() {
	// A child role is decided before anything else: the child must not run the lesson.
	if role := os.Getenv(roleEnv); role != "" {
		os.Exit(runChild(role, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config holds the lesson's parameters, one per flag.
type config struct {
	children int
	sleep    time.Duration
	timeout  time.Duration
	watchdog time.Duration
	size     int
}

// run parses the flags and runs the lesson, listing by listing, with this program as every child.
// It returns the process exit status: 0, 1 if a child could not be run, 2 for bad flags.
func run(args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("item52", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./item52 [flags]")
		fmt.Fprintln(fs.Output(), "Item 52: run child processes with os/exec — in parallel, joined by pipes, always with a bound on the wait.")
		fs.PrintDefaults()
	}
	fs.IntVar(&cfg.children, "children", 10, "sleeper children in listings 3–4 (the book: 10)")
	fs.DurationVar(&cfg.sleep, "sleep", 200*time.Millisecond, "how long each sleeper sleeps (the book: 1s)")
	fs.DurationVar(&cfg.timeout, "timeout", 100*time.Millisecond, "listing 11's bound on waiting for `sleep 10` (the book: 100ms)")
	fs.DurationVar(&cfg.watchdog, "watchdog", 500*time.Millisecond, "how long a broken listing may hang before the watchdog kills its children")
	fs.IntVar(&cfg.size, "size", 1<<20, "bytes fed to one encrypt child in the deadlock demo")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "item52: unexpected argument %q (this lesson takes only flags; -h lists them)\n", fs.Arg(0))
		return 2
	}
	if msg := cfg.check(); msg != "" {
		fmt.Fprintln(stderr, "item52: "+msg)
		return 2
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "item52: cannot find this program to start it as a child: %v\n", err)
		return 1
	}
	if err := lesson(context.Background(), cfg, self{path: exe}, stdout); err != nil {
		fmt.Fprintf(stderr, "item52: %v\n", err)
		return 1
	}
	return 0
}

// check returns what is wrong with cfg in one line, or "" if nothing is.
func (c config) check() string {
	switch {
	case c.children < 1 || c.children > maxChildren:
		return fmt.Sprintf("-children must be between 1 and %d (got %d)", maxChildren, c.children)
	case c.sleep <= 0:
		return fmt.Sprintf("-sleep must be positive (got %s)", c.sleep)
	case c.timeout <= 0 || c.timeout > maxWait:
		return fmt.Sprintf("-timeout must be positive and at most %s, so listing 11's %s sleeper is still asleep (got %s)", maxWait, hungSleep, c.timeout)
	case c.watchdog < minWatchdog || c.watchdog > maxWait:
		return fmt.Sprintf("-watchdog must be between %s (time for a child to start) and %s (got %s)", minWatchdog, maxWait, c.watchdog)
	case c.size <= 0 || c.size > maxSize:
		return fmt.Sprintf("-size must be between 1 and %d bytes (got %d)", maxSize, c.size)
	}
	return ""
}

// lesson prints every listing in order. An error means a child that should have worked did not.
func lesson(ctx context.Context, cfg config, s self, w io.Writer) error {
	fmt.Fprintln(w, "Every child is this program started again in a role (echo, sleep, encrypt, hash): no openssl needed.")
	scale := ""
	if cfg.sleep != bookSleep {
		scale = fmt.Sprintf(" (the book uses %s; -sleep %s to match)", bookSleep, bookSleep)
	}
	fmt.Fprintf(w, "Sleepers sleep %s%s; the watchdog allows a broken listing %s.\n", cfg.sleep, scale, cfg.watchdog)
	steps := []func(context.Context, config, self, io.Writer) error{
		listingEcho, listingPoll, listingSleepers, listingEncrypt, listingDeadlock, listingPipelines, listingTimeout,
	}
	// Far beyond what any healthy listing needs: only an edit that makes a fixed listing hang
	// meets this limit, and then the run still ends, with an error instead of a hang.
	limit := 10*time.Second + 2*time.Duration(cfg.children)*cfg.sleep
	for _, step := range steps {
		fmt.Fprintln(w)
		stepCtx, cancel := context.WithTimeoutCause(ctx, limit, fmt.Errorf("a listing ran past the %s safety limit", limit))
		err := step(stepCtx, cfg, s, w)
		cause := context.Cause(stepCtx)
		cancel()
		if err != nil && cause != nil {
			return fmt.Errorf("%w: %w", cause, err)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// listingEcho shows listing 1.
func listingEcho(ctx context.Context, _ config, s self, w io.Writer) error {
	fmt.Fprintln(w, "== Listing 1: run `echo`, capture its output, check its exit status ==")
	out, err := runEcho(ctx, s)
	if err != nil {
		return err
	}
	fmt.Fprint(w, out)
	return nil
}

// listingPoll shows listing 2, with the book's 0.3 s tick scaled like the sleep.
func listingPoll(ctx context.Context, cfg config, s self, w io.Writer) error {
	// In float64, so that a long -sleep cannot overflow; at least 1ms, as a ticker needs a
	// positive interval and a shorter one would only flood the screen.
	tick := max(time.Duration(float64(cfg.sleep)*float64(bookTick)/float64(bookSleep)), time.Millisecond)
	fmt.Fprintf(w, "== Listing 2: start `sleep %s`, print Working... every %s until it exits ==\n", cfg.sleep, tick)
	_, err := pollSleeper(ctx, s, cfg.sleep, tick, w)
	return err
}

// listingSleepers shows listings 3–4, broken (one at a time) and fixed (all at once), timed.
func listingSleepers(ctx context.Context, cfg config, s self, w io.Writer) error {
	fmt.Fprintln(w, "== Listings 3–4 (broken): start one sleeper, wait for it, then start the next ==")
	start := time.Now()
	if err := runSleepersOneByOne(ctx, s, cfg.children, cfg.sleep); err != nil {
		return err
	}
	fmt.Fprintf(w, "Finished in %.3f s  (%d × %s, one child at a time)\n", time.Since(start).Seconds(), cfg.children, cfg.sleep)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "== Listings 3–4 (fixed): start all %d sleepers, then wait for each ==\n", cfg.children)
	start = time.Now()
	if err := runSleepers(ctx, s, cfg.children, cfg.sleep); err != nil {
		return err
	}
	fmt.Fprintf(w, "Finished in %.3f s  (1 × %s: they overlap; the book: 1.05 seconds with %s sleeps)\n", time.Since(start).Seconds(), cfg.sleep, bookSleep)
	return nil
}

// listingEncrypt shows listings 5–7: three encrypt children, each fed 10 random bytes.
func listingEncrypt(ctx context.Context, _ config, s self, w io.Writer) error {
	fmt.Fprintf(w, "== Listings 5–7: %d encrypt children, %d random bytes each, the password in their environment ==\n", encryptInputs, smallInput)
	inputs := randomInputs(encryptInputs, smallInput)
	outs, err := runEncrypts(ctx, s, bookPassword, inputs, runEncrypt)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "child\toutput\tlast 10 bytes (hex)\tdecrypts to the input")
	for i, out := range outs {
		fmt.Fprintf(tw, "%d\t%d B\t%x\t%s\n", i+1, len(out), tail(out), yesNo(decryptsTo(out, inputs[i])))
	}
	return tw.Flush()
}

// listingDeadlock shows listing 5's run_encrypt with a large input: broken (write all, then read)
// under the watchdog, and fixed (feed from a goroutine).
func listingDeadlock(ctx context.Context, cfg config, s self, w io.Writer) error {
	data := randomInputs(1, cfg.size)[0]
	fmt.Fprintf(w, "== Listing 5 with %s (broken): write all of stdin, then read stdout ==\n", kib(cfg.size))
	err := underWatchdog(ctx, cfg.watchdog, func(watchdog context.Context) error {
		_, err := runEncrypts(watchdog, s, bookPassword, [][]byte{data}, runEncryptWriteFirst)
		return err
	})
	var fe *feedError
	switch {
	case errors.Is(err, errWatchdog) && errors.As(err, &fe):
		fmt.Fprintf(w, "deadlock: the parent blocked writing stdin after %s of %s; the child blocked writing a stdout nobody read\n", kib(fe.written), kib(fe.total))
		fmt.Fprintf(w, "The watchdog killed the child after %s; the write then failed and the run went on.\n", cfg.watchdog)
	case errors.Is(err, errWatchdog):
		fmt.Fprintf(w, "the watchdog fired after %s, before the child got going (try a longer -watchdog): %v\n", cfg.watchdog, err)
	case err != nil:
		return err
	default:
		fmt.Fprintf(w, "no deadlock: %s fits in the pipes' buffers (try a larger -size)\n", kib(cfg.size))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "== Listing 5 with %s (fixed): feed stdin from a goroutine while reading stdout ==\n", kib(cfg.size))
	outs, err := runEncrypts(ctx, s, bookPassword, [][]byte{data}, runEncrypt)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d B out (%d B IV + %d B ciphertext); decrypts to the input: %s\n", len(outs[0]), ivSize, len(outs[0])-ivSize, yesNo(decryptsTo(outs[0], data)))
	return nil
}

// listingPipelines shows listings 8–10: broken (the parent keeps the pipe's write end) under the
// watchdog, and fixed (the parent closes its copies).
func listingPipelines(ctx context.Context, cfg config, s self, w io.Writer) error {
	fmt.Fprintf(w, "== Listings 8–10 (broken): %d encrypt → hash pipelines; the parent keeps its copy of each pipe ==\n", encryptInputs)
	var results []pipelineResult
	err := underWatchdog(ctx, cfg.watchdog, func(watchdog context.Context) error {
		var err error
		results, err = runPipelines(watchdog, s, bookPassword, randomInputs(encryptInputs, pipelineInput), startPipelineKeepWriteEnd)
		return err
	})
	switch {
	case errors.Is(err, errWatchdog):
		fmt.Fprintf(w, "deadlock: the hash children waited for an EOF our open write end withheld; the watchdog killed them after %s\n", cfg.watchdog)
		printPipelines(w, results, false)
	case err != nil:
		return err
	default:
		return errors.New("the broken pipelines finished: expected the hash children to hang")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "== Listings 8–10 (fixed): the parent closes its copies of each pipe once both children run ==\n")
	results, err = runPipelines(ctx, s, bookPassword, randomInputs(encryptInputs, pipelineInput), startPipeline)
	if err != nil {
		return err
	}
	printPipelines(w, results, true)
	return nil
}

// printPipelines prints one row per pipeline: exit statuses and, if withDigest, the digest.
func printPipelines(w io.Writer, results []pipelineResult, withDigest bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "pipeline\tencrypt exit status\thash exit status"
	if withDigest {
		header += "\tdigest\tlast 10 bytes (hex)"
	}
	fmt.Fprintln(tw, header)
	for i, r := range results {
		row := fmt.Sprintf("%d\t%d\t%d", i+1, r.encryptStatus, r.hashStatus)
		if withDigest {
			row += fmt.Sprintf("\t%d B\t%x", len(r.digest), tail(r.digest))
		}
		fmt.Fprintln(tw, row)
	}
	_ = tw.Flush()
}

// listingTimeout shows listing 11: broken (no bound) under the watchdog, then fixed (timeout,
// SIGTERM, WaitDelay).
func listingTimeout(ctx context.Context, cfg config, s self, w io.Writer) error {
	fmt.Fprintf(w, "== Listing 11 (broken): start `sleep %s` and wait with no timeout ==\n", hungSleep)
	var ps *os.ProcessState
	err := underWatchdog(ctx, cfg.watchdog, func(watchdog context.Context) error {
		var err error
		ps, err = waitSleeperNoTimeout(watchdog, s, hungSleep)
		return err
	})
	if !errors.Is(err, errWatchdog) {
		return fmt.Errorf("expected the watchdog to end the wait, got: %w", err)
	}
	fmt.Fprintf(w, "hung: Wait still blocked after %s (a hung child would block it forever); the watchdog killed the child\n", cfg.watchdog)
	fmt.Fprintln(w, "Exit status", exitStatus(ps))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "== Listing 11 (fixed): a %s timeout; Cancel sends SIGTERM, WaitDelay %s ==\n", cfg.timeout, waitDelay)
	ps, err = waitSleeperWithTimeout(ctx, s, hungSleep, cfg.timeout)
	if err == nil {
		return errors.New("the sleeper finished before its timeout")
	}
	fmt.Fprintf(w, "Exit status %d  (the book: Exit status -15; Go's ProcessState.ExitCode() says %d)\n", exitStatus(ps), ps.ExitCode())
	return nil
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

// tail returns the last lastBytes bytes of b, like Python's b[-10:].
func tail(b []byte) []byte {
	return b[max(0, len(b)-lastBytes):]
}

// decryptsTo reports whether decrypting out with the book's password gives back want.
func decryptsTo(out, want []byte) bool {
	plain, err := decrypt(bookPassword, out)
	return err == nil && string(plain) == string(want)
}

// yesNo spells a check's result for a person.
func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// kib formats a byte count in KiB (or MiB when whole), the unit pipe buffers are measured in.
func kib(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n%1024 == 0 {
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f KiB", float64(n)/1024), ".0")
}

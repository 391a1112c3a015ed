package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// The pieces shared by the broken and fixed encrypt and pipeline listings. Each pair in broken.go
// and fixed.go differs only in how it starts its children; what happens afterwards lives here, so
// a test can run the same steps over both.

// encryptProc is a started encrypt child: the Go counterpart of the Popen object that the book's
// run_encrypt returns.
type encryptProc struct {
	cmd    *exec.Cmd
	stdout io.ReadCloser
	// fed delivers, once, the result of writing the data to the child's stdin.
	fed chan error
}

// encryptStarter starts one encrypt child for data: runEncryptWriteFirst or runEncrypt.
type encryptStarter func(ctx context.Context, s self, password string, data []byte) (*encryptProc, error)

// communicate is Popen.communicate() for an encrypt child: read stdout to EOF, collect the result
// of feeding stdin, then Wait. The order matters. Wait closes the stdout pipe once the child has
// exited, so output not yet read would be lost; and a child blocked writing to a full stdout pipe
// never exits, so waiting before reading would hang.
func (p *encryptProc) communicate() ([]byte, error) {
	out, readErr := io.ReadAll(p.stdout)
	fedErr := <-p.fed
	var waitErr error
	if err := p.cmd.Wait(); err != nil {
		waitErr = fmt.Errorf("encrypt child: %w", err)
	}
	return out, errors.Join(fedErr, readErr, waitErr)
}

// feedError reports how far writing a child's stdin got before it failed.
type feedError struct {
	written, total int
	err            error
}

// Error says how many bytes reached the child and why the rest did not.
func (e *feedError) Error() string {
	return fmt.Sprintf("stdin: wrote %d of %d bytes: %v", e.written, e.total, e.err)
}

// Unwrap gives errors.Is and errors.As the underlying write error.
func (e *feedError) Unwrap() error { return e.err }

// feed writes data to a child's stdin and closes it, so the child sees EOF and can finish.
func feed(stdin io.WriteCloser, data []byte) error {
	n, err := stdin.Write(data)
	closeErr := stdin.Close()
	if err != nil {
		return &feedError{written: n, total: len(data), err: err}
	}
	return closeErr
}

// newEncrypt returns an unstarted encrypt child with the password in its environment — never in
// argv, which every user of the machine can read with `ps`.
func newEncrypt(ctx context.Context, s self, password string) *exec.Cmd {
	cmd := s.command(ctx, roleEncrypt)
	cmd.Env = append(cmd.Env, passwordEnv+"="+password)
	return cmd
}

// runEncrypts is the book's listings 6–7: start one encrypt child per input, all of them first,
// then communicate with each in turn. It returns each child's output (IV, then ciphertext).
func runEncrypts(ctx context.Context, s self, password string, inputs [][]byte, start encryptStarter) ([][]byte, error) {
	var procs []*encryptProc
	var errs []error
	for i, data := range inputs {
		p, err := start(ctx, s, password, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("encrypt child %d: %w", i, err))
			break // still communicate below with those already started, so none is left behind
		}
		procs = append(procs, p)
	}
	outs := make([][]byte, len(procs))
	for i, p := range procs {
		out, err := p.communicate()
		if err != nil {
			errs = append(errs, fmt.Errorf("encrypt child %d: %w", i, err))
		}
		outs[i] = out
	}
	return outs, errors.Join(errs...)
}

// runHash is the book's listing 8: an unstarted hash child reading the given stdin. Its output,
// the 32-byte digest, collects in the returned buffer (exec copies it there from a goroutine).
func runHash(ctx context.Context, s self, stdin *os.File) (*exec.Cmd, *bytes.Buffer) {
	cmd := s.command(ctx, roleHash)
	cmd.Stdin = stdin // an *os.File is handed to the child as is: no copying goroutine, no buffer
	var digest bytes.Buffer
	cmd.Stdout = &digest
	return cmd, &digest
}

// pipeline is one started encrypt → hash pair of the book's listings 9–10.
type pipeline struct {
	encrypt, hash *exec.Cmd
	digest        *bytes.Buffer
	// closeAfterWait holds pipe ends the parent still has open once both children are running.
	closeAfterWait []*os.File
}

// pipelineStarter starts one pipeline for data: startPipelineKeepWriteEnd or startPipeline.
type pipelineStarter func(ctx context.Context, s self, password string, data []byte) (*pipeline, error)

// startBoth starts both children of p; if the second fails, it kills and reaps the first.
func (p *pipeline) startBoth() error {
	if err := p.encrypt.Start(); err != nil {
		return fmt.Errorf("encrypt child: %w", err)
	}
	if err := p.hash.Start(); err != nil {
		_ = p.encrypt.Process.Kill()
		_ = p.encrypt.Wait()
		return fmt.Errorf("hash child: %w", err)
	}
	return nil
}

// pipelineResult is what one pipeline produced: the digest and both exit statuses.
type pipelineResult struct {
	digest                    []byte
	encryptStatus, hashStatus int
}

// runPipelines is the book's listings 9–10: start one encrypt → hash pipeline per input, then wait
// for every encrypt child, then every hash child; both exit statuses must be 0.
func runPipelines(ctx context.Context, s self, password string, inputs [][]byte, start pipelineStarter) ([]pipelineResult, error) {
	var pipes []*pipeline
	var errs []error
	for i, data := range inputs {
		p, err := start(ctx, s, password, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("pipeline %d: %w", i, err))
			break // still wait below for those already started, so none is left behind
		}
		pipes = append(pipes, p)
	}
	for i, p := range pipes {
		if err := p.encrypt.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("pipeline %d: encrypt child: %w", i, err))
		}
	}
	results := make([]pipelineResult, len(pipes))
	for i, p := range pipes {
		if err := p.hash.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("pipeline %d: hash child: %w", i, err))
		}
		closeAll(p.closeAfterWait...)
		results[i] = pipelineResult{
			digest:        p.digest.Bytes(),
			encryptStatus: exitStatus(p.encrypt.ProcessState),
			hashStatus:    exitStatus(p.hash.ProcessState),
		}
	}
	return results, errors.Join(errs...)
}

// closeAll closes files, ignoring errors: it is only used on pipe ends the parent is done with.
func closeAll(files ...*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The child roles, run in-process: runChild takes its environment, stdin and stdout as
// parameters, so the stand-ins for echo, sleep, openssl enc and openssl dgst are checked without
// starting a process. (The proofs start them as real children.)

// TestRunChild_Roles checks each role's output and exit status, including the ways to start one
// wrongly.
func TestRunChild_Roles(t *testing.T) {
	abc := sha256.Sum256([]byte("abc"))
	tests := []struct {
		name       string
		role       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string // a substring; "" means stderr must be empty
	}{
		{"echo prints its arguments", roleEcho, []string{"Hello", "from", "the", "child!"}, "", 0, "Hello from the child!\n", ""},
		{"sleep sleeps", roleSleep, []string{"1ms"}, "", 0, "", ""},
		{"sleep needs a duration", roleSleep, []string{"1"}, "", usageCode, "", "missing unit"},
		{"hash is SHA-256, 32 raw bytes", roleHash, nil, "abc", 0, string(abc[:]), ""},
		{"encrypt needs the password in its environment", roleEncrypt, nil, "secret", usageCode, "", "no password in the environment"},
		{"an unknown role is refused", "whirlpool", nil, "", usageCode, "", `unknown role "whirlpool"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			noEnv := func(string) string { return "" } // an empty environment: the encrypt row checks a missing password is refused
			code := runChild(tt.role, tt.args, noEnv, strings.NewReader(tt.stdin), &stdout, &stderr)
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantStdout, stdout.String())
			if tt.wantStderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), tt.wantStderr)
			}
		})
	}
}

// TestEncryptChild_RoundTrips checks the encrypt role: the output is a fresh random IV and the
// ciphertext, the same input never encrypts the same way twice, and decrypt undoes it — but only
// with the right password.
func TestEncryptChild_RoundTrips(t *testing.T) {
	plain := []byte("attack at dawn, 10 bytes and then some")
	encrypt := func() []byte {
		var out bytes.Buffer
		require.NoError(t, encryptChild(bookPassword, bytes.NewReader(plain), &out))
		return out.Bytes()
	}
	first, second := encrypt(), encrypt()
	assert.Len(t, first, ivSize+len(plain))
	assert.NotEqual(t, first, second, "a fresh IV each time")
	for _, out := range [][]byte{first, second} {
		got, err := decrypt(bookPassword, out)
		require.NoError(t, err)
		assert.Equal(t, plain, got)
	}
	wrong, err := decrypt("not the password", first)
	require.NoError(t, err)
	assert.NotEqual(t, plain, wrong)
	_, err = decrypt(bookPassword, first[:ivSize-1])
	assert.ErrorContains(t, err, fmt.Sprintf("shorter than its %d-byte IV", ivSize))
}

// TestAwaitBarrier_GivesUpAlone checks the tests' barrier: a sleeper alone gives up within its
// bound and says how many had started; with n already there it passes at once.
func TestAwaitBarrier_GivesUpAlone(t *testing.T) {
	dir := t.TempDir()
	err := awaitBarrier("2,20ms," + dir)
	require.ErrorIs(t, err, errBarrier)
	assert.ErrorContains(t, err, "1 of 2 sleepers started within 20ms")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "another sleeper"), nil, 0o600))
	assert.NoError(t, awaitBarrier("2,20ms,"+dir), "with a second sleeper's file there, the barrier is full")
}

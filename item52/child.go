package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"time"
)

// This file is the child side. The book's children are `echo`, `sleep` and `openssl`; a fresh
// machine may lack openssl (and OpenSSL 3 has no whirlpool anyway), so this program plays all of
// them itself: started with ITEM52_ROLE in its environment, it does one small job and exits. They
// are still real, separate processes with their own pid, stdin, stdout and exit status — only the
// program file is the same.

// Environment variables that configure a child. The role is read at the very start of main (and
// of TestMain, so the test binary can be the child too).
const (
	roleEnv     = "ITEM52_ROLE" // echo, sleep, encrypt or hash
	passwordEnv = "password"    // the encrypt child's password, named as in the book's `-pass env:password`
	usageCode   = 2             // exit status of a child started wrongly
	ivSize      = aes.BlockSize // the encrypt child's output starts with a random IV this long
	roleEcho    = "echo"        // prints its arguments, like echo(1)
	roleSleep   = "sleep"       // sleeps for its argument (a Go duration), like sleep(1)
	roleEncrypt = "encrypt"     // stands in for `openssl enc -pass env:password`
	roleHash    = "hash"        // stands in for `openssl dgst -sha256 -binary`
	bookPhrase  = "Hello from the child!"
)

// runChild does the job of one child role and returns the process exit status. Everything comes
// in as parameters so tests can run a role in-process as well as in a real child.
func runChild(role string, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	var err error
	switch role {
	case roleEcho:
		_, err = fmt.Fprintln(stdout, strings.Join(args, " "))
	case roleSleep:
		err = sleepChild(args)
	case roleEncrypt:
		err = encryptChild(getenv(passwordEnv), stdin, stdout)
	case roleHash:
		err = hashChild(stdin, stdout)
	default:
		err = fmt.Errorf("unknown role %q (want echo, sleep, encrypt or hash)", role)
	}
	if err != nil {
		fmt.Fprintf(stderr, "item52 %s child: %v\n", role, err)
		return usageCode
	}
	return 0
}

// sleepChild sleeps for the duration in args[0].
func sleepChild(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("want one argument, a duration such as 1s; got %q", args)
	}
	d, err := time.ParseDuration(args[0])
	if err != nil {
		return err
	}
	time.Sleep(d)
	return nil
}

// encryptChild encrypts stdin to stdout with AES-256 in CTR mode. The key is SHA-256 of the
// password, which comes from the environment, never from argv: any user on the machine can read
// another process's argv (`ps -ef`), but not its environment.
//
// CTR is a stream mode: each block read is written out at once. That matters for this item —
// a child that streams is exactly the kind that deadlocks a parent which writes all of stdin before
// reading stdout. (AES-GCM would add integrity, but it must see the whole message before it can
// emit its tag; and a real tool would use a slow KDF such as crypto/pbkdf2, not one SHA-256.)
func encryptChild(password string, stdin io.Reader, stdout io.Writer) error {
	if password == "" {
		return fmt.Errorf("no password in the environment (set %s)", passwordEnv)
	}
	iv := make([]byte, ivSize)
	if _, err := rand.Read(iv); err != nil {
		return err
	}
	if _, err := stdout.Write(iv); err != nil {
		return err
	}
	block, err := aes.NewCipher(deriveKey(password))
	if err != nil {
		return err
	}
	w := cipher.StreamWriter{S: cipher.NewCTR(block, iv), W: stdout}
	_, err = io.Copy(w, stdin)
	return err
}

// deriveKey turns a password into a 32-byte AES-256 key.
func deriveKey(password string) []byte {
	key := sha256.Sum256([]byte(password))
	return key[:]
}

// decrypt reverses encryptChild: the parent uses it to check a child's output.
func decrypt(password string, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) < ivSize {
		return nil, fmt.Errorf("ciphertext is %d bytes, shorter than its %d-byte IV", len(ciphertext), ivSize)
	}
	block, err := aes.NewCipher(deriveKey(password))
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(ciphertext)-ivSize)
	cipher.NewCTR(block, ciphertext[:ivSize]).XORKeyStream(plain, ciphertext[ivSize:])
	return plain, nil
}

// hashChild writes the SHA-256 digest of all of stdin, 32 raw bytes, like
// `openssl dgst -sha256 -binary`. It can only finish once stdin reaches EOF.
func hashChild(stdin io.Reader, stdout io.Writer) error {
	h := sha256.New()
	if _, err := io.Copy(h, stdin); err != nil {
		return err
	}
	_, err := stdout.Write(h.Sum(nil))
	return err
}

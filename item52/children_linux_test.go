package main

import (
	"os"
	"strconv"
	"strings"
)

// leftoverChildren lists this process's child processes — running, or dead but never waited for
// (zombies) — by reading each /proc/<pid>/stat and keeping those whose parent is us.
func leftoverChildren() ([]string, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	me := strconv.Itoa(os.Getpid())
	var left []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue // not a process
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // it ended while we looked
		}
		// The fields after the command name (which may hold spaces, in parentheses) are
		// state, then parent pid.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) >= 2 && fields[1] == me {
			left = append(left, "pid "+e.Name()+" state "+fields[0])
		}
	}
	return left, nil
}

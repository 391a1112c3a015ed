package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// procFigures is what Linux's /proc says about this process (and the machine's kernel stacks).
type procFigures struct {
	rss, vsize, kernelStack int64 // bytes
	threads                 int64
	err                     error
}

// readProc reads VmRSS, VmSize and Threads from /proc/self/status and KernelStack from
// /proc/meminfo (proc(5)). Elsewhere than Linux it returns errNoProc.
func readProc() procFigures {
	status, err := procFields("/proc/self/status", "VmRSS", "VmSize", "Threads")
	if err != nil {
		return procFigures{err: errNoProc}
	}
	meminfo, err := procFields("/proc/meminfo", "KernelStack")
	if err != nil {
		return procFigures{err: errNoProc}
	}
	return procFigures{rss: status[0], vsize: status[1], threads: status[2], kernelStack: meminfo[0]}
}

// procFields reads the named "Key: value [kB]" lines of a /proc file, in bytes where the unit is kB.
func procFields(file string, keys ...string) ([]int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	values := make([]int64, len(keys))
	found := 0
	for s := bufio.NewScanner(f); s.Scan(); {
		key, value, _ := strings.Cut(s.Text(), ":")
		for i, k := range keys {
			if key != k {
				continue
			}
			fields := strings.Fields(value)
			if len(fields) == 0 {
				return nil, fmt.Errorf("%s: %s has no value", file, key)
			}
			n, err := strconv.ParseInt(fields[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", file, key, err)
			}
			if len(fields) > 1 && fields[1] == "kB" {
				n *= 1024
			}
			values[i] = n
			found++
		}
	}
	if found != len(keys) {
		return nil, fmt.Errorf("%s: want %v, found %d of them", file, keys, found)
	}
	return values, nil
}

// sysctl reads one number from /proc/sys (for example "kernel/threads-max"), or -1 if it cannot.
func sysctl(name string) int {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return n
}

// freeTasks is how many more threads the kernel lets this machine start: the smaller of
// kernel.threads-max and kernel.pid_max (every thread takes a task and an ID) minus the tasks that
// exist now (the fourth field of /proc/loadavg, proc(5)), or -1 if it cannot tell.
func freeTasks() int {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(b))
	if len(fields) < 4 {
		return -1
	}
	_, total, _ := strings.Cut(fields[3], "/")
	tasks, err := strconv.Atoi(total)
	limit := min(sysctl("kernel/threads-max"), sysctl("kernel/pid_max"))
	if err != nil || limit < 0 {
		return -1
	}
	return limit - tasks
}

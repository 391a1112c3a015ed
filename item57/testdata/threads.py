"""What a thread per cell holds in CPython, measured as item57's lesson measures Go: start N
threads that each block (as a cell's thread blocks in its I/O), read VmRSS, VmSize and Threads from
/proc/self/status while they wait, then release them. Linux only.

    python3 item57/testdata/threads.py [cells]    (default 10000)
"""
import sys
import threading
import time


def status():
    figures = {}
    with open('/proc/self/status') as f:
        for line in f:
            key, _, value = line.partition(':')
            if key in ('VmRSS', 'VmSize', 'Threads'):
                figures[key] = int(value.split()[0]) * (1024 if 'kB' in value else 1)
    return figures


def main():
    cells = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    release = threading.Event()
    arrived = threading.Semaphore(0)

    def cell():
        arrived.release()
        release.wait()  # the I/O in flight

    before = status()
    start = time.perf_counter()
    threads = [threading.Thread(target=cell) for _ in range(cells)]
    for t in threads:
        t.start()
    for _ in range(cells):
        arrived.acquire()
    took = time.perf_counter() - start
    after = status()
    release.set()
    for t in threads:
        t.join()

    per = lambda key: (after[key] - before[key]) / cells
    print(f'Python {sys.version.split()[0]}, {cells:,} threads: '
          f'{per("VmRSS") / 1024:.1f} KiB resident each, {per("VmSize") / 2**20:.1f} MiB virtual each, '
          f'{after["Threads"] - before["Threads"]:,} OS threads added, {took / cells * 1e6:.0f} µs to start each')


if __name__ == '__main__':
    main()

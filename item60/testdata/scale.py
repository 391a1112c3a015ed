"""One generation of the book's item 60 code at a larger size: its time and memory per coroutine.

Usage: python3 scale.py path/to/item_60.py CELLS [--memory]

Loads the book's example code unchanged (its Grid, count_neighbors, step_cell and simulate) and,
as the book's own Example 5 does, replaces game_logic, here with one that waits LATENCY with
asyncio.sleep, the book's stand-in for 100 ms of I/O. It runs one generation of a grid of CELLS
cells (100 x 100 for 10,000) as the book's driver does, asyncio.run(simulate(grid)), and prints
its wall time. With --memory it instead measures, with tracemalloc, the Python memory allocated
while every cell's coroutine is waiting, divided by the number of cells (tracemalloc slows the
run, so the two are measured separately).
"""
import asyncio
import sys
import time
import tracemalloc

LATENCY = 0.1  # seconds: the book's 100 ms

book = {'__name__': 'book'}
with open(sys.argv[1]) as f:
    exec(compile(f.read(), 'item_60.py', 'exec'), book)  # prints the book's own tables

cells = int(sys.argv[2])
memory = '--memory' in sys.argv[3:]
width = 100 if cells % 100 == 0 else cells
tally = {'waiting': 0, 'during': 0}


async def game_logic(state, neighbors):
    tally['waiting'] += 1
    if memory and tally['waiting'] == cells:
        tally['during'] = tracemalloc.get_traced_memory()[0]
    await asyncio.sleep(LATENCY)
    return state


book['game_logic'] = game_logic
grid = book['Grid'](cells // width, width)
if memory:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
start = time.perf_counter()
asyncio.run(book['simulate'](grid))
took = time.perf_counter() - start
version = sys.version.split()[0]
if memory:
    per = (tally['during'] - before) / cells
    print(f'Python {version}: {cells:,} cells, {per:.0f} B allocated per waiting coroutine (tracemalloc)')
else:
    print(f'Python {version}: {cells:,} cells, one generation took {took * 1000:.0f} ms')

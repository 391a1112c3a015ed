"""Do the book's item 60 coroutines keep running after one cell fails?

Usage: python3 gather_cancel.py path/to/item_60.py [--one-loop]

Loads the book's example code unchanged (its Grid, count_neighbors, step_cell and simulate) and,
as the book's own Example 5 does, replaces game_logic: its first call (cell (0, 0), the first task
gather schedules) fails once every other cell's I/O has begun; every other call waits LATENCY.

By default it runs the book's driver, asyncio.run(simulate(grid)) once per generation. With
--one-loop it runs all generations inside a single asyncio.run and, after the error, stays in the
loop for 2 x LATENCY. It prints how soon the error arrived and how the other cells' I/O ended.
"""
import asyncio
import sys
import time

LATENCY = 0.1  # seconds: the book's 100 ms

book = {'__name__': 'book'}
with open(sys.argv[1]) as f:
    exec(compile(f.read(), 'item_60.py', 'exec'), book)  # prints the book's own tables

cells = 5 * 9
tally = {'calls': 0, 'begun': 0, 'finished': 0, 'cancelled': 0}


async def game_logic(state, neighbors):
    tally['calls'] += 1
    if tally['calls'] == 1:
        while tally['begun'] < cells - 1:
            await asyncio.sleep(0)
        raise OSError('Problem with I/O')
    tally['begun'] += 1
    try:
        await asyncio.sleep(LATENCY)
    except asyncio.CancelledError:
        tally['cancelled'] += 1
        raise
    tally['finished'] += 1
    return state


book['game_logic'] = game_logic


def glider():
    grid = book['Grid'](5, 9)
    for y, x in [(0, 3), (1, 4), (2, 2), (2, 3), (2, 4)]:
        grid.set(y, x, book['ALIVE'])
    return grid


async def one_loop(grid):
    try:
        for _ in range(5):
            grid = await book['simulate'](grid)
    except OSError as e:
        took = time.perf_counter() - start
        await asyncio.sleep(2 * LATENCY)
        return e, took


start = time.perf_counter()
if '--one-loop' in sys.argv[2:]:
    how = 'one asyncio.run for all generations'
    error, took = asyncio.run(one_loop(glider()))
else:
    how = "the book's driver, asyncio.run per generation"
    grid = glider()
    try:
        for _ in range(5):
            grid = asyncio.run(book['simulate'](grid))
    except OSError as e:
        error, took = e, time.perf_counter() - start
    time.sleep(2 * LATENCY)
print(f'Python {sys.version.split()[0]}, {how}: {error!r} after {took * 1000:.1f} ms; '
      f'of the other {cells - 1} cells\' I/O: {tally["finished"]} finished, '
      f'{tally["cancelled"]} cancelled')

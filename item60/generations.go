package main

import (
	"context"
	"time"

	"workbook/item56/life"
)

// timedTable runs the book's driver with simulate and returns the table and the time per
// generation. As the book runs asyncio.run once per generation, each generation is a call of its own.
func timedTable(ctx context.Context, io life.CellIO) (string, time.Duration, error) {
	start := time.Now()
	table, err := life.Table(func(g *life.Grid) (*life.Grid, error) { return simulate(ctx, io, g) })
	return table, (time.Since(start) / life.Generations).Round(time.Millisecond), err
}

// chartGeneration runs one more generation of the glider with its I/O recorded (life.Timeline) and
// returns the chart of the calls in flight over time, one column per latency.
func chartGeneration(ctx context.Context, latency time.Duration) (string, error) {
	glider, tl := life.Glider(), life.NewTimeline()
	_, err := simulate(ctx, life.CellIO{Logic: life.Recorded(life.Latency(latency), tl)}, glider)
	return tl.Chart(latency, glider.Cells()), err
}

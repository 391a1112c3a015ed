package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"workbook/item56/life"
)

// runLimit is the longest generation the limit table runs for real; longer ones are only predicted
// (TestSimulatePool_GenerationTakesWavesTimesLatency proves them on the fake clock).
const runLimit = time.Second

// limitRow is one line of the limit table: a grid, and the pool's limit (-1: none).
type limitRow struct {
	grid  *life.Grid
	limit int
}

// limitTable prints the book's warning in numbers: a generation takes ⌈cells/limit⌉ × latency, so
// a limit of 10 — or even 100 — cannot serve 10,000 cells at once. The last row has no limit: a
// goroutine per cell, which is item 60.
func limitTable(ctx context.Context, w io.Writer, latency time.Duration, limit int) error {
	fmt.Fprintf(w, "== The limit in numbers: one generation, latency %v ==\n", latency)
	glider, big := life.Glider(), life.NewGrid(100, 100) // 45 cells, and the book's 10,000
	rows := []limitRow{{glider, limit}, {big, limit}}
	if limit != 100 {
		rows = append(rows, limitRow{big, 100}) // the book: "even 100 won't serve 10,000"
	}
	rows = append(rows, limitRow{big, -1})

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cells\tlimit\twaves ⌈cells/limit⌉\t× latency\tmeasured\t")
	for _, r := range rows {
		n, name := 1, "none"
		if r.limit > 0 {
			n, name = waves(r.grid.Cells(), r.limit), strconv.Itoa(r.limit)
		}
		predicted := time.Duration(n) * latency
		measured := "not run (longer than " + runLimit.String() + ")"
		if predicted <= runLimit {
			start := time.Now()
			if _, err := simulatePool(ctx, r.limit, life.CellIO{Logic: life.Latency(latency)}, r.grid); err != nil {
				return err
			}
			measured = time.Since(start).Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t\n", life.Thousands(r.grid.Cells()), name, life.Thousands(n), predicted, measured)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "limit none is a goroutine per cell: item60's strategy, one latency for any number of cells.")
	return nil
}

// waves is ⌈cells/limit⌉: how many waves of at most limit cells a generation of cells cells takes.
func waves(cells, limit int) int { return (cells + limit - 1) / limit }

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

// bigGrid is the book's "10,000 simultaneous cells".
const bigGrid = 10_000

// limitTable prints the book's warning in numbers: a generation takes ⌈cells/limit⌉ × latency, so
// a limit of 10 — or even 100 — cannot serve 10,000 cells at once. The last row has no limit: a
// goroutine per cell, which is item 60.
func limitTable(ctx context.Context, w io.Writer, latency time.Duration, limit int) error {
	fmt.Fprintf(w, "== The limit in numbers: one generation, latency %v ==\n", latency)
	rows := [][2]int{{45, limit}, {bigGrid, limit}}
	if limit != 100 {
		rows = append(rows, [2]int{bigGrid, 100}) // the book: "even 100 won't serve 10,000"
	}
	rows = append(rows, [2]int{bigGrid, -1})

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cells\tlimit\twaves ⌈cells/limit⌉\t× latency\tmeasured\t")
	for _, r := range rows {
		cells, limit := r[0], r[1]
		waves, name := 1, "none"
		if limit > 0 {
			waves, name = ceilDiv(cells, limit), strconv.Itoa(limit)
		}
		predicted := time.Duration(waves) * latency
		measured := "not run (longer than " + runLimit.String() + ")"
		if predicted <= runLimit {
			start := time.Now()
			if _, err := simulatePool(ctx, limit, life.CellIO{Logic: life.Latency(latency)}, gridFor(cells)); err != nil {
				return err
			}
			measured = time.Since(start).Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t\n", life.Thousands(cells), name, life.Thousands(waves), predicted, measured)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "limit none is a goroutine per cell: item60's strategy, one latency for any number of cells.")
	return nil
}

// gridFor returns an empty grid of exactly cells cells, as square as the number allows.
func gridFor(cells int) *life.Grid {
	height := 1
	for h := 1; h*h <= cells; h++ {
		if cells%h == 0 {
			height = h
		}
	}
	return life.NewGrid(height, cells/height)
}

// ceilDiv is ⌈a/b⌉ for positive numbers: how many waves of b tasks a tasks need.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

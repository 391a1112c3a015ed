package main

import (
	"testing"

	"workbook/item56/life"
)

// What a goroutine per cell costs in time, with the I/O taken away: a 10,000-cell generation,
// reported as ns/cell. Run: go test -bench . -benchtime=20x ./item60
func BenchmarkSimulate_PerCell(b *testing.B) {
	grid := life.NewGrid(1, 10_000)
	for b.Loop() {
		if _, err := simulate(b.Context(), life.CellIO{}, grid); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*grid.Cells()), "ns/cell")
}

// What a goroutine per cell costs in memory while it waits for its I/O: 10,000 cells parked at once,
// reported as bytes/goroutine (stack and heap) and stack-bytes/goroutine. Run with
// -benchtime=5x: each iteration collects garbage twice.
func BenchmarkSimulate_MemoryPerGoroutine(b *testing.B) {
	const cells = 10_000
	var total, stack float64
	for b.Loop() {
		cost, err := memoryPerGoroutine(b.Context(), cells)
		if err != nil {
			b.Fatal(err)
		}
		total += cost.stack + cost.heap
		stack += cost.stack
	}
	b.ReportMetric(total/float64(b.N), "bytes/goroutine")
	b.ReportMetric(stack/float64(b.N), "stack-bytes/goroutine")
}

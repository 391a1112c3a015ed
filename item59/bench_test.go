package main

import (
	"testing"

	"workbook/item56/life"
)

// What the pool itself costs per cell, with the I/O taken away: a 10,000-cell generation at limit
// 10, reported as ns/cell. Run: go test -bench . -benchtime=20x ./item59
func BenchmarkSimulatePool_PerCell(b *testing.B) {
	grid := life.NewGrid(100, 100)
	for b.Loop() {
		if _, err := simulatePool(b.Context(), 10, life.CellIO{}, grid); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*grid.Cells()), "ns/cell")
}

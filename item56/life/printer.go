package life

import (
	"fmt"
	"strconv"
	"strings"
)

// ColumnPrinter collects drawn grids and prints them side by side, one column per generation.
type ColumnPrinter struct {
	columns []string
}

// Append adds one drawn grid as the next column.
func (p *ColumnPrinter) Append(data string) {
	p.columns = append(p.columns, data)
}

// String lays the columns out as the book does: a header naming each column's index, padded by
// half the width of a grid line on both sides, then the grids' lines joined by " | ". There is no
// trailing newline.
func (p *ColumnPrinter) String() string {
	if len(p.columns) == 0 {
		return ""
	}
	split := make([][]string, len(p.columns))
	for i, col := range p.columns {
		split[i] = strings.Split(strings.TrimSuffix(col, "\n"), "\n")
	}
	padding := strings.Repeat(" ", len(split[0][0])/2)

	header := make([]string, len(split))
	for i := range split {
		header[i] = fmt.Sprintf("%s%d%s", padding, i, padding)
	}
	rows := []string{strings.Join(header, " | ")}
	for line := range split[0] {
		parts := make([]string, len(split))
		for i, lines := range split {
			if line < len(lines) {
				parts[i] = lines[line]
			}
		}
		rows = append(rows, strings.Join(parts, " | "))
	}
	return strings.Join(rows, "\n")
}

// Generations is how many columns the book's driver prints.
const Generations = 5

// Glider returns the book's starting grid: 5 rows × 9 columns with a glider near the top.
func Glider() *Grid {
	grid := NewGrid(5, 9)
	grid.Set(0, 3, Alive)
	grid.Set(1, 4, Alive)
	grid.Set(2, 2, Alive)
	grid.Set(2, 3, Alive)
	grid.Set(2, 4, Alive)
	return grid
}

// Step computes one generation with some strategy; every item of 56–60 supplies its own.
type Step func(grid *Grid) (*Grid, error)

// Table is the book's driver: starting from the glider, it draws the grid and advances it with step,
// Generations times, and returns the printed columns. It stops at the first error.
func Table(step Step) (string, error) {
	grid := Glider()
	var columns ColumnPrinter
	for i := range Generations {
		columns.Append(grid.String())
		next, err := step(grid)
		if err != nil {
			return "", fmt.Errorf("generation %d: %w", i, err)
		}
		grid = next
	}
	return columns.String(), nil
}

// Thousands writes n with a comma between groups of three digits, as the book writes 10,000.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

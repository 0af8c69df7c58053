package directory

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/staffsync/staffsync/parallel"
)

// readRows copies the records' problems and re-validates every Set value: records may come
// from an HR system rather than the file reader.
func (p *planner) readRows() {
	p.rows = make([]rowPlan, len(p.in.Records))
	// Rows are checked independently, so large imports use every core; the result is the
	// same as one pass in order.
	parallel.Ranges(len(p.rows), parallelRowsMin, p.readRowRange)
}

// parallelRowsMin is the fewest rows per goroutine worth starting one for.
const parallelRowsMin = 5000

func (p *planner) readRowRange(from, to int) {
	for i := from; i < to; i++ {
		rec := &p.in.Records[i]
		r := &p.rows[i]
		r.rec = rec
		r.cells = &rec.Cells
		if rec.Cells.twin != 0 {
			if int(rec.Cells.twin) > p.dir.Len() {
				panic(fmt.Sprintf("directory: row %d was absorbed by another directory snapshot than the one it is planned against", rec.Row))
			}
			r.cells = nil // absorbed: the cells read through the snapshot (see cell)
		}
		r.person = none
		r.mgr = [2]int32{none, none}
		r.oldMgr = [2]int32{none, none}
		if rec.Skip != "" { // the source's reason comes first: it is the row's reason
			r.fail(skippedProblem(rec))
		}
		for _, prob := range rec.Problems {
			if prob.IsError() {
				r.fail(prob)
			} else {
				r.warn(prob)
			}
		}
		// Rewritten cells are packed into a Cells of the row's own; most rows need none.
		var values [NumFields]Value
		for f := range values {
			values[f] = p.dir.cell(rec, Field(f))
		}
		rewritten := false
		for f := Field(0); f < NumFields; f++ {
			cell := values[f]
			if cell.Op != Set {
				continue
			}
			text := strings.TrimSpace(cell.Text)
			if text == "" {
				values[f], rewritten = Value{}, true // an empty Set is a blank cell
				continue
			}
			canonical, prob := CanonicalValue(f, text)
			if prob != nil {
				if !hasProblem(r.errs(), f, prob.Code) {
					r.fail(*prob)
				}
				values[f], rewritten = Value{}, true
				continue
			}
			if canonical != cell.Text {
				values[f], rewritten = Value{Op: Set, Text: canonical}, true
			}
		}
		if rewritten {
			own := PackCells(&values)
			r.cells = &own
		}
		if email := p.cell(r, Email); email.Op == Set {
			r.email = NormalizeEmail(email.Text)
		}
	}
}

// placeRows gives every row its slot in the output: by row number, then email, so the order
// does not depend on the order of the records.
func (p *planner) placeRows() {
	order := make([]int32, len(p.rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ra, rb := &p.rows[a], &p.rows[b]
		if c := cmp.Compare(ra.rec.Row, rb.rec.Row); c != 0 {
			return c
		}
		if c := strings.Compare(ra.email, rb.email); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	p.order = order
}

// sourceIndex finds people by HR source id; only syncs need it, so it is built on first use.
func (p *planner) sourceIndex() *keyIndex {
	if p.bySrc == nil {
		x := newKeyIndex(p.dir.Len(), func(n int32) string { return p.dir.textOf(p.dir.people[n].sourceID) }, nil)
		p.bySrc = &x
	}
	return p.bySrc
}

// employeeIDIndex finds people by employee id; only rows that change an id need it.
func (p *planner) employeeIDIndex() *keyIndex {
	if p.byEmpID == nil {
		x := newKeyIndex(p.dir.Len(), func(n int32) string { return p.dir.value(n, EmployeeID) }, nil)
		p.byEmpID = &x
	}
	return p.byEmpID
}

func hasProblem(problems []Problem, f Field, code string) bool {
	for _, prob := range problems {
		if prob.Field == f && prob.Code == code {
			return true
		}
	}
	return false
}

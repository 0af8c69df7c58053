package importfile

import (
	"fmt"

	"github.com/staffsync/staffsync/directory"
)

func (r *Reader) setDate(rec *directory.Record, values *[directory.NumFields]directory.Value, f directory.Field, col int, v string) {
	p := parseDate(v, r.opts.Today)
	var iso string
	ok := false
	switch p.kind {
	case dateISO, dateMonthFirst:
		iso, ok = isoDate(p.year, p.first, p.second)
	case dateDayFirst:
		iso, ok = isoDate(p.year, p.second, p.first)
	case dateAmbiguous:
		if p.first == p.second { // 05/05: both readings agree
			iso, ok = isoDate(p.year, p.first, p.second)
			break
		}
		order := r.fileDateOrder()
		if order == orderDayFirst {
			iso, ok = isoDate(p.year, p.second, p.first)
			break
		}
		if iso, ok = isoDate(p.year, p.first, p.second); ok && order != orderMonthFirst {
			why := "no other date in the file shows whether the day or the month comes first"
			if order == orderConflicting {
				why = "the file's other dates use both orders"
			}
			rec.Problems = append(rec.Problems, directory.Problem{
				Severity: directory.SeverityWarning, Code: "ambiguous_date", Field: f, Value: directory.Clip(v),
				Message: cellMessage(rec.Row, f, col, v, fmt.Sprintf("was read as month/day (%s) because %s; write it as YYYY-MM-DD if that is wrong", iso, why)),
			})
		}
	}
	if !ok {
		rec.Problems = append(rec.Problems, directory.Problem{
			Severity: directory.SeverityError, Code: "invalid_date", Field: f, Value: directory.Clip(v),
			Message: cellMessage(rec.Row, f, col, v, "is not a date; use YYYY-MM-DD"),
		})
		return
	}
	values[f] = directory.SetValue(iso)
}

// fileDateOrder decides, once per file and only when an ambiguous date is met, which
// order the file's unambiguous slash and dot dates use. It reads the date columns of the
// whole file in a separate pass, so dates after the current row count too.
func (r *Reader) fileDateOrder() dateOrder {
	// Rows are converted on several goroutines (convertAhead); the first one to meet an
	// ambiguous date decides for all.
	r.orderOnce.Do(r.decideDateOrder)
	return r.order
}

func (r *Reader) decideDateOrder() {
	r.order = orderNoEvidence
	src, err := r.newPass()
	if err != nil {
		return
	}
	defer func() { _ = src.close() }()
	dayFirst, monthFirst := false, false
	for !(dayFirst && monthFirst) {
		cells, row, err := src.next()
		if err != nil {
			break
		}
		if row <= r.headerRow {
			continue
		}
		for _, col := range r.dateCols {
			if col >= len(cells) || cells[col] == "" {
				continue
			}
			switch parseDate(unescapeCell(normalizeCell(cells[col])), r.opts.Today).kind {
			case dateDayFirst:
				dayFirst = true
			case dateMonthFirst:
				monthFirst = true
			}
		}
	}
	switch {
	case dayFirst && monthFirst:
		r.order = orderConflicting
		r.warnings = append(r.warnings, "the file's dates use both day/month and month/day order; dates such as 03/04 were read as month/day. Write dates as YYYY-MM-DD to be sure")
	case dayFirst:
		r.order = orderDayFirst
	case monthFirst:
		r.order = orderMonthFirst
	}
}

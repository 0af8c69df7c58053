package importfile

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/staffsync/staffsync/directory"
)

// readHeader finds the first non-empty row, decides whether it is a header, and reads
// ahead over the template's instruction rows.
func (r *Reader) readHeader() error {
	var first []string
	var firstRow int
	for {
		cells, row, err := r.src.next()
		if errors.Is(err, io.EOF) {
			return fileErrorf(CodeEmptyFile, "the file has no data; put the template headers in row 1 and one person per row below them")
		}
		if err != nil {
			return r.wrap(err)
		}
		normalized := make([]string, len(cells))
		filled := false
		for i, c := range cells {
			if err := r.checkLength(c, row, i); err != nil {
				return err
			}
			normalized[i] = normalizeCell(c)
			filled = filled || normalized[i] != ""
		}
		if filled {
			first, firstRow = normalized, row
			break
		}
	}
	l, isHeader, warnings, err := recogniseHeader(first)
	if err != nil {
		return err
	}
	if !isHeader {
		last := lastFilled(first)
		if last < int(directory.Email) || last >= int(directory.NumFields) {
			return fileErrorf(CodeNoHeader, "row %d has no recognisable column headers and does not have the template's 18 columns A-R; put the template headers (%s) in row 1 and upload again",
				firstRow, templateHeaderList())
		}
		r.layout = positionLayout()
		r.pending = append(r.pending, pendingRow{cells: first, row: firstRow})
		r.warnings = append(r.warnings, fmt.Sprintf("row %d has no column headers, so the columns were read in template order A-R (%s)", firstRow, templateHeaderList()))
	} else {
		r.layout, r.headerRow = l, firstRow
		r.warnings = append(r.warnings, warnings...)
	}
	for i, f := range r.layout.fields {
		if f == directory.HireDate || f == directory.LeavingDate {
			r.dateCols = append(r.dateCols, i)
		}
	}
	if isHeader {
		return r.skipTemplateRows()
	}
	return nil
}

func templateHeaderList() string {
	headers := make([]string, directory.NumFields)
	for i, f := range directory.AllFields() {
		headers[i] = f.Header()
	}
	return strings.Join(headers, ", ")
}

func lastFilled(cells []string) int {
	for i := len(cells) - 1; i >= 0; i-- {
		if cells[i] != "" {
			return i
		}
	}
	return -1
}

// skipTemplateRows drops the template's instruction and example rows directly under the
// header when they are still there unchanged.
func (r *Reader) skipTemplateRows() error {
	var skipped []int
	for k := 0; k < len(templateRows); k++ {
		cells, row, err := r.src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r.wrap(err)
		}
		if !r.isTemplateRow(cells) {
			r.pending = append(r.pending, pendingRow{cells: append([]string(nil), cells...), row: row})
			break
		}
		skipped = append(skipped, row)
	}
	switch len(skipped) {
	case 0:
	case 1:
		r.warnings = append(r.warnings, fmt.Sprintf("row %d is one of the template's instruction rows and was skipped", skipped[0]))
	default:
		r.warnings = append(r.warnings, fmt.Sprintf("rows %d-%d are the template's instruction rows and were skipped", skipped[0], skipped[len(skipped)-1]))
	}
	return nil
}

func (r *Reader) isTemplateRow(cells []string) bool {
	for _, want := range templateRows {
		match := true
		for i, f := range r.layout.fields {
			got := ""
			if i < len(cells) {
				got = normalizeCell(cells[i])
			}
			if f == directory.NoField {
				match = match && got == ""
			} else {
				match = match && got == want[f]
			}
		}
		for i := len(r.layout.fields); i < len(cells) && match; i++ {
			match = normalizeCell(cells[i]) == ""
		}
		if match {
			return true
		}
	}
	return false
}

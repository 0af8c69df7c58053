package importfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/staffsync/staffsync/directory"
	"github.com/xuri/excelize/v2"
)

// templateRows are the instruction and example rows under the template's header. The
// reader skips them when a file still contains them unchanged, so change them only
// together with that expectation.
var templateRows = [2][directory.NumFields]string{
	{
		directory.FirstName:             "Required. Free text",
		directory.LastName:              "Required. Free text",
		directory.Gender:                "M, F or N",
		directory.Title:                 "Free text",
		directory.Email:                 "Required. The address the person logs in with",
		directory.ManagerEmail:          "Login email of the manager",
		directory.Department:            "Free text",
		directory.Team:                  "Free text",
		directory.Location:              "Free text",
		directory.EmployeeID:            "Unique within the company",
		directory.HireDate:              "YYYY-MM-DD",
		directory.AltEmail:              "Notifications go here instead of the login email",
		directory.SecondaryManagerEmail: "Login email of a second manager",
		directory.PreferredName:         "Shown instead of the first name",
		directory.LeavingDate:           "YYYY-MM-DD",
		directory.TerminationType:       "Voluntary or Involuntary",
		directory.EmploymentType:        "Full-time, Part-time, Intern, Contractor, Furloughed, Casual, Seasonal or Temporary",
		directory.Status:                "Active, Inactive or Pending (blank means Active; Pending: has not started yet)",
	},
	{
		directory.FirstName:      "Joe",
		directory.LastName:       "Smith",
		directory.Gender:         "M",
		directory.Title:          "Sales Manager",
		directory.Email:          "joe.smith@example.com",
		directory.ManagerEmail:   "jane.doe@example.com",
		directory.Department:     "Sales",
		directory.Team:           "Accounts Receivable",
		directory.Location:       "Berlin",
		directory.EmployeeID:     "1234",
		directory.HireDate:       "2025-09-30",
		directory.PreferredName:  "Johnny",
		directory.EmploymentType: "Full-time",
		directory.Status:         "Active",
	},
}

func templateHeaders() [directory.NumFields]string {
	var headers [directory.NumFields]string
	for _, f := range directory.AllFields() {
		headers[f] = f.Header()
	}
	return headers
}

// WriteTemplate writes the empty import template: the 18 headers and the two
// instruction/example rows. format is "csv" or "xlsx".
func WriteTemplate(w io.Writer, format string) error {
	e, err := NewExportWriter(w, format)
	if err != nil {
		return err
	}
	for _, row := range templateRows {
		if err := e.writeRow(row, false); err != nil {
			return err
		}
	}
	return e.Close()
}

// ExportWriter writes people in the import format, so that the file re-imports with no
// changes. Create it with NewExportWriter, call Write per person, then Close.
type ExportWriter struct {
	format string
	csv    *bufio.Writer
	book   *excelize.File
	sheet  *excelize.StreamWriter
	out    io.Writer
	row    int
	closed bool
}

// exportSheet is the name of the only sheet of an XLSX export.
const exportSheet = "People"

// NewExportWriter starts an export in format "csv" (UTF-8 with BOM, comma, CRLF) or
// "xlsx" and writes the header row.
func NewExportWriter(w io.Writer, format string) (*ExportWriter, error) {
	e := &ExportWriter{format: format, out: w}
	switch format {
	case "csv":
		e.csv = bufio.NewWriter(w)
		if _, err := e.csv.Write(utf8BOM); err != nil {
			return nil, fmt.Errorf("write CSV export: %w", err)
		}
	case "xlsx":
		e.book = excelize.NewFile()
		if err := e.book.SetSheetName("Sheet1", exportSheet); err != nil {
			return nil, fmt.Errorf("name the export sheet: %w", err)
		}
		sw, err := e.book.NewStreamWriter(exportSheet)
		if err != nil {
			return nil, fmt.Errorf("start the XLSX export: %w", err)
		}
		if err := sw.SetColWidth(1, int(directory.NumFields), 22); err != nil {
			return nil, fmt.Errorf("set column widths: %w", err)
		}
		e.sheet = sw
	default:
		return nil, fmt.Errorf("export format %q: use \"csv\" or \"xlsx\"", format)
	}
	if err := e.writeRow(templateHeaders(), false); err != nil {
		return nil, err
	}
	return e, nil
}

// Write adds one person; values are stored values in template column order.
func (e *ExportWriter) Write(values [directory.NumFields]string) error {
	return e.writeRow(values, true)
}

func (e *ExportWriter) writeRow(values [directory.NumFields]string, escape bool) error {
	if e.closed {
		return errors.New("write to a closed export")
	}
	e.row++
	if escape {
		for i, v := range values {
			values[i] = escapeForExport(v)
		}
	}
	if e.csv != nil {
		for i, v := range values {
			if i > 0 {
				_ = e.csv.WriteByte(',')
			}
			writeCSVField(e.csv, v)
		}
		if _, err := e.csv.WriteString("\r\n"); err != nil {
			return fmt.Errorf("write CSV export row %d: %w", e.row, err)
		}
		return nil
	}
	cells := make([]any, len(values))
	for i, v := range values {
		cells[i] = v
	}
	cell, err := excelize.CoordinatesToCellName(1, e.row)
	if err != nil {
		return fmt.Errorf("export row %d: %w", e.row, err)
	}
	if err := e.sheet.SetRow(cell, cells); err != nil {
		return fmt.Errorf("write XLSX export row %d: %w", e.row, err)
	}
	return nil
}

// escapeForExport puts an apostrophe in front of text that a spreadsheet would run as a
// formula (=, +, -, @, tab, CR), in front of text that already starts with an apostrophe
// (the importer strips one), and in front of a lone dash (which would clear on import).
func escapeForExport(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		return "'" + v
	}
	if isClearingDash(v) {
		return "'" + v
	}
	return v
}

func writeCSVField(w *bufio.Writer, v string) {
	if !strings.ContainsAny(v, ",\"\r\n;\t") && (v == "" || (v[0] != ' ' && v[len(v)-1] != ' ')) {
		_, _ = w.WriteString(v)
		return
	}
	_ = w.WriteByte('"')
	_, _ = w.WriteString(strings.ReplaceAll(v, `"`, `""`))
	_ = w.WriteByte('"')
}

// Close finishes the file; for XLSX this is when the workbook is written to w.
func (e *ExportWriter) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if e.csv != nil {
		if err := e.csv.Flush(); err != nil {
			return fmt.Errorf("write CSV export: %w", err)
		}
		return nil
	}
	defer func() { _ = e.book.Close() }()
	if err := e.sheet.Flush(); err != nil {
		return fmt.Errorf("finish the XLSX export sheet: %w", err)
	}
	if err := e.book.Write(e.out); err != nil {
		return fmt.Errorf("write XLSX export: %w", err)
	}
	return nil
}

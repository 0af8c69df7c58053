// Package importfile turns an uploaded CSV or XLSX file into a stream of directory.Record
// values (import-rules.md sections 1-3 and 6) and writes the import template and directory
// exports in the same format.
package importfile

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/parallel"
)

// Options limit and steer how a file is read. Zero values mean the defaults.
type Options struct {
	Delimiter    directory.Delimiter // auto|comma|semicolon|tab; CSV only
	Sheet        string              // XLSX sheet name; "" = first sheet
	MaxBytes     int64               // default 50 MiB
	MaxRows      int                 // default 1,000,000 data rows
	MaxCellChars int                 // default 1,000
	// Today decides two-digit years (00..(this year+1) => 20YY); zero = time.Now().
	Today time.Time
}

// Default limits.
const (
	DefaultMaxBytes     = 50 << 20
	DefaultMaxRows      = 1_000_000
	DefaultMaxCellChars = 1000
)

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxCellChars <= 0 {
		o.MaxCellChars = DefaultMaxCellChars
	}
	if o.Today.IsZero() {
		o.Today = time.Now()
	}
	return o
}

// Reader streams the data rows of one file as records.
type Reader struct {
	opts      Options
	format    string
	src       rowSource
	newPass   func() (rowSource, error) // a fresh pass over the rows, for the date pre-scan
	closeBook func() error
	layout    layout
	headerRow int // 0 when the file has no header and is read by position
	dateCols  []int
	pending   []pendingRow
	warnings  []string
	dataRows  int
	order     dateOrder
	orderOnce sync.Once
	err       error // sticky: once a file error is found, Next keeps returning it
	// Rows converted ahead of Next (convertAhead) and the buffers they were read into.
	ahead          []convertedRow
	aheadPos       int
	scanned, spare *rowBatch // the next batch to convert, and the buffers the one after is scanned into
	scanErr        error     // what ended the scan (io.EOF at the end of the file), once its batch is converted
}

type pendingRow struct {
	cells []string
	row   int
}

// Open detects the format (CSV or XLSX by content, not by name), checks the limits, finds
// and recognises the header and returns a streaming reader. File-level problems come back
// as *FileError. name is only used in messages.
func Open(data io.ReaderAt, size int64, name string, opts Options) (*Reader, error) {
	opts = opts.withDefaults()
	if size <= 0 {
		return nil, fileErrorf(CodeEmptyFile, "the file %sis empty; upload the file that holds your people", quotedName(name))
	}
	if size > opts.MaxBytes {
		return nil, fileErrorf(CodeFileTooLarge, "the file %sis %s; the limit is %s. Split it into smaller files and upload them one after the other",
			quotedName(name), megabytes(size), megabytes(opts.MaxBytes))
	}
	isXLSX, err := detectKind(data, size)
	if err != nil {
		return nil, err
	}
	r := &Reader{opts: opts}
	if isXLSX {
		book, err := openXLSX(data, size, opts)
		if err != nil {
			return nil, err
		}
		r.format, r.newPass, r.closeBook = "xlsx", book.rows, book.close
	} else {
		enc, skip, err := detectEncoding(data, size)
		if err != nil {
			return nil, err
		}
		delim := delimiterByte(opts.Delimiter)
		r.format = "csv"
		r.newPass = func() (rowSource, error) { return openCSVRows(data, size, enc, skip, delim, opts.MaxCellChars), nil }
	}
	if r.src, err = r.newPass(); err != nil {
		_ = r.Close()
		return nil, err
	}
	if err := r.readHeader(); err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

func quotedName(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf("%q ", name)
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

func delimiterByte(d directory.Delimiter) byte {
	switch d {
	case directory.DelimiterComma:
		return ','
	case directory.DelimiterSemicolon:
		return ';'
	case directory.DelimiterTab:
		return '\t'
	}
	return 0 // detect
}

// openCSVRows starts a pass over CSV text; delim 0 detects it from the first line.
func openCSVRows(data io.ReaderAt, size int64, enc textEncoding, skip int64, delim byte, maxCellChars int) *csvScanner {
	sc := newCSVScanner(openCSVText(data, size, enc, skip), maxCellChars)
	head := sc.prefetch()
	if hint, ok := sepHint(head); ok { // Excel's "sep=;" line is not a row for the admin
		sc.skipLine()
		if delim == 0 {
			delim = hint
		}
	}
	if delim == 0 {
		delim = detectDelimiter(sc.buf[sc.pos:sc.end])
	}
	sc.setDelimiter(delim)
	return sc
}

// wrap passes file errors through and gives other errors context.
func (r *Reader) wrap(err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	return fmt.Errorf("read %s rows: %w", r.format, err)
}

// Next returns the next data row as a Record, io.EOF at the end. A file-level problem
// found mid-stream (data beyond the last column, too many rows, ...) returns *FileError;
// the caller must then discard the records already read.
func (r *Reader) Next() (directory.Record, error) {
	if r.err != nil {
		return directory.Record{}, r.err
	}
	for {
		if r.aheadPos == len(r.ahead) {
			if r.scanErr != nil {
				r.err = r.scanErr
				return directory.Record{}, r.err
			}
			r.convertAhead()
			continue
		}
		c := &r.ahead[r.aheadPos]
		r.aheadPos++
		if c.err != nil {
			r.err = c.err
			return directory.Record{}, c.err
		}
		if c.empty {
			continue
		}
		r.dataRows++
		if r.dataRows > r.opts.MaxRows {
			r.err = fileErrorf(CodeTooManyRows, "the file has more than %d rows of people; split it into smaller files and upload them one after the other", r.opts.MaxRows)
			return directory.Record{}, r.err
		}
		return c.rec, nil
	}
}

// convertedRow is one row converted ahead of Next.
type convertedRow struct {
	rec   directory.Record
	empty bool
	err   error
}

// Rows are read in batches and each batch is converted on every core: converting (dates,
// emails, enums) costs several times the scanning, and rows do not depend on each other.
const (
	aheadRows       = 4096
	parallelRowsMin = 1024 // fewest rows per goroutine worth starting one for
)

// rowBatch is a batch of scanned rows; cells holds every row's cells back to back.
type rowBatch struct {
	rows    []pendingRow
	cells   []string
	scanErr error // what ended the scan (io.EOF at the end of the file), nil if the batch is full
}

// scanBatch reads the next rows into b, reusing its buffers.
func (r *Reader) scanBatch(b *rowBatch) {
	b.rows, b.cells, b.scanErr = b.rows[:0], b.cells[:0], nil
	for len(b.rows) < aheadRows {
		var cells []string
		var row int
		if len(r.pending) > 0 {
			cells, row = r.pending[0].cells, r.pending[0].row
			r.pending = r.pending[1:]
		} else {
			var err error
			if cells, row, err = r.src.next(); err != nil {
				if !errors.Is(err, io.EOF) {
					err = r.wrap(err)
				}
				b.scanErr = err
				break
			}
		}
		// The source may reuse its slice for the next row; the strings themselves stay.
		b.cells = append(b.cells, cells...)
		b.rows = append(b.rows, pendingRow{cells: cells[:len(cells):len(cells)], row: row})
	}
	// Point every row at its cells in the final backing array (appending may have moved it).
	at := 0
	for i := range b.rows {
		n := len(b.rows[i].cells)
		b.rows[i].cells = b.cells[at : at+n : at+n]
		at += n
	}
}

// convertAhead converts the next batch of rows into r.ahead, on every core. For CSV the
// batch after it is scanned meanwhile (XLSX rows come from the workbook, which the
// day/month pre-scan may also be reading, so they are scanned in turn). A scanning error
// (or the end of the file) is kept in r.scanErr for after the batch.
func (r *Reader) convertAhead() {
	if r.scanned == nil {
		r.scanned, r.spare = &rowBatch{}, &rowBatch{}
		r.scanBatch(r.scanned)
	}
	batch := r.scanned
	scanned := func() {}
	if batch.scanErr == nil && r.format == "csv" {
		scanned = parallel.Start(func() { r.scanBatch(r.spare) })
	}
	rows := batch.rows
	r.ahead, r.aheadPos = slices.Grow(r.ahead[:0], len(rows))[:len(rows)], 0
	convert := func(from, to int) {
		for i := from; i < to; i++ {
			c := &r.ahead[i]
			c.rec, c.empty, c.err = r.convert(rows[i].cells, rows[i].row)
		}
	}
	parallel.Ranges(len(rows), parallelRowsMin, convert)
	scanned()
	switch {
	case batch.scanErr != nil:
		r.scanErr = batch.scanErr
	case r.format == "csv":
		r.scanned, r.spare = r.spare, batch
	default:
		r.scanBatch(batch)
	}
}

func (r *Reader) checkLength(raw string, row, col int) error {
	if len(raw) > r.opts.MaxCellChars && utf8.RuneCountInString(raw) > r.opts.MaxCellChars {
		return fileErrorf(CodeCellTooLong, "cell %s%d has more than %d characters; shorten it and upload again",
			directory.ColumnName(col), row, r.opts.MaxCellChars)
	}
	return nil
}

// convert turns one row into a record; empty reports a row without any template data.
func (r *Reader) convert(cells []string, row int) (rec directory.Record, empty bool, err error) {
	rec.Row = row
	empty = true
	var values [directory.NumFields]directory.Value
	for i, raw := range cells {
		if raw == "" {
			continue
		}
		if err := r.checkLength(raw, row, i); err != nil {
			return rec, false, err
		}
		v := normalizeCell(raw)
		if v == "" {
			continue
		}
		if i > r.layout.lastCol {
			return rec, false, r.tooManyColumns(i, row)
		}
		f := r.layout.fields[i]
		if f == directory.NoField {
			continue
		}
		empty = false
		if isClearingDash(v) {
			values[f] = directory.Value{Op: directory.Clear}
			continue
		}
		if v = unescapeCell(v); v == "" {
			continue
		}
		switch f {
		case directory.HireDate, directory.LeavingDate:
			r.setDate(&rec, &values, f, i, v)
		case directory.Email, directory.ManagerEmail, directory.SecondaryManagerEmail, directory.AltEmail:
			if plainEmail(v) {
				values[f] = directory.SetValue(v)
				continue
			}
			r.setCanonical(&rec, &values, f, i, v)
		case directory.Gender, directory.EmploymentType, directory.TerminationType, directory.Status:
			r.setCanonical(&rec, &values, f, i, v)
		default:
			values[f] = directory.SetValue(v)
		}
	}
	rec.Cells = directory.PackCells(&values)
	return rec, empty, nil
}

func (r *Reader) tooManyColumns(col, row int) error {
	if r.layout.byName {
		return fileErrorf(CodeTooManyColumns, "too many columns: column %s, row %d has data but the headers end at column %s; remove it or move it into a column with a header",
			directory.ColumnName(col), row, directory.ColumnName(r.layout.lastCol))
	}
	return fileErrorf(CodeTooManyColumns, "too many columns: column %s, row %d has data; remove it or move it into the template's columns A-R",
		directory.ColumnName(col), row)
}

func (r *Reader) setCanonical(rec *directory.Record, values *[directory.NumFields]directory.Value, f directory.Field, col int, v string) {
	canonical, problem := directory.CanonicalValue(f, v)
	if problem == nil {
		values[f] = directory.SetValue(canonical)
		return
	}
	// CanonicalValue names the template's column; the admin needs the file's row and column.
	what := strings.TrimPrefix(problem.Message, fmt.Sprintf("%s (column %s): %q ", f.Header(), f.Column(), directory.Clip(v)))
	problem.Message = cellMessage(rec.Row, f, col, v, what)
	rec.Problems = append(rec.Problems, *problem)
}

func cellMessage(row int, f directory.Field, col int, value, what string) string {
	return fmt.Sprintf("Row %d, %s (column %s): %q %s", row, f.Header(), directory.ColumnName(col), directory.Clip(value), what)
}

// Warnings returns file-level warnings found so far; after Next returned io.EOF the list is complete.
func (r *Reader) Warnings() []string { return append([]string(nil), r.warnings...) }

// Format is "csv" or "xlsx".
func (r *Reader) Format() string { return r.format }

// Close releases the workbook (and its temporary files). It is safe to call twice.
func (r *Reader) Close() error {
	var err error
	if r.src != nil {
		err = r.src.close()
		r.src = nil
	}
	if r.closeBook != nil {
		if closeErr := r.closeBook(); closeErr != nil && err == nil {
			err = closeErr
		}
		r.closeBook = nil
	}
	if err != nil {
		return fmt.Errorf("close %s file: %w", r.format, err)
	}
	return nil
}

// plainEmail is a fast check for the everyday address shape (ASCII dot-atom local part and
// domain with at least one dot). Everything it accepts directory.ValidEmail accepts too;
// anything else goes through directory.CanonicalValue.
func plainEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 254 {
		return false
	}
	return dotAtom(s[:at], localPartChar) && dotAtom(s[at+1:], domainChar) && strings.IndexByte(s[at+1:], '.') > 0
}

func dotAtom(s string, allowed func(byte) bool) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if s[i-1] == '.' {
				return false
			}
			continue
		}
		if !allowed(c) {
			return false
		}
	}
	return true
}

func localPartChar(c byte) bool {
	return domainChar(c) || c == '_' || c == '+' || c == '%' || c == '\''
}

func domainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

package importfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"
)

// xlsxBook is an open workbook and the sheet to read.
type xlsxBook struct {
	file     *excelize.File
	sheet    string
	date1904 bool // the workbook counts days from 1904-01-01 (old Mac Excel)
	fast     *fastSheet
	// The whole workbook in excelize, opened when the scanner first hands over (xlsxfast.go).
	whole     func() (*excelize.File, error)
	wholeOnce sync.Once
	wholeFile *excelize.File
	wholeErr  error
}

// dateMarker (a private-use character) starts the text of every date cell: the workbook's
// date formats are replaced by dateCellFormat, which renders the serial number behind the
// marker, and xlsxRows turns it into YYYY-MM-DD. excelize's own date rendering costs
// several microseconds per cell; this keeps date cells as cheap as numbers.
const (
	dateMarker     = "\uE000"
	dateCellFormat = `"` + dateMarker + `"0.##########`
)

func openXLSX(data io.ReaderAt, size int64, opts Options) (book *xlsxBook, err error) {
	defer func() {
		if recover() != nil { // excelize on a hostile file: refuse it rather than crash
			book, err = nil, damagedWorkbook()
		}
	}()
	limit := unzipLimit(opts.MaxBytes)
	streamed, err := checkWorkbookParts(data, size, limit)
	if err != nil {
		return nil, err
	}
	if streamed {
		if err := checkTempDir(); err != nil {
			return nil, err
		}
	}
	// Worksheets and shared strings over UnzipXMLSizeLimit are unpacked to temporary files
	// and streamed; what stays in memory is bounded above.
	excelizeOpts := excelize.Options{UnzipSizeLimit: limit, UnzipXMLSizeLimit: StreamedPartBytes}
	// excelize opens the workbook without its sheets' rows and texts (the scanner reads
	// those); the whole workbook is opened only if the scanner hands over to excelize.
	light, err := withoutRows(data, size)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(light), excelizeOpts)
	if err != nil {
		return nil, damagedWorkbook()
	}
	sheet, err := chooseSheet(f, opts.Sheet)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := markDateCells(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("prepare date formats: %w", err)
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		_ = f.Close()
		return nil, damagedWorkbook()
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	return &xlsxBook{file: f, sheet: sheet, date1904: date1904, fast: locateFastSheet(data, size, f, sheet, date1904),
		whole: func() (*excelize.File, error) { return openWhole(data, size, excelizeOpts) }}, nil
}

func damagedWorkbook() *FileError {
	return fileErrorf(CodeDamagedFile, "the workbook cannot be read (the file is damaged or not a real XLSX file); open it in Excel, save it again as XLSX and upload the new file")
}

func chooseSheet(f *excelize.File, want string) (string, error) {
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", damagedWorkbook()
	}
	if want == "" {
		return sheets[0], nil
	}
	for _, name := range sheets {
		if name == want {
			return name, nil
		}
	}
	for _, name := range sheets {
		if strings.EqualFold(name, want) {
			return name, nil
		}
	}
	return "", fileErrorf(CodeSheetNotFound, "the workbook has no sheet named %q; its sheets are %s. Choose one of them and upload again",
		want, joinAnd(quoteAll(sheets)))
}

func quoteAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// markDateCells makes excelize render every cell whose number format is a date or time
// format as dateMarker + serial number. excelize's streaming iterator hides a cell's
// style, so the style table is the one place where a date cell can be told from a number.
func markDateCells(f *excelize.File) error {
	styles := f.Styles
	if styles == nil || styles.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if styles.NumFmts != nil {
		for _, nf := range styles.NumFmts.NumFmt {
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	var dateStyles []int
	for i, xf := range styles.CellXfs.Xf {
		if xf.NumFmtID == nil {
			continue
		}
		id := *xf.NumFmtID
		if code, ok := custom[id]; ok {
			if isDateFormatCode(code) {
				dateStyles = append(dateStyles, i)
			}
		} else if isBuiltInDateFormat(id) {
			dateStyles = append(dateStyles, i)
		}
	}
	if len(dateStyles) == 0 {
		return nil
	}
	code := dateCellFormat
	markStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return fmt.Errorf("add the date marker style: %w", err)
	}
	markFmtID := *f.Styles.CellXfs.Xf[markStyle].NumFmtID
	for _, i := range dateStyles {
		id := markFmtID
		f.Styles.CellXfs.Xf[i].NumFmtID = &id
	}
	return nil
}

// isBuiltInDateFormat: Excel's built-in date and time formats, including the East Asian
// and Thai locale ones.
func isBuiltInDateFormat(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
		(id >= 50 && id <= 58) || (id >= 71 && id <= 81)
}

// isDateFormatCode reports whether a custom number format shows a date or time: its first
// section has y, m, d, h or s outside quotes, brackets and escapes.
func isDateFormatCode(code string) bool {
	if strings.EqualFold(code, "General") {
		return false
	}
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case ';':
			return false
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				return false
			}
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return false
			}
			inner := strings.ToLower(code[i+1 : i+1+j])
			if inner != "" && strings.Trim(inner, "hms") == "" { // [h], [mm]: elapsed time
				return true
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		default:
			switch c | 0x20 {
			case 'y', 'm', 'd', 'h', 's':
				return true
			}
		}
	}
	return false
}

// rows starts a new pass over the sheet (xlsxfast.go).
func (b *xlsxBook) rows() (rowSource, error) { return b.fastRows() }

// excelizeRows starts excelize's iterator after the first skip rows.
func (b *xlsxBook) excelizeRows(skip int) (rowSource, error) {
	f, err := b.wholeWorkbook()
	if err != nil {
		return nil, err
	}
	rows, err := f.Rows(b.sheet)
	if err != nil {
		return nil, damagedWorkbook()
	}
	for i := 0; i < skip && rows.Next(); i++ {
	}
	return &xlsxRows{rows: rows, row: skip, date1904: b.date1904}, nil
}

func (b *xlsxBook) close() error {
	err := b.file.Close()
	if b.wholeFile != nil {
		if wholeErr := b.wholeFile.Close(); err == nil {
			err = wholeErr
		}
	}
	return err
}

type xlsxRows struct {
	rows     *excelize.Rows
	row      int
	date1904 bool
}

func (x *xlsxRows) next() (cells []string, row int, err error) {
	defer func() {
		if recover() != nil {
			cells, row, err = nil, x.row, damagedWorkbook()
		}
	}()
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			if errors.Is(err, excelize.ErrMaxRows) {
				return nil, x.row, fileErrorf(CodeTooManyRows, "the sheet has rows beyond Excel's limit of 1,048,576; remove them and upload again")
			}
			return nil, x.row, damagedWorkbook()
		}
		return nil, x.row, io.EOF
	}
	x.row++
	cells, err = x.rows.Columns()
	if err != nil {
		return nil, x.row, damagedWorkbook()
	}
	if len(cells) > MaxColumns {
		return nil, x.row, tooManyColumnsInRow(x.row)
	}
	for i, c := range cells {
		if strings.HasPrefix(c, dateMarker) {
			cells[i] = serialToDate(c[len(dateMarker):], x.date1904)
		}
	}
	return cells, x.row, nil
}

// serialToDate turns an Excel date serial number into YYYY-MM-DD, dropping the time of
// day. Text that is not a serial (a date-formatted text cell) is returned unchanged.
func serialToDate(serial string, date1904 bool) string {
	value, err := strconv.ParseFloat(serial, 64)
	if err != nil || value < 1 || value >= 2958466 { // 2958466 is 10000-01-01
		return serial
	}
	days := int(value)
	base := time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		base = time.Date(1904, time.January, 1, 0, 0, 0, 0, time.UTC)
	case days < 61:
		// Excel counts a 29 February 1900 that never was; serials before it are one day off.
		base = base.AddDate(0, 0, 1)
	}
	return base.AddDate(0, 0, days).Format(time.DateOnly)
}

func (x *xlsxRows) close() error { return x.rows.Close() }

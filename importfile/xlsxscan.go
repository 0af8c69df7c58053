package importfile

import (
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// excelRows is Excel's row limit (excelize.TotalRows).
const excelRows = 1_048_576

// sheetScanner reads the rows of a worksheet part, numbering and filling them exactly as
// excelize's Rows iterator does: a row's number is its r attribute (or the previous
// one's plus one), skipped rows come back empty, a cell's column is its r attribute (or
// the previous cell's plus one), empty cells without a formula are left out and the gaps
// before later cells are filled with "".
type sheetScanner struct {
	rc      io.ReadCloser
	sc      *xmlScanner
	sheet   *fastSheet
	sst     *sharedStrings
	curRow  int  // the number of the last row start read
	seek    int  // the number of the row being returned
	pending bool // a row start was read and its cells not yet
	cells   []string
	inline  []byte
}

func newSheetScanner(rc io.ReadCloser, sheet *fastSheet, sst *sharedStrings) *sheetScanner {
	return &sheetScanner{rc: rc, sc: newXMLScanner(rc), sheet: sheet, sst: sst}
}

func (s *sheetScanner) close() error { return s.rc.Close() }

// rowStart reads the r attribute of the row start just read.
func (s *sheetScanner) rowStart() error {
	r, ok, err := s.sc.attr("r")
	if err != nil {
		return err
	}
	if !ok {
		s.curRow++
		return nil
	}
	n, err := strconv.Atoi(string(r))
	if err != nil || n < 0 || n > excelRows {
		return errUnusual
	}
	if n == 0 {
		s.curRow++
	} else {
		s.curRow = n
	}
	return nil
}

// nextRow returns the next row's cells (valid until the next call) and its number.
func (s *sheetScanner) nextRow() ([]string, int, error) {
	s.seek++
	if !s.pending {
		if err := s.findRow(); err != nil {
			return nil, s.seek - 1, err
		}
	}
	switch {
	case s.curRow > s.seek: // a skipped row
		return nil, s.seek, nil
	case s.curRow < s.seek: // rows out of order: excelize merges them
		return nil, s.seek, errUnusual
	}
	s.pending = false
	s.cells = s.cells[:0]
	col := 0
	for {
		if err := s.sc.next(); err != nil {
			return nil, s.seek, err
		}
		switch s.sc.kind {
		case tokEOF:
			return s.cells, s.seek, nil
		case tokEnd:
			if string(s.sc.name) == "sheetData" {
				return s.cells, s.seek, nil
			}
		case tokStart:
			switch string(s.sc.name) {
			case "row":
				if err := s.rowStart(); err != nil {
					return nil, s.seek, err
				}
				s.pending = true
				if s.curRow <= s.seek {
					return nil, s.seek, errUnusual
				}
				return s.cells, s.seek, nil
			case "c":
				var err error
				if col, err = s.readCell(col); err != nil {
					return nil, s.seek, err
				}
			case "v", "f", "is":
				return nil, s.seek, errUnusual // outside a cell
			}
		}
	}
}

// findRow reads up to the next row start; io.EOF when the sheet data ends.
func (s *sheetScanner) findRow() error {
	for {
		if err := s.sc.next(); err != nil {
			return err
		}
		switch s.sc.kind {
		case tokEOF:
			return io.EOF
		case tokEnd:
			if string(s.sc.name) == "sheetData" {
				return io.EOF
			}
		case tokStart:
			if string(s.sc.name) == "row" {
				s.pending = true
				return s.rowStart()
			}
		}
	}
}

// cellRaw is a cell as written in the sheet.
type cellRaw struct {
	typ       string
	style     int
	value     string
	hasValue  bool
	formula   bool
	inline    string
	hasInline bool
}

// readCell reads the cell whose start was just read and appends its text; col is the
// previous cell's column.
func (s *sheetScanner) readCell(col int) (int, error) {
	col++
	var c cellRaw
	var ref, style []byte
	var hasStyle bool
	if err := s.sc.eachAttr(func(key, value []byte) {
		switch string(key) {
		case "r":
			ref = value
		case "s":
			style, hasStyle = value, true
		case "t":
			c.typ = cellType(value)
		}
	}); err != nil {
		return col, err
	}
	if len(ref) > 0 {
		if col = cellColumn(ref); col == 0 {
			var err error
			if col, _, err = excelize.CellNameToCoordinates(string(ref)); err != nil {
				return col, damagedWorkbook()
			}
		}
	}
	if hasStyle {
		n, err := strconv.ParseInt(string(style), 10, 64)
		if err != nil || n < 0 || n > 1<<31 {
			return col, errUnusual
		}
		c.style = int(n)
	}
	if !s.sc.selfClosing {
		if err := s.readCellContent(&c); err != nil {
			return col, err
		}
	} else if err := s.sc.next(); err != nil { // the self-closing tag's end
		return col, err
	}
	val, err := s.cellText(&c)
	if err != nil {
		return col, err
	}
	if val == "" && !c.formula {
		return col, nil
	}
	for len(s.cells) < col-1 {
		s.cells = append(s.cells, "")
	}
	s.cells = append(s.cells, val)
	if len(s.cells) > MaxColumns {
		return col, tooManyColumnsInRow(s.seek)
	}
	return col, nil
}

// cellType returns the t attribute without allocating for the known types.
func cellType(t []byte) string {
	for _, known := range [...]string{"s", "n", "str", "inlineStr", "b", "e", "d"} {
		if string(t) == known {
			return known
		}
	}
	return string(t)
}

// cellColumn reads the column of a plain reference such as "AB12"; 0 for anything else.
func cellColumn(ref []byte) int {
	col, i := 0, 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' && i < 3 {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	if i == 0 || i == len(ref) || ref[i] < '1' || ref[i] > '9' || len(ref)-i > 7 || col > 16384 {
		return 0
	}
	row := 0
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0
		}
		row = row*10 + int(c-'0')
	}
	if row > excelRows {
		return 0
	}
	return col
}

// readCellContent reads a cell's <v>, <f> and <is> up to the cell's end.
func (s *sheetScanner) readCellContent(c *cellRaw) error {
	for {
		if err := s.sc.next(); err != nil {
			return err
		}
		switch s.sc.kind {
		case tokEOF:
			return errUnusual
		case tokEnd:
			if string(s.sc.name) != "c" {
				return errUnusual
			}
			return nil
		case tokStart:
			switch string(s.sc.name) {
			case "v":
				v, err := s.readPlainText()
				if err != nil {
					return err
				}
				c.value, c.hasValue = v, true
			case "f":
				c.formula = true
				if !s.sc.selfClosing {
					if _, err := s.readPlainText(); err != nil {
						return err
					}
				} else if err := s.sc.next(); err != nil {
					return err
				}
			case "is":
				if c.hasInline {
					return errUnusual
				}
				if s.sc.selfClosing {
					if err := s.sc.next(); err != nil {
						return err
					}
					c.hasInline = true
					continue
				}
				item, err := readStringItem(s.sc, s.inline[:0])
				if err != nil {
					return err
				}
				s.inline = item
				c.inline, c.hasInline = string(bstrUnescape(item)), true
			default:
				if err := skipElement(s.sc); err != nil {
					return err
				}
			}
		}
	}
}

// readPlainText reads the text of an element without child elements.
func (s *sheetScanner) readPlainText() (string, error) {
	var text string
	for {
		if err := s.sc.next(); err != nil {
			return "", err
		}
		switch s.sc.kind {
		case tokText:
			if text == "" {
				text = string(s.sc.text)
			} else {
				text += string(s.sc.text)
			}
		case tokEnd:
			return text, nil
		default:
			return "", errUnusual
		}
	}
}

// cellText renders a cell as excelize's iterator does (cell.go getValueFrom and
// formattedValue), for the formats the scanner knows.
func (s *sheetScanner) cellText(c *cellRaw) (string, error) {
	class := s.sheet.class(c.style)
	text := func(v string) (string, error) { // a text-typed value: only other formats change it
		if class == styleOther {
			return "", errUnusual
		}
		return v, nil
	}
	switch c.typ {
	case "b":
		switch c.value {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
		return text(c.value)
	case "d":
		return "", errUnusual
	case "s":
		if c.value == "" {
			return text("")
		}
		i, _ := strconv.Atoi(strings.TrimSpace(c.value))
		v, ok := s.sst.get(i)
		if !ok {
			return "", nil // excelize drops an unknown index
		}
		return text(v)
	case "str":
		return c.value, nil
	case "inlineStr":
		if c.hasInline {
			return text(c.inline)
		}
		return text(c.value)
	}
	v := c.value
	isNum, prec, number := numericValue(v)
	if isNum {
		if prec > 15 && !withinPrecision(v) {
			v = strconv.FormatFloat(number, 'G', 15, 64)
		} else {
			v = strconv.FormatFloat(number, 'f', -1, 64)
		}
		isNum, prec, number = numericValue(v)
	}
	switch class {
	case stylePlain:
		return v, nil
	case styleGeneral:
		if isNum && prec > 11 {
			return strconv.FormatFloat(number, 'G', 10, 64), nil
		}
		return v, nil
	case styleDate:
		if !isNum {
			return v, nil
		}
		if number < 1 || number >= 2958466 {
			return "", errUnusual
		}
		return serialToDate(strconv.FormatFloat(number, 'f', 10, 64), s.sheet.date1904), nil
	}
	return "", errUnusual
}

// numericValue is excelize's isNumeric: the value parses as a float (and has no '_');
// prec counts its digits written out in full.
func numericValue(s string) (bool, int, float64) {
	if strings.Contains(s, "_") {
		return false, 0, 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false, 0, 0
	}
	full := strconv.FormatFloat(f, 'f', -1, 64)
	return true, len(full) - strings.Count(full, "."), f
}

// withinPrecision is excelize's isNumWithinPrecision: an integer zero-filled after
// Excel's 15 significant digits.
func withinPrecision(s string) bool {
	if strings.ContainsAny(s, ".Ee") {
		return false
	}
	s = strings.TrimLeft(s, "+-0")
	return len(strings.TrimRight(s, "0")) <= 15
}

package importfile

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// The fast XLSX reader (issue 24). excelize opens and validates the workbook, picks the
// sheet and holds the styles; the rows are read by a purpose-built scanner over the sheet
// part (xlsxscan.go), which renders every cell exactly as excelize's iterator does. Where
// it meets something it does not render itself (errUnusual), the pass continues with
// excelize's iterator from the same row.

// styleClass is how a cell style renders values.
type styleClass uint8

const (
	stylePlain   styleClass = iota // the value as it is
	styleGeneral                   // the General number format
	styleDate                      // a date format (marked by markDateCells)
	styleOther                     // any other number format: excelize renders it
)

// fastSheet is what the scanner needs from an open workbook.
type fastSheet struct {
	part     *zip.File // the worksheet; nil when it could not be located (excelize reads it)
	sstPart  *zip.File
	styles   []styleClass
	date1904 bool

	sstOnce sync.Once
	sst     *sharedStrings
	sstErr  error
}

// locateFastSheet finds the worksheet part of the chosen sheet the way excelize does for
// the standard layout (xl/workbook.xml and its relationships); other layouts return a
// fastSheet without a part, read by excelize.
func locateFastSheet(data io.ReaderAt, size int64, f *excelize.File, sheet string, date1904 bool) *fastSheet {
	fs := &fastSheet{date1904: date1904, styles: styleClasses(f)}
	archive, err := zip.NewReader(data, size)
	if err != nil {
		return fs
	}
	parts := map[string]*zip.File{}
	for _, zf := range archive.File {
		parts[zf.Name] = zf
	}
	fs.sstPart = parts["xl/sharedStrings.xml"]
	var root struct {
		Rels []struct {
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
			ID     string `xml:"Id,attr"`
		} `xml:"Relationship"`
	}
	if !decodePart(parts["_rels/.rels"], &root) {
		return fs
	}
	for _, rel := range root.Rels {
		if strings.HasSuffix(rel.Type, "/officeDocument") && strings.TrimPrefix(rel.Target, "/") != "xl/workbook.xml" {
			return fs
		}
	}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if !decodePart(parts["xl/workbook.xml"], &book) {
		return fs
	}
	id := ""
	for _, s := range book.Sheets {
		if s.Name == sheet {
			if id != "" {
				return fs // two sheets of that name: let excelize choose
			}
			id = s.ID
		}
	}
	var rels struct {
		Rels []struct {
			Target string `xml:"Target,attr"`
			ID     string `xml:"Id,attr"`
		} `xml:"Relationship"`
	}
	if id == "" || !decodePart(parts["xl/_rels/workbook.xml.rels"], &rels) {
		return fs
	}
	for _, rel := range rels.Rels {
		if rel.ID != id {
			continue
		}
		name := strings.TrimPrefix(path.Clean("xl/"+rel.Target), "/")
		if strings.HasPrefix(rel.Target, "/") {
			name = strings.TrimPrefix(path.Clean(rel.Target), "/")
		}
		if strings.Contains(rel.Target, "\\") {
			return fs
		}
		fs.part = parts[name]
		return fs
	}
	return fs
}

// decodePart decodes a small part (at most MaxOtherPartBytes, checked on opening).
func decodePart(zf *zip.File, v any) bool {
	if zf == nil || zf.UncompressedSize64 > MaxOtherPartBytes {
		return false
	}
	rc, err := zf.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, MaxOtherPartBytes)).Decode(v) == nil
}

// styleClasses classifies every cell style after markDateCells replaced the date formats.
func styleClasses(f *excelize.File) []styleClass {
	styles := f.Styles
	if styles == nil || styles.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if styles.NumFmts != nil {
		for _, nf := range styles.NumFmts.NumFmt {
			if _, seen := custom[nf.NumFmtID]; seen {
				continue // excelize uses the first
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	classes := make([]styleClass, len(styles.CellXfs.Xf))
	for i, xf := range styles.CellXfs.Xf {
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		code, isCustom := custom[id]
		switch {
		case isCustom && code == dateCellFormat:
			classes[i] = styleDate
		case isCustom:
			classes[i] = styleOther
		case id == 0:
			classes[i] = styleGeneral
		default:
			classes[i] = styleOther
		}
	}
	return classes
}

func (fs *fastSheet) class(style int) styleClass {
	if style <= 0 || style >= len(fs.styles) {
		return stylePlain
	}
	return fs.styles[style]
}

// sharedStrings is the workbook's table of texts in one block: entry i is
// text[ends[i-1]:ends[i]]. The block is never written after loading, so entries are
// handed out as strings without copying.
type sharedStrings struct {
	text []byte
	ends []uint32
}

func (s *sharedStrings) get(i int) (string, bool) {
	if s == nil || i < 0 || i >= len(s.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	if start == s.ends[i] {
		return "", true
	}
	return unsafe.String(&s.text[start], int(s.ends[i]-start)), true
}

func (fs *fastSheet) sharedStrings() (*sharedStrings, error) {
	fs.sstOnce.Do(func() {
		if fs.sstPart == nil {
			return
		}
		rc, err := fs.sstPart.Open()
		if err != nil {
			fs.sstErr = errUnusual
			return
		}
		defer rc.Close()
		fs.sst, fs.sstErr = readSharedStrings(newXMLScanner(rc))
	})
	return fs.sst, fs.sstErr
}

// readSharedStrings reads every <si>: its <t> and the <t> of its rich-text runs <r>;
// phonetic runs <rPh> are not part of the text (as in excelize).
func readSharedStrings(sc *xmlScanner) (*sharedStrings, error) {
	sst := &sharedStrings{}
	var item []byte
	for {
		if err := sc.next(); err != nil {
			return nil, err
		}
		switch sc.kind {
		case tokEOF:
			return sst, nil
		case tokStart:
			if string(sc.name) != "si" {
				continue
			}
			var err error
			if item, err = readStringItem(sc, item[:0]); err != nil {
				return nil, err
			}
			sst.text = append(sst.text, bstrUnescape(item)...)
			if len(sst.text) > MaxSharedStringsBytes || len(sst.ends) >= MaxSharedStrings {
				return nil, errUnusual
			}
			sst.ends = append(sst.ends, uint32(len(sst.text)))
		}
	}
}

// readStringItem reads the text of an <si> or <is> element whose start was just read.
func readStringItem(sc *xmlScanner, out []byte) ([]byte, error) {
	var runs []byte
	depth, inText, inRun, seenT := 0, false, false, false
	for {
		if err := sc.next(); err != nil {
			return nil, err
		}
		switch sc.kind {
		case tokEOF:
			return nil, errUnusual
		case tokText:
			if inText {
				if inRun {
					runs = append(runs, sc.text...)
				} else {
					out = append(out, sc.text...)
				}
			}
		case tokStart:
			name := string(sc.name)
			switch {
			case inText:
				return nil, errUnusual // markup inside a text
			case depth == 0 && name == "t":
				if seenT {
					return nil, errUnusual
				}
				seenT, inText = true, true
			case depth == 0 && name == "r":
				inRun = true
			case depth == 1 && inRun && name == "t":
				inText = true
			case depth == 0 && name == "rPh", true:
				if err := skipElement(sc); err != nil {
					return nil, err
				}
				continue
			}
			depth++
		case tokEnd:
			if depth == 0 {
				return append(out, runs...), nil
			}
			depth--
			if inText {
				inText = false
			} else if depth == 0 {
				inRun = false
			}
		}
	}
}

// skipElement skips the element whose start was just read, with everything inside it;
// a value, formula or inline string inside it would be read by excelize, so it is unusual.
func skipElement(sc *xmlScanner) error {
	for depth := 1; depth > 0; {
		if err := sc.next(); err != nil {
			return err
		}
		switch sc.kind {
		case tokEOF:
			return errUnusual
		case tokStart:
			switch string(sc.name) {
			case "v", "f", "is", "row", "c", "si":
				return errUnusual
			}
			depth++
		case tokEnd:
			depth--
		}
	}
	return nil
}

// bstrUnescape decodes Excel's _xHHHH_ escapes as excelize does (a surrogate decodes to
// nothing); most texts have none.
func bstrUnescape(b []byte) []byte {
	if !strings.Contains(unsafe.String(unsafe.SliceData(b), len(b)), "_x") {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if i+7 <= len(b) && b[i] == '_' && b[i+1] == 'x' && b[i+6] == '_' && isHex4(b[i+2:i+6]) {
			n, _ := strconv.ParseUint(string(b[i+2:i+6]), 16, 32)
			if r := rune(n); r < 0xD800 || r > 0xDFFF {
				out = append(out, string(r)...)
			}
			i += 7
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// fastRows is one pass over the sheet: the scanner while it can, then excelize.
type fastRows struct {
	book    *xlsxBook
	sheet   *fastSheet
	scan    *sheetScanner
	emitted int       // rows returned so far
	slow    rowSource // excelize's iterator, once the scanner gave up
}

func (b *xlsxBook) fastRows() (rowSource, error) {
	if b.fast == nil || b.fast.part == nil {
		return b.excelizeRows(0)
	}
	sst, err := b.fast.sharedStrings()
	if err != nil {
		return b.excelizeRows(0)
	}
	rc, err := b.fast.part.Open()
	if err != nil {
		return nil, damagedWorkbook()
	}
	return &fastRows{book: b, sheet: b.fast, scan: newSheetScanner(rc, b.fast, sst)}, nil
}

func (f *fastRows) next() ([]string, int, error) {
	if f.slow != nil {
		return f.slow.next()
	}
	cells, row, err := f.scan.nextRow()
	if errors.Is(err, errUnusual) {
		_ = f.scan.close()
		if f.slow, err = f.book.excelizeRows(f.emitted); err != nil {
			return nil, f.emitted, err
		}
		return f.slow.next()
	}
	if err == nil {
		f.emitted = row
	}
	return cells, row, err
}

func (f *fastRows) close() error {
	if f.slow != nil {
		return f.slow.close()
	}
	return f.scan.close()
}

// withoutRows copies the workbook's zip with every worksheet and the shared strings
// replaced by empty ones (the other parts are copied as they are compressed), so that
// excelize opens it without unpacking the rows to temporary files.
func withoutRows(data io.ReaderAt, size int64) ([]byte, error) {
	archive, err := zip.NewReader(data, size)
	if err != nil {
		return nil, damagedWorkbook()
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, zf := range archive.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		stub := ""
		switch {
		case strings.HasPrefix(name, "xl/worksheets/sheet"):
			stub = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`
		case name == "xl/sharedstrings.xml":
			stub = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`
		}
		if stub == "" {
			if err := w.Copy(zf); err != nil {
				return nil, damagedWorkbook()
			}
			continue
		}
		fw, err := w.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Store})
		if err != nil {
			return nil, damagedWorkbook()
		}
		if _, err := io.WriteString(fw, stub); err != nil {
			return nil, damagedWorkbook()
		}
	}
	if err := w.Close(); err != nil {
		return nil, damagedWorkbook()
	}
	return buf.Bytes(), nil
}

// openWhole opens the whole workbook in excelize, with the date formats marked as in the
// workbook the scanner reads.
func openWhole(data io.ReaderAt, size int64, opts excelize.Options) (f *excelize.File, err error) {
	defer func() {
		if recover() != nil {
			f, err = nil, damagedWorkbook()
		}
	}()
	f, err = excelize.OpenReader(io.NewSectionReader(data, 0, size), opts)
	if err != nil {
		return nil, damagedWorkbook()
	}
	if err := markDateCells(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("prepare date formats: %w", err)
	}
	return f, nil
}

// wholeWorkbook opens the whole workbook once, for the first pass that hands over.
func (b *xlsxBook) wholeWorkbook() (*excelize.File, error) {
	b.wholeOnce.Do(func() { b.wholeFile, b.wholeErr = b.whole() })
	return b.wholeFile, b.wholeErr
}

package importfile

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	nsRels = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
)

// testStyles: 0 none, 1 General (explicit), 2 built-in date 14, 3 custom date, 4 text "@",
// 5 custom "0.00" (excelize renders it), 6 custom date-time.
const testStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet ` + nsMain + `><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/><numFmt numFmtId="165" formatCode="0.00"/><numFmt numFmtId="166" formatCode="dd/mm/yyyy\ hh:mm"/></numFmts>` +
	`<fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`

// rawWorkbook writes a one-sheet workbook from raw parts, the way other spreadsheet
// programs lay them out; sst "" leaves out the shared strings part.
func rawWorkbook(tb testing.TB, sheetData, sst string, date1904 bool) []byte {
	tb.Helper()
	pr := ""
	if date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	parts := []struct{ name, content string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook ` + nsMain + ` ` + nsRels + `>` + pr +
			`<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
			`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/styles.xml", testStyles},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<worksheet ` + nsMain + ` ` + nsRels + `><sheetData>` + sheetData + `</sheetData></worksheet>`},
	}
	if sst != "" {
		parts = append(parts, struct{ name, content string }{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<sst ` + nsMain + `>` + sst + `</sst>`})
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, p := range parts {
		fw, err := w.Create(p.name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.WriteString(fw, p.content); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// scannedRow is one row of a pass, or the error that ended it.
type scannedRow struct {
	Row   int
	Cells []string
	Err   string
}

func readPass(src rowSource) []scannedRow {
	var rows []scannedRow
	for len(rows) < 100_000 {
		cells, row, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rows = append(rows, scannedRow{Row: row, Err: err.Error()})
			break
		}
		rows = append(rows, scannedRow{Row: row, Cells: append([]string{}, cells...)})
	}
	return rows
}

// compareWithExcelize reads the sheet with the scanner and with excelize's iterator and
// fails on any difference; fast reports whether the scanner read the whole sheet itself.
func compareWithExcelize(t *testing.T, data []byte) (rows []scannedRow, fast bool) {
	t.Helper()
	book, err := openXLSX(bytes.NewReader(data), int64(len(data)), Options{MaxBytes: 1 << 20})
	if err != nil {
		return nil, false
	}
	defer func() { _ = book.close() }()
	scanned, err := book.rows()
	if err != nil {
		t.Fatalf("scanner: %v", err)
	}
	got := readPass(scanned)
	fr, isFast := scanned.(*fastRows)
	fast = isFast && fr.slow == nil
	_ = scanned.close()
	slow, err := book.excelizeRows(0)
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	want := readPass(slow)
	_ = slow.close()
	// Trailing empty rows are not data either way; compare them as absent.
	if !reflect.DeepEqual(trimEmpty(got), trimEmpty(want)) {
		t.Fatalf("scanner and excelize differ (scanner read it all: %v)\nscanner  %+v\nexcelize %+v", fast, got, want)
	}
	return got, fast
}

func trimEmpty(rows []scannedRow) []scannedRow {
	for len(rows) > 0 && len(rows[len(rows)-1].Cells) == 0 && rows[len(rows)-1].Err == "" {
		rows = rows[:len(rows)-1]
	}
	for i := range rows {
		if len(rows[i].Cells) == 0 {
			rows[i].Cells = nil
		}
	}
	return rows
}

// TestXLSXWriters reads the sheet layouts of the spreadsheet programs admins use; each
// must read the same with the scanner as with excelize, without falling back to excelize.
func TestXLSXWriters(t *testing.T) {
	header := `<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>`
	sst := `<si><t>First Name</t></si><si><t>Last Name</t></si><si><t>Login Email</t></si><si><t>Hiring Date</t></si>`
	for _, tc := range []struct {
		name      string
		sheetData string
		sst       string
		date1904  bool
		want      [][]string
	}{
		{"Excel: spans, rich text with phonetic runs, preserved spaces, date style 14",
			`<row r="1" spans="1:4" x14ac:dyDescent="0.25" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">` + header + `</row>` +
				`<row r="2" spans="1:4"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c><c r="C2" t="s"><v>6</v></c><c r="D2" s="2"><v>45565</v></c></row>`,
			sst + `<si><r><t>Zo</t></r><r><rPr><b/><sz val="11"/></rPr><t>ë</t></r></si><si><t xml:space="preserve"> Müller </t><rPh sb="0" eb="1"><t>ミュ</t></rPh><phoneticPr fontId="1"/></si><si><t>zoe@example.com</t></si>`,
			false, [][]string{{"First Name", "Last Name", "Login Email", "Hiring Date"}, {"Zoë", " Müller ", "zoe@example.com", "2024-09-30"}}},
		{"LibreOffice: styled empty cells, custom date format, 1904 dates",
			`<row r="1" s="0" customFormat="false" ht="12.8" hidden="false">` + header + `<c r="E1" s="1"/><c r="F1" s="3"/></row>` +
				`<row r="2"><c r="A2" s="1" t="s"><v>4</v></c><c r="B2" s="1"/><c r="C2" t="s"><v>5</v></c><c r="D2" s="3" t="n"><v>44103</v></c><c r="E2" s="1"/></row>`,
			sst + `<si><t>Ana</t></si><si><t>ana@example.com</t></si>`,
			true, [][]string{{"First Name", "Last Name", "Login Email", "Hiring Date"}, {"Ana", "", "ana@example.com", "2024-09-30"}}},
		{"Google Sheets: sparse rows, date-time format, numbers with General style",
			`<row r="1">` + header + `</row><row r="4"><c r="A4" s="1" t="s"><v>4</v></c><c r="C4" s="1" t="s"><v>5</v></c><c r="D4" s="6"><v>45565.7916666667</v></c><c r="E4" s="1"><v>1234567890123</v></c></row>`,
			sst + `<si><t>Bo</t></si><si><t>bo@example.com</t></si>`,
			false, [][]string{{"First Name", "Last Name", "Login Email", "Hiring Date"}, nil, nil, {"Bo", "", "bo@example.com", "2024-09-30", "1.23456789E+12"}}},
		{"Numbers and streaming writers: inline strings, no r attributes, escapes",
			`<row>` + strings.ReplaceAll(strings.ReplaceAll(header, ` r="A1"`, ""), ` r="`, ` x="`) + `</row>` +
				`<row><c t="inlineStr"><is><t>Chlo&#233;</t></is></c><c t="inlineStr"><is><r><t>Du</t></r><r><t>pré</t></r></is></c><c t="str"><v>chloe@example.com</v></c><c><v>45565</v></c><c t="inlineStr"><is><t>a_x000D_b&amp;c</t></is></c></row>`,
			sst, false, [][]string{{"First Name", "Last Name", "Login Email", "Hiring Date"}, {"Chloé", "Dupré", "chloe@example.com", "45565", "a\rb&c"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, fast := compareWithExcelize(t, rawWorkbook(t, tc.sheetData, tc.sst, tc.date1904))
			if !fast {
				t.Errorf("the scanner fell back to excelize")
			}
			var got [][]string
			for _, r := range trimEmpty(rows) {
				got = append(got, r.Cells)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rows %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestXLSXScannerFallsBack: what the scanner does not render itself (another number
// format, rows out of order, a DOCTYPE) is read by excelize from that row on, and the
// result is the same.
func TestXLSXScannerFallsBack(t *testing.T) {
	for name, sheetData := range map[string]string{
		"number format 0.00": `<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c r="A2" s="5"><v>1.5</v></c></row>`,
		"rows out of order":  `<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row><row r="1"><c r="B1" t="inlineStr"><is><t>y</t></is></c></row>`,
		"unknown entity":     `<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>`,
		"date cell type":     `<row r="1"><c r="A1" t="d"><v>2024-09-30T00:00:00Z</v></c></row>`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, fast := compareWithExcelize(t, rawWorkbook(t, sheetData, "", false)); fast {
				t.Errorf("the scanner read it itself")
			}
		})
	}
}

// fuzzWorkbook turns fuzz bytes into a well-formed workbook that exercises every kind of
// cell the scanner renders (and some it hands to excelize).
func fuzzWorkbook(tb testing.TB, data []byte) []byte {
	pos := 0
	next := func(n int) int {
		if pos >= len(data) || n <= 0 {
			return 0
		}
		pos++
		return int(data[pos-1]) % n
	}
	pieces := []string{"a", "Zé", " ", "&amp;", "&lt;", "&#233;", "&#13;", "\r\n", "\t", "_x0041_", "_x005F_", "_xD800_", "1", "-", ".", "@", "ü"}
	text := func() string {
		var b strings.Builder
		for n := next(6); n > 0; n-- {
			b.WriteString(pieces[next(len(pieces))])
		}
		return b.String()
	}
	item := func() string {
		switch next(4) {
		case 0:
			return "<r><t>" + text() + `</t></r><r><rPr><b/></rPr><t xml:space="preserve">` + text() + "</t></r>"
		case 1:
			return "<t>" + text() + "</t><rPh sb=\"0\" eb=\"1\"><t>" + text() + "</t></rPh>"
		case 2:
			return "<t/>"
		}
		return "<t>" + text() + "</t>"
	}
	date1904 := next(2) == 1
	nStrings := next(5)
	var sst strings.Builder
	for i := 0; i < nStrings; i++ {
		sst.WriteString("<si>" + item() + "</si>")
	}
	numbers := []string{"1", "45000", "45565.75", "0.5", "-3", "1234567890123", "1.5E3", "007", "12345678901234567890", "abc", "2958465.9", "60", "45565.99999999999", " 2"}
	var sheet strings.Builder
	row := 0
	for nRows := next(6); nRows > 0; nRows-- {
		row += 1 + next(3)
		if next(4) == 0 {
			sheet.WriteString("<row>")
		} else {
			fmt.Fprintf(&sheet, `<row r="%d">`, row)
		}
		col := 0
		for nCells := next(6); nCells > 0; nCells-- {
			col += 1 + next(3)
			sheet.WriteString("<c")
			if next(4) != 0 {
				fmt.Fprintf(&sheet, ` r="%s%d"`, string(rune('A'+col-1)), row)
			}
			if s := next(8); s < 7 {
				fmt.Fprintf(&sheet, ` s="%d"`, s)
			}
			formula := ""
			if next(8) == 0 {
				formula = "<f>A1</f>"
			}
			switch next(11) {
			case 0:
				fmt.Fprintf(&sheet, ` t="s">%s<v>%d</v></c>`, formula, next(nStrings+2))
			case 8:
				fmt.Fprintf(&sheet, ` t="%s">%s</c>`, []string{"s", "inlineStr", "n", "b"}[next(4)], formula)
			case 9:
				fmt.Fprintf(&sheet, ` t="%s"><v>%s</v></c>`, []string{"s", "inlineStr", "n", "x"}[next(4)], []string{" 1 ", "x", "", "2"}[next(4)])
			case 1:
				fmt.Fprintf(&sheet, ` t="str">%s<v>%s</v></c>`, formula, text())
			case 2:
				sheet.WriteString(` t="inlineStr"><is>` + item() + `</is></c>`)
			case 3:
				fmt.Fprintf(&sheet, ` t="b"><v>%s</v></c>`, []string{"1", "0", "x"}[next(3)])
			case 4:
				sheet.WriteString(` t="e"><v>#N/A</v></c>`)
			case 5:
				sheet.WriteString("/>")
			default:
				fmt.Fprintf(&sheet, `>%s<v>%s</v></c>`, formula, numbers[next(len(numbers))])
			}
		}
		sheet.WriteString("</row>")
	}
	return rawWorkbook(tb, sheet.String(), sst.String(), date1904)
}

// FuzzXLSXScanner is differential: the scanner must read every generated sheet exactly
// as excelize's iterator does.
func FuzzXLSXScanner(f *testing.F) {
	f.Add([]byte{0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte("\x01\x04random fuzz seed with many bytes to walk every branch of the generator"))
	f.Add(bytes.Repeat([]byte{7, 5, 3, 1}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithExcelize(t, fuzzWorkbook(t, data))
	})
}

// TestXLSXScannerReadsRealFiles: the LibreOffice fixtures, the template, an export and the
// benchmark's workbook (excelize's stream writer, date cells) are read by the scanner
// itself, the same as by excelize.
func TestXLSXScannerReadsRealFiles(t *testing.T) {
	var template, export bytes.Buffer
	must(t, WriteTemplate(&template, "xlsx"))
	e, err := NewExportWriter(&export, "xlsx")
	must(t, err)
	for i := 0; i < 30; i++ {
		must(t, e.Write(benchPerson(i)))
	}
	must(t, e.Close())
	files := map[string][]byte{
		"template":  template.Bytes(),
		"export":    export.Bytes(),
		"benchmark": generateXLSX(t, 200),
	}
	for _, name := range []string{"people_libreoffice.xlsx", "european_dates_libreoffice.xlsx"} {
		files[name] = readFixture(t, name)
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			rows, fast := compareWithExcelize(t, data)
			if !fast || len(rows) < 2 {
				t.Errorf("read %d rows, by the scanner alone: %v", len(rows), fast)
			}
		})
	}
}

// TestXLSXScannerLargeTextTable: a table of texts over MaxOtherPartBytes, which excelize
// keeps in a temporary file instead of memory, reads the same.
func TestXLSXScannerLargeTextTable(t *testing.T) {
	var sst, sheet strings.Builder
	n := 0
	for sst.Len() <= MaxOtherPartBytes+(1<<20) {
		switch n % 3 {
		case 0:
			fmt.Fprintf(&sst, "<si><t>person %d &amp; co_x0041_ %s</t></si>", n, strings.Repeat("é", 30))
		case 1:
			fmt.Fprintf(&sst, `<si><r><t>rich %d</t></r><r><rPr><i/></rPr><t xml:space="preserve"> run</t></r></si>`, n)
		default:
			fmt.Fprintf(&sst, "<si><t>p%d@example.com</t><rPh sb=\"0\" eb=\"1\"><t>x</t></rPh></si>", n)
		}
		n++
	}
	for row := 1; row <= 500; row++ {
		fmt.Fprintf(&sheet, `<row r="%d">`, row)
		for col := 0; col < 3; col++ {
			fmt.Fprintf(&sheet, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+col, row, (row*7919+col*104729)%(n+5))
		}
		sheet.WriteString("</row>")
	}
	rows, fast := compareWithExcelize(t, rawWorkbook(t, sheet.String(), sst.String(), false))
	if !fast || len(rows) != 500 {
		t.Errorf("read %d rows, by the scanner alone: %v", len(rows), fast)
	}
}

// TestXLSXHandOverInALargeSheet: a sheet large enough for excelize to stream it from a
// temporary file, with a cell the scanner does not render near its end, reads the same:
// excelize opens the whole workbook and continues after the rows already read.
func TestXLSXHandOverInALargeSheet(t *testing.T) {
	if raceEnabled {
		t.Skip("reads 45,000 rows with excelize; too slow under -race")
	}
	var sheet strings.Builder
	const rows = 45_000
	for row := 1; row <= rows; row++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>person %d</t></is></c><c r="B%d"><v>%d</v></c>`, row, row, row, row, row)
		if row == rows-10 {
			fmt.Fprintf(&sheet, `<c r="C%d" s="5"><v>1.5</v></c>`, row) // 0.00: excelize renders it
		}
		sheet.WriteString("</row>")
	}
	if sheet.Len() <= MaxOtherPartBytes {
		t.Fatalf("the sheet is %d bytes, not over MaxOtherPartBytes", sheet.Len())
	}
	got, fast := compareWithExcelize(t, rawWorkbook(t, sheet.String(), "", false))
	if fast || len(got) != rows || got[rows-11].Cells[2] != "1.50" {
		t.Errorf("read %d rows (scanner alone: %v)", len(got), fast)
	}
}

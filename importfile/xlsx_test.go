package importfile

import (
	"archive/zip"
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/directory"
	"github.com/xuri/excelize/v2"
)

// buildWorkbook writes a workbook with excelize; fill gets the file and the first sheet's name.
func buildWorkbook(t *testing.T, fill func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	fill(f, "Sheet1")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestXLSXCells(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		name := "1900 date system"
		serial := 45565.0 // 2024-09-30 in the 1900 system
		if date1904 {
			name, serial = "1904 date system", 45565-1462
		}
		t.Run(name, func(t *testing.T) {
			data := buildWorkbook(t, func(f *excelize.File, sheet string) {
				must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}))
				must(t, f.SetSheetRow(sheet, "A1", &[]any{"First Name", "Last Name", "Login Email", "Employee ID", "Hiring Date", "Leaving Date", "Status", "Title"}))
				must(t, f.SetCellRichText(sheet, "A2", []excelize.RichTextRun{{Text: "Zo"}, {Text: "ë", Font: &excelize.Font{Bold: true}}}))
				must(t, f.SetCellStr(sheet, "B2", "  Müller\u00a0"))
				must(t, f.SetCellStr(sheet, "C2", "zoe@example.com"))
				must(t, f.SetCellInt(sheet, "D2", 1234))
				must(t, f.SetCellFloat(sheet, "E2", serial, -1, 64))
				must(t, f.SetCellFloat(sheet, "F2", serial+0.75, -1, 64))
				must(t, f.SetCellBool(sheet, "G2", true))
				must(t, f.SetCellStr(sheet, "H2", "'=HYPERLINK(1)"))
				dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
				must(t, err)
				custom := "dd.mm.yyyy hh:mm"
				dateTimeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
				must(t, err)
				must(t, f.SetCellStyle(sheet, "E2", "E2", dateStyle))
				must(t, f.SetCellStyle(sheet, "F2", "F2", dateTimeStyle))
				// A date-styled text cell stays text (and is then checked as a date).
				must(t, f.SetCellStr(sheet, "E3", "unknown"))
				must(t, f.SetCellStyle(sheet, "E3", "E3", dateStyle))
				must(t, f.SetSheetRow(sheet, "A3", &[]any{"Li", "Wei", "li@example.com"}))
				// Formatted but empty cells far to the right are Excel noise.
				must(t, f.SetCellStyle(sheet, "Z3", "Z3", dateStyle))
			})
			got, _, err := readAllRecords(data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := []directory.Record{
				record(t, 2, "first_name=Zoë", "last_name=Müller", "email=zoe@example.com", "employee_id=1234",
					"hire_date=2024-09-30", "leaving_date=2024-09-30", "status=Active", "title==HYPERLINK(1)"),
				withProblems(record(t, 3, "first_name=Li", "last_name=Wei", "email=li@example.com"),
					problem(directory.SeverityError, "invalid_date", directory.HireDate, "unknown", `Row 3, Hiring Date (column E): "unknown" is not a date; use YYYY-MM-DD`)),
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestXLSXSheets(t *testing.T) {
	data := buildWorkbook(t, func(f *excelize.File, sheet string) {
		must(t, f.SetSheetRow(sheet, "A1", &[]any{"Read me first"}))
		_, err := f.NewSheet("People")
		must(t, err)
		must(t, f.SetSheetRow("People", "A1", &[]any{"First Name", "Last Name", "Login Email"}))
		must(t, f.SetSheetRow("People", "A2", &[]any{"Ann", "Lee", "ann@example.com"}))
	})
	got, _, err := readAllRecords(data, Options{Sheet: "people"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []directory.Record{record(t, 2, "first_name=Ann", "last_name=Lee", "email=ann@example.com")}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	_, _, err = readAllRecords(data, Options{Sheet: "Staff"})
	if fe := fileErrorOf(err); fe == nil || fe.Code != CodeSheetNotFound ||
		fe.Message != `the workbook has no sheet named "Staff"; its sheets are "Sheet1" and "People". Choose one of them and upload again` {
		t.Errorf("got %v", err)
	}
	_, _, err = readAllRecords(data, Options{}) // first sheet has no usable header
	if fe := fileErrorOf(err); fe == nil || fe.Code != CodeNoHeader {
		t.Errorf("first sheet: got %v, want a no_header file error", err)
	}
}

func TestXLSXTooManyColumns(t *testing.T) {
	data := buildWorkbook(t, func(f *excelize.File, sheet string) {
		must(t, f.SetSheetRow(sheet, "A1", &[]any{"Ann", "Lee", "", "", "ann@example.com"}))
		must(t, f.SetCellStr(sheet, "T12", "noise"))
	})
	_, _, err := readAllRecords(data, Options{})
	if fe := fileErrorOf(err); fe == nil || fe.Message != "too many columns: column T, row 12 has data; remove it or move it into the template's columns A-R" {
		t.Errorf("got %v", err)
	}
}

// wantPeople is what testdata/people.csv holds; LibreOffice turns Employee ID 00042 into the number 42.
func wantPeople(t *testing.T, ana42 string) []directory.Record {
	return []directory.Record{
		record(t, 2, "first_name=Zoë", "last_name=Müller", "gender=F", "title=Head of Sales", "email=zoe.mueller@example.com",
			"department=Sales", "location=Berlin", "employee_id=1234", "hire_date=2021-03-15", "employment_type=Full-time", "status=Active"),
		record(t, 3, "first_name=José", "last_name=García, Jr.", "gender=M", `title=Account "Key" Manager`, "email=jose.garcia@example.com",
			"manager_email=zoe.mueller@example.com", "department=Sales", "team=Enterprise", "location=Madrid", "employee_id=1235",
			"hire_date=2022-11-01", "alt_email=jose@example.org", "preferred_name=Pepe", "employment_type=Part-time", "status=Active"),
		record(t, 4, "first_name=Ana", "last_name=Sørensen", "gender=N", "title=Engineer", "email=ana.sorensen@example.com",
			"manager_email=zoe.mueller@example.com", "department=R&D", "team=Platform", "location=København", "employee_id="+ana42,
			"hire_date=2020-01-31", "secondary_manager_email=jose.garcia@example.com", "leaving_date=2024-06-30",
			"termination_type=Voluntary", "employment_type=Contractor", "status=Inactive"),
		record(t, 5, "first_name=Li", "last_name=Wei", "email=li.wei@example.com", "manager_email!", "team!", "location=Shanghai"),
	}
}

func TestGoldenFixtures(t *testing.T) {
	european := func(t *testing.T) []directory.Record {
		return []directory.Record{
			record(t, 2, "first_name=Jürgen", "last_name=Weiß", "email=juergen.weiss@example.de", "hire_date=2021-03-15"),
			record(t, 3, "first_name=Grete", "last_name=Groß", "email=grete.gross@example.de", "manager_email=juergen.weiss@example.de", "hire_date=2019-02-01"),
		}
	}
	tests := []struct {
		file   string
		format string
		want   func(t *testing.T) []directory.Record
	}{
		{"people.csv", "csv", func(t *testing.T) []directory.Record { return wantPeople(t, "00042") }},
		{"people_libreoffice.xlsx", "xlsx", func(t *testing.T) []directory.Record { return wantPeople(t, "42") }},
		{"european_dates.csv", "csv", european},
		// LibreOffice stored the dates as date cells shown as mm/dd/yy.
		{"european_dates_libreoffice.xlsx", "xlsx", european},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			r, err := Open(bytes.NewReader(data), int64(len(data)), "report.bin", Options{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			_ = r.Close()
			if r.Format() != tt.format {
				t.Errorf("format %q, want %q", r.Format(), tt.format)
			}
			got, _, err := readAllRecords(data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(t); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, content := range files {
		fw, err := w.Create(name)
		must(t, err)
		_, err = fw.Write(content)
		must(t, err)
	}
	must(t, w.Close())
	return buf.Bytes()
}

func TestNotAWorkbook(t *testing.T) {
	people := readFixture(t, "people_libreoffice.xlsx")
	tests := []struct {
		name    string
		data    []byte
		code    string
		message string
	}{
		{"password protected", readFixture(t, "people_password_secret.xlsx"), CodePasswordProtected,
			"the workbook is password protected; remove the password in Excel (File > Info > Protect Workbook) and upload again"},
		{"old xls from LibreOffice", readFixture(t, "people_libreoffice.xls"), CodeOldExcel,
			"the file is an old Excel 97-2003 workbook (.xls); open it in Excel and save it as XLSX (Excel Workbook) or CSV, then upload that file"},
		{"PDF renamed to .xlsx", readFixture(t, "people_report_renamed.xlsx"), CodeNotSpreadsheet,
			"the file is a PDF document, not a spreadsheet; save the data as CSV or XLSX (in Excel: File > Save As) and upload that file"},
		{"Word document", zipOf(t, map[string][]byte{"word/document.xml": []byte("<w/>")}), CodeNotSpreadsheet,
			"the file is a Word document, not a spreadsheet; save the data as CSV or XLSX (in Excel: File > Save As) and upload that file"},
		{"OpenDocument spreadsheet", zipOf(t, map[string][]byte{"mimetype": []byte("application/vnd.oasis.opendocument.spreadsheet"), "content.xml": []byte("<x/>")}), CodeNotSpreadsheet,
			"the file is an OpenDocument file (.ods); save it as XLSX (Excel 2007-365) or CSV, then upload that file"},
		{"plain zip", zipOf(t, map[string][]byte{"people.csv": []byte("a,b")}), CodeNotSpreadsheet,
			"the file is a ZIP archive, not a spreadsheet; save the data as CSV or XLSX (in Excel: File > Save As) and upload that file"},
		{"truncated workbook", people[:len(people)/2], CodeDamagedFile,
			"the file looks like an Excel workbook but is damaged; open it in Excel, save it again and upload the new file"},
		{"zip bomb", zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"), "xl/worksheets/sheet1.xml": make([]byte, 45<<20)}), CodeFileTooLarge,
			"the workbook unpacks to more than 10 MB of data (the limit is 10 times the upload limit); delete unused rows, columns and sheets (or save it as CSV) and upload again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAllRecords(tt.data, Options{MaxBytes: 1 << 20})
			fe := fileErrorOf(err)
			if fe == nil || fe.Code != tt.code || fe.Message != tt.message {
				t.Errorf("got %v\nwant %s: %s", err, tt.code, tt.message)
			}
		})
	}
}

func TestTemplateRowsInXLSX(t *testing.T) {
	var buf bytes.Buffer
	must(t, WriteTemplate(&buf, "xlsx"))
	got, warnings, err := readAllRecords(buf.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || !reflect.DeepEqual(warnings, []string{"rows 2-3 are the template's instruction rows and were skipped"}) {
		t.Errorf("got %d records, warnings %q", len(got), warnings)
	}
	if !strings.Contains(buf.String(), "PK") {
		t.Error("template is not a zip")
	}
}

package importfile

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

const fullHeader = "First Name,Last Name,Gender,Title,Login Email,Manager Email,Department,Team,Location,Employee ID,Hiring Date,Alternative Email,Secondary Manager Email,Preferred Name,Leaving Date,Termination Type,Employment Type,Active / Account Status"

func problem(sev directory.Severity, code string, f directory.Field, value, message string) directory.Problem {
	return directory.Problem{Severity: sev, Code: code, Field: f, Value: value, Message: message}
}

func TestReadRecords(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		opts     Options
		want     func(t *testing.T) []directory.Record
		warnings []string
	}{
		{
			name:  "full template header, values canonicalised",
			input: fullHeader + "\nZoë,Müller,female,CEO,zoe@example.com,,Board,,Berlin,1234,2021-03-15,,,,,,part-time,true\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Zoë", "last_name=Müller", "gender=F", "title=CEO", "email=zoe@example.com",
					"department=Board", "location=Berlin", "employee_id=1234", "hire_date=2021-03-15", "employment_type=Part-time", "status=Active")}
			},
		},
		{
			name:  "aliases, reordered columns, any case and punctuation",
			input: "E-mail;SURNAME;first_name;Manager;Active;Hire Date\nann@example.com;Lee;Ann;boss@example.com;False;2020-02-29\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "email=ann@example.com", "last_name=Lee", "first_name=Ann", "manager_email=boss@example.com", "status=Inactive", "hire_date=2020-02-29")}
			},
		},
		{
			name:  "work email and account status aliases",
			input: "Given Name\tFamily Name\tWork Email\tAccount Status\nAnn\tLee\tann@example.com\tActive\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Ann", "last_name=Lee", "email=ann@example.com", "status=Active")}
			},
		},
		{
			name:  "no header: read by position, row 1 is data",
			input: "Ann,Lee,F,,ann@example.com,,,,,,,,,,,,,\nBob,Ray,,,bob@example.com\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{
					record(t, 1, "first_name=Ann", "last_name=Lee", "gender=F", "email=ann@example.com"),
					record(t, 2, "first_name=Bob", "last_name=Ray", "email=bob@example.com"),
				}
			},
			warnings: []string{"row 1 has no column headers, so the columns were read in template order A-R (" + strings.ReplaceAll(fullHeader, ",", ", ") + ")"},
		},
		{
			name:  "blank keeps, dashes clear, apostrophe escape stripped",
			input: "First Name,Last Name,Login Email,Team,Location,Title,Department\nAnn,Lee,ann@example.com,-,–,—,'=SUM(A1)\nBob,'-,bob@example.com,,,'+1,''quoted\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{
					record(t, 2, "first_name=Ann", "last_name=Lee", "email=ann@example.com", "team!", "location!", "title!", "department==SUM(A1)"),
					record(t, 3, "first_name=Bob", "last_name=-", "email=bob@example.com", "title=+1", "department='quoted"),
				}
			},
		},
		{
			name:  "spaces, NBSP and zero-width trimmed; NFC",
			input: "First Name,Last Name,Login Email\n\u00a0 Zoe\u0308 \u200b,\u200bLee\u00a0,\u2060ann@example.com\ufeff\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Zoë", "last_name=Lee", "email=ann@example.com")}
			},
		},
		{
			name:  "empty rows and whitespace-only rows skipped, numbering kept",
			input: "First Name,Last Name,Login Email\n,,\n\n  , ,\nAnn,Lee,ann@example.com\n,,\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 5, "first_name=Ann", "last_name=Lee", "email=ann@example.com")}
			},
		},
		{
			name:  "empty trailing columns are Excel noise",
			input: "First Name,Last Name,Login Email,,,\nAnn,Lee,ann@example.com,,, \n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Ann", "last_name=Lee", "email=ann@example.com")}
			},
		},
		{
			name:  "unknown header column ignored with a warning",
			input: "First Name,Notes,Last Name,Login Email\nAnn,likes tea,Lee,ann@example.com\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Ann", "last_name=Lee", "email=ann@example.com")}
			},
			warnings: []string{`column B ("Notes") is not a template column and was ignored`},
		},
		{
			name:  "invalid enum and email values are row problems",
			input: "First Name,Last Name,Gender,Login Email,Manager,Status\nAnn,Lee,X,not-an-email,boss@example.com,maybe\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{withProblems(record(t, 2, "first_name=Ann", "last_name=Lee", "manager_email=boss@example.com"),
					problem(directory.SeverityError, "invalid_gender", directory.Gender, "X", `Row 2, Gender (column C): "X" is not allowed; use one of M, F or N`),
					problem(directory.SeverityError, "invalid_email", directory.Email, "not-an-email", `Row 2, Login Email (column D): "not-an-email" is not a valid email address`),
					// The allowed-values wording belongs to the directory package; the row and the file's column are ours.
					problem(directory.SeverityError, "invalid_status", directory.Status, "maybe", "Row 2, "+strings.Replace(directoryMessage(directory.Status, "maybe"), "(column R)", "(column F)", 1)),
				)}
			},
		},
		{
			name:  "unusual but valid email goes through the full check",
			input: "First Name,Last Name,Login Email\nAnn,Lee,\"ann!x@example.com\"\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Ann", "last_name=Lee", "email=ann!x@example.com")}
			},
		},
		{
			name:  "template instruction rows skipped",
			input: templateCSV() + "Ann,Lee,,,ann@example.com\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 4, "first_name=Ann", "last_name=Lee", "email=ann@example.com")}
			},
			warnings: []string{"rows 2-3 are the template's instruction rows and were skipped"},
		},
		{
			name:  "edited example row is data",
			input: fullHeader + "\nJoe,Smith,M,Sales Manager,joe.smith@example.com,,,,,,,,,,,,,\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Joe", "last_name=Smith", "gender=M", "title=Sales Manager", "email=joe.smith@example.com")}
			},
		},
		{
			name:  "sep= hint line",
			input: "sep=;\nFirst Name;Last Name;Login Email\nAnn;Lee, Jr.;ann@example.com\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Ann", "last_name=Lee, Jr.", "email=ann@example.com")}
			},
		},
		{
			name:  "delimiter option wins over detection",
			input: "First Name;Last Name;Login Email\nAnn;Lee, Jr.;ann@example.com\n",
			opts:  Options{Delimiter: directory.DelimiterSemicolon},
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{record(t, 2, "first_name=Ann", "last_name=Lee, Jr.", "email=ann@example.com")}
			},
		},
		{
			name:  "multi-line quoted cell counts as one spreadsheet row",
			input: "First Name,Last Name,Login Email,Title\nAnn,Lee,ann@example.com,\"Head of\nSales\"\nBob,Ray,bob@example.com,\n",
			want: func(t *testing.T) []directory.Record {
				return []directory.Record{
					record(t, 2, "first_name=Ann", "last_name=Lee", "email=ann@example.com", "title=Head of\nSales"),
					record(t, 3, "first_name=Bob", "last_name=Ray", "email=bob@example.com"),
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := readAllRecords([]byte(tt.input), tt.opts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if want := tt.want(t); !reflect.DeepEqual(got, want) {
				t.Errorf("records:\n got %+v\nwant %+v", got, want)
			}
			if !reflect.DeepEqual(warnings, tt.warnings) && !(len(warnings) == 0 && len(tt.warnings) == 0) {
				t.Errorf("warnings:\n got %q\nwant %q", warnings, tt.warnings)
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	long := strings.Repeat("é", 1001)
	tests := []struct {
		name    string
		input   string
		opts    Options
		code    string
		message string
	}{
		{"empty", "", Options{}, CodeEmptyFile, `the file "upload" is empty; upload the file that holds your people`},
		{"only blank lines", "\ufeff\n , \n\n", Options{}, CodeEmptyFile, "the file has no data; put the template headers in row 1 and one person per row below them"},
		{"over the size limit", fullHeader + "\n", Options{MaxBytes: 100}, CodeFileTooLarge, `the file "upload" is 0.0 MB; the limit is 0.0 MB. Split it into smaller files and upload them one after the other`},
		{"required column missing", "First Name,Email\nAnn,ann@example.com\n", Options{}, CodeMissingColumn, `the required column "Last Name" is missing; add it with that header and upload again`},
		{"required columns missing", "Department,Team,Manager\nx,y,z\n", Options{}, CodeMissingColumn, `the required columns "First Name", "Last Name" and "Login Email" are missing; add them with those headers and upload again`},
		{"duplicate column", "First Name,Last Name,Email,Work Email\n", Options{}, CodeDuplicateColumn, `columns C ("Email") and D ("Work Email") both hold Login Email; keep one of them and upload again`},
		{"no header and too few columns", "Ann,Lee\n", Options{}, CodeNoHeader, "row 1 has no recognisable column headers and does not have the template's 18 columns A-R; put the template headers (" + strings.ReplaceAll(fullHeader, ",", ", ") + ") in row 1 and upload again"},
		{"data beyond R without header", "Ann,Lee,,,ann@example.com,,,,,,,,,,,,,\nBob,Ray,,,bob@example.com,,,,,,,,,,,,,,,x\n", Options{}, CodeTooManyColumns, "too many columns: column T, row 2 has data; remove it or move it into the template's columns A-R"},
		{"data beyond the last header", fullHeader + "\n" + strings.Repeat(",", 19) + "x\n", Options{}, CodeTooManyColumns, "too many columns: column T, row 2 has data but the headers end at column R; remove it or move it into a column with a header"},
		{"too many rows", "First Name,Last Name,Login Email\na,b,c\nd,e,f\n\n,,\ng,h,i\n", Options{MaxRows: 2}, CodeTooManyRows, "the file has more than 2 rows of people; split it into smaller files and upload them one after the other"},
		{"cell too long", "First Name,Last Name,Login Email\na," + long + ",c\n", Options{}, CodeCellTooLong, "cell B2 has more than 1000 characters; shorten it and upload again"},
		{"cell too long unquoted scan bound", "First Name,Last Name,Login Email\na," + strings.Repeat("x", 5000) + ",c\n", Options{}, CodeCellTooLong, "row 2, column B has more than 1000 characters; shorten it (or check that every quote \" in that row is closed)"},
		{"unclosed quote", "First Name,Last Name,Login Email\na,\"b,c\nd,e,f\n", Options{}, CodeUnclosedQuote, "row 2, column B: a quoted value is never closed (a closing \" is missing); fix the quotes in that row and upload again"},
		{"binary", "First Name\x00\x01\x02", Options{}, CodeNotSpreadsheet, "the file is not a CSV or XLSX file (it contains binary data); save the data as CSV or XLSX (in Excel: File > Save As) and upload that file"},
		{"UTF-16 without BOM", "F\x00i\x00r\x00s\x00t\x00,\x00", Options{}, CodeUnsupportedEncoding, "the file looks like UTF-16 text without a byte order mark; in Excel use Save As > \"CSV UTF-8 (comma delimited)\" and upload that file"},
		{"not Windows-1252 either", "First Name,Last Name,Login Email\n\x81\x8d,b,c\n", Options{}, CodeUnsupportedEncoding, "the file's text is not UTF-8, UTF-16 or Windows-1252; in Excel use Save As > \"CSV UTF-8 (comma delimited)\" and upload that file"},
		{"PDF", "%PDF-1.7\n...", Options{}, CodeNotSpreadsheet, "the file is a PDF document, not a spreadsheet; save the data as CSV or XLSX (in Excel: File > Save As) and upload that file"},
		{"PNG", "\x89PNG\r\n\x1a\n", Options{}, CodeNotSpreadsheet, "the file is a PNG image, not a spreadsheet; save the data as CSV or XLSX (in Excel: File > Save As) and upload that file"},
		{"HTML saved as xls", "<html><table><tr><td>x</td></tr></table></html>", Options{}, CodeNotSpreadsheet, "the file is a web page (HTML), not a spreadsheet; save the data as CSV or XLSX (in Excel: File > Save As) and upload that file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAllRecords([]byte(tt.input), tt.opts)
			fe := fileErrorOf(err)
			if fe == nil {
				t.Fatalf("got error %v, want a *FileError", err)
			}
			if fe.Code != tt.code || fe.Message != tt.message {
				t.Errorf("got %s: %s\nwant %s: %s", fe.Code, fe.Message, tt.code, tt.message)
			}
		})
	}
}

func TestEncodings(t *testing.T) {
	const text = "First Name,Last Name,Login Email\nZoë,Øster—Müller,zoe@example.com\n"
	utf16 := func(bigEndian bool) []byte {
		out := []byte{0xFF, 0xFE}
		if bigEndian {
			out = []byte{0xFE, 0xFF}
		}
		for _, r := range text {
			hi, lo := byte(r>>8), byte(r)
			if bigEndian {
				out = append(out, hi, lo)
			} else {
				out = append(out, lo, hi)
			}
		}
		return out
	}
	// Windows-1252: ë=0xEB, Ø=0xD8, —=0x97, ü=0xFC.
	cp1252 := []byte("First Name,Last Name,Login Email\nZo\xEB,\xD8ster\x97M\xFCller,zoe@example.com\n")
	tests := []struct {
		name string
		data []byte
	}{
		{"UTF-8", []byte(text)},
		{"UTF-8 with BOM", append([]byte("\xEF\xBB\xBF"), text...)},
		{"UTF-16 LE with BOM", utf16(false)},
		{"UTF-16 BE with BOM", utf16(true)},
		{"Windows-1252", cp1252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := readAllRecords(tt.data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := []directory.Record{record(t, 2, "first_name=Zoë", "last_name=Øster—Müller", "email=zoe@example.com")}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestUTF8ValidationAcrossChunks(t *testing.T) {
	// A multi-byte character split by the 64 KiB scan chunk must not make the file "not UTF-8".
	pad := strings.Repeat("a", scanChunk-len("First Name,Last Name,Login Email\n")-1)
	input := "First Name,Last Name,Login Email\n" + pad + "é,Lee,x@example.com\n"
	got, _, err := readAllRecords([]byte(input), Options{MaxCellChars: 2 * scanChunk})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Cells.Get(directory.FirstName).Text != pad+"é" {
		t.Fatalf("got %d records, first name %q…", len(got), got[0].Cells.Get(directory.FirstName).Text[len(pad)-2:])
	}
}

func TestPlainEmailAgreesWithValidEmail(t *testing.T) {
	for _, s := range []string{
		"ann@example.com", "a.b+c@sub.example.co.uk", "o'neil@example.ie", "x_y%z@a-b.example",
		"a..b@example.com", ".a@example.com", "a@example", "a@example.", "a@.example.com",
		"@example.com", "a@", "a@b@c.com", "ann@exa_mple.com", "a b@example.com", "Ann <a@example.com>",
	} {
		if plainEmail(s) && !directory.ValidEmail(s) {
			t.Errorf("plainEmail(%q) = true but directory.ValidEmail is false", s)
		}
	}
	for _, s := range []string{"ann@example.com", "a.b+c@sub.example.co.uk", "o'neil@example.ie"} {
		if !plainEmail(s) {
			t.Errorf("plainEmail(%q) = false, want the fast path", s)
		}
	}
}

func templateCSV() string {
	var b strings.Builder
	if err := WriteTemplate(&b, "csv"); err != nil {
		panic(err)
	}
	return b.String()
}

func directoryMessage(f directory.Field, value string) string {
	_, p := directory.CanonicalValue(f, value)
	if p == nil {
		panic("value is valid: " + value)
	}
	return p.Message
}

// Large files are converted in parallel batches; the records, their order, the file's date
// order and the first error must be what a row-by-row read gives.
func TestLargeFileReadsLikeRowByRow(t *testing.T) {
	var file strings.Builder
	file.WriteString("First Name,Last Name,Email,Hiring Date\n")
	const rows = 9000
	for i := range rows {
		date := "03/04/2020" // ambiguous: the file's day/month order decides
		switch {
		case i == rows-10:
			date = "25/04/2020" // the only evidence, near the end: day first
		case i%3 == 0:
			date = ""
		}
		fmt.Fprintf(&file, "Ann%d,Lee,ann%d@x.example,%s\n", i, i, date)
		if i%1000 == 500 {
			file.WriteString(",,,\n") // an empty row, skipped
		}
	}
	records, warnings, err := readAllRecords([]byte(file.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != rows || len(warnings) != 0 {
		t.Fatalf("%d records, warnings %q; want %d and none", len(records), warnings, rows)
	}
	for i, rec := range records {
		wantDate := "2020-04-03"
		switch {
		case i == rows-10:
			wantDate = "2020-04-25"
		case i%3 == 0:
			wantDate = ""
		}
		if got := rec.Cells.Get(directory.Email).Text; got != fmt.Sprintf("ann%d@x.example", i) || rec.Cells.Get(directory.HireDate).Text != wantDate || len(rec.Problems) != 0 {
			t.Fatalf("record %d = %s, %s, %v; want ann%d@x.example hired %q", i, got, rec.Cells.Get(directory.HireDate).Text, rec.Problems, i, wantDate)
		}
		if i > 0 && rec.Row <= records[i-1].Row {
			t.Fatalf("record %d has row %d after row %d", i, rec.Row, records[i-1].Row)
		}
	}

	// A file error deep in the file comes after every good row before it.
	broken := strings.Replace(file.String(), "Ann7000,Lee,ann7000@x.example,", "Ann7000,Lee,ann7000@x.example,,extra", 1)
	records, _, err = readAllRecords([]byte(broken), Options{})
	var fe *FileError
	if !errors.As(err, &fe) || fe.Code != CodeTooManyColumns || len(records) != 7000 {
		t.Fatalf("broken file: %d records, %v; want 7000 records, then too many columns", len(records), err)
	}
}

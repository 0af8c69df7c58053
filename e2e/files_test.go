package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

const templateHeader = "First Name,Last Name,Gender,Title,Login Email,Manager Email,Department,Team,Location,Employee ID,Hiring Date,Alternative Email,Secondary Manager Email,Preferred Name,Leaving Date,Termination Type,Employment Type,Active / Account Status"

func utf16LE(s string) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xFE})
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&b, binary.LittleEndian, u)
	}
	return b.Bytes()
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../importfile/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestEveryFileAnAdminUploads runs real-world files through the whole product and checks what
// the admin sees: the preview, or a file error that names the problem and what to do.
func TestEveryFileAnAdminUploads(t *testing.T) {
	s := getStack(t)
	semicolon := "\ufeff" + strings.ReplaceAll(templateHeader, ",", ";") + "\r\n" +
		"Jürgen;Weiß;M;Entwickler;juergen@files.example;;Technik;;München;;31.12.2020;;;;;;;Aktiv\r\n"
	semicolonOK := strings.Replace(semicolon, "Aktiv", "Active", 1)
	tabbed := strings.ReplaceAll(templateHeader, ",", "\t") + "\r\n" +
		"Ærøskøbing\tØstergaard\tF\t\tutf16@files.example\t\t\t\t\t\t2021-04-01\t\t\t\t\t\t\tActive\r\n"
	cp1252 := []byte(templateHeader + "\r\nG\xfcnther,M\xfcller,M,,cp1252@files.example,,,,,,,,,,,,,Active\r\n")
	noise := templateHeader + ",,,\r\nNoise,Person,,,noise@files.example,,,,,,,,,,,,,Active,,,\r\n,,,,,,,,,,,,,,,,,,,,\r\n,,,,,,,,,,,,,,,,,,,,\r\n"
	columnT := templateHeader + "\r\nA,B,,,a@files.example,,,,,,,,,,,,,Active\r\nC,D,,,c@files.example,,,,,,,,,,,,,Active,,oops\r\n"

	tests := []struct {
		name      string
		file      string
		content   []byte
		wantNew   int64
		wantError int64
		check     func(t *testing.T, tn *tenant, im *v1.Import)
		failWith  []string
	}{
		{name: "European Excel: semicolons, UTF-8 BOM, dotted dates", file: "people.csv", content: []byte(semicolonOK), wantNew: 1,
			check: func(t *testing.T, tn *tenant, im *v1.Import) {
				c := tn.changes(t, im.Id)[0]
				if !hasField(c, "hire_date", "2020-12-31") || !hasField(c, "last_name", "Weiß") {
					t.Fatalf("change = %v, want hire date 2020-12-31 and Weiß", c)
				}
			}},
		{name: "European Excel with an unknown status shows the row and column", file: "people.csv", content: []byte(semicolon), wantError: 1,
			check: func(t *testing.T, tn *tenant, im *v1.Import) {
				c := tn.changes(t, im.Id)[0]
				if len(c.Errors) == 0 || !strings.Contains(c.Errors[0].Message, "Aktiv") || c.Errors[0].Field != "status" {
					t.Fatalf("errors = %v, want one naming the status value", c.Errors)
				}
			}},
		{name: "UTF-16 tab-separated (Excel Unicode text)", file: "people.txt", content: utf16LE(tabbed), wantNew: 1,
			check: func(t *testing.T, tn *tenant, im *v1.Import) {
				if c := tn.changes(t, im.Id)[0]; !hasField(c, "first_name", "Ærøskøbing") {
					t.Fatalf("change = %v", c)
				}
			}},
		{name: "Windows-1252 with umlauts", file: "people.csv", content: cp1252, wantNew: 1,
			check: func(t *testing.T, tn *tenant, im *v1.Import) {
				if c := tn.changes(t, im.Id)[0]; !hasField(c, "first_name", "Günther") || !hasField(c, "last_name", "Müller") {
					t.Fatalf("change = %v", c)
				}
			}},
		{name: "XLSX from LibreOffice with date cells and numeric ids", file: "people.xlsx", content: fixture(t, "people_libreoffice.xlsx"), wantNew: 4,
			check: func(t *testing.T, tn *tenant, im *v1.Import) {
				c := tn.changes(t, im.Id)[0]
				if !hasField(c, "employee_id", "1234") || !hasField(c, "hire_date", "2021-03-15") {
					t.Fatalf("change = %v, want employee id 1234 and hire date 2021-03-15", c)
				}
			}},
		{name: "Excel noise: empty trailing columns and rows", file: "people.csv", content: []byte(noise), wantNew: 1},
		{name: "data in column T", file: "people.csv", content: []byte(columnT), failWith: []string{"column T", "row 3"}},
		{name: "password-protected workbook", file: "people.xlsx", content: fixture(t, "people_password_secret.xlsx"), failWith: []string{"password"}},
		{name: "a PDF renamed to .xlsx", file: "people.xlsx", content: fixture(t, "people_report_renamed.xlsx"), failWith: []string{"PDF"}},
		{name: "an old .xls workbook", file: "people.xls", content: fixture(t, "people_libreoffice.xls"), failWith: []string{"xls"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := s.newTenant(t, "Files "+string(rune('A'+i)))
			im := tn.start(t, tc.file, tc.content, nil)
			im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
			if len(tc.failWith) > 0 {
				if im.Status != v1.ImportStatus_IMPORT_STATUS_FAILED {
					t.Fatalf("status %v, want failed", im.Status)
				}
				for _, part := range tc.failWith {
					if !strings.Contains(strings.ToLower(im.ErrorMessage), strings.ToLower(part)) {
						t.Fatalf("error message %q does not mention %q", im.ErrorMessage, part)
					}
				}
				return
			}
			if im.Status != v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL {
				t.Fatalf("status %v (%s), want awaiting approval", im.Status, im.ErrorMessage)
			}
			if im.Summary.New != tc.wantNew || im.Summary.Error != tc.wantError {
				t.Fatalf("summary %v, want %d new and %d errors", im.Summary, tc.wantNew, tc.wantError)
			}
			if tc.check != nil {
				tc.check(t, tn, im)
			}
		})
	}
}

func hasField(c *v1.Change, field, value string) bool {
	for _, f := range c.Fields {
		if f.Field == field && f.New == value {
			return true
		}
	}
	return false
}

// TestExportImportRoundTripsTrickyNames checks that formula-like and quoted names survive
// export -> import unchanged, in both formats.
func TestExportImportRoundTripsTrickyNames(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Tricky Names")
	file := templateHeader + "\r\n" +
		`"=SUM(A1)","+49 Plus",,"@handle",eq@tricky.example,,"-minus","Team, with comma",,007,,,,,,,,Active` + "\r\n" +
		`"Quote ""Q""","Multi` + "\nLine" + `",N,"Title, Inc.",quote@tricky.example,eq@tricky.example,,,,,,,,"'apostrophe",,,Part-time,Active` + "\r\n"
	im := tn.start(t, "tricky.csv", []byte(file), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if im.Summary.New != 2 {
		t.Fatalf("summary %v (%s), want 2 new", im.Summary, im.ErrorMessage)
	}
	if done := tn.approve(t, im); done.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED {
		t.Fatalf("apply: %v", done.Status)
	}
	for _, format := range []v1.FileFormat{v1.FileFormat_FILE_FORMAT_CSV, v1.FileFormat_FILE_FORMAT_XLSX} {
		export, err := tn.people.ExportDirectory(context.Background(), connect.NewRequest(&v1.ExportDirectoryRequest{Format: format}))
		if err != nil {
			t.Fatal(err)
		}
		if format == v1.FileFormat_FILE_FORMAT_CSV && !bytes.Contains(export.Msg.Content, []byte(`'=SUM(A1)`)) {
			t.Fatalf("CSV export does not escape a formula: %s", export.Msg.Content)
		}
		again := tn.start(t, export.Msg.FileName, export.Msg.Content, nil)
		again = tn.waitFor(t, again.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
		if again.Summary.Unchanged != 2 || again.Summary.New+again.Summary.Updated+again.Summary.Error != 0 {
			t.Fatalf("%v export -> import: %v %v (%s), want 2 unchanged; changes %v", format, again.Status, again.Summary, again.ErrorMessage, tn.changes(t, again.Id))
		}
	}
}

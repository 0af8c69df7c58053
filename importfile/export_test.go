package importfile

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

func TestExportRoundTrip(t *testing.T) {
	people := [][directory.NumFields]string{
		{directory.FirstName: "=cmd|'/c calc'!A1", directory.LastName: "+Müller, \"Jr.\"", directory.Email: "zoe@example.com",
			directory.Title: "@SUM(1)", directory.Department: "-5", directory.Team: "'quoted", directory.Location: "Line 1\nLine 2",
			directory.EmployeeID: "00042", directory.HireDate: "2021-03-15", directory.Status: "Active", directory.PreferredName: "\tTabbed"},
		{directory.FirstName: "José", directory.LastName: "-", directory.Email: "jose@example.com", directory.Team: "–",
			directory.Location: "a;b\tc", directory.Title: "\rCR", directory.Gender: "M", directory.EmploymentType: "Part-time"},
	}
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			e, err := NewExportWriter(&buf, format)
			must(t, err)
			for _, p := range people {
				must(t, e.Write(p))
			}
			must(t, e.Close())
			got, warnings, err := readAllRecords(buf.Bytes(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 0 || len(got) != len(people) {
				t.Fatalf("got %d records, warnings %q", len(got), warnings)
			}
			for i, rec := range got {
				var values [directory.NumFields]string
				for f, c := range rec.Cells.Unpack() {
					if c.Op == directory.Clear {
						t.Errorf("row %d %s: cleared", rec.Row, directory.Field(f))
					}
					values[f] = c.Text
				}
				if rec.Row != i+2 || len(rec.Problems) != 0 || values != people[i] {
					t.Errorf("row %d: got %q (problems %v), want %q", rec.Row, values, rec.Problems, people[i])
				}
			}
		})
	}
}

func TestEscapeForExport(t *testing.T) {
	tests := map[string]string{
		"": "", "Ann": "Ann", "=1+2": "'=1+2", "+49 30": "'+49 30", "-5": "'-5", "@home": "'@home",
		"\tx": "'\tx", "\rx": "'\rx", "'x": "''x", "–": "'–", "—": "'—", "a=b": "a=b",
	}
	for in, want := range tests {
		if got := escapeForExport(in); got != want {
			t.Errorf("escapeForExport(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTemplateCSVGolden pins the template file; update testdata/template.csv on purpose only.
func TestTemplateCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	must(t, WriteTemplate(&buf, "csv"))
	want, err := os.ReadFile("testdata/template.csv")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		must(t, os.WriteFile("testdata/template.csv", buf.Bytes(), 0o644))
		return
	}
	must(t, err)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("template.csv differs:\n got %q\nwant %q", buf.String(), want)
	}
	got, warnings, err := readAllRecords(buf.Bytes(), Options{})
	if err != nil || len(got) != 0 || !reflect.DeepEqual(warnings, []string{"rows 2-3 are the template's instruction rows and were skipped"}) {
		t.Errorf("reading the template: %v, %d records, warnings %q", err, len(got), warnings)
	}
}

func TestExportWriterRejectsUnknownFormat(t *testing.T) {
	if _, err := NewExportWriter(&bytes.Buffer{}, "ods"); err == nil || err.Error() != `export format "ods": use "csv" or "xlsx"` {
		t.Errorf("got %v", err)
	}
}

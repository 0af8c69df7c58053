package importfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// fuzzRead reads data with small limits and checks that reading ends, without panicking,
// after no more records than the input has bytes (bounded work).
func fuzzRead(t *testing.T, data []byte) {
	opts := Options{MaxBytes: 1 << 20, MaxRows: 10_000, MaxCellChars: 200, Today: testToday}
	r, err := Open(bytes.NewReader(data), int64(len(data)), "fuzz", opts)
	if err != nil {
		if fe := fileErrorOf(err); fe != nil && fe.Message == "" {
			t.Fatalf("file error %q without a message", fe.Code)
		}
		return
	}
	defer func() { _ = r.Close() }()
	for n := 0; ; n++ {
		if n > len(data)+1 {
			t.Fatalf("more records (%d) than input bytes (%d)", n, len(data))
		}
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			return
		}
		if rec.Row < 1 {
			t.Fatalf("record with row %d", rec.Row)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, name := range []string{"people.csv", "european_dates.csv", "template.csv"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte("sep=;\nFirst Name;Last Name;Login Email\n\"a\"\"\";b;c@d.e\r\n"))
	f.Add([]byte("Ann,Lee,,,ann@example.com,,,,,,03/04/05,,,,13.01.99,,,\r\"x\ny\",-,'=1"))
	f.Add([]byte("\xFF\xFEF\x00i\x00r\x00s\x00t\x00"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data) })
}

func FuzzReadXLSX(f *testing.F) {
	for _, name := range []string{"people_libreoffice.xlsx", "european_dates_libreoffice.xlsx", "people_password_secret.xlsx", "people_libreoffice.xls"} {
		f.Add(readFixture(f, name))
	}
	var template bytes.Buffer
	if err := WriteTemplate(&template, "xlsx"); err != nil {
		f.Fatal(err)
	}
	f.Add(template.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data) })
}

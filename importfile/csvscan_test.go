package importfile

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestCSVScanner(t *testing.T) {
	tests := []struct {
		name  string
		input string
		delim byte
		want  [][]string
		rows  []int
	}{
		{"LF", "a,b\nc,d\n", ',', [][]string{{"a", "b"}, {"c", "d"}}, []int{1, 2}},
		{"CRLF", "a,b\r\nc,d\r\n", ',', [][]string{{"a", "b"}, {"c", "d"}}, []int{1, 2}},
		{"CR only (old Mac)", "a,b\rc,d", ',', [][]string{{"a", "b"}, {"c", "d"}}, []int{1, 2}},
		{"no final newline", "a,b", ',', [][]string{{"a", "b"}}, []int{1}},
		{"quoted delimiter and quote", `"Smith, Jr.","say ""hi"""` + "\n", ',', [][]string{{"Smith, Jr.", `say "hi"`}}, []int{1}},
		{"quoted newlines kept verbatim", "\"line1\nline2\",\"a\r\nb\"\nnext,x\n", ',', [][]string{{"line1\nline2", "a\r\nb"}, {"next", "x"}}, []int{1, 2}},
		{"empty line is a row", "a\n\nb\n", ',', [][]string{{"a"}, {""}, {"b"}}, []int{1, 2, 3}},
		{"empty fields", ",,\n", ',', [][]string{{"", "", ""}}, []int{1}},
		{"semicolon", "a;\"b;c\";d\n", ';', [][]string{{"a", "b;c", "d"}}, []int{1}},
		{"tab", "a\tb c\td\n", '\t', [][]string{{"a", "b c", "d"}}, []int{1}},
		{"quote inside unquoted field is literal", "5'10\" tall,x\n", ',', [][]string{{"5'10\" tall", "x"}}, []int{1}},
		{"text after closing quote", "\"ab\"cd,e\n", ',', [][]string{{"abcd", "e"}}, []int{1}},
		{"empty quoted field", "\"\",x\n", ',', [][]string{{"", "x"}}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newCSVScanner(strings.NewReader(tt.input), 1000)
			sc.setDelimiter(tt.delim)
			var got [][]string
			var rows []int
			for {
				cells, row, err := sc.next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("next: %v", err)
				}
				got = append(got, append([]string(nil), cells...))
				rows = append(rows, row)
			}
			if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(rows, tt.rows) {
				t.Errorf("got %q rows %v, want %q rows %v", got, rows, tt.want, tt.rows)
			}
		})
	}
}

func TestCSVScannerSmallReads(t *testing.T) {
	// One byte per Read exercises every buffer boundary (quotes, CRLF, "").
	input := "\"a\"\"b\",\"c\r\nd\"\r\ne,f\r"
	sc := newCSVScanner(&oneByteReader{s: input}, 1000)
	sc.setDelimiter(',')
	var got [][]string
	for {
		cells, _, err := sc.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, append([]string(nil), cells...))
	}
	want := [][]string{{`a"b`, "c\r\nd"}, {"e", "f"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

type oneByteReader struct {
	s string
	i int
}

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.i >= len(r.s) {
		return 0, io.EOF
	}
	p[0] = r.s[r.i]
	r.i++
	return 1, nil
}

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		head string
		want byte
	}{
		{"First Name,Last Name,Login Email\n", ','},
		{"First Name;Last Name;Login Email\r\n", ';'},
		{"First Name\tLast Name\tLogin Email\n", '\t'},
		{"\"Name, full\";Login Email;x\n", ';'},
		{"Email\n", ','},
		{"a;b,c,d\nx;y;z;w;v", ','}, // only the first line counts
	}
	for _, tt := range tests {
		if got := detectDelimiter([]byte(tt.head)); got != tt.want {
			t.Errorf("detectDelimiter(%q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

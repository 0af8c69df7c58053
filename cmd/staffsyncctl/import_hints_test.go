package main

import (
	"bytes"
	"strings"
	"testing"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func TestWriteHints(t *testing.T) {
	var buf bytes.Buffer
	writeHints(&buf, []*v1.ImportHint{
		{Code: "unknown_manager", Message: "5 rows name the manager joe@acme.com; did you mean Joe Smith (joe.smith@acme.com)?", Rows: []int32{2, 3}, RowCount: 5},
		{Code: "possible_duplicate", Message: "John Smith twice", People: []*v1.NamedPerson{
			{Id: "7", Email: "jsmith@acme.com"}, {Id: "9", Email: "john.smith@acme.com"}}},
	})
	want := `
Hints:
  - 5 rows name the manager joe@acme.com; did you mean Joe Smith (joe.smith@acme.com)?
    rows 2, 3 and 3 more
  - John Smith twice
    merge them with ` + "`staffsyncctl people merge jsmith@acme.com john.smith@acme.com`" + ` (the second stays)
`
	if buf.String() != want {
		t.Fatalf("hints =\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	writeHints(&buf, nil)
	if strings.TrimSpace(buf.String()) != "" {
		t.Fatalf("no hints printed %q", buf.String())
	}
}

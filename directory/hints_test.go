package directory

import (
	"fmt"
	"strings"
	"testing"
)

func named(id int64, email, first, last string) personSpec {
	return personSpec{id: id, email: email, values: map[Field]string{FirstName: first, LastName: last}}
}

func row(n int, first, last, email, manager string) Record {
	return record(n, map[Field]string{FirstName: first, LastName: last, Email: email, ManagerEmail: manager})
}

func hintSummary(hints []Hint) []string {
	var out []string
	for _, h := range hints {
		var people []string
		for _, p := range h.People {
			people = append(people, fmt.Sprintf("%s#%d@%d", p.Email, p.ID, p.Row))
		}
		out = append(out, fmt.Sprintf("%s %s rows=%v/%d people=%v", h.Code, h.Value, h.Rows, h.RowCount, people))
	}
	return out
}

func TestPreviewHints(t *testing.T) {
	acme := snapshot(
		named(1, "joe.smith@acme.com", "Joe", "Smith"),
		named(2, "jsmith@acme.com", "John", "Smith"),
		named(3, "ann@acme.com", "Ann", "Lee"),
	)
	tests := []struct {
		name    string
		dir     Snapshot
		records []Record
		want    []string
		message string
	}{
		{
			name: "five reports name joe@ while Joe is joe.smith@",
			dir:  acme,
			records: []Record{
				row(2, "A", "One", "a@acme.com", "joe@acme.com"), row(3, "B", "Two", "b@acme.com", "joe@acme.com"),
				row(4, "C", "Three", "c@acme.com", "JOE@acme.com"), row(5, "D", "Four", "d@acme.com", "joe@acme.com"),
				row(6, "E", "Five", "e@acme.com", "joe@acme.com"), row(7, "F", "Six", "f@acme.com", "ann@acme.com"),
			},
			want:    []string{"unknown_manager joe@acme.com rows=[2 3 4 5 6]/5 people=[joe.smith@acme.com#1@0]"},
			message: "5 rows name the manager joe@acme.com, who is not in the directory or the file; did you mean Joe Smith (joe.smith@acme.com)?",
		},
		{
			name: "a manager who is a new row of the file is known; one only named by its local part elsewhere is suggested from the file",
			dir:  acme,
			records: []Record{
				row(2, "Mia", "Wong", "mia.wong@acme.com", ""), row(3, "B", "Two", "b@acme.com", "mia.wong@acme.com"),
				row(4, "C", "Three", "c@acme.com", "mia@acme.com"),
			},
			want: []string{"unknown_manager mia@acme.com rows=[4]/1 people=[mia.wong@acme.com#0@2]"},
		},
		{
			name:    "a domain none of the company's people use",
			dir:     acme,
			records: []Record{row(2, "Kai", "Berg", "kai@acme-gmbh.de", "ann@acme.com"), row(3, "Ann", "Lee", "ann@acme.com", "")},
			want:    []string{"uncommon_domain acme-gmbh.de rows=[2]/1 people=[]"},
			message: "1 row uses the email domain acme-gmbh.de, which none of the company's people use; if these are the same people as at acme.com, use that domain (one login email per person)",
		},
		{
			name:    "the same name with another email: the duplicate John Smith",
			dir:     acme,
			records: []Record{row(2, "John", "Smith", "john.smith@acme.com", "")},
			want:    []string{"possible_duplicate  rows=[2]/1 people=[john.smith@acme.com#0@2 jsmith@acme.com#2@0]"},
		},
		{
			name:    "two existing accounts with the same name in one file link both for a merge",
			dir:     snapshot(named(1, "lea@acme.com", "Léa", "Roux"), named(2, "lea.roux@acme.com", "LÉA", "roux")),
			records: []Record{row(2, "Léa", "Roux", "lea@acme.com", ""), row(3, "Léa", "Roux", "lea.roux@acme.com", "")},
			want:    []string{"possible_duplicate  rows=[2 3]/2 people=[lea@acme.com#1@2 lea.roux@acme.com#2@3]"},
		},
		{
			name:    "a clean re-import has no hints",
			dir:     acme,
			records: []Record{row(2, "Ann", "Lee", "ann@acme.com", ""), row(3, "Joe", "Smith", "joe.smith@acme.com", "ann@acme.com")},
		},
		{
			name: "a first import warns about a rare domain next to the usual one",
			dir:  snapshot(),
			records: func() []Record {
				var out []Record
				for i := range 20 {
					out = append(out, row(i+2, "P", fmt.Sprint(i), fmt.Sprintf("p%d@acme.com", i), ""))
				}
				return append(out, row(22, "Q", "Odd", "q@acme.de", ""))
			}(),
			want: []string{"uncommon_domain acme.de rows=[22]/1 people=[]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hints := PreviewHints(&tt.dir, tt.records)
			got := hintSummary(hints)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("hints =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.message != "" && !strings.HasPrefix(hints[0].Message, tt.message) {
				t.Fatalf("message = %q, want it to start with %q", hints[0].Message, tt.message)
			}
		})
	}
}

func TestPreviewHintsStayBounded(t *testing.T) {
	dir := snapshot(named(1, "boss@acme.com", "Boss", "One"))
	var records []Record
	for i := range 3 * MaxHints {
		records = append(records, row(i+2, "P", fmt.Sprint(i), fmt.Sprintf("p%d@acme.com", i), fmt.Sprintf("gone%d@acme.com", i)))
	}
	hints := PreviewHints(&dir, records)
	if len(hints) != MaxHints {
		t.Fatalf("%d hints, want at most %d", len(hints), MaxHints)
	}
}

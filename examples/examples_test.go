// Package examples holds the sample import files of the fictional company Northwind Bikes
// used in the README walkthrough: people.csv for a first import and people-changes.csv for a
// second one. The tests keep them importable: template header, valid values, a reporting
// tree without loops, and exactly the documented differences between the two files.
package examples

import (
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/staffsync/staffsync/directory"
)

const templateHeader = "First Name,Last Name,Gender,Title,Login Email,Manager Email,Department,Team,Location,Employee ID,Hiring Date,Alternative Email,Secondary Manager Email,Preferred Name,Leaving Date,Termination Type,Employment Type,Active / Account Status"

const companyDomain = "@northwind.example"

type person struct {
	row   int // spreadsheet row number, header = 1
	cells [directory.NumFields]string
}

func (p person) get(f directory.Field) string { return p.cells[f] }

func readPeople(t *testing.T, path string) []person {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	firstLine, _, _ := strings.Cut(string(data), "\n")
	if firstLine != templateHeader {
		t.Fatalf("%s header = %q, want %q", path, firstLine, templateHeader)
	}
	reader := csv.NewReader(strings.NewReader(string(data)))
	reader.FieldsPerRecord = int(directory.NumFields)
	rows, err := reader.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, f := range directory.AllFields() {
		if rows[0][i] != f.Header() {
			t.Errorf("%s column %s header = %q, want %q", path, f.Column(), rows[0][i], f.Header())
		}
	}
	people := make([]person, 0, len(rows)-1)
	for i, row := range rows[1:] {
		p := person{row: i + 2}
		copy(p.cells[:], row)
		people = append(people, p)
	}
	return people
}

// checkPeople asserts the rules every example file must follow and returns the people by
// lower-cased login email.
func checkPeople(t *testing.T, path string, people []person) map[string]person {
	t.Helper()
	byEmail := map[string]person{}
	employeeIDs := map[string]int{}
	for _, p := range people {
		where := fmt.Sprintf("%s row %d", path, p.row)
		if !utf8.ValidString(strings.Join(p.cells[:], "")) {
			t.Errorf("%s: not valid UTF-8", where)
		}
		for _, f := range directory.AllFields() {
			value := p.get(f)
			if !norm.NFC.IsNormalString(value) {
				t.Errorf("%s %s: %q is not NFC", where, f.Header(), value)
			}
			if value != strings.TrimSpace(value) {
				t.Errorf("%s %s: %q has surrounding spaces", where, f.Header(), value)
			}
			if value == "" {
				if f.Required() {
					t.Errorf("%s: required %s is blank", where, f.Header())
				}
				continue
			}
			canonical, problem := directory.CanonicalValue(f, value)
			if problem != nil {
				t.Errorf("%s: %s", where, problem.Message)
			} else if canonical != value {
				t.Errorf("%s %s: %q, want the canonical spelling %q", where, f.Header(), value, canonical)
			}
		}
		for _, f := range []directory.Field{directory.Email, directory.ManagerEmail, directory.SecondaryManagerEmail} {
			if v := p.get(f); v != "" && !strings.HasSuffix(v, companyDomain) {
				t.Errorf("%s %s: %q is not at %s", where, f.Header(), v, companyDomain)
			}
		}
		if alt := p.get(directory.AltEmail); strings.HasSuffix(alt, companyDomain) {
			t.Errorf("%s: alternative email %q should be outside the company domain", where, alt)
		}
		if p.get(directory.Status) != directory.StatusActive {
			t.Errorf("%s: status %q, want Active", where, p.get(directory.Status))
		}
		email := directory.NormalizeEmail(p.get(directory.Email))
		if other, dup := byEmail[email]; dup {
			t.Errorf("%s: login email %s already used on row %d", where, email, other.row)
		}
		byEmail[email] = p
		id := p.get(directory.EmployeeID)
		if other, dup := employeeIDs[id]; dup {
			t.Errorf("%s: employee id %s already used on row %d", where, id, other)
		}
		employeeIDs[id] = p.row
	}

	var roots []string
	deepest := 0
	for _, p := range people { // in file order, so failures read top to bottom
		email := directory.NormalizeEmail(p.get(directory.Email))
		for _, f := range []directory.Field{directory.ManagerEmail, directory.SecondaryManagerEmail} {
			manager := directory.NormalizeEmail(p.get(f))
			if manager == "" {
				continue
			}
			if manager == email {
				t.Errorf("%s row %d: %s is the person themself", path, p.row, f.Header())
			} else if _, ok := byEmail[manager]; !ok {
				t.Errorf("%s row %d: %s %s is nobody's login email in the file", path, p.row, f.Header(), manager)
			}
		}
		if p.get(directory.ManagerEmail) == "" {
			roots = append(roots, email)
		}
		// Walk up the reporting line; more steps than people means a loop.
		level, current := 1, email
		for {
			manager := directory.NormalizeEmail(byEmail[current].get(directory.ManagerEmail))
			if manager == "" {
				break
			}
			if _, ok := byEmail[manager]; !ok {
				break // reported above
			}
			current = manager
			level++
			if level > len(byEmail) {
				t.Errorf("%s row %d: the reporting line above %s loops", path, p.row, email)
				break
			}
		}
		deepest = max(deepest, level)
	}
	if want := []string{"ingrid.halvorsen" + companyDomain}; !slices.Equal(roots, want) {
		t.Errorf("%s: people without a manager = %v, want only the CEO %v", path, roots, want)
	}
	if deepest != 4 {
		t.Errorf("%s: reporting tree is %d levels deep, want 4", path, deepest)
	}
	return byEmail
}

func TestPeopleCSV(t *testing.T) {
	people := readPeople(t, "people.csv")
	checkPeople(t, "people.csv", people)

	if len(people) != 30 {
		t.Errorf("%d people, want 30", len(people))
	}
	count := func(match func(person) bool) int {
		n := 0
		for _, p := range people {
			if match(p) {
				n++
			}
		}
		return n
	}
	distinct := func(f directory.Field) []string {
		set := map[string]bool{}
		for _, p := range people {
			set[p.get(f)] = true
		}
		values := make([]string, 0, len(set))
		for v := range set {
			values = append(values, v)
		}
		sort.Strings(values)
		return values
	}
	tests := []struct {
		what string
		got  any
		want any
	}{
		{"locations", distinct(directory.Location), []string{"Berlin", "Lisbon", "Toronto"}},
		{"departments", distinct(directory.Department), []string{"Engineering", "Executive", "Finance", "Marketing", "Operations", "People", "Sales"}},
		{"employment types", distinct(directory.EmploymentType), []string{"Contractor", "Full-time", "Part-time"}},
		{"genders", distinct(directory.Gender), []string{"F", "M", "N"}},
		{"people with a preferred name", count(func(p person) bool { return p.get(directory.PreferredName) != "" }), 3},
		{"people with an alternative email", count(func(p person) bool { return p.get(directory.AltEmail) != "" }), 3},
		{"people with a secondary manager", count(func(p person) bool { return p.get(directory.SecondaryManagerEmail) != "" }), 1},
		{"names with non-ASCII letters", count(func(p person) bool {
			name := p.get(directory.FirstName) + p.get(directory.LastName)
			return strings.IndexFunc(name, func(r rune) bool { return r > 0x7f }) >= 0
		}), 12},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.what, tt.got, tt.want)
		}
	}
}

// TestPeopleChangesCSV pins the differences the README walkthrough describes for the second
// import: three title/department changes, one manager change and two new people.
func TestPeopleChangesCSV(t *testing.T) {
	before := checkPeople(t, "people.csv", readPeople(t, "people.csv"))
	after := checkPeople(t, "people-changes.csv", readPeople(t, "people-changes.csv"))

	var changes []string
	for email, p := range after {
		old, existed := before[email]
		if !existed {
			changes = append(changes, "new "+email)
			continue
		}
		for _, f := range directory.AllFields() {
			if old.get(f) != p.get(f) {
				changes = append(changes, fmt.Sprintf("%s %s: %q -> %q", email, f.Key(), old.get(f), p.get(f)))
			}
		}
	}
	for email := range before {
		if _, ok := after[email]; !ok {
			changes = append(changes, "missing "+email)
		}
	}
	sort.Strings(changes)
	want := []string{
		`daniel.kim@northwind.example title: "Backend Engineer" -> "Senior Backend Engineer"`,
		`hannah.schmidt@northwind.example title: "People Partner" -> "Senior People Partner"`,
		`ines.carvalho@northwind.example department: "Engineering" -> "Product"`,
		"new lena.fischer@northwind.example",
		"new tiago.mendes@northwind.example",
		`rui.ferreira@northwind.example manager_email: "chiara.bianchi@northwind.example" -> "matteo.rossi@northwind.example"`,
	}
	if !slices.Equal(changes, want) {
		t.Errorf("differences between the files:\n%s\nwant:\n%s", strings.Join(changes, "\n"), strings.Join(want, "\n"))
	}
}

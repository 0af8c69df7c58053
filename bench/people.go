// Package bench generates realistic companies for `make bench`: people with accented names,
// a manager tree eight levels deep, departments, locations and dates, and the files an HR
// admin would upload for them.
package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/importfile"
)

// Person is one row of the import template, in column order A..R.
type Person = [directory.NumFields]string

// TreeLevels is how deep the generated manager tree is (the CEO is level 1).
const TreeLevels = 8

var (
	firstNames = []string{"Zoë", "José", "Ana", "Łukasz", "Søren", "François", "Ingrid", "Mehmet", "Aoife", "Chloé",
		"Björn", "Renée", "Jürgen", "Inês", "Dvořák", "Åsa", "Nuño", "Seán", "Małgorzata", "Çağla", "Kenji", "Priya", "Olúwaseun", "Élodie"}
	lastNames = []string{"Müller", "García", "Sørensen", "Nowak", "Ødegaard", "Dupré", "Öztürk", "O'Brien", "Lefèvre", "Smith",
		"Núñez", "Kowalczyk", "Håkansson", "Ferreira", "Škoda", "Nguyễn", "Zając", "Brontë", "Düring", "Ibáñez", "Yılmaz", "Østergaard"}
	departments = []string{"Sales", "R&D", "Finance", "People & Culture", "Customer Success", "Marketing", "Legal", "Operations"}
	locations   = []string{"Berlin", "Madrid", "København", "Kraków", "Zürich", "São Paulo", "Montréal", "Malmö", "Tōkyō", "Düsseldorf"}
	titles      = []string{"Engineer", "Senior Engineer", "Account Executive", "Analyst", "Designer", "Product Manager", "Recruiter", "Controller"}
	employment  = []string{"Full-time", "Full-time", "Full-time", "Part-time", "Contractor", "Intern"}
)

// Branching returns the smallest number of reports per manager that fits n people into a
// tree of TreeLevels levels (at least 2).
func Branching(n int) int {
	for b := 2; ; b++ {
		total, level := 0, 1
		for l := 0; l < TreeLevels; l++ {
			total += level
			level *= b
		}
		if total >= n {
			return b
		}
	}
}

// ManagerIndex is the index of person i's manager in a company of n people, -1 for the CEO.
// People are in breadth-first order, so a manager always comes before their reports.
func ManagerIndex(i, n int) int {
	if i == 0 {
		return -1
	}
	return (i - 1) / Branching(n)
}

// Email is the login email of the i-th generated person.
func Email(i int) string { return fmt.Sprintf("person%07d@%s", i, emailDomain) }

// emailDomain is the domain of generated login emails.
const emailDomain = "bench.example.com"

// GeneratePeople returns n people, the same for the same n and seed.
func GeneratePeople(n int, seed uint64) []Person {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	b := Branching(n)
	start := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
	people := make([]Person, n)
	for i := range people {
		p := &people[i]
		p[directory.FirstName] = firstNames[rng.IntN(len(firstNames))]
		p[directory.LastName] = lastNames[rng.IntN(len(lastNames))]
		p[directory.Gender] = []string{"F", "M", "N"}[rng.IntN(3)]
		p[directory.Title] = titles[rng.IntN(len(titles))]
		p[directory.Email] = Email(i)
		if i > 0 {
			p[directory.ManagerEmail] = Email((i - 1) / b)
		}
		p[directory.Department] = departments[rng.IntN(len(departments))]
		p[directory.Team] = fmt.Sprintf("%s %d", p[directory.Department], rng.IntN(30)+1)
		p[directory.Location] = locations[rng.IntN(len(locations))]
		p[directory.EmployeeID] = fmt.Sprintf("E%07d", i)
		p[directory.HireDate] = start.AddDate(0, 0, rng.IntN(7300)).Format(time.DateOnly)
		if rng.IntN(10) == 0 {
			p[directory.AltEmail] = fmt.Sprintf("p%d@home.example.org", i)
		}
		if i > b && rng.IntN(8) == 0 {
			p[directory.SecondaryManagerEmail] = Email(rng.IntN(i / b))
		}
		if rng.IntN(6) == 0 {
			p[directory.PreferredName] = firstNames[rng.IntN(len(firstNames))]
		}
		if rng.IntN(25) == 0 {
			p[directory.LeavingDate] = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365)).Format(time.DateOnly)
			p[directory.TerminationType] = []string{"Voluntary", "Involuntary"}[rng.IntN(2)]
		}
		p[directory.EmploymentType] = employment[rng.IntN(len(employment))]
		p[directory.Status] = directory.StatusActive
	}
	return people
}

// ChangeCounts says how a changed file differs from the directory it was made from.
type ChangeCounts struct {
	Changed, New, Missing int
}

// Change returns the people of a follow-up HR file: every 20th person (5%) with a new title
// or department, 1% missing (people nobody reports to), and 1% new hires reporting to
// managers at the top of the tree.
func Change(people []Person) ([]Person, ChangeCounts) {
	var counts ChangeCounts
	n := len(people)
	b := Branching(n)
	// Missing people are leaves of the tree, so nobody in the file reports to someone gone.
	firstLeaf := (n + b - 2) / b
	every := max(1, (n-firstLeaf)/max(1, n/100))
	out := make([]Person, 0, n+n/100)
	for i, p := range people {
		switch {
		case i >= firstLeaf && (i-firstLeaf)%every == every-1 && counts.Missing < n/100:
			counts.Missing++
			continue
		case i%20 == 3:
			counts.Changed++
			if i%40 == 3 {
				p[directory.Title] = "Principal " + p[directory.Title]
			} else {
				p[directory.Department] = "Transformation Office"
			}
		}
		out = append(out, p)
	}
	for j := 0; j < n/100; j++ {
		var p Person
		i := len(people) + j
		p[directory.FirstName] = firstNames[j%len(firstNames)]
		p[directory.LastName] = lastNames[(j/3)%len(lastNames)]
		p[directory.Email] = Email(i)
		// Managers from the top of the tree, who are never missing.
		p[directory.ManagerEmail] = Email(j % (b * b))
		p[directory.Department] = departments[j%len(departments)]
		p[directory.Location] = locations[j%len(locations)]
		p[directory.EmployeeID] = fmt.Sprintf("E%07d", i)
		p[directory.HireDate] = "2026-12-01"
		p[directory.EmploymentType] = "Full-time"
		p[directory.Status] = directory.StatusActive
		out = append(out, p)
		counts.New++
	}
	return out, counts
}

// WriteFile writes people as an import file in format "csv" or "xlsx" (header row first).
func WriteFile(w io.Writer, format string, people []Person) error {
	e, err := importfile.NewExportWriter(w, format)
	if err != nil {
		return err
	}
	for i := range people {
		if err := e.Write(people[i]); err != nil {
			return fmt.Errorf("write person %d: %w", i, err)
		}
	}
	return e.Close()
}

// InDomain returns a copy of people whose generated emails are in domain instead: the same
// company again, for a second tenant (a login email is unique across companies).
func InDomain(people []Person, domain string) []Person {
	out := make([]Person, len(people))
	for i, p := range people {
		for _, f := range []directory.Field{directory.Email, directory.ManagerEmail, directory.SecondaryManagerEmail} {
			p[f] = strings.Replace(p[f], "@"+emailDomain, "@"+domain, 1)
		}
		out[i] = p
	}
	return out
}

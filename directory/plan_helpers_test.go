package directory

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// personSpec describes a directory person for tests; managers are given by id.
type personSpec struct {
	id        int64
	email     string
	manager   int64
	secondary int64
	inactive  bool
	protected bool
	sourceID  string
	values    map[Field]string
}

// snapshot builds a directory the way the loader does: manager emails derived from ids.
func snapshot(specs ...personSpec) Snapshot {
	people := make([]Person, len(specs))
	emails := map[int64]string{}
	for _, s := range specs {
		emails[s.id] = s.email
	}
	for i, s := range specs {
		p := Person{ID: s.id, ManagerID: s.manager, SecondaryManagerID: s.secondary, Active: !s.inactive,
			Protected: s.protected, SourceID: s.sourceID}
		local := strings.SplitN(s.email, "@", 2)[0]
		p.Values[FirstName] = strings.ToUpper(local[:1]) + local[1:]
		p.Values[LastName] = "Doe"
		p.Values[Email] = s.email
		p.Values[EmploymentType] = "Full-time"
		for f, v := range s.values {
			p.Values[f] = v
		}
		p.Values[ManagerEmail] = emails[s.manager]
		p.Values[SecondaryManagerEmail] = emails[s.secondary]
		p.Values[Status] = statusText(p.Active)
		people[i] = p
	}
	return NewSnapshot(7, people)
}

// record builds a row: "" is a blank cell (Keep), "-" a dash (Clear), anything else Set.
func record(row int, cells map[Field]string) Record {
	r := Record{Row: row}
	for f, v := range cells {
		switch v {
		case "":
		case "-":
			r.Cells.Set(f, Value{Op: Clear})
		default:
			r.Cells.Set(f, SetValue(v))
		}
	}
	return r
}

// full is a complete new-person row.
func full(row int, email string, extra map[Field]string) Record {
	cells := map[Field]string{FirstName: "New", LastName: "Person", Email: email}
	for f, v := range extra {
		cells[f] = v
	}
	return record(row, cells)
}

// exportRecords turns a directory into the records an export would re-import.
func exportRecords(s Snapshot) []Record {
	records := make([]Record, 0, s.Len())
	for p := range s.All() {
		i := len(records)
		r := Record{Row: i + 2, SourceID: p.SourceID}
		for f := Field(0); f < NumFields; f++ {
			if p.Values[f] != "" {
				r.Cells.Set(f, SetValue(p.Values[f]))
			}
		}
		records = append(records, r)
	}
	return records
}

// applyPlan simulates the apply step: writes After for every applied change.
func applyPlan(t testing.TB, s Snapshot, plan Plan) Snapshot {
	t.Helper()
	people := slices.Collect(s.All())
	index := map[int64]int{}
	nextID := int64(1)
	for i, p := range people {
		index[p.ID] = i
		nextID = max(nextID, p.ID+1)
	}
	for _, c := range plan.Changes {
		switch c.Kind {
		case KindNew:
			people = append(people, Person{ID: nextID, Values: *c.After, Active: c.After[Status] == StatusActive, SourceID: c.SourceID})
			index[nextID] = len(people) - 1
			nextID++
		case KindUpdated, KindDeactivated, KindReactivated:
			i, ok := index[c.PersonID]
			if !ok {
				t.Fatalf("change for unknown person %d", c.PersonID)
			}
			people[i].Values = *c.After
			people[i].Active = c.After[Status] == StatusActive
			if c.SourceID != "" {
				people[i].SourceID = c.SourceID
			}
		}
	}
	byEmail := map[string]int64{}
	for _, p := range people {
		byEmail[NormalizeEmail(p.Values[Email])] = p.ID
	}
	for i := range people {
		people[i].ManagerID = byEmail[NormalizeEmail(people[i].Values[ManagerEmail])]
		people[i].SecondaryManagerID = byEmail[NormalizeEmail(people[i].Values[SecondaryManagerEmail])]
		if people[i].Values[ManagerEmail] != "" && people[i].ManagerID == 0 {
			t.Fatalf("applied manager %q of %s is nobody", people[i].Values[ManagerEmail], people[i].Values[Email])
		}
	}
	return NewSnapshot(s.Version+1, people)
}

// changeFor finds the change of a row (row > 0) or of a person not in the file (by email).
func changeFor(t testing.TB, plan Plan, row int, email string) Change {
	t.Helper()
	for _, c := range plan.Changes {
		if row > 0 && c.Row == row || row == 0 && c.Row == 0 && c.Email == email {
			return c
		}
	}
	t.Fatalf("no change for row %d %s in %s", row, email, describe(plan))
	return Change{}
}

func describe(plan Plan) string {
	var b strings.Builder
	for _, c := range plan.Changes {
		fmt.Fprintf(&b, "\n  row %d %s %s %s fields=%v errors=%v warnings=%v", c.Row, c.Email, c.Kind, c.ReasonCode, c.FieldChanges(), codes(c.Errors), codes(c.Warnings))
	}
	return b.String()
}

func codes(problems []Problem) []string {
	out := make([]string, len(problems))
	for i, p := range problems {
		out[i] = p.Code
	}
	return out
}

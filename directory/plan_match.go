package directory

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// matchRows finds the person of every row (section 4) and flags duplicate identities.
func (p *planner) matchRows() {
	p.personRow = make([]int32, p.dir.Len())
	for i := range p.personRow {
		p.personRow[i] = none
	}
	p.seen = make([]bool, p.dir.Len())

	keys := p.groupRowKeys()
	hris := p.opts.MatchBy == MatchByEmployeeID
	locked := map[int32]int{} // person -> row whose identity conflict froze them
	// Most people are matched by one row; only the rare extra rows are kept in a map.
	firstRow := p.personRow
	extraRows := map[int32][]int32{}
	for i := range p.rows {
		r := &p.rows[i]
		p.failDuplicateKeys(keys, i)

		byMail := keys.mailPerson[i]
		mailFound := byMail != none
		if !hris {
			if mailFound {
				r.person = byMail
			}
		} else if !p.matchBySource(i, byMail, locked) {
			continue
		}
		if r.person != none {
			p.seen[r.person] = true
			if firstRow[r.person] == none {
				firstRow[r.person] = int32(i)
			} else {
				extraRows[r.person] = append(extraRows[r.person], int32(i))
			}
		} else if r.email != "" && p.in.ForeignEmails[r.email] {
			r.fail(Problem{Severity: SeverityError, Code: "email_taken", Field: Email, Value: Clip(p.cell(r, Email).Text),
				Message: "this email is already used by another account; use a different login email"})
		}
	}

	p.failSharedPeople(locked, extraRows)
	// From here on personRow holds only rows that are still applied.
	for person, row := range p.personRow {
		if row != none && p.rows[row].failed() {
			p.personRow[person] = none
		}
	}

	// New people can be named as managers by email, and by source id in HRIS syncs.
	p.newByEmail = newKeyIndex(len(p.rows), func(i int32) string { return p.rows[i].email }, func(i int32) bool {
		r := &p.rows[i]
		return r.person == none && !keys.unknownMail.duplicated(r.email) && !hasProblem(r.errs(), Email, "identity_conflict")
	})
	p.rowBySource = newKeyIndex(len(p.rows), func(i int32) string { return p.rows[i].sourceID() }, func(i int32) bool {
		return !keys.source.duplicated(p.rows[i].sourceID())
	})
}

// rowKeys groups the rows by the keys that must be unique within a file.
type rowKeys struct {
	mailPerson  []int32           // per row: the directory person with its email, or none
	dupByMail   map[int32][]int32 // directory person -> rows with their email, when more than one
	unknownMail keyRows           // rows whose email is not in the directory
	source      keyRows           // rows by the HR system's employee id
	employeeID  keyRows           // rows by the employee id cell
}

// groupRowKeys finds the rows that share an email, source id or employee id.
func (p *planner) groupRowKeys() *rowKeys {
	// Duplicate emails: rows with a directory person's email are grouped by that person (no
	// string map over the whole file); only unknown emails go through a map.
	mailPerson := make([]int32, len(p.rows))
	firstByMail := make([]int32, p.dir.Len())
	for i := range firstByMail {
		firstByMail[i] = none
	}
	dupByMail := map[int32][]int32{}
	for i := range p.rows {
		mailPerson[i] = none
		if e := p.rows[i].email; e != "" {
			if n, ok := p.dir.personByEmail(e); ok {
				mailPerson[i] = n
				if firstByMail[n] == none {
					firstByMail[n] = int32(i)
				} else {
					if dupByMail[n] == nil {
						dupByMail[n] = []int32{firstByMail[n]}
					}
					dupByMail[n] = append(dupByMail[n], int32(i))
				}
			}
		}
	}
	return &rowKeys{
		mailPerson: mailPerson,
		dupByMail:  dupByMail,
		unknownMail: occurrences(len(p.rows), func(i int) string {
			if mailPerson[i] != none {
				return ""
			}
			return p.rows[i].email
		}),
		source: occurrences(len(p.rows), func(i int) string { return p.rows[i].sourceID() }),
		employeeID: occurrences(len(p.rows), func(i int) string {
			if c := p.cell(&p.rows[i], EmployeeID); c.Op == Set {
				return c.Text
			}
			return ""
		}),
	}
}

// emailDuplicates returns the other rows with row i's email.
func (p *planner) emailDuplicates(keys *rowKeys, i int) []int32 {
	if n := keys.mailPerson[i]; n != none {
		return othersIn(keys.dupByMail[n], i)
	}
	return keys.unknownMail.others(p.rows[i].email, i)
}

// failDuplicateKeys fails row i when another row has its email, source id or employee id.
func (p *planner) failDuplicateKeys(keys *rowKeys, i int) {
	r := &p.rows[i]
	if others := p.emailDuplicates(keys, i); others != nil {
		r.fail(Problem{Severity: SeverityError, Code: "duplicate_email", Field: Email, Value: Clip(p.cell(r, Email).Text),
			Message: fmt.Sprintf("%s: %q appears more than once in the file (also on %s); keep one row per person",
				fieldLabel(Email), Clip(p.cell(r, Email).Text), p.rowList(others))})
	}
	if others := keys.source.others(r.sourceID(), i); others != nil {
		r.fail(Problem{Severity: SeverityError, Code: "duplicate_source_id", Field: NoField, Value: Clip(r.sourceID()),
			Message: fmt.Sprintf("the HR system's employee id %q appears more than once (also on %s); each employee must appear once",
				Clip(r.sourceID()), p.rowList(others))})
	}
	if id := p.cell(r, EmployeeID); id.Op == Set {
		if others := keys.employeeID.others(id.Text, i); others != nil {
			r.fail(Problem{Severity: SeverityError, Code: "duplicate_employee_id", Field: EmployeeID, Value: Clip(id.Text),
				Message: fmt.Sprintf("%s: %q appears more than once in the file (also on %s); employee ids must be unique within the company",
					fieldLabel(EmployeeID), Clip(id.Text), p.rowList(others))})
		}
	}
}

// matchBySource matches row i of an HR sync by the HR system's employee id first, then by
// email. It returns false on an identity conflict (id and email name different people):
// the row fails and both people are locked, so nothing changes for either.
func (p *planner) matchBySource(i int, byMail int32, locked map[int32]int) bool {
	r := &p.rows[i]
	mailFound := byMail != none
	bySource, sourceFound := none, false
	if r.sourceID() != "" {
		bySource, sourceFound = p.sourceIndex().find(r.sourceID())
	}
	switch {
	case sourceFound && mailFound && bySource != byMail:
		r.fail(Problem{Severity: SeverityError, Code: "identity_conflict", Field: Email, Value: Clip(p.cell(r, Email).Text),
			Message: fmt.Sprintf("identity conflict: the HR system's employee id %q belongs to %s but the email %s belongs to %s; nothing is changed for either until the HR system is fixed",
				Clip(r.sourceID()), p.dir.value(bySource, Email), Clip(p.cell(r, Email).Text), p.dir.value(byMail, Email))})
		for _, person := range []int32{bySource, byMail} {
			p.seen[person] = true
			if _, ok := locked[person]; !ok {
				locked[person] = i
			}
		}
		return false
	case sourceFound:
		r.person = bySource
		if r.email != "" && r.email != NormalizeEmail(p.dir.value(bySource, Email)) {
			r.warn(Problem{Severity: SeverityWarning, Code: "email_change_ignored", Field: Email, Value: Clip(p.cell(r, Email).Text),
				Message: fmt.Sprintf("%s: the HR system has %q but the login email is %s; imports do not change login emails, so it is kept",
					fieldLabel(Email), Clip(p.cell(r, Email).Text), p.dir.value(bySource, Email))})
		}
	case mailFound:
		r.person = byMail
	}
	return true
}

// failSharedPeople fails the rows that reach one person by different keys (HR id and
// email): neither is applied. A row reached through a locked person fails too (identity
// conflict: nothing changes). p.personRow holds each person's first row, extraRows the rest.
func (p *planner) failSharedPeople(locked map[int32]int, extraRows map[int32][]int32) {
	firstRow := p.personRow
	check := func(person int32, matched []int32) {
		conflictRow, isLocked := locked[person]
		for _, i := range matched {
			r := &p.rows[i]
			if isLocked {
				r.fail(Problem{Severity: SeverityError, Code: "identity_conflict", Field: NoField, Value: "",
					Message: fmt.Sprintf("identity conflict on row %d involves %s; nothing is changed for this person until it is fixed",
						p.rows[conflictRow].rec.Row, p.dir.value(person, Email))})
				continue
			}
			if len(matched) > 1 && !hasProblem(r.errs(), Email, "duplicate_email") {
				others := make([]int32, 0, len(matched)-1)
				for _, j := range matched {
					if j != i {
						others = append(others, j)
					}
				}
				r.fail(Problem{Severity: SeverityError, Code: "duplicate_person", Field: NoField, Value: "",
					Message: fmt.Sprintf("this row and %s all match %s; keep one row per person",
						p.rowList(others), p.dir.value(person, Email))})
			}
		}
	}
	for person, extra := range extraRows {
		check(person, append([]int32{firstRow[person]}, extra...))
	}
	for person := range locked {
		if _, ok := extraRows[person]; !ok && firstRow[person] != none {
			check(person, []int32{firstRow[person]})
		}
	}
}

func (k keyRows) duplicated(key string) bool { _, ok := k.dups[key]; return ok }

// others lists the rows other than i that share key, or nil when the key is unique.
func (k keyRows) others(key string, i int) []int32 {
	if key == "" {
		return nil
	}
	return othersIn(k.dups[key], i)
}

// othersIn lists the rows of a duplicate group other than i (nil for no group).
func othersIn(all []int32, i int) []int32 {
	if len(all) == 0 {
		return nil
	}
	out := make([]int32, 0, len(all)-1)
	for _, j := range all {
		if int(j) != i {
			out = append(out, j)
		}
	}
	return out
}

// rowList names rows for a message, "row 4" or "rows 4, 9 and 12", at most ten of them.
func (p *planner) rowList(rows []int32) string {
	nums := make([]int, len(rows))
	for i, r := range rows {
		nums[i] = p.rows[r].rec.Row
	}
	slices.Sort(nums)
	const limit = 10
	more := 0
	if len(nums) > limit {
		more = len(nums) - limit
		nums = nums[:limit]
	}
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.Itoa(n)
	}
	word := "row "
	if len(rows) > 1 {
		word = "rows "
	}
	switch {
	case more > 0:
		return word + strings.Join(parts, ", ") + fmt.Sprintf(" and %d more", more)
	case len(parts) == 1:
		return word + parts[0]
	default:
		return word + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
}

package directory

import (
	"fmt"
)

func fieldLabel(f Field) string { return f.Header() + " (column " + f.Column() + ")" }

// ownedBy names the integration that owns f, when a file import must leave it alone.
func (p *planner) ownedBy(f Field) (string, bool) {
	if p.opts.MatchBy != MatchByEmail || len(p.in.OwnedFields) == 0 {
		return "", false
	}
	name, ok := p.in.OwnedFields[f]
	return name, ok
}

// computeValues checks the values a row must have and notes the fields it wanted to change
// but an integration owns. The values themselves are worked out when needed (valueAfter):
// keeping a full copy per row would double the planner's memory on large imports.
func (p *planner) computeValues() {
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		existing := r.person != none
		for _, f := range []Field{FirstName, LastName, Email} {
			switch p.cell(r, f).Op {
			case Clear:
				r.fail(Problem{Severity: SeverityError, Code: "required_cleared", Field: f, Value: "",
					Message: fmt.Sprintf("%s is required and cannot be cleared with a dash; enter a value or leave the cell blank to keep the current one", fieldLabel(f))})
			case Keep:
				if !existing {
					r.fail(Problem{Severity: SeverityError, Code: "required_missing", Field: f, Value: "",
						Message: fmt.Sprintf("%s is required for a new person; fill it in", fieldLabel(f))})
				}
			}
		}
		if r.failed() || !existing {
			continue
		}
		if !p.opts.UpdateExistingCoreFields {
			continue
		}
		for f := Field(0); f < NumFields; f++ {
			// ownedBy first: without an active integration it answers at once for every field.
			if _, owned := p.ownedBy(f); owned && isPlainField(f) && p.cellChanges(r, f) {
				r.owned |= 1 << uint(f)
			}
		}
	}
}

// isPlainField is a field whose value comes from its own cell: not the login email (never
// changed by an import), the reporting lines or the status (worked out from the graph and
// the status rules).
func isPlainField(f Field) bool {
	return f != Email && f != ManagerEmail && f != SecondaryManagerEmail && f != Status
}

// cellChanges reports whether an existing person's row asks to change plain field f.
func (p *planner) cellChanges(r *rowPlan, f Field) bool {
	cell := p.cell(r, f)
	return cell.Op != Keep && !sameValue(f, p.dir.value(r.person, f), cell.Text)
}

// valueAfter is field f (not a reporting line or the status) of a non-failed row once the
// import is applied.
func (p *planner) valueAfter(r *rowPlan, f Field) string {
	if r.person == none {
		v := p.cell(r, f).Text // "" unless Set
		if f == EmploymentType && v == "" {
			v = "Full-time"
		}
		return v
	}
	stored := p.dir.value(r.person, f)
	if !isPlainField(f) || !p.opts.UpdateExistingCoreFields || r.owned&(1<<uint(f)) != 0 {
		return stored
	}
	cell := p.cell(r, f)
	if cell.Op == Keep || sameValue(f, stored, cell.Text) {
		return stored
	}
	return cell.Text // Set, or "" for Clear
}

// sameValue compares stored and incoming values; emails compare case-insensitively.
func sameValue(f Field, a, b string) bool {
	if a == b {
		return true
	}
	switch f {
	case Email, AltEmail, ManagerEmail, SecondaryManagerEmail:
		return NormalizeEmail(a) == NormalizeEmail(b)
	}
	return false
}

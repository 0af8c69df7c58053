package directory

import (
	"fmt"
)

// settle repeats the checks whose outcome depends on which rows fail, until nothing changes:
// a failed new person cannot be a manager, a failed row keeps its employee id, and a failed
// row keeps its old manager, which can close another reporting loop.
func (p *planner) settle() {
	next := make([]int32, p.nodeCount())
	visit := make([]int32, p.nodeCount())
	for {
		p.dropManagersNotImported()
		changed := p.checkEmployeeIDs()
		if p.checkLoops(next, visit) {
			changed = true
		}
		if !changed {
			return
		}
	}
}

func (p *planner) dropManagersNotImported() {
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		for k, f := range managerFields {
			n := r.mgr[k]
			if n == none || int(n) < p.dir.Len() || !p.rows[int(n)-p.dir.Len()].failed() {
				continue
			}
			outcome := "the manager is left empty"
			if r.person != none {
				outcome = "the manager is left unchanged"
			}
			r.warn(Problem{Severity: SeverityWarning, Code: "manager_not_imported", Field: f, Value: Clip(p.managerRef(r, k)),
				Message: fmt.Sprintf("%s: %s is on row %d, which has errors and is not imported; %s",
					fieldLabel(f), quoteRef(p.managerRef(r, k)), p.rows[int(n)-p.dir.Len()].rec.Row, outcome)})
			r.mgr[k] = r.oldMgr[k]
			r.assigned[k] = false
		}
	}
}

// checkEmployeeIDs fails rows that would take an employee id another person keeps.
func (p *planner) checkEmployeeIDs() bool {
	changed := false
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		id := p.valueAfter(r, EmployeeID)
		if id == "" || r.person != none && p.dir.value(r.person, EmployeeID) == id {
			continue
		}
		owner, ok := p.employeeIDIndex().find(id)
		if !ok || owner == r.person {
			continue
		}
		if or := p.personRow[owner]; or != none && !p.rows[or].failed() && p.valueAfter(&p.rows[or], EmployeeID) != id {
			continue // the owner's own row moves them to another id
		}
		r.fail(Problem{Severity: SeverityError, Code: "employee_id_taken", Field: EmployeeID, Value: Clip(id),
			Message: fmt.Sprintf("%s: %q already belongs to %s; employee ids must be unique within the company",
				fieldLabel(EmployeeID), Clip(id), p.dir.value(owner, Email))})
		changed = true
	}
	return changed
}

package directory

import (
	"fmt"
	"strconv"
	"strings"
)

func (p *planner) nodeCount() int { return p.dir.Len() + len(p.rows) }

// nodeEmail is the login email shown for a graph node.
func (p *planner) nodeEmail(n int32) string {
	if n == none {
		return ""
	}
	if int(n) < p.dir.Len() {
		return p.dir.value(n, Email)
	}
	return p.cell(&p.rows[int(n)-p.dir.Len()], Email).Text
}

func (p *planner) rowNode(i int) int32 {
	if r := &p.rows[i]; r.person != none {
		return r.person
	}
	return int32(p.dir.Len() + i)
}

// rowOfNode is the non-failed row that plans node n, or none.
func (p *planner) rowOfNode(n int32) int32 {
	if int(n) < p.dir.Len() {
		return p.personRow[n]
	}
	return n - int32(p.dir.Len())
}

func (p *planner) personManager(person int32, k int) int32 { return p.dir.people[person].managers[k] }

// resolveManagers finds the managers each row asks for (section 6 warnings and errors).
func (p *planner) resolveManagers() {
	for i := range p.rows {
		r := &p.rows[i]
		if r.person != none {
			for k := range managerFields {
				r.oldMgr[k] = p.personManager(r.person, k)
				r.mgr[k] = r.oldMgr[k]
			}
		}
		if r.failed() {
			continue
		}
		existing := r.person != none
		if existing && !p.opts.UpdateManagersOfExisting || !existing && !p.opts.SetManagersOfNew {
			continue
		}
		self := p.rowNode(i)
		for k, f := range managerFields {
			cell := p.cell(r, f)
			if existing {
				if _, owned := p.ownedBy(f); owned {
					if p.managerCellChanges(r, k) {
						r.owned |= 1 << uint(f)
					}
					continue
				}
			}
			target, ref, named := none, "", refNone
			found := false
			if k == 0 && r.rec.ManagerSourceID != "" {
				ref, named = strings.TrimSpace(r.rec.ManagerSourceID), refSource
				target, found = p.resolveSource(ref)
				if !found && cell.Op != Set {
					r.warn(p.managerNotFound(r, f, fmt.Sprintf("the HR system's manager id %q", Clip(ref)), existing))
					continue
				}
			}
			if !found {
				switch cell.Op {
				case Keep:
					continue
				case Clear:
					r.mgr[k] = none
					continue
				}
				ref, named = cell.Text, refCell
				target, found = p.resolveEmail(cell.Text)
				if !found {
					r.warn(p.managerNotFound(r, f, strconv.Quote(Clip(cell.Text)), existing))
					continue
				}
			}
			if target == self {
				r.fail(Problem{Severity: SeverityError, Code: "self_manager", Field: f, Value: Clip(ref),
					Message: fmt.Sprintf("%s: %s is this person; a person cannot be their own manager", fieldLabel(f), quoteRef(ref))})
				continue
			}
			r.mgr[k] = target
			r.assigned[k] = true
			r.mgrRef[k] = named
		}
	}
}

func quoteRef(ref string) string { return strconv.Quote(Clip(ref)) }

// managerCellChanges says whether a row's manager cell asks for a different manager.
func (p *planner) managerCellChanges(r *rowPlan, k int) bool {
	cell := p.cell(r, managerFields[k])
	switch cell.Op {
	case Clear:
		return r.oldMgr[k] != none
	case Set:
		return r.oldMgr[k] == none || NormalizeEmail(p.nodeEmail(r.oldMgr[k])) != NormalizeEmail(cell.Text)
	}
	return false
}

func (p *planner) managerNotFound(r *rowPlan, f Field, what string, existing bool) Problem {
	outcome := "the manager is left empty"
	if existing {
		outcome = "the manager is left unchanged"
	}
	return Problem{Severity: SeverityWarning, Code: "manager_not_found", Field: f, Value: Clip(strings.Trim(what, `"`)),
		Message: fmt.Sprintf("%s: %s is not in the directory or in this import; %s", fieldLabel(f), what, outcome)}
}

func (p *planner) resolveEmail(email string) (int32, bool) {
	e := NormalizeEmail(email)
	if n, ok := p.dir.personByEmail(e); ok {
		return n, true
	}
	if row, ok := p.newByEmail.find(e); ok {
		return int32(p.dir.Len()) + row, true
	}
	return none, false
}

// resolveSource finds a manager by HR source id: the import's own records first, then the directory.
func (p *planner) resolveSource(id string) (int32, bool) {
	if row, ok := p.rowBySource.find(id); ok {
		if r := &p.rows[row]; r.person != none {
			return r.person, true
		}
		// A new person; if their row fails, dropManagersNotImported takes the manager back.
		return int32(p.dir.Len()) + row, true
	}
	if n, ok := p.sourceIndex().find(id); ok {
		return n, true
	}
	return none, false
}

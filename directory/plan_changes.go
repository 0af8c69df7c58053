package directory

import (
	"fmt"
	"slices"
	"strings"
)

// fillRowPlan works out the Change of one row into c (fillRowChange adds issue 17's reasons).
func (p *planner) fillRowPlan(i int, c *Change) {
	r := &p.rows[i]
	*c = Change{}
	c.Row, c.Email, c.SourceID = r.rec.Row, p.cell(r, Email).Text, r.sourceID()
	if r.person != none {
		c.PersonID = p.dir.people[r.person].id
		c.Email = p.dir.value(r.person, Email)
		if c.SourceID == "" {
			c.SourceID = p.dir.textOf(p.dir.people[r.person].sourceID)
		}
	}
	if r.failed() {
		p.fillFailedRow(r, c)
		return // nothing is applied: no After
	}

	var after [NumFields]string
	p.valuesAfter(i, &after)
	p.warnInactiveManagers(r)
	p.warnOwned(r)
	c.Name = displayName(after)
	c.Warnings = r.warns()
	c.ManagerChanged = r.mgr != r.oldMgr
	c.ManagerIDs = [2]int64{p.nodeID(r.mgr[0]), p.nodeID(r.mgr[1])}

	if r.person == none {
		// A new person's fields are their after values: FieldChanges derives them when asked,
		// so a 100,000-person first import does not build them twice.
		c.Kind = KindNew
		c.ReasonCode, c.Reason = "new_person", "new: not in the directory yet"
		if !r.active {
			c.ReasonCode, c.Reason = "new_person_inactive", "new: added as a deactivated account because the status is Inactive"
		}
		c.After = heapCopy(&after)
		if p.newIDs != nil {
			c.PersonID = p.newIDs[i]
		}
		return
	}

	p.fillExistingRow(r, c, &after)
}

// fillFailedRow describes a row with errors: it is not imported, so it has no After.
func (p *planner) fillFailedRow(r *rowPlan, c *Change) {
	c.Kind = KindError
	c.ReasonCode = "row_error"
	errs := r.errs()
	c.Reason = "not imported: " + errs[0].Message
	if len(errs) > 1 {
		c.Reason += fmt.Sprintf(" (and %d more errors)", len(errs)-1)
	}
	c.Errors = errs
	c.Warnings = r.warns()
	if r.person != none {
		c.Name = displayName(p.dir.values(r.person))
	} else {
		c.Name = displayName([NumFields]string{FirstName: p.cell(r, FirstName).Text, LastName: p.cell(r, LastName).Text})
	}
}

// valuesAfter fills after with the values row i leaves its person with: the person's
// values, the row's cells over them, the status decided and the managers resolved.
func (p *planner) valuesAfter(i int, after *[NumFields]string) {
	r := &p.rows[i]
	if r.person != none {
		*after = p.dir.values(r.person)
	}
	for f := Field(0); f < NumFields; f++ {
		if f != ManagerEmail && f != SecondaryManagerEmail && f != Status {
			after[f] = p.valueAfter(r, f)
		}
	}
	after[Status] = p.statusAfter(i)
	for k, f := range managerFields {
		switch {
		case r.mgr[k] != none:
			after[f] = p.nodeEmail(r.mgr[k])
		case r.person != none && r.mgr[k] == r.oldMgr[k]:
			// keep what the directory shows (a manager outside the snapshot stays as it was)
			after[f] = p.dir.value(r.person, f)
		default:
			after[f] = ""
		}
	}
}

// fillExistingRow lists the field changes of a matched person and says what kind of change
// the row is.
func (p *planner) fillExistingRow(r *rowPlan, c *Change, after *[NumFields]string) {
	before := p.dir.values(r.person)
	for f := Field(0); f < NumFields; f++ {
		if f == ManagerEmail || f == SecondaryManagerEmail {
			if r.mgr[f2k(f)] != r.oldMgr[f2k(f)] {
				c.Fields = append(c.Fields, FieldChange{Field: f, Old: before[f], New: after[f]})
			}
			continue
		}
		if before[f] != after[f] {
			c.Fields = append(c.Fields, FieldChange{Field: f, Old: before[f], New: after[f]})
		}
	}
	person := &p.dir.people[r.person]
	sourceLinked := r.sourceID() != "" && r.sourceID() != p.dir.textOf(person.sourceID)
	switch {
	case person.active && !r.active:
		c.Kind, c.ReasonCode, c.Reason = KindDeactivated, "status_inactive", "deactivated: the status in the file is Inactive"
	case !person.active && r.active:
		c.Kind, c.ReasonCode, c.Reason = KindReactivated, "reactivated", "reactivated: in the file and 'reactivate matching accounts' is on"
	case len(c.Fields) > 0:
		names := make([]string, len(c.Fields))
		for j, fc := range c.Fields {
			names[j] = fc.Field.Header()
		}
		c.Kind, c.ReasonCode = KindUpdated, "fields_changed"
		c.Reason = fmt.Sprintf("updated: %s changed", strings.Join(names, ", "))
	case sourceLinked:
		c.Kind, c.ReasonCode = KindUpdated, "source_id_linked"
		c.Reason = fmt.Sprintf("updated: linked to the HR system's employee id %q", Clip(r.sourceID()))
	default:
		c.Kind, c.ReasonCode, c.Reason = KindUnchanged, "no_changes", "unchanged: the import has the same values"
	}
	if c.Applies() {
		c.After = heapCopy(after)
	}
}

// heapCopy copies values to the heap; taking the address of fillRowChange's local array
// instead would move it to the heap for every row, unchanged ones included.
func heapCopy(values *[NumFields]string) *[NumFields]string {
	out := new([NumFields]string)
	*out = *values
	return out
}

func f2k(f Field) int {
	if f == SecondaryManagerEmail {
		return 1
	}
	return 0
}

// warnInactiveManagers warns when a row gets a manager who is deactivated, or keeps one this
// import deactivates. A manager who was already inactive and stays so is not news.
func (p *planner) warnInactiveManagers(r *rowPlan) {
	for k, f := range managerFields {
		m := r.mgr[k]
		if m == none || p.activeAfter[m] {
			continue
		}
		byThisImport := int(m) < p.dir.Len() && p.deactivated[m]
		if !byThisImport && m == r.oldMgr[k] {
			continue
		}
		what := "is deactivated"
		if byThisImport {
			what = "is deactivated by this import"
		}
		r.warn(Problem{Severity: SeverityWarning, Code: "manager_inactive", Field: f, Value: Clip(p.nodeEmail(m)),
			Message: fmt.Sprintf("%s: %s %s; they stay set as manager until you choose another one", fieldLabel(f), p.nodeEmail(m), what)})
	}
}

// warnOwned adds one warning per person for the fields an integration owns.
func (p *planner) warnOwned(r *rowPlan) {
	if r.owned == 0 {
		return
	}
	byIntegration := map[string][]string{}
	var names []string
	single := NoField
	count := 0
	for f := Field(0); f < NumFields; f++ {
		if r.owned&(1<<uint(f)) == 0 {
			continue
		}
		name, _ := p.ownedBy(f)
		if _, ok := byIntegration[name]; !ok {
			names = append(names, name)
		}
		byIntegration[name] = append(byIntegration[name], f.Header())
		single = f
		count++
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for j, name := range names {
		parts[j] = fmt.Sprintf("%s managed by %s", strings.Join(byIntegration[name], ", "), name)
	}
	if count > 1 {
		single = NoField
	}
	r.warn(Problem{Severity: SeverityWarning, Code: "owned_field", Field: single,
		Message: fmt.Sprintf("%s while that integration is active; the file's values are ignored, change them in the HR system", strings.Join(parts, "; "))})
}

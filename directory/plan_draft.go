package directory

import (
	"cmp"
	"fmt"
	"slices"
)

// Draft is a prepared plan that works out its changes one at a time: a large import is
// stored as it is planned, without holding a million changes at once. Changes yields them
// in plan order; Outcome is known once they have all been yielded.
type Draft struct {
	p              *planner
	yielded        bool
	summary        Summary
	managerChanges int
}

// Prepare matches, checks and resolves every row and person of the import (all of
// PlanImport but working out each change).
func Prepare(in Input) *Draft {
	p := newPlanner(in)
	p.readRows()
	p.matchRows()
	p.seeSkipped()
	p.placeRows()
	p.computeValues()
	p.resolveManagers()
	p.settle()
	p.decideStatuses()
	p.holdPending()
	p.listNotSent()
	p.missing = p.missingDeactivated()
	return &Draft{p: p}
}

// Len is the number of changes the plan has.
func (d *Draft) Len() int {
	return len(d.p.rows) + len(d.p.extra) + len(d.p.missing)
}

// NewPeople is the number of people the plan creates.
func (d *Draft) NewPeople() int {
	n := 0
	for i := range d.p.rows {
		if d.p.createsPerson(i) {
			n++
		}
	}
	return n
}

// AssignIDs gives the new people their ids, one per new person (NewPeople of them), before
// the changes are worked out: their changes then carry them as PersonID and as the
// ManagerIDs of their reports, so storing a plan needs no lookup by email.
func (d *Draft) AssignIDs(ids []int64) {
	p := d.p
	p.newIDs = make([]int64, len(p.rows))
	given := len(ids)
	for i := range p.rows {
		if p.createsPerson(i) {
			if len(ids) == 0 {
				panic(fmt.Sprintf("directory: %d ids for %d new people", given, d.NewPeople()))
			}
			p.newIDs[i], ids = ids[0], ids[1:]
		}
	}
	if len(ids) > 0 {
		panic(fmt.Sprintf("directory: %d ids for %d new people", given, given-len(ids)))
	}
}

// createsPerson reports whether row i creates a new person.
func (p *planner) createsPerson(i int) bool {
	r := &p.rows[i]
	return !r.failed() && r.person == none
}

// nodeID is the person id of graph node n: 0 for none and for a new person without one.
func (p *planner) nodeID(n int32) int64 {
	switch {
	case n == none:
		return 0
	case int(n) < p.dir.Len():
		return p.dir.people[n].id
	case p.newIDs != nil:
		return p.newIDs[int(n)-p.dir.Len()]
	}
	return 0
}

// Changes yields the plan's changes in order: the rows by row number, then the people not
// in the file by email. The Change is reused: a caller that keeps it copies it. It can be
// ranged over once.
func (d *Draft) Changes(yield func(*Change) bool) {
	if d.yielded {
		panic("directory: a Draft's changes were already yielded")
	}
	d.yielded = true
	p := d.p
	var c Change
	emit := func(c *Change) bool {
		d.summary.Add(c)
		if c.ManagerChanged && c.Kind != KindNew {
			d.managerChanges++
		}
		return yield(c)
	}
	// Rows came sorted from placeRows. Records numbered 0 or below (not expected) go last
	// with the people not in the file, so the rule "Row 0 last" holds.
	lead := 0
	for lead < len(p.order) && p.rows[p.order[lead]].rec.Row <= 0 {
		lead++
	}
	for _, i := range p.order[lead:] {
		p.fillRowChange(int(i), &c)
		if !emit(&c) {
			return
		}
	}
	notInFile := make([]Change, lead, lead+len(p.extra))
	for k, i := range p.order[:lead] {
		p.fillRowChange(int(i), &notInFile[k])
	}
	for _, n := range p.missing {
		person := p.dir.Person(int(n))
		after := person.Values
		after[Status] = StatusInactive
		notInFile = append(notInFile, Change{PersonID: person.ID, Email: person.Values[Email], Name: displayName(person.Values),
			Kind: KindDeactivated, ReasonCode: p.missingCode(),
			Reason:     p.missingReason(),
			Fields:     []FieldChange{{Field: Status, Old: StatusActive, New: StatusInactive}},
			After:      &after,
			SourceID:   person.SourceID,
			ManagerIDs: [2]int64{p.nodeID(p.personManager(n, 0)), p.nodeID(p.personManager(n, 1))},
		})
	}
	notInFile = append(notInFile, p.extra...)
	slices.SortStableFunc(notInFile, func(a, b Change) int {
		if c := cmp.Compare(NormalizeEmail(a.Email), NormalizeEmail(b.Email)); c != 0 {
			return c
		}
		return cmp.Compare(a.PersonID, b.PersonID)
	})
	for k := range notInFile {
		if !emit(&notInFile[k]) {
			return
		}
	}
}

// missingDeactivated lists the people this import deactivates who have no row of their own.
func (p *planner) missingDeactivated() []int32 {
	var out []int32
	for n := range p.dir.people {
		if p.deactivated[n] && !p.seen[n] {
			out = append(out, int32(n))
		}
	}
	return out
}

// Outcome sums up the plan once Changes has yielded every change.
func (d *Draft) Outcome() Outcome {
	deactivations := 0
	for n := range d.p.dir.people {
		if d.p.deactivated[n] {
			deactivations++
		}
	}
	out := Outcome{DirectoryVersion: d.p.in.Directory.Version, Summary: d.summary}
	out.GuardTripped, out.GuardReason = d.p.guard(deactivations, d.managerChanges)
	return out
}

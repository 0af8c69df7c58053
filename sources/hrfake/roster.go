// Package hrfake holds what the BambooHR and Personio API doubles (sources/bamboohr/fake,
// sources/personio/fake) share: the employees, the test switches on them and the queue of
// scripted failures. The wire format and strictness stay in each vendor's fake.
package hrfake

import (
	"fmt"
	"slices"
	"sync"
)

// Failure is an answer a fake gives once instead of a good one.
type Failure struct {
	Status     int
	RetryAfter string // Retry-After header; "" for none
	Message    string // the vendor's error header, where it has one (BambooHR)
	Body       string // sent as is; "" for an empty body
}

// Roster is a fake's employees of type P, keyed by the vendor's id type. The fake embeds it
// and uses its mutex for all of its own state too: the exported methods lock it, while
// Employees, Nulls, Omitted and PopFailure are for a fake's handler that holds the lock.
type Roster[ID comparable, P any] struct {
	sync.Mutex
	vendor string
	idOf   func(*P) ID
	// Employees are the current employees in the order the fake sends them.
	Employees []P
	// Nulls are the fields (attributes) sent as null per employee, whatever they hold.
	Nulls map[ID][]string
	// Omitted employees are left out of answers while totals still count them.
	Omitted  map[ID]bool
	failures []Failure
}

// Init fills a new roster with a copy of people; vendor names the fake in errors and idOf
// reads an employee's id.
func (r *Roster[ID, P]) Init(vendor string, idOf func(*P) ID, people []P) {
	r.vendor, r.idOf, r.Employees = vendor, idOf, slices.Clone(people)
	r.Nulls, r.Omitted = map[ID][]string{}, map[ID]bool{}
}

// People returns a copy of the current employees.
func (r *Roster[ID, P]) People() []P {
	r.Lock()
	defer r.Unlock()
	return slices.Clone(r.Employees)
}

// Update changes one employee.
func (r *Roster[ID, P]) Update(id ID, change func(*P)) error {
	r.Lock()
	defer r.Unlock()
	for i := range r.Employees {
		if r.idOf(&r.Employees[i]) == id {
			change(&r.Employees[i])
			return nil
		}
	}
	return fmt.Errorf("fake %s: no employee %v", r.vendor, id)
}

// Remove deletes an employee from the HR system altogether (totals drop too).
func (r *Roster[ID, P]) Remove(id ID) error {
	r.Lock()
	defer r.Unlock()
	for i := range r.Employees {
		if r.idOf(&r.Employees[i]) == id {
			r.Employees = slices.Delete(r.Employees, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("fake %s: no employee %v", r.vendor, id)
}

// SetNull sends the given fields of employee id as null (an emptied value), whatever the
// employee holds; with no fields it undoes that for id.
func (r *Roster[ID, P]) SetNull(id ID, fields ...string) {
	r.Lock()
	defer r.Unlock()
	if len(fields) == 0 {
		delete(r.Nulls, id)
		return
	}
	r.Nulls[id] = slices.Clone(fields)
}

// SetOmitted leaves the given employees out of every answer while the totals still count
// them: a roster short of itself. With no ids the roster is whole again.
func (r *Roster[ID, P]) SetOmitted(ids ...ID) {
	r.Lock()
	defer r.Unlock()
	clear(r.Omitted)
	for _, id := range ids {
		r.Omitted[id] = true
	}
}

// FailNext queues answers given, in order, instead of good ones.
func (r *Roster[ID, P]) FailNext(failures ...Failure) {
	r.Lock()
	defer r.Unlock()
	r.failures = append(r.failures, failures...)
}

// PopFailure takes the next queued failure; the caller holds the lock.
func (r *Roster[ID, P]) PopFailure() (Failure, bool) {
	if len(r.failures) == 0 {
		return Failure{}, false
	}
	f := r.failures[0]
	r.failures = r.failures[1:]
	return f, true
}

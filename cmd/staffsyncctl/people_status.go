package main

import (
	"fmt"
	"io"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

var personStatusFilters = map[string]v1.PersonStatusFilter{
	"active":      v1.PersonStatusFilter_PERSON_STATUS_FILTER_ACTIVE,
	"deactivated": v1.PersonStatusFilter_PERSON_STATUS_FILTER_DEACTIVATED,
	"pending":     v1.PersonStatusFilter_PERSON_STATUS_FILTER_PENDING,
	"all":         v1.PersonStatusFilter_PERSON_STATUS_FILTER_ALL,
}

// personStatusWord is a person's status in the people table: active, deactivated, or
// pending with the start date.
func personStatusWord(p *v1.Person) string {
	switch {
	case p.GetActive():
		return "active"
	case p.GetPending():
		return "pending: starts " + orDefault(p.GetHireDate(), "(no hire date)")
	}
	return "deactivated"
}

// personStatus is a person's status as people show prints it.
func personStatus(p *v1.Person) string {
	switch {
	case p.GetActive():
		return directory.StatusActive
	case p.GetPending() && p.GetHireDate() != "":
		return directory.StatusPending + " (starts on " + p.GetHireDate() + "; not billable until then)"
	case p.GetPending():
		return directory.StatusPending + " (not billable until activated)"
	}
	return directory.StatusInactive
}

func writePeopleTable(w io.Writer, people []*v1.Person, billable, pending int64) {
	if len(people) > 0 {
		t := &table{header: []string{"NAME", "EMAIL", "TITLE", "DEPARTMENT", "MANAGER", "STATUS"}}
		for _, p := range people {
			t.add([]string{orDash(personName(p)), p.GetEmail(), orDash(p.GetTitle()), orDash(p.GetDepartment()), orDash(p.GetManagerEmail()), personStatusWord(p)})
		}
		t.write(w)
		fmt.Fprintln(w)
	}
	noun := "people"
	if len(people) == 1 {
		noun = "person"
	}
	fmt.Fprintf(w, "%d %s listed · %d billable (active people in the company)", len(people), noun, billable)
	if pending > 0 {
		fmt.Fprintf(w, " · %d pending (not started yet)", pending)
	}
	fmt.Fprintln(w)
}

// pendingCounts adds the pending people to an import's summary bar when there are any.
func pendingCounts(s *v1.Summary) string {
	if s.GetPending() == 0 && s.GetStarted() == 0 {
		return ""
	}
	return fmt.Sprintf(" · pending %d (not started yet) · started %d", s.GetPending(), s.GetStarted())
}

package directory

import "fmt"

// Issue 17: a record the source sent but could not import still counts as seen, people the
// source did not send are named, and people who have not started yet are held pending.

// Reason codes of the changes this file shapes.
const (
	// ReasonSkippedBySource: the source sent the person but the record cannot be imported
	// (Record.Skip); an error row, and the person it matches is not missing.
	ReasonSkippedBySource = "skipped_by_source"
	// ReasonNotSentBySource: an active person an HR sync did not receive at all: deactivated
	// when deactivate_missing is on, else listed unchanged.
	ReasonNotSentBySource = "not_sent_by_source"
	// ReasonNotInFile: the same for a file import (deactivated only).
	ReasonNotInFile = "not_in_file"
	// ReasonNewPending: a new person created pending (hire date after today).
	ReasonNewPending = "new_pending"
	// ReasonPendingStarted: a pending person activated because their hire date has come.
	ReasonPendingStarted = "pending_started"
	// ReasonPendingRehire: a deactivated person the source sends as active again with a
	// hire date after today (a rehire): pending until then, not reactivated early.
	ReasonPendingRehire = "pending_rehire"
)

// skipReasonLimit caps the source's reason as shown; it comes from outside.
const skipReasonLimit = 300

// rowStart is what activate_on_hire_date decided for a row.
type rowStart uint8

const (
	startAsIs    rowStart = iota
	startPending          // held pending: not active until the hire date
	startNow              // was pending; this import activates them
)

// skippedProblem is the error of a record the source could not import.
func skippedProblem(rec *Record) Problem {
	reason := rec.Skip
	if len([]rune(reason)) > skipReasonLimit {
		reason = string([]rune(reason)[:skipReasonLimit-1]) + "…"
	}
	return Problem{Severity: SeverityError, Code: ReasonSkippedBySource, Field: NoField,
		Message: "the source sent this person but they cannot be imported: " + reason +
			"; fix it in the HR system. A person already in the directory stays as they are and is not deactivated as missing"}
}

// seeSkipped marks as seen the person a skipped record names by its employee id when
// neither its HR id nor its email found them (matchRows tried those first).
func (p *planner) seeSkipped() {
	for i := range p.rows {
		r := &p.rows[i]
		if r.rec.Skip == "" || r.person != none {
			continue
		}
		if id := p.cell(r, EmployeeID); id.Op == Set {
			if n, ok := p.employeeIDIndex().find(id.Text); ok {
				r.person = n
				p.seen[n] = true
			}
		}
	}
}

// hris reports whether the import is an HR sync (records matched on the source's ids).
func (p *planner) hris() bool { return p.opts.MatchBy == MatchByEmployeeID }

// missingCode and missingReason explain the deactivation of a person the import did not have.
func (p *planner) missingCode() string {
	if p.hris() {
		return ReasonNotSentBySource
	}
	return ReasonNotInFile
}

func (p *planner) missingReason() string {
	if p.hris() {
		return "deactivated: not sent by the source and 'deactivate accounts not imported' is on"
	}
	return "deactivated: not in the file and 'deactivate accounts not imported' is on"
}

// listNotSent names, for an HR sync that does not deactivate missing people, every active
// person the source did not send: they stay as they are, but an admin can see who the key
// no longer sees (with deactivate_missing on they are the deactivated changes instead).
func (p *planner) listNotSent() {
	if !p.hris() || p.opts.DeactivateMissing {
		return
	}
	for n := range p.dir.people {
		if p.dir.people[n].active && !p.seen[n] {
			p.extra = append(p.extra, p.keptChange(int32(n), ReasonNotSentBySource,
				"unchanged: not sent by the source; kept active because 'deactivate accounts not imported' is off"))
		}
	}
}

// holdPending applies activate_on_hire_date once the statuses are decided: a new person
// whose hire date is after Input.Today (or whose status cell says Pending) is created
// pending, and a pending person stays pending until then and is activated by the first
// import on or after it. A deactivated person the import would reactivate with a future
// hire date (a rehire) is pending instead. Active people are never made pending: an
// import must not take an account away from someone who has one.
//
// activeAfter only decides the "manager is deactivated" warnings; a pending manager is not
// deactivated, so pending people count as active there.
func (p *planner) holdPending() {
	holdFuture := p.opts.HoldsFutureHires() && p.in.Today != ""
	for n := range p.dir.people {
		if p.dir.people[n].pending && p.personRow[n] == none {
			p.activeAfter[n] = true
		}
	}
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		pendingNow := r.person != none && p.dir.people[r.person].pending
		rehired := r.person != none && !pendingNow && !p.dir.people[r.person].active && r.active
		if r.person != none && !pendingNow && !rehired {
			continue
		}
		if _, owned := p.ownedBy(Status); owned && r.person != none {
			continue // an HR integration decides this person's status
		}
		cell := p.cell(r, Status)
		if cell.Op == Set && cell.Text == StatusInactive {
			continue
		}
		hire := p.valueAfter(r, HireDate)
		held := (holdFuture && hire > p.in.Today) || (cell.Op == Set && cell.Text == StatusPending)
		switch {
		case held:
			p.setStart(i, startPending)
			r.active = false
		case pendingNow:
			p.setStart(i, startNow)
			r.active = true // never deactivated, so reactivate_matching does not apply
		default:
			continue
		}
		if r.problems != nil {
			r.problems.warns = dropProblem(r.problems.warns, "not_reactivated")
		}
		p.activeAfter[p.rowNode(i)] = true // pending or started: not deactivated
	}
}

func (p *planner) setStart(i int, s rowStart) {
	if p.starts == nil {
		p.starts = make([]rowStart, len(p.rows))
	}
	p.starts[i] = s
}

func (p *planner) start(i int) rowStart {
	if p.starts == nil {
		return startAsIs
	}
	return p.starts[i]
}

func dropProblem(problems []Problem, code string) []Problem {
	out := problems[:0]
	for _, prob := range problems {
		if prob.Code != code {
			out = append(out, prob)
		}
	}
	return out
}

// statusAfter is the status text of row i once the import is applied.
func (p *planner) statusAfter(i int) string {
	if p.start(i) == startPending {
		return StatusPending
	}
	return statusText(p.rows[i].active)
}

// fillRowChange works out the Change of row i into c, with the reasons of this file.
func (p *planner) fillRowChange(i int, c *Change) {
	p.fillRowPlan(i, c)
	r := &p.rows[i]
	if c.Kind == KindError {
		if r.rec.Skip != "" {
			c.ReasonCode = ReasonSkippedBySource
		}
		return
	}
	hire := p.valueAfter(r, HireDate)
	switch p.start(i) {
	case startPending:
		c.StartsOn = hire
		if hire == "" {
			c.StartsOn = "unknown"
		}
		if c.Kind != KindNew && r.person != none && !p.dir.people[r.person].pending {
			c.ReasonCode = ReasonPendingRehire
			c.Reason = fmt.Sprintf("updated: pending, the source has them again and they start on %s; the first sync on or after that date activates them", c.StartsOn)
		}
		if c.Kind == KindNew {
			c.ReasonCode = ReasonNewPending
			c.Reason = fmt.Sprintf("new: pending, starts on %s; the first sync on or after that date activates them", c.StartsOn)
			if hire == "" {
				c.Reason = "new: pending (the status is Pending); an import with the status Active activates them"
			}
		}
	case startNow:
		c.ReasonCode = ReasonPendingStarted
		c.Reason = "activated: was pending and the hire date has come"
		if hire != "" {
			c.Reason = fmt.Sprintf("activated: was pending and starts on %s", hire)
		}
	}
}

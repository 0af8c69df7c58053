package directory

// decideStatuses works out who is active after the import: status cells, reactivation and
// deactivate_missing (section 5).
func (p *planner) decideStatuses() {
	P := p.dir.Len()
	p.activeAfter = make([]bool, p.nodeCount())
	p.deactivated = make([]bool, P)
	for n := 0; n < P; n++ {
		p.activeAfter[n] = p.dir.people[n].active
	}
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		cell := p.cell(r, Status)
		wantInactive := cell.Op == Set && cell.Text == StatusInactive
		if r.person == none {
			r.active = !wantInactive
			p.activeAfter[P+i] = r.active
			continue
		}
		person := &p.dir.people[r.person]
		r.active = person.active
		if _, owned := p.ownedBy(Status); owned {
			if wantInactive == person.active {
				r.owned |= 1 << uint(Status)
			}
			continue
		}
		switch {
		case person.active && wantInactive:
			switch {
			case person.protected:
				r.warn(Problem{Severity: SeverityWarning, Code: "protected_not_deactivated", Field: Status, Value: StatusInactive,
					Message: fieldLabel(Status) + ": this account is protected and is not deactivated; remove the protection first to deactivate it"})
			case p.actor != "" && NormalizeEmail(p.dir.value(r.person, Email)) == p.actor:
				r.warn(Problem{Severity: SeverityWarning, Code: "actor_not_deactivated", Field: Status, Value: StatusInactive,
					Message: fieldLabel(Status) + ": this is your own account; you cannot deactivate yourself with an import"})
			default:
				r.active = false
				p.deactivated[r.person] = true
			}
		case !person.active && !wantInactive:
			if p.opts.ReactivateMatching {
				r.active = true
			} else {
				r.warn(Problem{Severity: SeverityWarning, Code: "not_reactivated", Field: Status, Value: Clip(cell.Text),
					Message: "deactivated person not reactivated because 'reactivate matching accounts' is off; turn it on or reactivate them by hand"})
			}
		}
		p.activeAfter[r.person] = r.active
	}
	if !p.opts.DeactivateMissing {
		return
	}
	for n := 0; n < P; n++ {
		person := &p.dir.people[n]
		if !person.active || p.seen[n] {
			continue
		}
		switch {
		case person.protected:
			p.extra = append(p.extra, p.keptChange(int32(n), "protected_not_deactivated",
				"unchanged: not in the file, but the account is protected and is never deactivated by an import"))
		case p.actor != "" && NormalizeEmail(p.dir.value(int32(n), Email)) == p.actor:
			p.extra = append(p.extra, p.keptChange(int32(n), "actor_not_deactivated",
				"unchanged: not in the file, but this is the account of the admin running the import"))
		default:
			p.deactivated[n] = true
			p.activeAfter[n] = false
		}
	}
}

func statusText(active bool) string {
	if active {
		return StatusActive
	}
	return StatusInactive
}

func (p *planner) keptChange(n int32, code, reason string) Change {
	person := p.dir.Person(int(n))
	return Change{PersonID: person.ID, Email: person.Values[Email], Name: displayName(person.Values),
		Kind: KindUnchanged, ReasonCode: code, Reason: reason, SourceID: person.SourceID}
}

func displayName(values [NumFields]string) string {
	first, last := values[FirstName], values[LastName]
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

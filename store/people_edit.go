package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// FieldEdit is one field an admin sets (Op Set) or empties (Op Clear).
type FieldEdit struct {
	Field directory.Field
	Value directory.Value
}

// PersonUpdate is the outcome of UpdatePerson.
type PersonUpdate struct {
	Person   directory.Person
	Changes  []directory.FieldChange
	Warnings []string
}

// UpdatePerson changes fields of one person with the rules of an import (import-rules.md
// sections 1-4 and 8): values are checked and normalised, required fields stay filled,
// fields an active HR integration owns are refused naming it, a login email stays unique
// across all companies, and a new manager must be an active person of the company who does
// not (directly or indirectly) report to this person. The status changes only through
// SetPeopleActive. An edit that changes nothing writes nothing.
func (s *Store) UpdatePerson(ctx context.Context, p Principal, ref string, edits []FieldEdit) (PersonUpdate, error) {
	var out PersonUpdate
	if len(edits) == 0 {
		return out, directory.Errorf(directory.ErrInvalid, "name at least one field to change, e.g. title=\"Head of Sales\"")
	}
	owned, err := s.OwnedFields(ctx, p.CompanyID)
	if err != nil {
		return out, err
	}
	edits = append([]FieldEdit(nil), edits...) // normalised below; the caller's slice stays as given
	seen := map[directory.Field]bool{}
	for i, e := range edits {
		f := e.Field
		if f < 0 || f >= directory.NumFields {
			return out, directory.Errorf(directory.ErrInvalid, "unknown field")
		}
		if seen[f] {
			return out, directory.Errorf(directory.ErrInvalid, "%s is given twice; give each field once", f.Header())
		}
		seen[f] = true
		if f == directory.Status {
			return out, directory.Errorf(directory.ErrInvalid, "the status is not edited here; deactivate or reactivate the person instead")
		}
		if name, ok := owned[f]; ok {
			return out, directory.Errorf(directory.ErrPrecondition,
				"%s is managed by the integration %q while it is active; change it there, or pause the integration first", f.Header(), name)
		}
		text := strings.TrimSpace(e.Value.Text)
		if e.Value.Op == directory.Clear || text == "" {
			if f.Required() {
				return out, directory.Errorf(directory.ErrInvalid, "%s is required and cannot be emptied; give a new value", f.Header())
			}
			edits[i].Value = directory.Value{Op: directory.Clear}
			continue
		}
		canonical, prob := directory.CanonicalValue(f, text)
		if prob != nil {
			return out, directory.Errorf(directory.ErrInvalid, "%s", prob.Message)
		}
		edits[i].Value = directory.SetValue(canonical)
	}

	err = s.directoryTx(ctx, p.CompanyID, func(tx pgx.Tx) (bool, error) {
		id, err := resolvePerson(ctx, tx, p.CompanyID, ref)
		if err != nil {
			return false, err
		}
		before, err := loadPerson(ctx, tx, p.CompanyID, id, true)
		if err != nil {
			return false, err
		}
		after := before.Values
		managerIDs := [2]int64{before.ManagerID, before.SecondaryManagerID}
		for _, e := range edits {
			after[e.Field] = e.Value.Text
		}
		for k, f := range []directory.Field{directory.ManagerEmail, directory.SecondaryManagerEmail} {
			if !seen[f] || directory.NormalizeEmail(after[f]) == directory.NormalizeEmail(before.Values[f]) {
				after[f] = before.Values[f]
				continue
			}
			if after[f] == "" {
				managerIDs[k] = 0
				continue
			}
			manager, err := newManager(ctx, tx, p.CompanyID, &before, f, after[f])
			if err != nil {
				return false, err
			}
			managerIDs[k], after[f] = manager.ID, manager.Values[directory.Email]
		}
		if seen[directory.Email] && after[directory.Email] != before.Values[directory.Email] {
			var taken bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE lower(email) = lower($1) AND id <> $2)`,
				after[directory.Email], id).Scan(&taken); err != nil {
				return false, fmt.Errorf("check email: %w", err)
			}
			if taken {
				return false, directory.Errorf(directory.ErrConflict, "%s is already the login email of another account; choose a different one", after[directory.Email])
			}
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s signs in with %s from now on; file imports match this person by the new email", personName(after), after[directory.Email]))
		}
		for f := directory.Field(0); f < directory.NumFields; f++ {
			if before.Values[f] != after[f] {
				out.Changes = append(out.Changes, directory.FieldChange{Field: f, Old: before.Values[f], New: after[f]})
			}
		}
		if len(out.Changes) == 0 {
			out.Person = before
			return false, nil
		}
		if err := writePersonValues(ctx, tx, id, after, managerIDs); err != nil {
			return false, err
		}
		oldManagerIDs := [2]int64{before.ManagerID, before.SecondaryManagerID}
		for k, col := range []string{"manager_id", "secondary_manager_id"} {
			if managerIDs[k] != oldManagerIDs[k] && managerIDs[k] != 0 {
				if err := refuseLoop(ctx, tx, col, id); err != nil {
					return false, err
				}
			}
		}
		if err := writeHistory(ctx, tx, p.CompanyID, id, p.AdminID, HistoryUpdated, storedChanges(out.Changes)); err != nil {
			return false, err
		}
		out.Person, err = loadPerson(ctx, tx, p.CompanyID, id, false)
		return true, err
	})
	if err != nil {
		if isUniqueViolation(err) {
			return PersonUpdate{}, directory.Errorf(directory.ErrConflict,
				"the login email or employee id is already used by another person; choose a different one")
		}
		return PersonUpdate{}, fmt.Errorf("update person: %w", unavailable(err))
	}
	return out, nil
}

func storedChanges(changes []directory.FieldChange) []storedFieldChange {
	out := make([]storedFieldChange, len(changes))
	for i, c := range changes {
		out[i] = storedFieldChange{Field: c.Field.Key(), Old: c.Old, New: c.New}
	}
	return out
}

// newManager checks the person named as the new (secondary) manager of person.
func newManager(ctx context.Context, tx pgx.Tx, companyID int64, person *directory.Person, f directory.Field, email string) (directory.Person, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM people WHERE company_id = $1 AND lower(email) = lower($2)`, companyID, email).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.Person{}, directory.Errorf(directory.ErrInvalid, "%s: there is no person %s in your directory; add them first or choose another manager", f.Header(), email)
	}
	if err != nil {
		return directory.Person{}, fmt.Errorf("find manager: %w", err)
	}
	if id == person.ID {
		return directory.Person{}, directory.Errorf(directory.ErrInvalid, "%s: a person cannot be their own manager", f.Header())
	}
	m, err := loadPerson(ctx, tx, companyID, id, false)
	if err != nil {
		return m, err
	}
	if !m.Active {
		return m, directory.Errorf(directory.ErrPrecondition, "%s: %s is deactivated and cannot be a new manager; reactivate them first or choose an active manager", f.Header(), m.Values[directory.Email])
	}
	return m, nil
}

// writePersonValues stores every template field except the status.
func writePersonValues(ctx context.Context, tx pgx.Tx, id int64, v [directory.NumFields]string, managers [2]int64) error {
	nullID := func(id int64) any {
		if id == 0 {
			return nil
		}
		return id
	}
	_, err := tx.Exec(ctx, `
		UPDATE people SET first_name = $2, last_name = $3, gender = $4, title = $5, email = $6, department = $7,
			team = $8, location = $9, employee_id = $10, hire_date = NULLIF($11, '')::date, alt_email = $12,
			preferred_name = $13, leaving_date = NULLIF($14, '')::date, termination_type = $15, employment_type = $16,
			manager_id = $17, secondary_manager_id = $18, updated_at = now()
		WHERE id = $1`,
		id, v[directory.FirstName], v[directory.LastName], v[directory.Gender], v[directory.Title], v[directory.Email],
		v[directory.Department], v[directory.Team], v[directory.Location], v[directory.EmployeeID], v[directory.HireDate],
		v[directory.AltEmail], v[directory.PreferredName], v[directory.LeavingDate], v[directory.TerminationType],
		v[directory.EmploymentType], nullID(managers[0]), nullID(managers[1]))
	if err != nil {
		return fmt.Errorf("update person %d: %w", id, err)
	}
	return nil
}

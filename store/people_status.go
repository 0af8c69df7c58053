package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// StatusResult is what SetPeopleActive did to one person.
type StatusResult struct {
	Person   PersonRef
	Changed  bool
	Warnings []string
}

// SetPeopleActive deactivates (active false) or reactivates people in bulk, by login email
// or id, in one transaction: all are changed or, when one is unknown, none. Deactivated
// people keep all their data, cannot log in and are not billable. People already in the
// wanted state are reported unchanged.
func (s *Store) SetPeopleActive(ctx context.Context, p Principal, refs []string, active bool) ([]StatusResult, error) {
	var out []StatusResult
	err := s.directoryTx(ctx, p.CompanyID, func(tx pgx.Tx) (bool, error) {
		out = nil
		ids, err := resolvePeople(ctx, tx, p.CompanyID, refs)
		if err != nil {
			return false, err
		}
		changed := false
		for _, id := range ids {
			person, err := loadPerson(ctx, tx, p.CompanyID, id, true)
			if err != nil {
				return false, err
			}
			res := StatusResult{Person: refOf(&person)}
			if person.Active == active && !(person.Pending && !active) { // deactivating a pending person cancels the start
				state := "deactivated"
				if active {
					state = "active"
				}
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s is already %s; nothing changed", person.Values[directory.Email], state))
				out = append(out, res)
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE people SET active = $2, pending = false, updated_at = now() WHERE id = $1`, id, active); err != nil {
				return false, fmt.Errorf("set status: %w", err)
			}
			kind, change := HistoryDeactivated, storedFieldChange{Field: directory.Status.Key(), Old: person.Values[directory.Status], New: directory.StatusInactive}
			if active {
				kind, change = HistoryReactivated, storedFieldChange{Field: directory.Status.Key(), Old: person.Values[directory.Status], New: directory.StatusActive}
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s can log in again; no password email is sent automatically, send one if they need it", person.Values[directory.Email]))
			} else {
				reports, err := queryRefs(ctx, tx, `
					SELECT id, email, first_name, last_name, active FROM people
					WHERE company_id = $1 AND manager_id = $2 AND active ORDER BY last_name, first_name, id`, p.CompanyID, id)
				if err != nil {
					return false, fmt.Errorf("find direct reports: %w", err)
				}
				if len(reports) > 0 {
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s manages %d active %s (%s); they keep this manager until you assign a new one",
						person.Values[directory.Email], len(reports), plural(len(reports), "person", "people"), refEmails(reports, 5)))
				}
			}
			if err := writeHistory(ctx, tx, p.CompanyID, id, p.AdminID, kind, []storedFieldChange{change}); err != nil {
				return false, err
			}
			res.Changed, res.Person.Active = true, active
			changed = true
			out = append(out, res)
		}
		return changed, nil
	})
	if err != nil {
		return nil, fmt.Errorf("change status: %w", unavailable(err))
	}
	return out, nil
}

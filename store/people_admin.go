package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// History kinds written by admin actions (imports write the change kinds of the plan).
const (
	HistoryUpdated       = "updated"
	HistoryDeactivated   = "deactivated"
	HistoryReactivated   = "reactivated"
	HistoryMerged        = "merged"
	HistoryDeleted       = "deleted"
	HistoryPasswordEmail = "password_email"
)

// History pseudo-fields: recorded in people_history next to the template fields.
const (
	historyMergedInto = "merged_into"
	historyMergedFrom = "merged_from"
)

// deletedPlaceholder replaces a deleted person's email wherever other records mention it.
const deletedPlaceholder = "(deleted person)"

// PersonRef names a person in answers: enough to show and link, no more.
type PersonRef struct {
	ID     int64
	Email  string
	Name   string
	Active bool
}

func refOf(p *directory.Person) PersonRef {
	return PersonRef{ID: p.ID, Email: p.Values[directory.Email], Name: personName(p.Values), Active: p.Active}
}

func personName(values [directory.NumFields]string) string {
	return strings.TrimSpace(values[directory.FirstName] + " " + values[directory.LastName])
}

// errDryRun rolls back a transaction whose outcome was only wanted as a preview.
var errDryRun = errors.New("dry run")

// directoryTx runs fn in a transaction that holds the company's row lock, the same lock an
// import's apply takes: an admin change and an apply never interleave, and an apply whose
// preview predates the change finds a newer directory version and re-previews. When fn
// reports a change the directory version is bumped.
func (s *Store) directoryTx(ctx context.Context, companyID int64, fn func(tx pgx.Tx) (changed bool, err error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `SELECT 1 FROM companies WHERE id = $1 FOR UPDATE`, companyID)
		if err != nil {
			return fmt.Errorf("lock company: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return directory.Errorf(directory.ErrNotFound, "company %d does not exist", companyID)
		}
		changed, err := fn(tx)
		if err != nil {
			return err
		}
		if changed {
			if _, err := tx.Exec(ctx, `UPDATE companies SET directory_version = directory_version + 1 WHERE id = $1`, companyID); err != nil {
				return fmt.Errorf("bump directory version: %w", err)
			}
		}
		return nil
	})
}

// writeHistory records one admin action on one person.
func writeHistory(ctx context.Context, tx pgx.Tx, companyID, personID, adminID int64, kind string, changes []storedFieldChange) error {
	if changes == nil {
		changes = []storedFieldChange{}
	}
	raw, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO people_history (company_id, person_id, admin_id, kind, changes)
		VALUES ($1, $2, NULLIF($3, 0), $4, $5)`, companyID, personID, adminID, kind, json.RawMessage(raw))
	if err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}

// resolvePerson finds a person of the company by login email or id. Another company's
// person is not found, with the same message as a person who does not exist.
func resolvePerson(ctx context.Context, q pgx.Tx, companyID int64, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return 0, directory.Errorf(directory.ErrInvalid, "name the person by login email or id")
	}
	var id int64
	var err error
	if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		err = q.QueryRow(ctx, `SELECT id FROM people WHERE company_id = $1 AND id = $2`, companyID, n).Scan(&id)
	} else {
		err = q.QueryRow(ctx, `SELECT id FROM people WHERE company_id = $1 AND lower(email) = lower($2)`, companyID, ref).Scan(&id)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, directory.Errorf(directory.ErrNotFound, "there is no person %q in your directory", directory.Clip(ref))
	}
	if err != nil {
		return 0, fmt.Errorf("find person: %w", err)
	}
	return id, nil
}

// resolvePeople resolves several references at once; unknown ones are reported together
// and nothing is changed.
func resolvePeople(ctx context.Context, tx pgx.Tx, companyID int64, refs []string) ([]int64, error) {
	if len(refs) == 0 {
		return nil, directory.Errorf(directory.ErrInvalid, "name at least one person by login email or id")
	}
	var ids []int64
	var unknown []string
	seen := map[int64]bool{}
	for _, ref := range refs {
		id, err := resolvePerson(ctx, tx, companyID, ref)
		if errors.Is(err, directory.ErrNotFound) {
			unknown = append(unknown, strconv.Quote(directory.Clip(strings.TrimSpace(ref))))
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(unknown) > 0 {
		return nil, directory.Errorf(directory.ErrNotFound, "not in your directory: %s; nothing was changed", strings.Join(unknown, ", "))
	}
	return ids, nil
}

// loadPerson reads one person of the company; forUpdate locks their row.
func loadPerson(ctx context.Context, q pgx.Tx, companyID, id int64, forUpdate bool) (directory.Person, error) {
	query := `SELECT ` + personColumns + ` WHERE p.company_id = $1 AND p.id = $2`
	if forUpdate {
		query += ` FOR UPDATE OF p`
	}
	var p directory.Person
	err := scanPerson(q.QueryRow(ctx, query, companyID, id), &p)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, directory.Errorf(directory.ErrNotFound, "person %d is not in your directory", id)
	}
	if err != nil {
		return p, fmt.Errorf("load person %d: %w", id, err)
	}
	return p, nil
}

// PersonDetail is one person with their reporting lines and who owns which fields.
type PersonDetail struct {
	Person           directory.Person
	Manager          *PersonRef
	SecondaryManager *PersonRef
	DirectReports    []PersonRef
	// OwnedFields maps the fields an active HR integration owns to its name; they cannot be edited here.
	OwnedFields map[directory.Field]string
	// MergedInto is the account this one was merged into, if any.
	MergedInto *PersonRef
	// PasswordEmailSent says whether a password email was ever queued for the person.
	PasswordEmailSent bool
}

// GetPerson returns a person of the company by login email or id.
func (s *Store) GetPerson(ctx context.Context, companyID int64, ref string) (PersonDetail, error) {
	var d PersonDetail
	owned, err := s.OwnedFields(ctx, companyID)
	if err != nil {
		return d, err
	}
	d.OwnedFields = owned
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		id, err := resolvePerson(ctx, tx, companyID, ref)
		if err != nil {
			return err
		}
		if d.Person, err = loadPerson(ctx, tx, companyID, id, false); err != nil {
			return err
		}
		refByID := func(id int64) (*PersonRef, error) {
			if id == 0 {
				return nil, nil
			}
			m, err := loadPerson(ctx, tx, companyID, id, false)
			if err != nil {
				return nil, err
			}
			r := refOf(&m)
			return &r, nil
		}
		if d.Manager, err = refByID(d.Person.ManagerID); err != nil {
			return err
		}
		if d.SecondaryManager, err = refByID(d.Person.SecondaryManagerID); err != nil {
			return err
		}
		var mergedInto int64
		if err := tx.QueryRow(ctx, `
			SELECT coalesce(merged_into, 0),
				EXISTS (SELECT 1 FROM outbox o WHERE o.person_id = p.id AND o.kind LIKE 'password%')
			FROM people p WHERE p.id = $1`, id).Scan(&mergedInto, &d.PasswordEmailSent); err != nil {
			return fmt.Errorf("read merge and password state: %w", err)
		}
		if d.MergedInto, err = refByID(mergedInto); err != nil {
			return err
		}
		d.DirectReports, err = queryRefs(ctx, tx, `
			SELECT id, email, first_name, last_name, active FROM people
			WHERE company_id = $1 AND manager_id = $2 ORDER BY last_name, first_name, id`, companyID, id)
		return err
	})
	if err != nil {
		return PersonDetail{}, fmt.Errorf("get person: %w", unavailable(err))
	}
	return d, nil
}

// queryRefs runs a query selecting id, email, first_name, last_name, active.
func queryRefs(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]PersonRef, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonRef
	for rows.Next() {
		var r PersonRef
		var first, last string
		if err := rows.Scan(&r.ID, &r.Email, &first, &last, &r.Active); err != nil {
			return nil, err
		}
		r.Name = strings.TrimSpace(first + " " + last)
		out = append(out, r)
	}
	return out, rows.Err()
}

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

// maxChain bounds a walk up the reporting lines (no real company is this deep).
const maxChain = 10_000

// refuseLoop fails when following column (manager_id or secondary_manager_id) upward from
// any of the people comes back to them, naming the loop.
func refuseLoop(ctx context.Context, tx pgx.Tx, column string, ids ...int64) error {
	var start int64
	err := tx.QueryRow(ctx, `
		WITH RECURSIVE walk(start, id, depth) AS (
			SELECT p.id, p.`+column+`, 1 FROM people p WHERE p.id = ANY($1) AND p.`+column+` IS NOT NULL
			UNION ALL
			SELECT w.start, p.`+column+`, w.depth + 1 FROM walk w JOIN people p ON p.id = w.id
			WHERE p.`+column+` IS NOT NULL AND w.id <> w.start AND w.depth < $2)
		SELECT start FROM walk WHERE id = start LIMIT 1`, ids, maxChain).Scan(&start)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check reporting loops: %w", err)
	}
	rows, err := tx.Query(ctx, `
		WITH RECURSIVE walk(id, depth) AS (
			SELECT $1::bigint, 0
			UNION ALL
			SELECT p.`+column+`, w.depth + 1 FROM walk w JOIN people p ON p.id = w.id
			WHERE p.`+column+` IS NOT NULL AND (w.depth = 0 OR w.id <> $1) AND w.depth < $2)
		SELECT p.email FROM walk w JOIN people p ON p.id = w.id ORDER BY w.depth`, start, maxChain)
	if err != nil {
		return fmt.Errorf("describe reporting loop: %w", err)
	}
	emails, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("describe reporting loop: %w", err)
	}
	what := "manager"
	if column == "secondary_manager_id" {
		what = "secondary manager"
	}
	return directory.Errorf(directory.ErrPrecondition, "this would make a reporting loop (%s: %s); choose another %s",
		what, strings.Join(emails, " → "), what)
}

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

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// refEmails lists up to limit emails, then how many more.
func refEmails(refs []PersonRef, limit int) string {
	var emails []string
	for i, r := range refs {
		if i == limit {
			emails = append(emails, fmt.Sprintf("and %d more", len(refs)-limit))
			break
		}
		emails = append(emails, r.Email)
	}
	return strings.Join(emails, ", ")
}

// MergeResult says what MergePeople moved (or, in a dry run, would move).
type MergeResult struct {
	Source, Destination PersonRef
	DryRun              bool
	// ReportsMoved now report to the destination; SecondaryReportsMoved have it as secondary manager.
	ReportsMoved          []PersonRef
	SecondaryReportsMoved []PersonRef
	// CycleParticipations moved to the destination; CyclesKept stay with the source because
	// the destination already takes part in that cycle. ReviewerRolesMoved counts the
	// participations the source reviewed.
	CycleParticipations int64
	CyclesKept          int64
	ReviewerRolesMoved  int64
	// HistoryEntries of the source that the destination's history now shows.
	HistoryEntries    int64
	SourceDeactivated bool
	Warnings          []string
}

// MergePeople merges the source account into the destination (both by login email or id,
// both of the caller's company): the source's direct and secondary reports move to the
// destination, its cycle participations and reviewer roles move too, the destination's
// history lists the source's history, and the source is deactivated. With dryRun the same
// work runs and is rolled back, so the preview is exactly what a merge would do.
func (s *Store) MergePeople(ctx context.Context, p Principal, sourceRef, destinationRef string, dryRun bool) (MergeResult, error) {
	var out MergeResult
	err := s.directoryTx(ctx, p.CompanyID, func(tx pgx.Tx) (bool, error) {
		out = MergeResult{DryRun: dryRun}
		sourceID, err := resolvePerson(ctx, tx, p.CompanyID, sourceRef)
		if err != nil {
			return false, err
		}
		destID, err := resolvePerson(ctx, tx, p.CompanyID, destinationRef)
		if err != nil {
			return false, err
		}
		if sourceID == destID {
			return false, directory.Errorf(directory.ErrInvalid, "the source and the destination are the same person; choose two different accounts")
		}
		source, err := loadPerson(ctx, tx, p.CompanyID, sourceID, true)
		if err != nil {
			return false, err
		}
		dest, err := loadPerson(ctx, tx, p.CompanyID, destID, true)
		if err != nil {
			return false, err
		}
		out.Source, out.Destination = refOf(&source), refOf(&dest)
		if !dest.Active {
			return false, directory.Errorf(directory.ErrPrecondition, "the destination %s is deactivated; reactivate it first or merge into an active account", dest.Values[directory.Email])
		}
		var mergedInto string
		if err := tx.QueryRow(ctx, `SELECT coalesce(m.email, '') FROM people p LEFT JOIN people m ON m.id = p.merged_into WHERE p.id = $1`, sourceID).Scan(&mergedInto); err != nil {
			return false, fmt.Errorf("read merge state: %w", err)
		}
		if mergedInto != "" {
			return false, directory.Errorf(directory.ErrPrecondition, "%s was already merged into %s", source.Values[directory.Email], mergedInto)
		}
		sourceEmail, destEmail := source.Values[directory.Email], dest.Values[directory.Email]

		for k, column := range []string{"manager_id", "secondary_manager_id"} {
			moved, err := queryRefs(ctx, tx, `
				UPDATE people SET `+column+` = $3, updated_at = now()
				WHERE company_id = $1 AND `+column+` = $2 AND id <> $3
				RETURNING id, email, first_name, last_name, active`, p.CompanyID, sourceID, destID)
			if err != nil {
				return false, fmt.Errorf("move reports: %w", err)
			}
			field := []directory.Field{directory.ManagerEmail, directory.SecondaryManagerEmail}[k]
			for _, r := range moved {
				if err := writeHistory(ctx, tx, p.CompanyID, r.ID, p.AdminID, HistoryUpdated,
					[]storedFieldChange{{Field: field.Key(), Old: sourceEmail, New: destEmail}}); err != nil {
					return false, err
				}
			}
			if k == 0 {
				out.ReportsMoved = moved
			} else {
				out.SecondaryReportsMoved = moved
			}
			if len(moved) > 0 {
				ids := make([]int64, len(moved))
				for i, r := range moved {
					ids[i] = r.ID
				}
				if err := refuseLoop(ctx, tx, column, ids...); err != nil {
					return false, err
				}
			}
		}
		if dest.ManagerID == sourceID {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s reports to %s, which is deactivated by the merge; give %s a new manager", destEmail, sourceEmail, destEmail))
		}

		tag, err := tx.Exec(ctx, `
			UPDATE cycle_participants cp SET person_id = $2
			WHERE cp.person_id = $1 AND NOT EXISTS (SELECT 1 FROM cycle_participants d WHERE d.cycle_id = cp.cycle_id AND d.person_id = $2)`,
			sourceID, destID)
		if err != nil {
			return false, fmt.Errorf("move cycle participations: %w", err)
		}
		out.CycleParticipations = tag.RowsAffected()
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM cycle_participants WHERE person_id = $1`, sourceID).Scan(&out.CyclesKept); err != nil {
			return false, fmt.Errorf("count cycle participations: %w", err)
		}
		if out.CyclesKept > 0 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%d %s of %s stay with the deactivated account because %s already takes part in them",
				out.CyclesKept, plural(int(out.CyclesKept), "cycle", "cycles"), sourceEmail, destEmail))
		}
		tag, err = tx.Exec(ctx, `UPDATE cycle_participants SET reviewer_id = $2 WHERE reviewer_id = $1 AND person_id <> $2`, sourceID, destID)
		if err != nil {
			return false, fmt.Errorf("move reviewer roles: %w", err)
		}
		out.ReviewerRolesMoved = tag.RowsAffected()

		if err := tx.QueryRow(ctx, `SELECT count(*) FROM people_history WHERE person_id = $1`, sourceID).Scan(&out.HistoryEntries); err != nil {
			return false, fmt.Errorf("count history: %w", err)
		}
		sourceChanges := []storedFieldChange{{Field: historyMergedInto, Old: "", New: destEmail}}
		if source.Active {
			sourceChanges = append(sourceChanges, storedFieldChange{Field: directory.Status.Key(), Old: directory.StatusActive, New: directory.StatusInactive})
			out.SourceDeactivated = true
		}
		if _, err := tx.Exec(ctx, `UPDATE people SET merged_into = $2, active = false, updated_at = now() WHERE id = $1`, sourceID, destID); err != nil {
			return false, fmt.Errorf("deactivate source: %w", err)
		}
		if err := writeHistory(ctx, tx, p.CompanyID, sourceID, p.AdminID, HistoryMerged, sourceChanges); err != nil {
			return false, err
		}
		if err := writeHistory(ctx, tx, p.CompanyID, destID, p.AdminID, HistoryMerged,
			[]storedFieldChange{{Field: historyMergedFrom, Old: "", New: sourceEmail}}); err != nil {
			return false, err
		}
		if dryRun {
			return false, errDryRun
		}
		return true, nil
	})
	if errors.Is(err, errDryRun) {
		return out, nil
	}
	if err != nil {
		return MergeResult{}, fmt.Errorf("merge people: %w", unavailable(err))
	}
	return out, nil
}

// DeleteResult says what DeletePerson erased.
type DeleteResult struct {
	PersonID int64
	// HistoryErased counts the person's history rows whose values were erased.
	HistoryErased int64
	// ReportsUnassigned counts people who had the person as (secondary) manager.
	ReportsUnassigned int64
	// FilesDeleted counts uploaded files of finished imports that contained the person.
	FilesDeleted int64
}

// DeletePerson erases a deactivated person and their personal data. The caller must pass
// the person's login email as confirmation. Their history keeps kinds, times, actors and
// field names without values, plus a 'deleted' tombstone; their email is replaced by
// "(deleted person)" in other people's history and in import previews, their rows in
// stored imports are blanked, and the uploaded files of finished imports that contained
// them are deleted. This cannot be undone.
func (s *Store) DeletePerson(ctx context.Context, p Principal, ref, confirmation string) (DeleteResult, error) {
	var out DeleteResult
	err := s.directoryTx(ctx, p.CompanyID, func(tx pgx.Tx) (bool, error) {
		id, err := resolvePerson(ctx, tx, p.CompanyID, ref)
		if err != nil {
			return false, err
		}
		person, err := loadPerson(ctx, tx, p.CompanyID, id, true)
		if err != nil {
			return false, err
		}
		email := person.Values[directory.Email]
		if person.Active {
			return false, directory.Errorf(directory.ErrPrecondition, "%s is active; deactivate them first, then delete", email)
		}
		if directory.NormalizeEmail(confirmation) != directory.NormalizeEmail(email) {
			return false, directory.Errorf(directory.ErrInvalid, "to confirm the deletion, type the person's login email exactly; deleting erases all their data and cannot be undone")
		}
		out.PersonID = id
		for _, f := range []directory.Field{directory.ManagerEmail, directory.SecondaryManagerEmail} {
			column := "manager_id"
			if f == directory.SecondaryManagerEmail {
				column = "secondary_manager_id"
			}
			reports, err := queryRefs(ctx, tx, `
				UPDATE people SET `+column+` = NULL, updated_at = now() WHERE company_id = $1 AND `+column+` = $2
				RETURNING id, email, first_name, last_name, active`, p.CompanyID, id)
			if err != nil {
				return false, fmt.Errorf("unassign reports: %w", err)
			}
			for _, r := range reports {
				if err := writeHistory(ctx, tx, p.CompanyID, r.ID, p.AdminID, HistoryUpdated,
					[]storedFieldChange{{Field: f.Key(), Old: deletedPlaceholder, New: ""}}); err != nil {
					return false, err
				}
			}
			out.ReportsUnassigned += int64(len(reports))
		}
		tag, err := tx.Exec(ctx, `
			UPDATE people_history SET erased = true, former_person_id = person_id, person_id = NULL, created = NULL,
				changes = (SELECT coalesce(jsonb_agg(jsonb_build_object('field', e->>'field', 'old', '', 'new', '') ORDER BY ord), '[]'::jsonb)
					FROM jsonb_array_elements(staffsync_history_changes(changes, created)) WITH ORDINALITY AS x(e, ord))
			WHERE person_id = $1`, id)
		if err != nil {
			return false, fmt.Errorf("erase history: %w", err)
		}
		out.HistoryErased = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `
			UPDATE people_history SET changes = staffsync_scrub_changes(staffsync_history_changes(changes, created), $2, $3), created = NULL
			WHERE company_id = $1 AND position(lower($2) in lower(coalesce(created::text, changes::text))) > 0`, p.CompanyID, email, deletedPlaceholder); err != nil {
			return false, fmt.Errorf("scrub history: %w", err)
		}
		if err := scrubImports(ctx, tx, p.CompanyID, id, email, &out); err != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM outbox WHERE person_id = $1`, id); err != nil {
			return false, fmt.Errorf("delete queued emails: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO people_history (company_id, person_id, former_person_id, admin_id, kind, changes, erased)
			VALUES ($1, NULL, $2, NULLIF($3, 0), $4, '[]', true)`, p.CompanyID, id, p.AdminID, HistoryDeleted); err != nil {
			return false, fmt.Errorf("write tombstone: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM people WHERE id = $1`, id); err != nil {
			return false, fmt.Errorf("delete person: %w", err)
		}
		return true, nil
	})
	if err != nil {
		return DeleteResult{}, fmt.Errorf("delete person: %w", unavailable(err))
	}
	return out, nil
}

// scrubImports takes a deleted person out of the company's stored imports: their parsed
// rows are blanked, their preview rows lose name, email and values, and their email is
// replaced where others' rows name them as manager. The uploaded files of finished imports
// that contained them are deleted (a file cannot be edited); imports still in progress keep
// theirs.
func scrubImports(ctx context.Context, tx pgx.Tx, companyID, personID int64, email string, out *DeleteResult) error {
	emailCol, managerCol, secondaryCol := int(directory.Email)+1, int(directory.ManagerEmail)+1, int(directory.SecondaryManagerEmail)+1
	tag, err := tx.Exec(ctx, `
		DELETE FROM import_files f USING imports i
		WHERE f.import_id = i.id AND i.company_id = $1 AND i.status IN ('applied', 'rejected', 'expired', 'failed')
			AND EXISTS (SELECT 1 FROM import_rows r WHERE r.import_id = i.id AND lower(r.cells[$3]) = lower($2))`,
		companyID, email, emailCol)
	if err != nil {
		return fmt.Errorf("delete uploaded files: %w", err)
	}
	out.FilesDeleted = tag.RowsAffected()
	if _, err := tx.Exec(ctx, fmt.Sprintf(`
		UPDATE import_rows r SET
			cells = CASE WHEN lower(r.cells[%[1]d]) = lower($2) THEN array_fill(NULL::text, ARRAY[%[2]d]) ELSE r.cells END,
			problems = CASE WHEN lower(r.cells[%[1]d]) = lower($2) THEN NULL ELSE r.problems END
		FROM imports i
		WHERE r.import_id = i.id AND i.company_id = $1 AND lower(r.cells[%[1]d]) = lower($2)`, emailCol, int(directory.NumFields)),
		companyID, email); err != nil {
		return fmt.Errorf("blank import rows: %w", err)
	}
	for _, col := range []int{managerCol, secondaryCol} {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`
			UPDATE import_rows r SET cells[%[1]d] = $3 FROM imports i
			WHERE r.import_id = i.id AND i.company_id = $1 AND lower(r.cells[%[1]d]) = lower($2)`, col),
			companyID, email, deletedPlaceholder); err != nil {
			return fmt.Errorf("scrub import rows: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `
		UPDATE import_changes c SET email = '', name = $4, fields = NULL, errors = NULL, warnings = NULL, after = NULL
		FROM imports i
		WHERE c.import_id = i.id AND i.company_id = $1 AND (c.person_id = $2 OR lower(c.email) = lower($3))`,
		companyID, personID, email, deletedPlaceholder); err != nil {
		return fmt.Errorf("scrub previews: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		UPDATE import_changes c SET
			fields = CASE WHEN c.fields IS NULL THEN NULL ELSE staffsync_scrub_changes(c.fields, $2, $3) END,
			after = (SELECT array_to_string(array_agg(CASE WHEN lower(a) = lower($2) THEN $3 ELSE a END ORDER BY ord), `+afterSeparatorSQL+`)
				FROM unnest(string_to_array(c.after, `+afterSeparatorSQL+`)) WITH ORDINALITY AS x(a, ord))
		FROM imports i
		WHERE c.import_id = i.id AND i.company_id = $1
			AND (position(lower($2) in lower(coalesce(c.fields::text, ''))) > 0 OR lower($2) = ANY(SELECT lower(a) FROM unnest(string_to_array(c.after, `+afterSeparatorSQL+`)) a))`,
		companyID, email, deletedPlaceholder); err != nil {
		return fmt.Errorf("scrub previews: %w", err)
	}
	return nil
}

// PasswordEmailsResult says whom SendPasswordEmails queued an email for.
type PasswordEmailsResult struct {
	Queued   []PersonRef
	Warnings []string
}

// SendPasswordEmails queues an email with a link to set a password in the outbox, to the
// alternative email when the person has one. With no people named it emails every active
// person who has never been sent one; named people get one even if they had one before.
// Deactivated people cannot log in and are skipped with a warning.
func (s *Store) SendPasswordEmails(ctx context.Context, p Principal, refs []string) (PasswordEmailsResult, error) {
	var out PasswordEmailsResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out = PasswordEmailsResult{}
		var people []directory.Person
		if len(refs) == 0 {
			rows, err := tx.Query(ctx, `SELECT `+personColumns+`
				WHERE p.company_id = $1 AND p.active
					AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.person_id = p.id AND o.kind LIKE 'password%')
				ORDER BY p.last_name, p.first_name, p.id`, p.CompanyID)
			if err != nil {
				return fmt.Errorf("find people without a password email: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				people = append(people, directory.Person{})
				if err := scanPerson(rows, &people[len(people)-1]); err != nil {
					return err
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			rows.Close()
		} else {
			ids, err := resolvePeople(ctx, tx, p.CompanyID, refs)
			if err != nil {
				return err
			}
			for _, id := range ids {
				person, err := loadPerson(ctx, tx, p.CompanyID, id, false)
				if err != nil {
					return err
				}
				people = append(people, person)
			}
		}
		// Each request queues its own emails: asking again sends again.
		var requestID string
		if err := tx.QueryRow(ctx, `SELECT gen_random_uuid()::text`).Scan(&requestID); err != nil {
			return fmt.Errorf("number the request: %w", err)
		}
		for i := range people {
			person := &people[i]
			if !person.Active {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s is deactivated and cannot log in; reactivate them first", person.Values[directory.Email]))
				continue
			}
			to := person.Values[directory.AltEmail]
			if to == "" {
				to = person.Values[directory.Email]
			}
			first := person.Values[directory.PreferredName]
			if first == "" {
				first = person.Values[directory.FirstName]
			}
			body := fmt.Sprintf("Hello %s,\n\nyour staffsync account is ready and your login is %s.\nChoose your password with \"Forgot password\" on the staffsync sign-in page.\n",
				first, person.Values[directory.Email])
			if _, err := tx.Exec(ctx, `
				INSERT INTO outbox (company_id, person_id, idempotency_key, kind, to_address, subject, body)
				VALUES ($1, $2, $3, 'password', $4, 'Set your staffsync password', $5)`,
				p.CompanyID, person.ID, fmt.Sprintf("password/admin/%s/%d", requestID, person.ID), to, body); err != nil {
				return fmt.Errorf("queue password email: %w", err)
			}
			if err := writeHistory(ctx, tx, p.CompanyID, person.ID, p.AdminID, HistoryPasswordEmail, nil); err != nil {
				return err
			}
			out.Queued = append(out.Queued, refOf(person))
		}
		return nil
	})
	if err != nil {
		return PasswordEmailsResult{}, fmt.Errorf("send password emails: %w", unavailable(err))
	}
	return out, nil
}

// ResolvePerson returns the id of a person of the company named by login email or id.
func (s *Store) ResolvePerson(ctx context.Context, companyID int64, ref string) (int64, error) {
	var id int64
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		id, err = resolvePerson(ctx, tx, companyID, ref)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("find person: %w", unavailable(err))
	}
	return id, nil
}

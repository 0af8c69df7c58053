package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// personColumns selects a person's template fields in column order A..R (managers as
// emails, dates as YYYY-MM-DD, status as Active/Inactive), then id, manager ids, active,
// protected and source id. It expects people p, managers m and secondary managers sm.
const personColumns = `
	p.first_name, p.last_name, p.gender, p.title, p.email, coalesce(m.email, ''),
	p.department, p.team, p.location, p.employee_id, coalesce(to_char(p.hire_date, 'YYYY-MM-DD'), ''),
	p.alt_email, coalesce(sm.email, ''), p.preferred_name, coalesce(to_char(p.leaving_date, 'YYYY-MM-DD'), ''),
	p.termination_type, p.employment_type, CASE WHEN p.active THEN 'Active' WHEN p.pending THEN 'Pending' ELSE 'Inactive' END,
	p.id, coalesce(p.manager_id, 0), coalesce(p.secondary_manager_id, 0), p.active, p.protected, p.source_id
	FROM people p
	LEFT JOIN people m ON m.id = p.manager_id
	LEFT JOIN people sm ON sm.id = p.secondary_manager_id`

func scanPerson(row pgx.Row, p *directory.Person) error {
	dest := make([]any, 0, int(directory.NumFields)+6)
	for f := range p.Values {
		dest = append(dest, &p.Values[f])
	}
	dest = append(dest, &p.ID, &p.ManagerID, &p.SecondaryManagerID, &p.Active, &p.Protected, &p.SourceID)
	err := row.Scan(dest...)
	p.Pending = p.Values[directory.Status] == directory.StatusPending
	return err
}

// Snapshot loads a company's whole directory with its version, consistently.
func (s *Store) Snapshot(ctx context.Context, companyID int64) (directory.Snapshot, error) {
	var snap directory.Snapshot
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var version int64
		if err := tx.QueryRow(ctx, `SELECT directory_version FROM companies WHERE id = $1`, companyID).Scan(&version); err != nil {
			return fmt.Errorf("read directory version: %w", err)
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM people WHERE company_id = $1`, companyID).Scan(&count); err != nil {
			return fmt.Errorf("count people: %w", err)
		}
		// Sorting a large directory by id must not spill to disk.
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '128MB'`); err != nil {
			return err
		}
		// No joins and no date formatting in SQL: reporting lines are resolved from the
		// snapshot itself and dates are formatted here, which halves the load of a large
		// directory.
		rows, err := tx.Query(ctx, `SELECT `+snapshotColumns+` FROM people WHERE company_id = $1 ORDER BY id`, companyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := requireBinary(rows, snapshotBinaryColumns...); err != nil {
			return err
		}
		build := directory.NewSnapshotBuilder(version, count)
		var person directory.RawPerson
		var dates [2][10]byte
		for rows.Next() {
			if err := decodeSnapshotPerson(rows.RawValues(), &person, &dates); err != nil {
				return err
			}
			build.Add(&person)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		snap = build.Snapshot()
		return nil
	})
	if err != nil {
		return directory.Snapshot{}, fmt.Errorf("load directory of company %d: %w", companyID, unavailable(err))
	}
	return snap, nil
}

// snapshotColumns are the template fields in column order A..R with the managers and the
// status left out (they follow the ids and the active flag), then id, manager ids,
// active, protected and source id.
const snapshotColumns = `first_name, last_name, gender, title, email, department, team, location, employee_id, hire_date,
	alt_email, preferred_name, leaving_date, termination_type, employment_type,
	id, coalesce(manager_id, 0), coalesce(secondary_manager_id, 0), active, protected, source_id, pending`

// snapshotFields are the template fields snapshotColumns selects, in order.
var snapshotFields = []directory.Field{directory.FirstName, directory.LastName, directory.Gender, directory.Title, directory.Email,
	directory.Department, directory.Team, directory.Location, directory.EmployeeID, directory.HireDate, directory.AltEmail,
	directory.PreferredName, directory.LeavingDate, directory.TerminationType, directory.EmploymentType}

// snapshotBinaryColumns are the dates, ids and flags of snapshotColumns.
var snapshotBinaryColumns = []int{9, 12, 15, 16, 17, 18, 19, 21}

// decodeSnapshotPerson reads one row of snapshotColumns into p. p's values alias values and
// dates (the formatted hire and leaving dates), so they last until the next row.
func decodeSnapshotPerson(values [][]byte, p *directory.RawPerson, dates *[2][10]byte) error {
	n := len(snapshotFields)
	if len(values) != n+7 {
		return fmt.Errorf("person row has %d columns, want %d", len(values), n+7)
	}
	var err error
	if p.ID, err = decodeInt64(values[n]); err != nil {
		return fmt.Errorf("person id: %w", err)
	}
	for i, f := range snapshotFields {
		switch f {
		case directory.HireDate, directory.LeavingDate:
			buf := &dates[0]
			if f == directory.LeavingDate {
				buf = &dates[1]
			}
			if p.Values[f], err = decodeDate(values[i], buf); err != nil {
				return fmt.Errorf("%s of person %d: %w", f.Key(), p.ID, err)
			}
		default:
			p.Values[f] = values[i]
		}
	}
	if p.ManagerID, err = decodeInt64(values[n+1]); err != nil {
		return fmt.Errorf("manager of person %d: %w", p.ID, err)
	}
	if p.SecondaryManagerID, err = decodeInt64(values[n+2]); err != nil {
		return fmt.Errorf("secondary manager of person %d: %w", p.ID, err)
	}
	if p.Active, err = decodeBool(values[n+3]); err != nil {
		return fmt.Errorf("active flag of person %d: %w", p.ID, err)
	}
	if p.Protected, err = decodeBool(values[n+4]); err != nil {
		return fmt.Errorf("protected flag of person %d: %w", p.ID, err)
	}
	p.SourceID = values[n+5]
	if p.Pending, err = decodeBool(values[n+6]); err != nil {
		return fmt.Errorf("pending flag of person %d: %w", p.ID, err)
	}
	return nil
}

// ForeignEmails returns which of the given emails (normalised) belong to people of other companies.
func (s *Store) ForeignEmails(ctx context.Context, companyID int64, emails []string) (map[string]bool, error) {
	out := map[string]bool{}
	emails, err := s.emailsOfSharedDomains(ctx, companyID, emails)
	if err != nil {
		return nil, fmt.Errorf("check emails of other companies: %w", unavailable(err))
	}
	if len(emails) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT lower(email) FROM people WHERE lower(email) = ANY($1) AND company_id <> $2`, emails, companyID)
	if err != nil {
		return nil, fmt.Errorf("check emails of other companies: %w", unavailable(err))
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out[e] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check emails of other companies: %w", unavailable(err))
	}
	return out, nil
}

// emailsOfSharedDomains keeps the emails whose domain (after the last @) another company
// also uses: only those can belong to another company. A file usually carries one or two
// domains, so this is one short query instead of one index probe per email.
func (s *Store) emailsOfSharedDomains(ctx context.Context, companyID int64, emails []string) ([]string, error) {
	domainOf := func(email string) string { return email[strings.LastIndexByte(email, '@')+1:] }
	seen := map[string]bool{}
	var domains []string
	for _, e := range emails {
		if d := domainOf(e); !seen[d] {
			seen[d] = true
			domains = append(domains, d)
		}
	}
	if len(domains) == 0 {
		return nil, nil
	}
	// Per domain, two index range scans that stop at the first person of another company.
	// Without the hint PostgreSQL may expect "company_id < $2" to match early in a scan of
	// the whole table, which holds this company's own people.
	var shared []string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT d.d FROM unnest($1::text[]) AS d(d)
			CROSS JOIN LATERAL (
				(SELECT 1 FROM people WHERE split_part(lower(email), '@', -1) = d.d AND company_id < $2 LIMIT 1)
				UNION ALL
				(SELECT 1 FROM people WHERE split_part(lower(email), '@', -1) = d.d AND company_id > $2 LIMIT 1)
				LIMIT 1) AS other`, domains, companyID)
		if err != nil {
			return err
		}
		shared, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(shared) == 0 {
		return nil, nil
	}
	isShared := make(map[string]bool, len(shared))
	for _, d := range shared {
		isShared[d] = true
	}
	var out []string
	for _, e := range emails {
		if isShared[domainOf(e)] {
			out = append(out, e)
		}
	}
	return out, nil
}

// PeopleFilter selects people for ListPeople.
type PeopleFilter struct {
	Status     string // "active" (default), "deactivated", "pending" (not started yet) or "all"
	Department string
	Location   string
	Search     string
	// ManagerID selects the direct reports of that person (0 = anyone).
	ManagerID int64
	// Paging: people after this (last name, first name, id) position.
	AfterLastName, AfterFirstName string
	AfterID                       int64
	Limit                         int
}

// PeoplePage is one page of ListPeople.
type PeoplePage struct {
	People   []directory.Person
	Total    int64
	Billable int64
	// Pending people have not started yet: not billable, counted apart.
	Pending int64
}

// ListPeople pages through a company's people sorted by last name, first name, id.
func (s *Store) ListPeople(ctx context.Context, companyID int64, f PeopleFilter) (PeoplePage, error) {
	where := []string{"p.company_id = $1"}
	args := []any{companyID}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	switch f.Status {
	case "", "active":
		where = append(where, "p.active")
	case "deactivated":
		where = append(where, "NOT p.active AND NOT p.pending")
	case "pending":
		where = append(where, "p.pending")
	case "all":
	default:
		return PeoplePage{}, directory.Errorf(directory.ErrInvalid, "unknown status filter %q; use active, deactivated, pending or all", f.Status)
	}
	if f.Department != "" {
		add("lower(p.department) = lower(?)", f.Department)
	}
	if f.Location != "" {
		add("lower(p.location) = lower(?)", f.Location)
	}
	if f.ManagerID != 0 {
		add("p.manager_id = ?", f.ManagerID)
	}
	if f.Search != "" {
		add(`(p.first_name || ' ' || p.last_name || ' ' || p.preferred_name || ' ' || p.email) ILIKE ?`, "%"+escapeLike(f.Search)+"%")
	}
	filter := strings.Join(where, " AND ")
	var page PeoplePage
	// One pass counts both: the people matching the filter, and the company's billable
	// (active) people whatever the filter.
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE `+filter+`), count(*) FILTER (WHERE p.active),
		count(*) FILTER (WHERE p.pending) FROM people p WHERE p.company_id = $1`, args...).Scan(&page.Total, &page.Billable, &page.Pending); err != nil {
		return PeoplePage{}, fmt.Errorf("count people: %w", unavailable(err))
	}
	if f.AfterID > 0 {
		args = append(args, f.AfterLastName, f.AfterFirstName, f.AfterID)
		n := len(args)
		where = append(where, fmt.Sprintf("(p.last_name, p.first_name, p.id) > ($%d, $%d, $%d)", n-2, n-1, n))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	rows, err := s.pool.Query(ctx, `SELECT `+personColumns+` WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY p.last_name, p.first_name, p.id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return PeoplePage{}, fmt.Errorf("list people: %w", unavailable(err))
	}
	defer rows.Close()
	for rows.Next() {
		page.People = append(page.People, directory.Person{})
		if err := scanPerson(rows, &page.People[len(page.People)-1]); err != nil {
			return PeoplePage{}, fmt.Errorf("list people: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return PeoplePage{}, fmt.Errorf("list people: %w", unavailable(err))
	}
	return page, nil
}

// EachPerson calls fn for every person of the company (active and deactivated) in export
// order, streaming from the database.
func (s *Store) EachPerson(ctx context.Context, companyID int64, fn func(p *directory.Person) error) error {
	rows, err := s.pool.Query(ctx, `SELECT `+personColumns+` WHERE p.company_id = $1 ORDER BY p.last_name, p.first_name, p.id`, companyID)
	if err != nil {
		return fmt.Errorf("export people: %w", unavailable(err))
	}
	defer rows.Close()
	var p directory.Person
	for rows.Next() {
		if err := scanPerson(rows, &p); err != nil {
			return fmt.Errorf("export people: %w", err)
		}
		if err := fn(&p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export people: %w", unavailable(err))
	}
	return nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

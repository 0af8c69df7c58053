package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// Cycle kinds.
const (
	CycleObjectives = "objectives"
	CycleReview     = "review"
	Cycle360        = "360"
)

// Cycle is a performance cycle: objectives, review or 360 feedback.
type Cycle struct {
	ID             int64
	Name           string
	Kind           string
	Open           bool
	OpenToEveryone bool
	Participants   int
	CreatedAt      time.Time
}

// NewCycle is what creating a cycle needs.
type NewCycle struct {
	Name string
	Kind string
	// OpenToEveryone (objectives only): every active person joins now, and new people join
	// when an import adds them.
	OpenToEveryone bool
}

const cycleColumns = `c.id, c.name, c.kind, c.open, c.open_to_everyone, c.created_at,
	(SELECT count(*) FROM cycle_participants cp WHERE cp.cycle_id = c.id)`

func scanCycle(row pgx.Row) (Cycle, error) {
	var c Cycle
	err := row.Scan(&c.ID, &c.Name, &c.Kind, &c.Open, &c.OpenToEveryone, &c.CreatedAt, &c.Participants)
	return c, err
}

// ListCycles returns the company's cycles, oldest first.
func (s *Store) ListCycles(ctx context.Context, companyID int64) ([]Cycle, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+cycleColumns+` FROM cycles c WHERE c.company_id = $1 ORDER BY c.id`, companyID)
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", unavailable(err))
	}
	defer rows.Close()
	var out []Cycle
	for rows.Next() {
		c, err := scanCycle(rows)
		if err != nil {
			return nil, fmt.Errorf("list cycles: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cycles: %w", unavailable(err))
	}
	return out, nil
}

// GetCycle returns one cycle of the company; another company's cycle is not found.
func (s *Store) GetCycle(ctx context.Context, companyID, cycleID int64) (Cycle, error) {
	c, err := scanCycle(s.pool.QueryRow(ctx, `SELECT `+cycleColumns+` FROM cycles c WHERE c.company_id = $1 AND c.id = $2`, companyID, cycleID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Cycle{}, directory.Errorf(directory.ErrNotFound, "cycle %d does not exist", cycleID)
	}
	if err != nil {
		return Cycle{}, fmt.Errorf("get cycle %d: %w", cycleID, unavailable(err))
	}
	return c, nil
}

// CreateCycle creates an open cycle. An objectives cycle open to everyone starts with every
// active person of the company.
func (s *Store) CreateCycle(ctx context.Context, companyID int64, in NewCycle) (Cycle, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return Cycle{}, directory.Errorf(directory.ErrInvalid, "the cycle needs a name, e.g. \"Q3 objectives\"")
	}
	switch in.Kind {
	case CycleObjectives:
	case CycleReview, Cycle360:
		if in.OpenToEveryone {
			return Cycle{}, directory.Errorf(directory.ErrInvalid, "only objectives cycles can be open to everyone; add people to a %s cycle with add-people", in.Kind)
		}
	default:
		return Cycle{}, directory.Errorf(directory.ErrInvalid, "unknown cycle kind %q; use objectives, review or 360", in.Kind)
	}
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO cycles (company_id, name, kind, open_to_everyone) VALUES ($1, $2, $3, $4) RETURNING id`,
			companyID, in.Name, in.Kind, in.OpenToEveryone).Scan(&id); err != nil {
			return err
		}
		if in.OpenToEveryone {
			_, err := tx.Exec(ctx, `
				INSERT INTO cycle_participants (cycle_id, person_id, reviewer_id)
				SELECT $2, p.id, p.manager_id FROM people p WHERE p.company_id = $1 AND p.active`, companyID, id)
			return err
		}
		return nil
	})
	if err != nil {
		return Cycle{}, fmt.Errorf("create cycle: %w", unavailable(err))
	}
	return s.GetCycle(ctx, companyID, id)
}

// CloseCycle closes a cycle: imports no longer add people to it.
func (s *Store) CloseCycle(ctx context.Context, companyID, cycleID int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE cycles SET open = false WHERE company_id = $1 AND id = $2`, companyID, cycleID)
	if err != nil {
		return fmt.Errorf("close cycle %d: %w", cycleID, unavailable(err))
	}
	if tag.RowsAffected() == 0 {
		return directory.Errorf(directory.ErrNotFound, "cycle %d does not exist", cycleID)
	}
	return nil
}

// CycleParticipant is a person in a cycle with their reviewer (empty when none).
type CycleParticipant struct {
	PersonID      int64
	Email         string
	Name          string
	ReviewerEmail string
}

// CycleParticipants lists a cycle's participants by email.
func (s *Store) CycleParticipants(ctx context.Context, companyID, cycleID int64) ([]CycleParticipant, error) {
	if _, err := s.GetCycle(ctx, companyID, cycleID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `
		SELECT p.id, p.email, p.first_name || ' ' || p.last_name, coalesce(r.email, '')
		FROM cycle_participants cp JOIN people p ON p.id = cp.person_id
		LEFT JOIN people r ON r.id = cp.reviewer_id
		WHERE cp.cycle_id = $1 ORDER BY lower(p.email)`, cycleID)
	if err != nil {
		return nil, fmt.Errorf("list participants of cycle %d: %w", cycleID, unavailable(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CycleParticipant, error) {
		var cp CycleParticipant
		err := row.Scan(&cp.PersonID, &cp.Email, &cp.Name, &cp.ReviewerEmail)
		return cp, err
	})
	if err != nil {
		return nil, fmt.Errorf("list participants of cycle %d: %w", cycleID, unavailable(err))
	}
	return out, nil
}

// AddCycleParticipants adds active people, by login email, to an open cycle with their
// manager as reviewer. People already in the cycle stay as they are. It returns how many joined.
func (s *Store) AddCycleParticipants(ctx context.Context, companyID, cycleID int64, emails []string) (int64, error) {
	c, err := s.GetCycle(ctx, companyID, cycleID)
	if err != nil {
		return 0, err
	}
	if !c.Open {
		return 0, directory.Errorf(directory.ErrPrecondition, "cycle %d (%s) is closed; people can only join open cycles", cycleID, c.Name)
	}
	normalized := make([]string, 0, len(emails))
	for _, e := range emails {
		if e = directory.NormalizeEmail(e); e != "" {
			normalized = append(normalized, e)
		}
	}
	if len(normalized) == 0 {
		return 0, directory.Errorf(directory.ErrInvalid, "name at least one person by login email")
	}
	var added int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var missing []string
		if err := tx.QueryRow(ctx, `
			SELECT coalesce(array_agg(e ORDER BY e), '{}') FROM unnest($2::text[]) e
			WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.company_id = $1 AND lower(p.email) = e AND p.active)`,
			companyID, normalized).Scan(&missing); err != nil {
			return err
		}
		if len(missing) > 0 {
			return directory.Errorf(directory.ErrInvalid, "no active person has the login email %s; check the spelling or reactivate them first", strings.Join(missing, ", "))
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO cycle_participants (cycle_id, person_id, reviewer_id)
			SELECT $2, p.id, p.manager_id FROM people p
			WHERE p.company_id = $1 AND p.active AND lower(p.email) = ANY($3)
			ON CONFLICT (cycle_id, person_id) DO NOTHING`, companyID, cycleID, normalized)
		added = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add people to cycle %d: %w", cycleID, unavailable(err))
	}
	return added, nil
}

// ResetCycleReviewers sets every participant's reviewer of a review or 360 cycle to their
// current manager. It returns how many reviewers changed.
func (s *Store) ResetCycleReviewers(ctx context.Context, companyID, cycleID int64) (int64, error) {
	c, err := s.GetCycle(ctx, companyID, cycleID)
	if err != nil {
		return 0, err
	}
	if c.Kind == CycleObjectives {
		return 0, directory.Errorf(directory.ErrPrecondition, "cycle %d (%s) is an objectives cycle and has no reviewers", cycleID, c.Name)
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE cycle_participants cp SET reviewer_id = p.manager_id
		FROM people p WHERE cp.cycle_id = $1 AND p.id = cp.person_id AND cp.reviewer_id IS DISTINCT FROM p.manager_id`, cycleID)
	if err != nil {
		return 0, fmt.Errorf("reset reviewers of cycle %d: %w", cycleID, unavailable(err))
	}
	return tag.RowsAffected(), nil
}

// newActivePeopleOfImport selects the people an applied import created who are active.
const newActivePeopleOfImport = `
	SELECT c.person_id, p.manager_id FROM import_changes c
	JOIN imports i ON i.id = c.import_id AND i.status = 'applied'
	JOIN people p ON p.id = c.person_id AND p.company_id = i.company_id AND p.active
	WHERE i.company_id = $1 AND c.import_id = $2 AND (c.kind = 'new' OR c.reason_code = 'pending_started')`

// JoinOpenObjectivesCycles adds the new active people of an applied import to every open
// objectives cycle that is open to everyone. Running it again adds nobody twice.
func (s *Store) JoinOpenObjectivesCycles(ctx context.Context, companyID, importID int64) (int64, error) {
	return s.joinOpenCycles(ctx, companyID, importID, `cy.kind = 'objectives' AND cy.open_to_everyone`)
}

// JoinOpenReviewCycles adds the new active people of an applied import to every open review
// and 360 cycle, with their manager as reviewer.
func (s *Store) JoinOpenReviewCycles(ctx context.Context, companyID, importID int64) (int64, error) {
	return s.joinOpenCycles(ctx, companyID, importID, `cy.kind IN ('review', '360')`)
}

func (s *Store) joinOpenCycles(ctx context.Context, companyID, importID int64, which string) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO cycle_participants (cycle_id, person_id, reviewer_id, import_id)
		SELECT cy.id, n.person_id, n.manager_id, $2
		FROM cycles cy CROSS JOIN (`+newActivePeopleOfImport+`) n
		WHERE cy.company_id = $1 AND cy.open AND `+which+`
		ON CONFLICT (cycle_id, person_id) DO NOTHING`, companyID, importID)
	if err != nil {
		return 0, fmt.Errorf("add people of import %d to open cycles: %w", importID, unavailable(err))
	}
	return tag.RowsAffected(), nil
}

// ResetReviewersAfterImport sets the reviewer of open review and 360 cycles to the current
// manager for the participants whose manager the applied import changed.
func (s *Store) ResetReviewersAfterImport(ctx context.Context, companyID, importID int64) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE cycle_participants cp SET reviewer_id = p.manager_id
		FROM cycles cy, people p, import_changes c, imports i
		WHERE cy.id = cp.cycle_id AND cy.company_id = $1 AND cy.open AND cy.kind IN ('review', '360')
			AND p.id = cp.person_id AND i.id = $2 AND i.company_id = $1 AND i.status = 'applied'
			AND c.import_id = i.id AND c.person_id = p.id AND c.manager_changed
			AND cp.reviewer_id IS DISTINCT FROM p.manager_id`, companyID, importID)
	if err != nil {
		return 0, fmt.Errorf("reset reviewers after import %d: %w", importID, unavailable(err))
	}
	return tag.RowsAffected(), nil
}

package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

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

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// errCheckOnly rolls back a revert that was only worked out.
var errCheckOnly = errors.New("check only")

// KeptField is a field a revert leaves as it is, because someone changed it after the import.
type KeptField struct {
	Person PersonRef
	// Field is the machine name ("title", "status", ...).
	Field     string
	Current   string
	ImportOld string
	ChangedBy string
	// ChangedAt is zero when nobody changed it (a former manager who is gone).
	ChangedAt time.Time
}

// HROwnedRevert is an HR integration that owns fields a revert sets: its next run sets
// them again unless it is paused or the HR system is changed too.
type HROwnedRevert struct {
	IntegrationID   int64
	IntegrationName string
	Kind            string
	Fields          []string
	People          int
	Paused          bool
	AutomaticRuns   bool
}

func keptField(person *directory.Person, f directory.Field, importOld string, edit laterEdit) KeptField {
	return KeptField{
		Person: refOf(person), Field: f.Key(), Current: person.Values[f], ImportOld: importOld,
		ChangedBy: edit.actor, ChangedAt: edit.at,
	}
}

// keepStatus gives a revert record the person's status as it is now. When someone changed
// the status after the reverted import (a hand deactivation, a merge), that is reported
// as kept like any other field.
func keepStatus(rec *directory.Record, person *directory.Person, later map[string]laterEdit, out *RevertCreated) {
	current := person.Values[directory.Status]
	rec.Cells.Set(directory.Status, directory.SetValue(current))
	edit, edited := later[directory.Status.Key()]
	if !edited {
		return
	}
	out.Kept++
	out.KeptFields = append(out.KeptFields, keptField(person, directory.Status, "", edit))
	rec.Problems = append(rec.Problems, directory.Problem{
		Severity: directory.SeverityWarning, Code: "revert_kept", Field: directory.Status, Value: current,
		Message: fmt.Sprintf("kept: status changed since by %s on %s; %s stays %s", edit.actor,
			edit.at.UTC().Format(time.DateOnly), person.Values[directory.Email], current),
	})
}

// peopleByID reads people of the company by id.
func peopleByID(ctx context.Context, tx pgx.Tx, companyID int64, ids []int64) (map[int64]directory.Person, error) {
	rows, err := tx.Query(ctx, `SELECT `+personColumns+` WHERE p.company_id = $1 AND p.id = ANY($2)`, companyID, ids)
	if err != nil {
		return nil, fmt.Errorf("read people: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]directory.Person, len(ids))
	for rows.Next() {
		var p directory.Person
		if err := scanPerson(rows, &p); err != nil {
			return nil, fmt.Errorf("read people: %w", err)
		}
		out[p.ID] = p
	}
	return out, rows.Err()
}

// hrOwnedByRevert lists the company's HR integrations with the owned fields the revert's
// records set. A revert applies them anyway (an admin asked to undo an import), which is
// why the admin is told that the HR system will set them again.
func hrOwnedByRevert(ctx context.Context, tx pgx.Tx, companyID int64, records []directory.Record) ([]HROwnedRevert, error) {
	fields := map[directory.Field]bool{}
	people := 0
	for i := range records {
		touched := false
		for _, f := range hrisOwnedFields {
			if f == directory.Email {
				continue
			}
			if v := records[i].Cells.Get(f); v.Op != directory.Keep {
				fields[f], touched = true, true
			}
		}
		if touched {
			people++
		}
	}
	if people == 0 {
		return nil, nil
	}
	var names []string
	for _, f := range hrisOwnedFields {
		if fields[f] {
			names = append(names, f.Key())
		}
	}
	rows, err := tx.Query(ctx, `SELECT id, name, kind, state = 'paused', automatic_runs FROM integrations
		WHERE company_id = $1 AND kind IN ($2, $3) ORDER BY id`, companyID, KindBambooHR, KindPersonio)
	if err != nil {
		return nil, fmt.Errorf("find HR integrations: %w", err)
	}
	defer rows.Close()
	var out []HROwnedRevert
	for rows.Next() {
		h := HROwnedRevert{Fields: names, People: people}
		if err := rows.Scan(&h.IntegrationID, &h.IntegrationName, &h.Kind, &h.Paused, &h.AutomaticRuns); err != nil {
			return nil, fmt.Errorf("find HR integrations: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

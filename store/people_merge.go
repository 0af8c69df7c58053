package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

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

package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// ExpireImport marks an import that waited too long for approval as expired, and returns
// the import's status afterwards. The expiry and an admin's decision race for the same row:
// each is one UPDATE conditional on awaiting_approval, so exactly one wins. The caller
// learns which: expired (the expiry won), applying (an approval won: apply it), rejected,
// or whatever else the import became meanwhile.
func (s *Store) ExpireImport(ctx context.Context, companyID, importID int64) (directory.ImportStatus, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE imports SET status = $3, updated_at = now()
		WHERE company_id = $1 AND id = $2 AND status = 'awaiting_approval'`,
		companyID, importID, directory.StatusExpired)
	if err != nil {
		return "", fmt.Errorf("expire import %d: %w", importID, unavailable(err))
	}
	if tag.RowsAffected() == 1 {
		return directory.StatusExpired, nil
	}
	// A statement of its own: it sees the decision that made the UPDATE miss.
	var status string
	err = s.pool.QueryRow(ctx, `SELECT status FROM imports WHERE company_id = $1 AND id = $2`, companyID, importID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", directory.Errorf(directory.ErrNotFound, "import %d does not exist", importID)
	}
	if err != nil {
		return "", fmt.Errorf("expire import %d: %w", importID, unavailable(err))
	}
	return directory.ImportStatus(status), nil
}

// autoApplyOf reports whether import importID may be approved automatically: it must be the
// current import of an integration of the company (false, nil when that integration's
// auto-apply is off: the import waits for an admin). Any other import, an upload above all,
// is refused with a precondition error: only a workflow started outside staffsync asks that.
func (s *Store) autoApplyOf(ctx context.Context, companyID, importID int64) (bool, error) {
	var on bool
	err := s.pool.QueryRow(ctx, `
		SELECT auto_apply FROM integrations WHERE company_id = $1 AND current_import_id = $2`,
		companyID, importID).Scan(&on)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, directory.Errorf(directory.ErrPrecondition,
			"import %d of company %d is not the current run of one of its integrations, so it cannot be approved automatically; an admin must approve it (was its workflow started outside staffsync?)",
			importID, companyID)
	}
	if err != nil {
		return false, fmt.Errorf("check auto-apply of import %d: %w", importID, unavailable(err))
	}
	return on, nil
}

package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/staffsync/staffsync/directory"
)

// Import is one import as stored.
type Import struct {
	ID               int64
	CompanyID        int64
	Source           string
	FileName         string
	CreatedBy        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Status           directory.ImportStatus
	Options          directory.Options
	RowsTotal        int
	FileWarnings     []string
	ErrorMessage     string
	PreviewVersion   int64
	DirectoryVersion int64
	Summary          directory.Summary
	GuardTripped     bool
	GuardReason      string
	DecidedBy        string
	DecidedAt        *time.Time
	RejectReason     string
	AppliedAt        *time.Time
	// CreatedByID is the admin who started the import (0 for integrations).
	CreatedByID int64
	// Progress of the running phase; ProgressUpdatedAt is nil before the first report.
	ProgressPhase     string
	RowsProcessed     int
	ProgressTotal     int
	ProgressUpdatedAt *time.Time
	// ApprovalExpiresAt is when an import awaiting approval expires if nobody decides (nil
	// in any other status, and for previews stored before this was recorded).
	ApprovalExpiresAt *time.Time
}

// NewImport is what starting an import stores.
type NewImport struct {
	CompanyID int64
	AdminID   int64
	Source    string
	FileName  string
	Content   []byte
	Options   directory.Options
}

// CreateImport stores the import and its file; the import starts in status parsing. An
// import without content is a records import: its records are stored with SaveRows.
func (s *Store) CreateImport(ctx context.Context, in NewImport) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		id, err = insertImport(ctx, tx, in)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create import: %w", unavailable(err))
	}
	return id, nil
}

// insertImport inserts an import in status parsing and, if it has content, its file.
func insertImport(ctx context.Context, tx pgx.Tx, in NewImport) (int64, error) {
	options, err := json.Marshal(in.Options)
	if err != nil {
		return 0, fmt.Errorf("encode options: %w", err)
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		INSERT INTO imports (company_id, source, file_name, created_by, status, options)
		VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6) RETURNING id`,
		in.CompanyID, in.Source, in.FileName, in.AdminID, directory.StatusParsing, options).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert import: %w", err)
	}
	if in.Content == nil {
		return id, nil
	}
	sum := sha256.Sum256(in.Content)
	if _, err := tx.Exec(ctx, `INSERT INTO import_files (import_id, content, size, sha256) VALUES ($1, $2, $3, $4)`,
		id, in.Content, len(in.Content), sum[:]); err != nil {
		return 0, fmt.Errorf("insert import file: %w", err)
	}
	return id, nil
}

const importColumns = `
	i.id, i.company_id, i.source, i.file_name, coalesce(ca.name, ''), i.created_at, i.updated_at,
	i.status, i.options, i.rows_total, i.file_warnings, i.error_message, i.preview_version,
	i.directory_version, i.summary, i.guard_tripped, i.guard_reason,
	coalesce(da.name, NULLIF(i.decided_by_system, ''), ''),
	i.decided_at, i.reject_reason, i.applied_at, coalesce(i.created_by, 0),
	coalesce(pr.phase, ''), coalesce(pr.rows_processed, 0), coalesce(pr.rows_total, 0), pr.updated_at,
	i.previewed_at
	FROM imports i
	LEFT JOIN admins ca ON ca.id = i.created_by
	LEFT JOIN admins da ON da.id = i.decided_by
	LEFT JOIN import_progress pr ON pr.import_id = i.id`

func scanImport(row pgx.Row) (Import, error) {
	var im Import
	var options, summary []byte
	var status string
	var previewedAt *time.Time
	err := row.Scan(&im.ID, &im.CompanyID, &im.Source, &im.FileName, &im.CreatedBy, &im.CreatedAt, &im.UpdatedAt,
		&status, &options, &im.RowsTotal, &im.FileWarnings, &im.ErrorMessage, &im.PreviewVersion,
		&im.DirectoryVersion, &summary, &im.GuardTripped, &im.GuardReason, &im.DecidedBy,
		&im.DecidedAt, &im.RejectReason, &im.AppliedAt, &im.CreatedByID,
		&im.ProgressPhase, &im.RowsProcessed, &im.ProgressTotal, &im.ProgressUpdatedAt, &previewedAt)
	if err != nil {
		return Import{}, err
	}
	im.Status = directory.ImportStatus(status)
	im.Options = directory.DefaultOptions()
	if err := json.Unmarshal(options, &im.Options); err != nil {
		return Import{}, fmt.Errorf("decode options of import %d: %w", im.ID, err)
	}
	if err := json.Unmarshal(summary, &im.Summary); err != nil {
		return Import{}, fmt.Errorf("decode summary of import %d: %w", im.ID, err)
	}
	if im.Status == directory.StatusAwaitingApproval && previewedAt != nil {
		// The workflow starts waiting just after the preview is stored, so this errs a
		// moment early, never late.
		expires := previewedAt.Add(im.Options.ApprovalWait())
		im.ApprovalExpiresAt = &expires
	}
	return im, nil
}

// GetImport returns an import of the company. Another company's import is not found.
func (s *Store) GetImport(ctx context.Context, companyID, importID int64) (Import, error) {
	im, err := scanImport(s.pool.QueryRow(ctx, `SELECT `+importColumns+` WHERE i.company_id = $1 AND i.id = $2`, companyID, importID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Import{}, directory.Errorf(directory.ErrNotFound, "import %d does not exist", importID)
	}
	if err != nil {
		return Import{}, fmt.Errorf("get import %d: %w", importID, unavailable(err))
	}
	return im, nil
}

// ListImports returns the company's imports, newest first, with ids below beforeID (0 = from the newest).
func (s *Store) ListImports(ctx context.Context, companyID, beforeID int64, limit int) ([]Import, error) {
	if beforeID <= 0 {
		beforeID = 1<<63 - 1
	}
	return queryAll(ctx, s, "list imports", scanImport, `SELECT `+importColumns+`
		WHERE i.company_id = $1 AND i.id < $2 ORDER BY i.id DESC LIMIT $3`, companyID, beforeID, limit)
}

// ImportFile returns the uploaded bytes of an import.
func (s *Store) ImportFile(ctx context.Context, companyID, importID int64) (name string, content []byte, err error) {
	err = s.pool.QueryRow(ctx, `
		SELECT i.file_name, f.content FROM imports i JOIN import_files f ON f.import_id = i.id
		WHERE i.company_id = $1 AND i.id = $2`, companyID, importID).Scan(&name, &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, directory.Errorf(directory.ErrNotFound, "the file of import %d does not exist", importID)
	}
	if err != nil {
		return "", nil, fmt.Errorf("read file of import %d: %w", importID, unavailable(err))
	}
	return name, content, nil
}

// MarkParsed records that an import's file was read: its row count and the reader's
// warnings, and moves it from parsing to previewing. The rows themselves are not stored: the
// preview reads the file again, which costs less than staging every row.
func (s *Store) MarkParsed(ctx context.Context, companyID, importID int64, rows int, warnings []string) error {
	if err := markParsed(ctx, s.pool, companyID, importID, rows, warnings, `AND status = 'parsing'`); err != nil {
		return fmt.Errorf("mark import %d parsed: %w", importID, unavailable(err))
	}
	return nil
}

// markParsed stores an import's row count and file warnings and moves it to previewing;
// condition narrows which statuses it moves from.
func markParsed(ctx context.Context, db execer, companyID, importID int64, rows int, warnings []string, condition string) error {
	if warnings == nil {
		warnings = []string{}
	}
	_, err := db.Exec(ctx, `
		UPDATE imports SET status = 'previewing', rows_total = $3, file_warnings = $4, updated_at = now()
		WHERE company_id = $1 AND id = $2 `+condition, companyID, importID, rows, warnings)
	return err
}

// FailImport marks an import failed with a message for the admin. A final import stays as it is.
func (s *Store) FailImport(ctx context.Context, companyID, importID int64, message string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE imports SET status = $3, error_message = $4, updated_at = now()
		WHERE company_id = $1 AND id = $2 AND status NOT IN ('applied', 'rejected', 'expired', 'failed')`,
		companyID, importID, directory.StatusFailed, message)
	if err != nil {
		return fmt.Errorf("mark import %d failed: %w", importID, unavailable(err))
	}
	return nil
}

// ApproveImport records an admin's approval of exactly the preview they saw. It refuses,
// with an admin-facing message, an import that is not awaiting approval or whose preview
// has been recomputed since.
func (s *Store) ApproveImport(ctx context.Context, p Principal, importID, previewVersion int64) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE imports SET status = 'applying', decided_by = $3, decided_by_system = '', decided_at = now(), updated_at = now()
		WHERE company_id = $1 AND id = $2 AND status = 'awaiting_approval' AND preview_version = $4
			AND NOT (coalesce((options->>'RequireSecondApprover')::boolean, false) AND created_by IS NOT DISTINCT FROM $3)`,
		p.CompanyID, importID, p.AdminID, previewVersion)
	if err != nil {
		return fmt.Errorf("approve import %d: %w", importID, unavailable(err))
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	return s.decisionRefused(ctx, p, importID, previewVersion, "approved")
}

// RejectImport records an admin's rejection of an import awaiting approval.
func (s *Store) RejectImport(ctx context.Context, p Principal, importID int64, reason string) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE imports SET status = 'rejected', decided_by = $3, decided_by_system = '', decided_at = now(), reject_reason = $4, updated_at = now()
		WHERE company_id = $1 AND id = $2 AND status = 'awaiting_approval'`,
		p.CompanyID, importID, p.AdminID, reason)
	if err != nil {
		return fmt.Errorf("reject import %d: %w", importID, unavailable(err))
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	return s.decisionRefused(ctx, p, importID, -1, "rejected")
}

// UndoApproval puts an approved import back to awaiting approval when its workflow could not
// be told, so the admin can try again.
func (s *Store) UndoApproval(ctx context.Context, companyID, importID int64) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE imports SET status = 'awaiting_approval', decided_by = NULL, decided_at = NULL, updated_at = now()
		WHERE company_id = $1 AND id = $2 AND status = 'applying'`, companyID, importID)
	if err != nil {
		return fmt.Errorf("undo approval of import %d: %w", importID, unavailable(err))
	}
	return nil
}

// decisionRefused explains why an approval or rejection did not apply.
func (s *Store) decisionRefused(ctx context.Context, p Principal, importID, previewVersion int64, verb string) error {
	im, err := s.GetImport(ctx, p.CompanyID, importID)
	if err != nil {
		return err
	}
	switch {
	case im.Status != directory.StatusAwaitingApproval:
		return directory.Errorf(directory.ErrPrecondition,
			"import %d cannot be %s: it is %s, not awaiting approval", importID, verb, im.Status)
	case previewVersion >= 0 && im.PreviewVersion != previewVersion:
		return directory.Errorf(directory.ErrPrecondition,
			"import %d cannot be %s: the preview changed since you looked at it (you saw version %d, it is now %d); review it again and approve version %d",
			importID, verb, previewVersion, im.PreviewVersion, im.PreviewVersion)
	case verb == "approved" && im.Options.RequireSecondApprover && im.CreatedByID == p.AdminID:
		return directory.Errorf(directory.ErrPrecondition,
			"import %d needs a second approver: you started it, so another admin of your company must approve it", importID)
	}
	return directory.Errorf(directory.ErrConflict, "import %d was decided by someone else at the same time; reload it", importID)
}

// ResetToPreviewing sends an approved import back for a new preview.
func (s *Store) ResetToPreviewing(ctx context.Context, companyID, importID int64) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE imports SET status = 'previewing', decided_by = NULL, decided_at = NULL, updated_at = now()
		WHERE company_id = $1 AND id = $2 AND status = 'applying'`, companyID, importID)
	if err != nil {
		return fmt.Errorf("reset import %d to previewing: %w", importID, unavailable(err))
	}
	return nil
}

// SystemDecider is recorded as the decider of imports that a scheduled sync approved.
const SystemDecider = "scheduled sync"

// AutoApproveImport approves the current preview on behalf of a scheduled sync, unless the
// safety guard tripped or someone decided meanwhile. Running it again for the same preview
// reports the earlier approval.
func (s *Store) AutoApproveImport(ctx context.Context, companyID, importID, previewVersion int64) (bool, error) {
	// Whoever can start workflows must not be able to approve: only the current import of an
	// integration of this company with auto-apply on is approved (autoApplyOf explains).
	if on, err := s.autoApplyOf(ctx, companyID, importID); err != nil || !on {
		return false, err
	}
	var status string
	err := s.pool.QueryRow(ctx, `
		WITH approved AS (
			UPDATE imports SET status = 'applying', decided_by = NULL, decided_by_system = $4,
				decided_at = now(), updated_at = now()
			WHERE company_id = $1 AND id = $2 AND status = 'awaiting_approval' AND preview_version = $3
				AND NOT guard_tripped
				AND EXISTS (SELECT 1 FROM integrations g WHERE g.company_id = $1 AND g.current_import_id = $2 AND g.auto_apply)
			RETURNING status)
		SELECT status FROM approved
		UNION ALL
		SELECT status FROM imports
		WHERE company_id = $1 AND id = $2 AND preview_version = $3 AND decided_by_system = $4
			AND status IN ('applying', 'applied') AND NOT EXISTS (SELECT 1 FROM approved)`,
		companyID, importID, previewVersion, SystemDecider).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("auto-approve import %d: %w", importID, unavailable(err))
	}
	return true, nil
}

// ImportProgress is the progress of an import's running phase.
type ImportProgress struct {
	Phase     string
	Processed int
	Total     int
}

// SetImportProgress records how far the running phase is. Callers report every few thousand
// rows; the write is outside any transaction so watchers see it at once.
func (s *Store) SetImportProgress(ctx context.Context, importID int64, p ImportProgress) error {
	if err := setProgress(ctx, s.pool, importID, p); err != nil {
		return fmt.Errorf("record progress of import %d: %w", importID, unavailable(err))
	}
	return nil
}

// ProgressApplied is the phase of an applied import; the apply records it in its own
// transaction, so an import is never seen applied with the progress of an earlier phase.
const ProgressApplied = "applied"

func setProgress(ctx context.Context, db execer, importID int64, p ImportProgress) error {
	_, err := db.Exec(ctx, `
		INSERT INTO import_progress (import_id, phase, rows_processed, rows_total, updated_at)
		VALUES ($1, $2, $3, $4, now())
		ON CONFLICT (import_id) DO UPDATE SET phase = $2, rows_processed = $3, rows_total = $4, updated_at = now()`,
		importID, p.Phase, p.Processed, p.Total)
	return err
}

// execer runs a statement on a pool or in a transaction.
type execer interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}

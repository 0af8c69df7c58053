package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// Integration kinds.
const (
	KindHTTPS    = "https"
	KindSFTP     = "sftp"
	KindSFTPDrop = "sftp-drop"
	KindBambooHR = "bamboohr"
	KindPersonio = "personio"
)

// Integration states. StateAwaitingApproval is never stored: it is derived from the
// current run's import waiting for an admin.
const (
	StateActive           = "active"
	StatePaused           = "paused"
	StateFailing          = "failing"
	StateAwaitingApproval = "awaiting_approval"
)

// FailingAfter is how many failed runs in a row make an integration failing.
const FailingAfter = 3

// hrisOwnedFields are the fields an active HR integration owns (import-rules.md section 8).
var hrisOwnedFields = []directory.Field{
	directory.FirstName, directory.LastName, directory.Email, directory.Gender,
	directory.Location, directory.Title, directory.Department, directory.ManagerEmail,
}

// IsHRIS reports whether kind is an HR system (records, matched by employee id).
func IsHRIS(kind string) bool { return kind == KindBambooHR || kind == KindPersonio }

// Integration is one managed integration as stored. SealedSecrets is ciphertext made by
// package secrets; the store never sees plaintext.
type Integration struct {
	ID                  int64
	CompanyID           int64
	Kind                string
	Name                string
	Settings            map[string]string
	SealedSecrets       []byte
	SecretHints         map[string]string
	Interval            time.Duration
	Options             directory.Options
	AutoApply           bool
	State               string
	PausedReason        string
	LastError           string
	ConsecutiveFailures int
	CurrentImportID     int64
	LastImportID        int64
	LastResult          string
	LastRunAt           *time.Time
	NextRunAt           *time.Time
	LastFingerprint     string
	// SecretsNeeded names the secrets dropped when the endpoint changed; while any is
	// missing the integration may not run.
	SecretsNeeded []string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// AutomaticRuns: scheduled runs happen (new integrations start without them).
	AutomaticRuns bool
	// ShowPhotos: the HR system's employee photos are shown (BambooHR).
	ShowPhotos bool
}

// SecretsAAD is the associated data secrets are sealed with: a sealed value only opens for
// the integration it was made for.
func SecretsAAD(companyID, integrationID int64) []byte {
	return fmt.Appendf(nil, "staffsync/integration/%d/%d", companyID, integrationID)
}

const integrationColumns = `
	i.id, i.company_id, i.kind, i.name, i.settings, i.secrets, i.secret_hints, i.interval_seconds,
	i.options, i.auto_apply, i.max_deactivations, i.max_manager_changes,
	CASE WHEN i.state <> 'paused' AND ci.status = 'awaiting_approval' THEN 'awaiting_approval' ELSE i.state END,
	i.paused_reason, i.last_error, i.consecutive_failures, coalesce(i.current_import_id, 0),
	coalesce(i.last_import_id, 0), i.last_result, i.last_run_at, i.next_run_at, i.last_fingerprint,
	i.secrets_needed, i.created_at, i.updated_at, i.automatic_runs, i.show_photos
	FROM integrations i
	LEFT JOIN imports ci ON ci.id = i.current_import_id`

func scanIntegration(row pgx.Row) (Integration, error) {
	var in Integration
	var settings, hints, options []byte
	var seconds int64
	var maxDeact, maxMgr int
	err := row.Scan(&in.ID, &in.CompanyID, &in.Kind, &in.Name, &settings, &in.SealedSecrets, &hints, &seconds,
		&options, &in.AutoApply, &maxDeact, &maxMgr, &in.State, &in.PausedReason, &in.LastError,
		&in.ConsecutiveFailures, &in.CurrentImportID, &in.LastImportID, &in.LastResult, &in.LastRunAt,
		&in.NextRunAt, &in.LastFingerprint, &in.SecretsNeeded, &in.CreatedAt, &in.UpdatedAt, &in.AutomaticRuns, &in.ShowPhotos)
	if err != nil {
		return Integration{}, err
	}
	in.Interval = time.Duration(seconds) * time.Second
	in.Settings, in.SecretHints = map[string]string{}, map[string]string{}
	in.Options = directory.DefaultOptions()
	for _, f := range []struct {
		raw []byte
		dst any
	}{{settings, &in.Settings}, {hints, &in.SecretHints}, {options, &in.Options}} {
		if err := json.Unmarshal(f.raw, f.dst); err != nil {
			return Integration{}, fmt.Errorf("decode integration %d: %w", in.ID, err)
		}
	}
	// The guard columns are the source of truth for the limits.
	in.Options.MaxDeactivations, in.Options.MaxManagerChanges = maxDeact, maxMgr
	return in, nil
}

// IntegrationConfig is what an admin configures; Create and Update write it.
type IntegrationConfig struct {
	Kind        string
	Name        string
	Settings    map[string]string
	SecretHints map[string]string
	Interval    time.Duration
	Options     directory.Options
	AutoApply   bool
	// SecretsNeeded (Update only) replaces the names of the secrets to enter again.
	SecretsNeeded []string
	// PauseReason (Update only), when set, pauses the integration with that reason.
	PauseReason string
}

func (c IntegrationConfig) encode() (settings, hints, options []byte, err error) {
	if settings, err = json.Marshal(nonNil(c.Settings)); err != nil {
		return nil, nil, nil, fmt.Errorf("encode settings: %w", err)
	}
	if hints, err = json.Marshal(nonNil(c.SecretHints)); err != nil {
		return nil, nil, nil, fmt.Errorf("encode secret hints: %w", err)
	}
	if options, err = json.Marshal(c.Options); err != nil {
		return nil, nil, nil, fmt.Errorf("encode options: %w", err)
	}
	return settings, hints, options, nil
}

func nonNilList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// integrationConflict explains a unique violation of an integration.
func integrationConflict(err error, c IntegrationConfig) error {
	if !isUniqueViolation(err) {
		return err
	}
	if c.Kind == KindSFTPDrop {
		return directory.Errorf(directory.ErrConflict, "an integration named %q or the SFTP user name %q already exists; choose another name or user", c.Name, c.Settings["user"])
	}
	return directory.Errorf(directory.ErrConflict, "an integration named %q already exists; choose another name", c.Name)
}

// CreateIntegration stores a new integration, active and due now. seal encrypts its secrets
// for the new id (nil when it has none).
func (s *Store) CreateIntegration(ctx context.Context, companyID int64, c IntegrationConfig, seal func(id int64) ([]byte, error)) (int64, error) {
	settings, hints, options, err := c.encode()
	if err != nil {
		return 0, err
	}
	var id int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO integrations (company_id, kind, name, settings, secret_hints, interval_seconds, options,
				auto_apply, max_deactivations, max_manager_changes, next_run_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now()) RETURNING id`,
			companyID, c.Kind, c.Name, settings, hints, int64(c.Interval/time.Second), options, c.AutoApply,
			c.Options.MaxDeactivations, c.Options.MaxManagerChanges).Scan(&id); err != nil {
			return integrationConflict(err, c)
		}
		if seal == nil {
			return nil
		}
		sealed, err := seal(id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE integrations SET secrets = $2 WHERE id = $1`, id, sealed)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create integration: %w", unavailable(err))
	}
	return id, nil
}

// UpdateIntegration replaces an integration's configuration; sealed replaces its secrets
// unless nil (an empty, non-nil sealed drops them all). The kind never changes.
func (s *Store) UpdateIntegration(ctx context.Context, companyID, id int64, c IntegrationConfig, sealed []byte) error {
	settings, hints, options, err := c.encode()
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE integrations SET name = $3, settings = $4, secret_hints = $5, interval_seconds = $6, options = $7,
			auto_apply = $8, max_deactivations = $9, max_manager_changes = $10,
			secrets = coalesce($11, secrets), secrets_needed = $12,
			state = CASE WHEN $13 <> '' THEN 'paused' ELSE state END,
			paused_reason = CASE WHEN $13 <> '' THEN $13 ELSE paused_reason END, updated_at = now()
		WHERE company_id = $1 AND id = $2`,
		companyID, id, c.Name, settings, hints, int64(c.Interval/time.Second), options, c.AutoApply,
		c.Options.MaxDeactivations, c.Options.MaxManagerChanges, sealed, nonNilList(c.SecretsNeeded), c.PauseReason)
	if err != nil {
		return fmt.Errorf("update integration %d: %w", id, unavailable(integrationConflict(err, c)))
	}
	if tag.RowsAffected() == 0 {
		return directory.Errorf(directory.ErrNotFound, "integration %d does not exist", id)
	}
	return nil
}

// GetIntegration returns an integration of the company; another company's is not found.
func (s *Store) GetIntegration(ctx context.Context, companyID, id int64) (Integration, error) {
	in, err := scanIntegration(s.pool.QueryRow(ctx, `SELECT `+integrationColumns+` WHERE i.company_id = $1 AND i.id = $2`, companyID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Integration{}, directory.Errorf(directory.ErrNotFound, "integration %d does not exist", id)
	}
	if err != nil {
		return Integration{}, fmt.Errorf("get integration %d: %w", id, unavailable(err))
	}
	return in, nil
}

// ListIntegrations returns the company's integrations in creation order.
func (s *Store) ListIntegrations(ctx context.Context, companyID int64) ([]Integration, error) {
	return s.queryIntegrations(ctx, `SELECT `+integrationColumns+` WHERE i.company_id = $1 ORDER BY i.id`, companyID)
}

func (s *Store) queryIntegrations(ctx context.Context, sql string, args ...any) ([]Integration, error) {
	return queryAll(ctx, s, "list integrations", scanIntegration, sql, args...)
}

// DeleteIntegration removes an integration and its dropped files; its imports stay. The
// fields it owned are released at once.
func (s *Store) DeleteIntegration(ctx context.Context, companyID, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM integrations WHERE company_id = $1 AND id = $2`, companyID, id)
	if err != nil {
		return fmt.Errorf("delete integration %d: %w", id, unavailable(err))
	}
	if tag.RowsAffected() == 0 {
		return directory.Errorf(directory.ErrNotFound, "integration %d does not exist", id)
	}
	return nil
}

// SetIntegrationPaused pauses (with the reason the admin sees) or resumes an integration.
// Resuming clears the failure count: the admin has looked at it.
func (s *Store) SetIntegrationPaused(ctx context.Context, companyID, id int64, paused bool, reason string) error {
	var tag interface{ RowsAffected() int64 }
	var err error
	if paused {
		tag, err = s.pool.Exec(ctx, `UPDATE integrations SET state = 'paused', paused_reason = $3, updated_at = now()
			WHERE company_id = $1 AND id = $2`, companyID, id, reason)
	} else {
		tag, err = s.pool.Exec(ctx, `UPDATE integrations SET state = 'active', paused_reason = '', consecutive_failures = 0,
			last_error = '', updated_at = now() WHERE company_id = $1 AND id = $2`, companyID, id)
	}
	if err != nil {
		return fmt.Errorf("pause/resume integration %d: %w", id, unavailable(err))
	}
	if tag.RowsAffected() == 0 {
		return directory.Errorf(directory.ErrNotFound, "integration %d does not exist", id)
	}
	return nil
}

// SetIntegrationNextRun records when the next run is due (nil: none while paused).
func (s *Store) SetIntegrationNextRun(ctx context.Context, companyID, id int64, next *time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE integrations SET next_run_at = $3 WHERE company_id = $1 AND id = $2`, companyID, id, next)
	if err != nil {
		return fmt.Errorf("set next run of integration %d: %w", id, unavailable(err))
	}
	return nil
}

// RunImport is what a run fetched: a file (file sources) or records (HR systems).
type RunImport struct {
	CompanyID     int64
	IntegrationID int64
	// RunKey identifies the workflow run; a retried fetch with the same key gets the same import.
	RunKey      string
	Source      string
	FileName    string
	Content     []byte
	Records     []directory.Record
	Options     directory.Options
	Fingerprint string
	// DropFile names the hosted-drop file being imported, marked imported with it.
	DropFile string
	// Warnings about the run as a whole, shown with the import (e.g. people the source skipped).
	Warnings []string
}

// RunImportFor returns the import an earlier attempt of the same run created, or 0.
func (s *Store) RunImportFor(ctx context.Context, companyID, integrationID int64, runKey string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(current_import_id, 0) FROM integrations
		WHERE company_id = $1 AND id = $2 AND current_run_key = $3`, companyID, integrationID, runKey).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find run import: %w", unavailable(err))
	}
	return id, nil
}

// CreateRunImport creates the import of an integration run in one transaction with the
// integration's new fingerprint, so a file is imported at most once. A file import starts in
// status parsing; a records import is stored parsed, in status previewing.
func (s *Store) CreateRunImport(ctx context.Context, in RunImport) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		file := NewImport{CompanyID: in.CompanyID, Source: in.Source, FileName: in.FileName, Options: in.Options, Content: in.Content}
		if in.Records != nil {
			file.Content = nil // a records import has no file
		} else if file.Content == nil {
			file.Content = []byte{}
		}
		var err error
		if id, err = insertImport(ctx, tx, file); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE integrations SET current_import_id = $3, current_run_key = $4,
			last_fingerprint = CASE WHEN $5 = '' THEN last_fingerprint ELSE $5 END
			WHERE company_id = $1 AND id = $2`, in.CompanyID, in.IntegrationID, id, in.RunKey, in.Fingerprint)
		if err != nil {
			return fmt.Errorf("link import to integration: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return directory.Errorf(directory.ErrNotFound, "integration %d does not exist", in.IntegrationID)
		}
		if in.DropFile != "" {
			if _, err := tx.Exec(ctx, `UPDATE integration_drop_files SET import_id = $3 WHERE integration_id = $1 AND name = $2`,
				in.IntegrationID, in.DropFile, id); err != nil {
				return fmt.Errorf("mark dropped file imported: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("create import of integration %d: %w", in.IntegrationID, unavailable(err))
	}
	if in.Records != nil {
		i := 0
		next := func() (directory.Record, error) {
			if i == len(in.Records) {
				return directory.Record{}, errEndOfRecords
			}
			i++
			return in.Records[i-1], nil
		}
		if _, err := s.SaveRows(ctx, in.CompanyID, id, next, func() []string { return in.Warnings }); err != nil {
			_ = s.FailImport(context.WithoutCancel(ctx), in.CompanyID, id, "the records could not be stored; the next run tries again")
			return 0, fmt.Errorf("store records of integration %d: %w", in.IntegrationID, err)
		}
	}
	return id, nil
}

// RunOutcome is how a run ended.
type RunOutcome struct {
	CompanyID     int64
	IntegrationID int64
	ImportID      int64
	// Result is a short word for the admin: applied, unchanged, rejected, expired, failed, ...
	Result string
	Failed bool
	// Error is the admin-facing reason of a failed run; empty keeps the import's own message.
	Error     string
	NextRunAt time.Time
}

// FinishIntegrationRun records a run's outcome. A failed run counts towards failing; a good
// one resets the count. A paused integration stays paused.
func (s *Store) FinishIntegrationRun(ctx context.Context, o RunOutcome) (failures int, err error) {
	err = s.pool.QueryRow(ctx, `
		UPDATE integrations i SET
			consecutive_failures = CASE WHEN $5 THEN i.consecutive_failures + 1 ELSE 0 END,
			state = CASE WHEN i.state = 'paused' THEN 'paused'
				WHEN $5 AND i.consecutive_failures + 1 >= $8 THEN 'failing' ELSE 'active' END,
			last_error = CASE WHEN NOT $5 THEN '' WHEN $6 <> '' THEN $6
				ELSE coalesce((SELECT nullif(error_message, '') FROM imports WHERE id = nullif($3, 0)), 'the run failed') END,
			last_import_id = coalesce(nullif($3, 0), i.last_import_id),
			last_result = $4, last_run_at = now(), next_run_at = $7,
			current_import_id = NULL, current_run_key = '', updated_at = now()
		WHERE company_id = $1 AND id = $2
		RETURNING consecutive_failures`,
		o.CompanyID, o.IntegrationID, o.ImportID, o.Result, o.Failed, o.Error, o.NextRunAt, FailingAfter).Scan(&failures)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, directory.Errorf(directory.ErrNotFound, "integration %d does not exist", o.IntegrationID)
	}
	if err != nil {
		return 0, fmt.Errorf("record run of integration %d: %w", o.IntegrationID, unavailable(err))
	}
	return failures, nil
}

// FindDropAccount returns the hosted-drop integration whose SFTP user name is user.
func (s *Store) FindDropAccount(ctx context.Context, user string) (Integration, error) {
	in, err := scanIntegration(s.pool.QueryRow(ctx, `SELECT `+integrationColumns+`
		WHERE i.kind = 'sftp-drop' AND i.settings->>'user' = $1`, user))
	if errors.Is(err, pgx.ErrNoRows) {
		return Integration{}, directory.Errorf(directory.ErrNotFound, "no SFTP drop user %q", user)
	}
	if err != nil {
		return Integration{}, fmt.Errorf("find drop account: %w", unavailable(err))
	}
	return in, nil
}

// DropFile is a file uploaded to a hosted drop.
type DropFile struct {
	Name       string
	Size       int64
	UploadedAt time.Time
	ImportID   int64
}

// SaveDropFile stores a complete upload; a file of the same name is replaced and imported again.
func (s *Store) SaveDropFile(ctx context.Context, integrationID int64, name string, content []byte) error {
	sum := sha256.Sum256(content)
	_, err := s.pool.Exec(ctx, `
		INSERT INTO integration_drop_files (integration_id, name, content, size, sha256) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (integration_id, name) DO UPDATE SET content = $3, size = $4, sha256 = $5, uploaded_at = now(), import_id = NULL`,
		integrationID, name, content, len(content), sum[:])
	if err != nil {
		return fmt.Errorf("store uploaded file: %w", unavailable(err))
	}
	return nil
}

// ListDropFiles lists a drop's files by name.
func (s *Store) ListDropFiles(ctx context.Context, integrationID int64) ([]DropFile, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, size, uploaded_at, coalesce(import_id, 0) FROM integration_drop_files
		WHERE integration_id = $1 ORDER BY name`, integrationID)
	if err != nil {
		return nil, fmt.Errorf("list dropped files: %w", unavailable(err))
	}
	defer rows.Close()
	var out []DropFile
	for rows.Next() {
		var f DropFile
		if err := rows.Scan(&f.Name, &f.Size, &f.UploadedAt, &f.ImportID); err != nil {
			return nil, fmt.Errorf("list dropped files: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RemoveDropFile deletes a dropped file.
func (s *Store) RemoveDropFile(ctx context.Context, integrationID int64, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM integration_drop_files WHERE integration_id = $1 AND name = $2`, integrationID, name)
	if err != nil {
		return fmt.Errorf("remove dropped file: %w", unavailable(err))
	}
	if tag.RowsAffected() == 0 {
		return directory.Errorf(directory.ErrNotFound, "no file %q", name)
	}
	return nil
}

// NextDropFile returns the newest dropped file not imported yet; ok is false when there is none.
func (s *Store) NextDropFile(ctx context.Context, integrationID int64) (name string, content []byte, ok bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT name, content FROM integration_drop_files
		WHERE integration_id = $1 AND import_id IS NULL ORDER BY uploaded_at DESC, name DESC LIMIT 1`, integrationID).Scan(&name, &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("next dropped file: %w", unavailable(err))
	}
	return name, content, true, nil
}

// OwnedFields maps each field that an active HR integration of the company owns to that
// integration's name (import-rules.md section 8). File imports and manual edits leave them
// alone. A paused integration keeps its fields (it will come back); deleting it releases them.
func (s *Store) OwnedFields(ctx context.Context, companyID int64) (map[directory.Field]string, error) {
	var name string
	err := s.pool.QueryRow(ctx, `SELECT name FROM integrations WHERE company_id = $1 AND kind IN ($2, $3)
		ORDER BY id LIMIT 1`, companyID, KindBambooHR, KindPersonio).Scan(&name)
	out := map[directory.Field]string{}
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("owned fields: %w", unavailable(err))
	}
	for _, f := range hrisOwnedFields {
		out[f] = name
	}
	return out, nil
}

// errEndOfRecords ends a records import for SaveRows, which stops at io.EOF.
var errEndOfRecords = io.EOF

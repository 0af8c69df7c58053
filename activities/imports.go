package activities

import (
	"bytes"
	"context"
	"errors"
	"sort"

	"go.temporal.io/sdk/activity"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/importfile"
)

// ParseResult is the outcome of ParseImport. Failed means the file was refused; the
// admin-facing reason is stored with the import, not carried here.
type ParseResult struct {
	Rows   int
	Failed bool
}

// ParseImport streams the import's file into import_rows. A file-level problem marks the
// import failed with the reader's message and is not an activity error: retrying cannot fix a file.
func (a *Activities) ParseImport(ctx context.Context, ref ImportRef) (ParseResult, error) {
	im, err := a.Store.GetImport(ctx, ref.CompanyID, ref.ImportID)
	if err != nil {
		return ParseResult{}, permanentOrRetryable(err)
	}
	if im.Status != directory.StatusParsing {
		// Already parsed by an earlier attempt whose completion was lost.
		return ParseResult{Rows: im.RowsTotal, Failed: im.Status == directory.StatusFailed}, nil
	}
	name, content, err := a.Store.ImportFile(ctx, ref.CompanyID, ref.ImportID)
	if err != nil {
		return ParseResult{}, permanentOrRetryable(err)
	}
	reader, err := importfile.Open(bytes.NewReader(content), int64(len(content)), name, importfile.Options{
		Delimiter: im.Options.Delimiter,
		Sheet:     im.Options.Sheet,
	})
	if err != nil {
		return a.refuseFile(ctx, ref, err)
	}
	defer reader.Close()
	rows := 0
	next := func() (directory.Record, error) {
		rows++
		if rows%10_000 == 0 {
			activity.RecordHeartbeat(ctx, rows)
		}
		return reader.Next()
	}
	parsed, err := a.Store.SaveRows(ctx, ref.CompanyID, ref.ImportID, next, reader.Warnings)
	if err != nil {
		return a.refuseFile(ctx, ref, err)
	}
	return ParseResult{Rows: parsed.Rows}, nil
}

// refuseFile stores a file error for the admin; other errors go back to be retried.
func (a *Activities) refuseFile(ctx context.Context, ref ImportRef, err error) (ParseResult, error) {
	var fileErr *importfile.FileError
	if !errors.As(err, &fileErr) {
		return ParseResult{}, permanentOrRetryable(wrapf(err, "parse import %d", ref.ImportID))
	}
	if err := a.Store.FailImport(ctx, ref.CompanyID, ref.ImportID, fileErr.Message); err != nil {
		return ParseResult{}, err
	}
	return ParseResult{Failed: true}, nil
}

// PreviewResult is the outcome of PreviewImport.
type PreviewResult struct {
	PreviewVersion int64
	Summary        SummaryCounts
	GuardTripped   bool
}

// PreviewImport plans the import against the current directory and stores the preview.
func (a *Activities) PreviewImport(ctx context.Context, ref ImportRef) (PreviewResult, error) {
	im, err := a.Store.GetImport(ctx, ref.CompanyID, ref.ImportID)
	if err != nil {
		return PreviewResult{}, permanentOrRetryable(err)
	}
	records, err := a.Store.LoadRows(ctx, ref.ImportID)
	if err != nil {
		return PreviewResult{}, err
	}
	snapshot, err := a.Store.Snapshot(ctx, ref.CompanyID)
	if err != nil {
		return PreviewResult{}, err
	}
	foreign, err := a.Store.ForeignEmails(ctx, ref.CompanyID, incomingEmails(records))
	if err != nil {
		return PreviewResult{}, err
	}
	activity.RecordHeartbeat(ctx, "planning")
	plan := directory.PlanImport(directory.Input{
		Directory:     snapshot,
		Records:       records,
		Options:       im.Options,
		ForeignEmails: foreign,
	})
	saved, err := a.Store.SavePlan(ctx, ref.CompanyID, ref.ImportID, &plan)
	if err != nil {
		return PreviewResult{}, permanentOrRetryable(err)
	}
	return PreviewResult{PreviewVersion: saved.PreviewVersion, Summary: countsOf(plan.Summary), GuardTripped: plan.GuardTripped}, nil
}

// incomingEmails lists the distinct normalised login emails of the records, sorted.
func incomingEmails(records []directory.Record) []string {
	seen := make(map[string]struct{}, len(records))
	for i := range records {
		if c := records[i].Cells[directory.Email]; c.Op == directory.Set {
			seen[directory.NormalizeEmail(c.Text)] = struct{}{}
		}
	}
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// ApplyInput names the approved preview to apply.
type ApplyInput struct {
	ImportRef
	PreviewVersion int64
}

// ApplyResult is the outcome of ApplyImport. Stale means the directory changed since the
// preview and the import must be previewed again.
type ApplyResult struct {
	Applied        bool
	Stale          bool
	PeopleWritten  int64
	HistoryWritten int64
}

// ApplyImport applies an approved preview atomically; running it again is a no-op.
func (a *Activities) ApplyImport(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	out, err := a.Store.ApplyImport(ctx, in.CompanyID, in.ImportID, in.PreviewVersion)
	if errors.Is(err, directory.ErrConflict) {
		// Someone took an email or employee id meanwhile: a fresh preview shows it as an error.
		if err := a.Store.ResetToPreviewing(ctx, in.CompanyID, in.ImportID); err != nil {
			return ApplyResult{}, err
		}
		return ApplyResult{Stale: true}, nil
	}
	if err != nil {
		return ApplyResult{}, permanentOrRetryable(err)
	}
	return ApplyResult{Applied: !out.Stale, Stale: out.Stale, PeopleWritten: out.PeopleWritten, HistoryWritten: out.HistoryWritten}, nil
}

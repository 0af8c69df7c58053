package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/importfile"
	"github.com/staffsync/staffsync/store"
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
	defer keepHeartbeating(ctx, stepHeartbeat)()
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
		if rows%progressEvery == 0 {
			activity.RecordHeartbeat(ctx, rows)
			a.progress(ctx, ref.ImportID, store.ImportProgress{Phase: PhaseParsing, Processed: rows})
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
		return ParseResult{}, permanentOrRetryable(fmt.Errorf("parse import %d: %w", ref.ImportID, err))
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
	defer keepHeartbeating(ctx, stepHeartbeat)()
	im, err := a.Store.GetImport(ctx, ref.CompanyID, ref.ImportID)
	if err != nil {
		return PreviewResult{}, permanentOrRetryable(err)
	}
	// The rows and the directory are independent reads: load them side by side.
	var (
		records     []directory.Record
		snapshot    directory.Snapshot
		snapshotErr error
		loading     sync.WaitGroup
	)
	loading.Go(func() { snapshot, snapshotErr = a.Store.Snapshot(ctx, ref.CompanyID) })
	records, err = a.Store.LoadRows(ctx, ref.ImportID)
	loading.Wait()
	if err != nil {
		return PreviewResult{}, err
	}
	if snapshotErr != nil {
		return PreviewResult{}, snapshotErr
	}
	foreign, err := a.Store.ForeignEmails(ctx, ref.CompanyID, incomingEmails(records))
	if err != nil {
		return PreviewResult{}, err
	}
	owned := map[directory.Field]string{}
	if im.Options.MatchBy != directory.MatchByEmployeeID {
		// Only file imports defer to an HR integration; the integration's own sync writes its fields.
		if owned, err = a.Store.OwnedFields(ctx, ref.CompanyID); err != nil {
			return PreviewResult{}, err
		}
	}
	activity.RecordHeartbeat(ctx, "planning")
	a.progress(ctx, ref.ImportID, store.ImportProgress{Phase: PhasePlanning, Total: len(records)})
	plan := directory.PlanImport(directory.Input{
		Directory:     snapshot,
		Records:       records,
		Options:       im.Options,
		ForeignEmails: foreign,
		OwnedFields:   owned,
	})
	// The plan holds what SavePlan needs; the inputs can go before the COPY.
	records, snapshot = nil, directory.Snapshot{}
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
// preview and the import must be previewed again. PostSteps says which post-steps the
// import's options ask for.
type ApplyResult struct {
	Applied        bool
	Stale          bool
	PeopleWritten  int64
	HistoryWritten int64
	PostSteps      PostStepPlan
}

// PostStepPlan lists the optional post-steps of an applied import.
type PostStepPlan struct {
	NewPeople          int
	JoinReviewCycles   bool
	ResetReviewers     bool
	SendPasswordEmails bool
}

// applyHeartbeat is how often ApplyImport tells Temporal it is alive while its single
// transaction runs; the workflow's heartbeat timeout for apply is a few times this.
const applyHeartbeat = 2 * time.Second

// stepHeartbeat is how often parse and preview heartbeat while a long load, plan or COPY
// runs; their heartbeat timeout is minutes.
const stepHeartbeat = 20 * time.Second

// ApplyImport applies an approved preview atomically; running it again is a no-op.
func (a *Activities) ApplyImport(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	im, err := a.Store.GetImport(ctx, in.CompanyID, in.ImportID)
	if err != nil {
		return ApplyResult{}, permanentOrRetryable(err)
	}
	writes := im.Summary.New + im.Summary.Updated + im.Summary.Deactivated + im.Summary.Reactivated
	a.progress(ctx, in.ImportID, store.ImportProgress{Phase: PhaseApplying, Total: writes})
	stop := keepHeartbeating(ctx, applyHeartbeat)
	out, err := a.Store.ApplyImport(ctx, in.CompanyID, in.ImportID, in.PreviewVersion)
	stop()
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
	if out.Stale {
		return ApplyResult{Stale: true}, nil
	}
	a.progress(ctx, in.ImportID, store.ImportProgress{Phase: PhaseApplied, Processed: writes, Total: writes})
	return ApplyResult{
		Applied: true, PeopleWritten: out.PeopleWritten, HistoryWritten: out.HistoryWritten,
		PostSteps: PostStepPlan{
			NewPeople:          im.Summary.New,
			JoinReviewCycles:   im.Options.AddNewToOpenReviewCycles,
			ResetReviewers:     im.Options.ResetReviewersAfterManagerChange,
			SendPasswordEmails: im.Options.SendPasswordEmails,
		},
	}, nil
}

// AutoApproveInput names the preview a scheduled sync approves.
type AutoApproveInput struct {
	ImportRef
	PreviewVersion int64
}

// AutoApproveImport approves the preview for a scheduled sync unless its safety guard
// tripped or an admin decided first; false means the workflow must wait for a decision.
func (a *Activities) AutoApproveImport(ctx context.Context, in AutoApproveInput) (bool, error) {
	ok, err := a.Store.AutoApproveImport(ctx, in.CompanyID, in.ImportID, in.PreviewVersion)
	return ok, permanentOrRetryable(err)
}

// Progress phases shown to admins while an import runs.
const (
	PhaseParsing   = "parsing"
	PhasePlanning  = "planning"
	PhaseApplying  = "applying"
	PhaseApplied   = "applied"
	PhasePostSteps = "post-steps"
)

// progressEvery is how many rows pass between two progress writes.
const progressEvery = 5000

// progress records progress for watchers. It is best effort: a lost progress write must not
// fail or retry the step it describes.
func (a *Activities) progress(ctx context.Context, importID int64, p store.ImportProgress) {
	if err := a.Store.SetImportProgress(ctx, importID, p); err != nil {
		activity.GetLogger(ctx).Warn("could not record import progress", "import", importID, "error", err)
	}
}

// keepHeartbeating heartbeats every interval until stop is called, for activities that wait
// on one long database statement.
func keepHeartbeating(ctx context.Context, every time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-ticker.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

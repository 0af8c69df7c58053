package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// ParseImport reads the import's file once to refuse a bad file early and to count its rows.
// Workflows since versionSinglePassPreview skip it: PreviewImport reads the file itself.
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
	records, failed, err := a.readRecords(ctx, ref, im, nil)
	if err != nil || failed {
		return ParseResult{Failed: failed}, err
	}
	return ParseResult{Rows: len(records)}, nil
}

// readRecords returns the import's records: its file parsed, or the records an integration
// or a revert stored. A file the reader refuses marks the import failed with the reader's
// message (failed is true) and is not an error: retrying cannot fix a file. onRead (if
// not nil) is given the records read so far after each new one.
func (a *Activities) readRecords(ctx context.Context, ref ImportRef, im store.Import, onRead func([]directory.Record)) (records []directory.Record, failed bool, err error) {
	if im.Status == directory.StatusFailed {
		return nil, true, nil
	}
	name, content, err := a.Store.ImportFile(ctx, ref.CompanyID, ref.ImportID)
	if errors.Is(err, directory.ErrNotFound) {
		// No file: the records an HR sync or a revert stored.
		records, err := a.Store.LoadRows(ctx, ref.ImportID, onRead)
		return records, false, err
	}
	if err != nil {
		return nil, false, permanentOrRetryable(err)
	}
	reader, err := importfile.Open(bytes.NewReader(content), int64(len(content)), name, importfile.Options{
		Delimiter: im.Options.Delimiter,
		Sheet:     im.Options.Sheet,
	})
	if err != nil {
		failed, err := a.refuseFile(ctx, ref, err)
		return nil, failed, err
	}
	defer reader.Close()
	records = make([]directory.Record, 0, expectedRows(im.RowsTotal))
	for {
		rec, err := reader.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			failed, err := a.refuseFile(ctx, ref, err)
			return nil, failed, err
		}
		records = append(records, rec)
		if onRead != nil {
			onRead(records)
		}
		if len(records)%progressEvery == 0 {
			activity.RecordHeartbeat(ctx, len(records))
			a.progress(ctx, ref.ImportID, store.ImportProgress{Phase: PhaseParsing, Processed: len(records)})
		}
	}
	if err := a.Store.MarkParsed(ctx, ref.CompanyID, ref.ImportID, len(records), reader.Warnings()); err != nil {
		return nil, false, err
	}
	return records, false, nil
}

// expectedRows sizes the records of a file from the row count of an earlier parse of the
// same file (a real count, bounded by the row limit). Otherwise the records grow with what
// is read: a guess from the content (its line count) let a file of newlines reserve
// gigabytes before a single row was read.
func expectedRows(parsedBefore int) int {
	return min(max(parsedBefore, 0), importfile.DefaultMaxRows)
}

// refuseFile stores a file error for the admin and reports failed; other errors go back to
// be retried.
func (a *Activities) refuseFile(ctx context.Context, ref ImportRef, err error) (failed bool, _ error) {
	var fileErr *importfile.FileError
	if !errors.As(err, &fileErr) {
		return false, permanentOrRetryable(fmt.Errorf("parse import %d: %w", ref.ImportID, err))
	}
	if err := a.Store.FailImport(ctx, ref.CompanyID, ref.ImportID, fileErr.Message); err != nil {
		return false, err
	}
	return true, nil
}

// PreviewResult is the outcome of PreviewImport. Failed means the file was refused (the
// reason is stored with the import) and there is no preview.
type PreviewResult struct {
	PreviewVersion int64
	Summary        SummaryCounts
	GuardTripped   bool
	Rows           int
	Failed         bool
	// ApprovalTimeout is how long the import waits for a decision on this preview, from its
	// options; the deadline admins are shown is counted from the preview with it.
	ApprovalTimeout time.Duration
}

// PreviewImport reads the import's records, plans them against the current directory and
// stores the preview.
func (a *Activities) PreviewImport(ctx context.Context, ref ImportRef) (PreviewResult, error) {
	defer keepHeartbeating(ctx, stepHeartbeat)()
	im, err := a.Store.GetImport(ctx, ref.CompanyID, ref.ImportID)
	if err != nil {
		return PreviewResult{}, permanentOrRetryable(err)
	}
	if im.Status == directory.StatusFailed {
		return PreviewResult{Failed: true}, nil
	}
	// The directory loads while the records are read; it absorbs those that repeat their
	// person (see directoryLoad).
	loadCtx, cancelLoad := context.WithCancel(ctx)
	defer cancelLoad()
	started := time.Now()
	load := startDirectoryLoad(loadCtx, func(ctx context.Context) (directory.Snapshot, error) {
		return a.Store.Snapshot(ctx, ref.CompanyID)
	})
	records, failed, err := a.readRecords(ctx, ref, im, func(read []directory.Record) { load.onRead(ctx, read) })
	recordsRead := time.Since(started)
	if err != nil || failed {
		return PreviewResult{Failed: failed}, err
	}
	snapshot, err := load.finish(records)
	if err != nil {
		return PreviewResult{}, err
	}
	directoryLoaded := load.took
	owned := map[directory.Field]string{}
	if im.Options.MatchBy != directory.MatchByEmployeeID && im.Source != store.SourceRevert {
		// Only file imports defer to an HR integration; the integration's own sync writes its
		// fields, and a revert, which an admin asked for, sets them back (the revert's answer
		// says the HR system will set them again and offers to pause it).
		if owned, err = a.Store.OwnedFields(ctx, ref.CompanyID); err != nil {
			return PreviewResult{}, err
		}
	}
	// Emails are unique across companies: one already in this directory cannot be another's.
	// The others are checked while the plan is computed; an email of another company is
	// rare, and only then is the plan computed again with it.
	var (
		foreign    map[string]bool
		foreignErr error
		checking   sync.WaitGroup
	)
	unknown := snapshot.UnknownEmails(records)
	checking.Go(func() { foreign, foreignErr = a.Store.ForeignEmails(ctx, ref.CompanyID, unknown) })
	// Every new person has an email the directory does not know, so len(unknown) ids are
	// enough for the plan's new people; taking them now keeps the round trip off the store step.
	var (
		reserved   []int64
		reserveErr error
	)
	checking.Go(func() { reserved, reserveErr = a.Store.ReservePersonIDs(ctx, len(unknown)) })
	checked := time.Now()
	activity.RecordHeartbeat(ctx, "planning")
	a.progress(ctx, ref.ImportID, store.ImportProgress{Phase: PhasePlanning, Total: len(records)})
	input := directory.Input{Directory: snapshot, Records: records, Options: im.Options, OwnedFields: owned, Today: a.today()}
	plan := directory.Prepare(input)
	planOnly := time.Since(checked)
	checking.Wait()
	if foreignErr != nil {
		return PreviewResult{}, foreignErr
	}
	if reserveErr != nil {
		return PreviewResult{}, permanentOrRetryable(reserveErr)
	}
	if len(foreign) > 0 {
		input.ForeignEmails = foreign
		plan = directory.Prepare(input)
	}
	rows := len(records)
	planned := time.Now()
	// Hints are stored before the preview, so they are there when it shows.
	if err := a.Store.SaveImportHints(ctx, ref.ImportID, directory.PreviewHints(&snapshot, records)); err != nil {
		return PreviewResult{}, permanentOrRetryable(err)
	}
	// Each change is worked out as the COPY takes it, so the changes of a large import are
	// never all in memory at once.
	saved, err := a.Store.SavePlan(ctx, ref.CompanyID, ref.ImportID, plan, reserved)
	if err != nil {
		return PreviewResult{}, permanentOrRetryable(err)
	}
	// Operators and the benchmark read where a preview's time goes from this line.
	a.log().InfoContext(ctx, "preview stored", "import", ref.ImportID, "rows", rows,
		"read_records", recordsRead.Round(time.Millisecond), "load_directory", directoryLoaded.Round(time.Millisecond),
		"prepare", checked.Sub(started.Add(max(recordsRead, directoryLoaded))).Round(time.Millisecond),
		"plan", planOnly.Round(time.Millisecond), "checks", planned.Sub(checked.Add(planOnly)).Round(time.Millisecond),
		"store", time.Since(planned).Round(time.Millisecond))
	return PreviewResult{PreviewVersion: saved.PreviewVersion, Summary: countsOf(saved.Summary), GuardTripped: saved.GuardTripped, Rows: rows,
		ApprovalTimeout: im.Options.ApprovalWait()}, nil
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
	return ApplyResult{
		Applied: true, PeopleWritten: out.PeopleWritten, HistoryWritten: out.HistoryWritten,
		PostSteps: PostStepPlan{
			NewPeople:          im.Summary.New + im.Summary.Started, // pending people who start now get the new people's post-steps
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
	PhaseApplied   = store.ProgressApplied // recorded by the apply itself
	PhasePostSteps = "post-steps"
)

// progressEvery is how many rows pass between two progress writes.
const progressEvery = 5000

// progress records progress for watchers. It is best effort: a lost progress write must not
// fail or retry the step it describes.
func (a *Activities) progress(ctx context.Context, importID int64, p store.ImportProgress) {
	if err := a.Store.SetImportProgress(ctx, importID, p); err != nil {
		a.log().WarnContext(ctx, "could not record import progress", "import", importID, "error", err)
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

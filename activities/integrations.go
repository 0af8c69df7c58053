package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/store"
)

// FailingAfter is how many failed runs in a row make an integration failing.
const FailingAfter = store.FailingAfter

// IntegrationRef names an integration.
type IntegrationRef struct {
	CompanyID     int64
	IntegrationID int64
}

// IntegrationSchedule is what a sync needs to know of its integration: no settings, no secrets.
type IntegrationSchedule struct {
	Kind         string
	Interval     time.Duration
	AutoApply    bool
	Paused       bool
	PausedReason string
	Failures     int
	NextRunAt    time.Time
	// ManualOnly: automatic runs are off; the sync runs only when asked (fetch_preview).
	ManualOnly bool
}

// LoadIntegration reads an integration's schedule. A deleted integration is NotFound
// (non-retryable): its sync ends.
func (a *Activities) LoadIntegration(ctx context.Context, ref IntegrationRef) (IntegrationSchedule, error) {
	in, err := a.Store.GetIntegration(ctx, ref.CompanyID, ref.IntegrationID)
	if err != nil {
		return IntegrationSchedule{}, permanentOrRetryable(err)
	}
	out := IntegrationSchedule{
		Kind: in.Kind, Interval: in.Interval, AutoApply: in.AutoApply,
		Paused: in.State == store.StatePaused, PausedReason: in.PausedReason, Failures: in.ConsecutiveFailures,
		ManualOnly: !in.AutomaticRuns,
	}
	if in.NextRunAt != nil {
		out.NextRunAt = *in.NextRunAt
	}
	return out, nil
}

// FetchInput asks for one run's fetch. RunKey is unique per run: a retried attempt finds
// the import an earlier attempt created instead of creating another.
type FetchInput struct {
	IntegrationRef
	RunKey string
}

// FetchResult is the outcome of a fetch. Error is an admin-facing message (never a secret).
type FetchResult struct {
	ImportID   int64
	Unchanged  bool
	AuthFailed bool
	Failed     bool
	Error      string
}

// FetchIntegration fetches the integration's file or records and creates an import of them
// (file: status parsing; records: status previewing). Source problems are results, not
// errors, so the workflow applies its own backoff; database trouble is retried.
func (a *Activities) FetchIntegration(ctx context.Context, in FetchInput) (FetchResult, error) {
	if id, err := a.Store.RunImportFor(ctx, in.CompanyID, in.IntegrationID, in.RunKey); err != nil || id > 0 {
		return FetchResult{ImportID: id}, err
	}
	integ, err := a.Store.GetIntegration(ctx, in.CompanyID, in.IntegrationID)
	if err != nil {
		return FetchResult{}, permanentOrRetryable(err)
	}
	run := store.RunImport{
		CompanyID: in.CompanyID, IntegrationID: in.IntegrationID, RunKey: in.RunKey,
		Source: integ.Kind, Options: integ.Options,
	}
	var archive func(context.Context) error
	switch {
	case integ.Kind == store.KindSFTPDrop:
		name, content, ok, err := a.Store.NextDropFile(ctx, integ.ID)
		if err != nil {
			return FetchResult{}, err
		}
		if !ok {
			return FetchResult{Unchanged: true}, nil
		}
		run.FileName, run.Content, run.DropFile = name, content, name
	case store.IsHRIS(integ.Kind):
		src, err := a.recordSource(integ)
		if err != nil {
			return a.sourceFailed(ctx, integ, err)
		}
		records, err := src.FetchRecords(ctx)
		if err != nil {
			return a.sourceFailed(ctx, integ, err)
		}
		if records == nil {
			records = []directory.Record{}
		}
		run.Records = records
		run.Options.MatchBy = directory.MatchByEmployeeID
		run.Warnings = append(run.Warnings, runWarnings(integ.Kind, src, records)...)
	default:
		src, err := a.fileSource(integ)
		if err != nil {
			return a.sourceFailed(ctx, integ, err)
		}
		file, err := src.FetchFile(ctx, integ.LastFingerprint)
		if errors.Is(err, sources.ErrUnchanged) || errors.Is(err, sources.ErrNoFile) {
			return FetchResult{Unchanged: true}, nil
		}
		if err != nil {
			return a.sourceFailed(ctx, integ, err)
		}
		run.FileName, run.Content, run.Fingerprint = file.Name, file.Content, file.Fingerprint
		if ar, ok := src.(sources.Archiver); ok && integ.Settings["archive"] == "true" {
			archive = func(ctx context.Context) error { return ar.Archive(ctx, file) }
		}
	}
	id, err := a.Store.CreateRunImport(ctx, run)
	if err != nil {
		return FetchResult{}, permanentOrRetryable(err)
	}
	if archive != nil {
		// The file is safely stored; a failed move only means it is skipped by its fingerprint.
		if err := archive(ctx); err != nil {
			a.log().WarnContext(ctx, "could not archive the imported file", "integration", integ.ID, "import", id, "error", err)
		}
	}
	return FetchResult{ImportID: id}, nil
}

// sourceFailed classifies a source error: bad credentials or a changed host key pause the
// integration; anything else is a failed run. Only a context end is retried here.
func (a *Activities) sourceFailed(ctx context.Context, integ store.Integration, err error) (FetchResult, error) {
	if ctx.Err() != nil {
		return FetchResult{}, err
	}
	msg := err.Error()
	a.log().WarnContext(ctx, "integration fetch failed", "integration", integ.ID, "kind", integ.Kind, "error", msg)
	// An incomplete roster is never a reason to pause: the credentials work, the answer was
	// short. The run fails with the message and deactivates nobody (no import is made).
	if !errors.Is(err, sources.ErrIncompleteRoster) && (errors.Is(err, sources.ErrAuth) || errors.Is(err, sources.ErrHostKey)) {
		reason := "paused: " + msg
		if perr := a.Store.SetIntegrationPaused(ctx, integ.CompanyID, integ.ID, true, reason); perr != nil {
			return FetchResult{}, permanentOrRetryable(perr)
		}
		return FetchResult{AuthFailed: true, Error: reason}, nil
	}
	return FetchResult{Failed: true, Error: msg}, nil
}

// openSecrets decrypts an integration's secrets: only here, inside the fetching activity.
func (a *Activities) openSecrets(integ store.Integration) (map[string]string, error) {
	if len(integ.SecretsNeeded) > 0 {
		// Dropped when the endpoint changed: never run against the new endpoint without them.
		return nil, fmt.Errorf("%w: the secrets (%s) must be entered again after the connection settings changed",
			sources.ErrAuth, strings.Join(integ.SecretsNeeded, ", "))
	}
	if len(integ.SealedSecrets) == 0 {
		return map[string]string{}, nil
	}
	box := a.Secrets
	if box == nil {
		// The key is a server setting: without an explicit Box, the environment decides.
		var err error
		if box, err = secrets.FromEnv(); err != nil {
			return nil, sources.Errorf(sources.ErrConfig, "%s", err.Error())
		}
	}
	return box.OpenMap(integ.SealedSecrets, store.SecretsAAD(integ.CompanyID, integ.ID))
}

// network is the outgoing connection policy: the configured one, or private networks
// (metadata addresses) allowed when the server setting STAFFSYNC_ALLOW_PRIVATE_NETWORKS=true
// (STAFFSYNC_ALLOW_METADATA_ADDRESSES=true) is in the environment.
func (a *Activities) network() sources.Network {
	n := a.Network
	if os.Getenv(AllowPrivateNetworksEnv) == "true" {
		n.AllowPrivate = true
	}
	if os.Getenv(AllowMetadataAddressesEnv) == "true" {
		n.AllowMetadata = true
	}
	return n
}

// AllowPrivateNetworksEnv is the server setting that lets sources reach private addresses.
const AllowPrivateNetworksEnv = "STAFFSYNC_ALLOW_PRIVATE_NETWORKS"

// AllowMetadataAddressesEnv is the server setting that lets sources reach the cloud
// metadata addresses (169.254.169.254 and the like); separate from private networks.
const AllowMetadataAddressesEnv = "STAFFSYNC_ALLOW_METADATA_ADDRESSES"

func (a *Activities) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

// RunRecord is how a run ended, for FinishIntegrationRun.
type RunRecord struct {
	IntegrationRef
	ImportID  int64
	Result    string
	Failed    bool
	Error     string
	Summary   SummaryCounts
	NextRunAt time.Time
}

// FinishIntegrationRun records a run's outcome and the next run.
func (a *Activities) FinishIntegrationRun(ctx context.Context, r RunRecord) error {
	_, err := a.Store.FinishIntegrationRun(ctx, store.RunOutcome{
		CompanyID: r.CompanyID, IntegrationID: r.IntegrationID, ImportID: r.ImportID,
		Result: r.Result, Failed: r.Failed, Error: r.Error, NextRunAt: r.NextRunAt,
	})
	return permanentOrRetryable(err)
}

// ScheduleInput records when the next run is due.
type ScheduleInput struct {
	IntegrationRef
	NextRunAt time.Time
}

// ScheduleIntegration records the next run time for display.
func (a *Activities) ScheduleIntegration(ctx context.Context, in ScheduleInput) error {
	next := in.NextRunAt
	return permanentOrRetryable(a.Store.SetIntegrationNextRun(ctx, in.CompanyID, in.IntegrationID, &next))
}

package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// addPersonWait is how long AddPerson waits for its one-person import to preview and apply.
const addPersonWait = 30 * time.Second

// addPersonPoll is how often AddPerson looks at its import while it waits.
const addPersonPoll = 50 * time.Millisecond

// AddPerson adds one person through a one-person import (source "manual"): the planner's
// checks and the import's history apply unchanged, and the admin's answer is the result.
// Only a new person is added: an email already in the directory is refused (edit them
// instead), and an error of the row comes back as InvalidArgument with its messages.
func (s *DirectoryServer) AddPerson(ctx context.Context, req *connect.Request[v1.AddPersonRequest]) (*connect.Response[v1.AddPersonResponse], error) {
	p := principal(ctx)
	record, err := addPersonRecord(req.Msg.Fields)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if s.Temporal == nil {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrUnavailable, "adding people needs the workflow service; try again later"))
	}
	opts := directory.DefaultOptions()
	opts.SendPasswordEmails = req.Msg.SendWelcomeEmail
	opts.ReactivateMatching = false
	opts.UpdateExistingCoreFields = false
	opts.UpdateManagersOfExisting = false
	opts.ApprovalTimeout = 10 * time.Minute
	importID, err := s.Store.CreateRecordsImport(ctx, store.NewImport{
		CompanyID: p.CompanyID, AdminID: p.AdminID, Source: store.SourceManual,
		FileName: "added by " + p.AdminName, Options: opts,
	}, []directory.Record{record})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	started := &ImportServer{Store: s.Store, Temporal: s.Temporal, Log: s.Log}
	if err := started.startWorkflow(ctx, p.CompanyID, importID, store.SourceManual, opts.ApprovalTimeout); err != nil {
		_ = s.Store.FailImport(context.WithoutCancel(ctx), p.CompanyID, importID, "the person could not be added; try again")
		return nil, s.fail(ctx, fmt.Errorf("start add-person import: %w: %w", directory.ErrUnavailable, err))
	}
	waitCtx, cancel := context.WithTimeout(ctx, addPersonWait)
	defer cancel()
	im, err := s.waitForImport(waitCtx, p.CompanyID, importID, directory.StatusAwaitingApproval)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	page, err := s.Store.ListChanges(ctx, p.CompanyID, importID, store.ChangeFilter{Limit: 2})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if len(page.Changes) != 1 || page.Changes[0].Kind != directory.KindNew {
		refusal := addPersonRefusal(page.Changes)
		s.reject(ctx, p, importID, refusal)
		return nil, s.fail(ctx, refusal)
	}
	change := page.Changes[0]
	if err := s.Store.ApproveImport(ctx, p, importID, im.PreviewVersion); err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.Temporal.SignalWorkflow(ctx, workflows.ImportWorkflowID(p.CompanyID, importID), "", workflows.SignalApprove,
		workflows.ApproveSignal{PreviewVersion: im.PreviewVersion}); err != nil {
		_ = s.Store.UndoApproval(context.WithoutCancel(ctx), p.CompanyID, importID)
		return nil, s.fail(ctx, fmt.Errorf("signal approval: %w: %w", directory.ErrUnavailable, err))
	}
	if _, err := s.waitForImport(waitCtx, p.CompanyID, importID, directory.StatusApplied); err != nil {
		return nil, s.fail(ctx, err)
	}
	person, err := s.Store.GetPerson(ctx, p.CompanyID, change.Email)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.AddPersonResponse{Person: personToProto(&person.Person), ImportId: formatID(importID), WelcomeEmailQueued: req.Msg.SendWelcomeEmail}
	for _, w := range change.Warnings {
		out.Warnings = append(out.Warnings, w.Message)
	}
	return connect.NewResponse(out), nil
}

// addPersonRecord turns the request's fields into the record of a one-person import.
func addPersonRecord(fields []*v1.FieldValue) (directory.Record, error) {
	rec := directory.Record{Row: 2}
	seen := map[directory.Field]bool{}
	for _, fv := range fields {
		f, err := fieldByName(fv.Field)
		if err != nil {
			return rec, err
		}
		if f == directory.Status {
			return rec, directory.Errorf(directory.ErrInvalid, "a person is added active; deactivate them afterwards if needed")
		}
		if seen[f] {
			return rec, directory.Errorf(directory.ErrInvalid, "%s is given twice", f.Key())
		}
		seen[f] = true
		value := strings.TrimSpace(fv.Value)
		if fv.Clear || value == "" {
			continue
		}
		if len(value) > 1000 {
			return rec, directory.Errorf(directory.ErrInvalid, "%s is longer than 1,000 characters", f.Header())
		}
		rec.Cells.Set(f, directory.SetValue(value))
	}
	var missing []string
	for _, f := range []directory.Field{directory.FirstName, directory.LastName, directory.Email} {
		if rec.Cells.Get(f).Op != directory.Set {
			missing = append(missing, f.Key())
		}
	}
	if len(missing) > 0 {
		return rec, directory.Errorf(directory.ErrInvalid, "%s required to add a person", strings.Join(missing, ", ")+plural(len(missing), " is", " are"))
	}
	return rec, nil
}

// addPersonRefusal explains why the one-person import did not make a new person.
func addPersonRefusal(changes []directory.Change) error {
	if len(changes) != 1 {
		return directory.Errorf(directory.ErrInvalid, "the person could not be planned; check the fields and try again")
	}
	c := changes[0]
	if c.Kind == directory.KindError {
		var msgs []string
		for _, e := range c.Errors {
			msgs = append(msgs, e.Message)
		}
		return directory.Errorf(directory.ErrInvalid, "not added: %s", strings.Join(msgs, "; "))
	}
	return directory.Errorf(directory.ErrConflict, "%s is already in the directory; open their page to edit them, or reactivate them", c.Email)
}

// reject records the refusal of an add-person import so it does not wait for approval.
func (s *DirectoryServer) reject(ctx context.Context, p store.Principal, importID int64, reason error) {
	ctx = context.WithoutCancel(ctx)
	if err := s.Store.RejectImport(ctx, p, importID, reason.Error()); err != nil {
		s.Log.WarnContext(ctx, "reject add-person import", "import", importID, "error", err)
		return
	}
	if err := s.Temporal.SignalWorkflow(ctx, workflows.ImportWorkflowID(p.CompanyID, importID), "", workflows.SignalReject, nil); err != nil {
		s.Log.WarnContext(ctx, "signal add-person rejection", "import", importID, "error", err)
	}
}

// waitForImport polls the import until it reaches status want; a final status other than
// want is an error with the import's own message.
func (s *DirectoryServer) waitForImport(ctx context.Context, companyID, importID int64, want directory.ImportStatus) (store.Import, error) {
	ticker := time.NewTicker(addPersonPoll)
	defer ticker.Stop()
	for {
		im, err := s.Store.GetImport(ctx, companyID, importID)
		if err != nil {
			return im, err
		}
		if im.Status == want {
			return im, nil
		}
		if im.Status.Final() {
			return im, directory.Errorf(directory.ErrPrecondition, "import %d that adds the person is %s: %s", importID, im.Status, im.ErrorMessage)
		}
		select {
		case <-ctx.Done():
			return im, directory.Errorf(directory.ErrUnavailable, "adding the person takes longer than usual; import %d will show the result", importID)
		case <-ticker.C:
		}
	}
}

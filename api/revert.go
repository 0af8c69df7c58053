package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// maxKeptListed is how many kept fields one answer lists.
const maxKeptListed = 1000

// RevertImport starts an import that undoes an applied import of the last 30 days, or
// with check_only says what it would keep and which HR-owned fields it would set. With
// pause_integrations it pauses those HR integrations first.
func (s *ImportServer) RevertImport(ctx context.Context, req *connect.Request[v1.RevertImportRequest]) (*connect.Response[v1.RevertImportResponse], error) {
	p := principal(ctx)
	id, err := parseID("import", req.Msg.ImportId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if req.Msg.CheckOnly {
		planned, err := s.Store.PlanRevert(ctx, p, id, time.Now(), true)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return connect.NewResponse(revertAnswer(planned, nil)), nil
	}
	var paused []string
	if req.Msg.PauseIntegrations {
		// Paused before the revert is stored: the HR system cannot set the fields again
		// between the preview and the admin's approval.
		planned, err := s.Store.PlanRevert(ctx, p, id, time.Now(), true)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		if paused, err = s.pauseForRevert(ctx, p, id, planned.HROwned); err != nil {
			return nil, s.fail(ctx, err)
		}
	}
	created, err := s.Store.CreateRevertImport(ctx, p, id, time.Now())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.startWorkflow(ctx, p.CompanyID, created.ImportID, store.SourceRevert, 0); err != nil {
		_ = s.Store.FailImport(context.WithoutCancel(ctx), p.CompanyID, created.ImportID, "the revert could not be started; revert the import again")
		return nil, s.fail(ctx, fmt.Errorf("start revert workflow: %w: %w", directory.ErrUnavailable, err))
	}
	im, err := s.Store.GetImport(ctx, p.CompanyID, created.ImportID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := revertAnswer(created, paused)
	out.Import = importToProto(im)
	return connect.NewResponse(out), nil
}

// pauseForRevert pauses the HR integrations that would set the reverted fields again.
func (s *ImportServer) pauseForRevert(ctx context.Context, p store.Principal, importID int64, owned []store.HROwnedRevert) ([]string, error) {
	var paused []string
	for _, h := range owned {
		if h.Paused {
			continue
		}
		reason := fmt.Sprintf("paused by %s to revert import %d; resume once the HR system has the same values", p.AdminName, importID)
		if err := s.Store.SetIntegrationPaused(ctx, p.CompanyID, h.IntegrationID, true, reason); err != nil {
			return paused, err
		}
		if err := SignalIntegration(ctx, s.Temporal, p.CompanyID, h.IntegrationID, h.Kind, workflows.SignalPause, workflows.PauseSignal{Reason: reason}); err != nil {
			return paused, err
		}
		paused = append(paused, formatID(h.IntegrationID))
	}
	return paused, nil
}

func revertAnswer(r store.RevertCreated, paused []string) *v1.RevertImportResponse {
	out := &v1.RevertImportResponse{
		KeptFields: int64(r.Kept), SkippedPeople: int64(r.Skipped), PausedIntegrationIds: paused, CheckOnly: r.CheckOnly,
	}
	for i, k := range r.KeptFields {
		if i == maxKeptListed {
			break
		}
		kf := &v1.KeptField{
			Person: &v1.NamedPerson{Id: formatID(k.Person.ID), Email: k.Person.Email, Name: k.Person.Name},
			Field:  k.Field, Current: k.Current, ImportOld: k.ImportOld, ChangedBy: k.ChangedBy,
		}
		if !k.ChangedAt.IsZero() {
			kf.ChangedAt = timestamppb.New(k.ChangedAt)
		}
		out.Kept = append(out.Kept, kf)
	}
	var names []string
	for _, h := range r.HROwned {
		isPaused := h.Paused
		for _, id := range paused {
			isPaused = isPaused || id == formatID(h.IntegrationID)
		}
		out.HrOwned = append(out.HrOwned, &v1.HrOwnedRevert{
			IntegrationId: formatID(h.IntegrationID), IntegrationName: h.IntegrationName, Kind: h.Kind,
			Fields: h.Fields, People: int64(h.People), Paused: isPaused, AutomaticRuns: h.AutomaticRuns,
		})
		if !isPaused {
			names = append(names, fmt.Sprintf("%q", h.IntegrationName))
		}
	}
	if len(r.HROwned) > 0 {
		fields := strings.Join(r.HROwned[0].Fields, ", ")
		if len(names) > 0 {
			out.HrOwnedMessage = fmt.Sprintf("The revert sets %s for %d %s; %s owns these fields and sets them again at its next run. Pause it first (pause_integrations), or change the values in the HR system too.",
				fields, r.HROwned[0].People, plural(r.HROwned[0].People, "person", "people"), strings.Join(names, " and "))
		} else {
			out.HrOwnedMessage = fmt.Sprintf("The revert sets %s for %d %s, which the HR integration owns; it is paused, so it will not set them again until it is resumed. Change the values in the HR system before resuming.",
				fields, r.HROwned[0].People, plural(r.HROwned[0].People, "person", "people"))
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

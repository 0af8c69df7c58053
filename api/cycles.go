package api

import (
	"context"
	"log/slog"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
)

// CycleServer implements CycleService.
type CycleServer struct {
	Store *store.Store
	Log   *slog.Logger
}

var cycleKinds = map[v1.CycleKind]string{
	v1.CycleKind_CYCLE_KIND_OBJECTIVES: store.CycleObjectives,
	v1.CycleKind_CYCLE_KIND_REVIEW:     store.CycleReview,
	v1.CycleKind_CYCLE_KIND_360:        store.Cycle360,
}

func cycleToProto(c store.Cycle) *v1.Cycle {
	out := &v1.Cycle{
		Id: formatID(c.ID), Name: c.Name, Open: c.Open, OpenToEveryone: c.OpenToEveryone,
		Participants: int64(c.Participants), CreatedAt: timestamppb.New(c.CreatedAt),
	}
	for pk, k := range cycleKinds {
		if k == c.Kind {
			out.Kind = pk
		}
	}
	return out
}

func (s *CycleServer) fail(ctx context.Context, err error) error {
	return connectError(ctx, s.Log, err)
}

// ListCycles lists the caller's cycles.
func (s *CycleServer) ListCycles(ctx context.Context, _ *connect.Request[v1.ListCyclesRequest]) (*connect.Response[v1.ListCyclesResponse], error) {
	cycles, err := s.Store.ListCycles(ctx, principal(ctx).CompanyID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListCyclesResponse{}
	for _, c := range cycles {
		out.Cycles = append(out.Cycles, cycleToProto(c))
	}
	return connect.NewResponse(out), nil
}

// CreateCycle opens a cycle.
func (s *CycleServer) CreateCycle(ctx context.Context, req *connect.Request[v1.CreateCycleRequest]) (*connect.Response[v1.CreateCycleResponse], error) {
	kind, ok := cycleKinds[req.Msg.Kind]
	if !ok {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "choose the cycle kind: objectives, review or 360"))
	}
	c, err := s.Store.CreateCycle(ctx, principal(ctx).CompanyID, store.NewCycle{Name: req.Msg.Name, Kind: kind, OpenToEveryone: req.Msg.OpenToEveryone})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateCycleResponse{Cycle: cycleToProto(c)}), nil
}

// AddPeople adds people to an open cycle.
func (s *CycleServer) AddPeople(ctx context.Context, req *connect.Request[v1.AddPeopleRequest]) (*connect.Response[v1.AddPeopleResponse], error) {
	companyID := principal(ctx).CompanyID
	id, err := parseID("cycle", req.Msg.CycleId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	added, err := s.Store.AddCycleParticipants(ctx, companyID, id, req.Msg.Emails)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	c, err := s.Store.GetCycle(ctx, companyID, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.AddPeopleResponse{Cycle: cycleToProto(c), Added: added}), nil
}

// ResetReviewers sets a cycle's reviewers to the current managers.
func (s *CycleServer) ResetReviewers(ctx context.Context, req *connect.Request[v1.ResetReviewersRequest]) (*connect.Response[v1.ResetReviewersResponse], error) {
	companyID := principal(ctx).CompanyID
	id, err := parseID("cycle", req.Msg.CycleId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	changed, err := s.Store.ResetCycleReviewers(ctx, companyID, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	c, err := s.Store.GetCycle(ctx, companyID, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ResetReviewersResponse{Cycle: cycleToProto(c), ReviewersChanged: changed}), nil
}

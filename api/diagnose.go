package api

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
)

// DiagnoseImport lists who an import did not import and whom it did not have.
func (s *ImportServer) DiagnoseImport(ctx context.Context, req *connect.Request[v1.DiagnoseImportRequest]) (*connect.Response[v1.DiagnoseImportResponse], error) {
	id, err := parseID("import", req.Msg.ImportId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	d, err := s.Store.DiagnoseImport(ctx, principal(ctx).CompanyID, id, store.DiagnoseLimit)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.DiagnoseImportResponse{FromSource: d.FromSource, Warnings: d.Warnings,
		NotImportedTotal: d.NotImportedTotal, NotInSourceTotal: d.NotInSourceTotal}
	for _, p := range d.NotImported {
		out.NotImported = append(out.NotImported, diagnosedToProto(p))
	}
	for _, p := range d.NotInSource {
		out.NotInSource = append(out.NotInSource, diagnosedToProto(p))
	}
	return connect.NewResponse(out), nil
}

func diagnosedToProto(p store.DiagnosedPerson) *v1.DiagnosedPerson {
	return &v1.DiagnosedPerson{Row: int32(p.Row), Name: p.Name, Email: p.Email, SourceId: p.SourceID,
		Kind: kindToProto[p.Kind], ReasonCode: p.ReasonCode, Reason: p.Reason}
}

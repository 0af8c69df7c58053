package api

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
)

func importDefaultsToProto(d store.ImportDefaults) *v1.ImportDefaults {
	out := &v1.ImportDefaults{Options: optionsToProto(d.Options), Saved: d.Saved, UpdatedBy: d.UpdatedBy}
	if d.UpdatedAt != nil {
		out.UpdatedAt = timestamppb.New(*d.UpdatedAt)
	}
	return out
}

// GetImportDefaults returns the company's import configuration.
func (s *ImportServer) GetImportDefaults(ctx context.Context, _ *connect.Request[v1.GetImportDefaultsRequest]) (*connect.Response[v1.GetImportDefaultsResponse], error) {
	d, err := s.Store.GetImportDefaults(ctx, principal(ctx).CompanyID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetImportDefaultsResponse{Defaults: importDefaultsToProto(d)}), nil
}

// UpdateImportDefaults replaces the company's import configuration; unset options take
// the built-in defaults, so what is saved is exactly what the request shows.
func (s *ImportServer) UpdateImportDefaults(ctx context.Context, req *connect.Request[v1.UpdateImportDefaultsRequest]) (*connect.Response[v1.UpdateImportDefaultsResponse], error) {
	if req.Msg.GetOptions().GetSheet() != "" {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "a worksheet belongs to one file, not to the configuration; give it with the upload"))
	}
	opts, err := optionsFromProto(req.Msg.Options)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	d, err := s.Store.SaveImportDefaults(ctx, principal(ctx), opts)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateImportDefaultsResponse{Defaults: importDefaultsToProto(d)}), nil
}

// uploadOptions works out an upload's options: the options the request sets, on top of the
// company's import configuration (or the built-in defaults when none is saved), and where
// they came from.
func (s *ImportServer) uploadOptions(ctx context.Context, o *v1.ImportOptions) (directory.Options, string, error) {
	d, err := s.Store.GetImportDefaults(ctx, principal(ctx).CompanyID)
	if err != nil {
		return directory.Options{}, "", err
	}
	source := store.OptionsFromBuiltIns
	if d.Saved {
		source = store.OptionsFromCompany
	}
	if o != nil && proto.Size(o) > 0 {
		source = store.OptionsFromRequest
	}
	opts, err := optionsOver(d.Options, o)
	return opts, source, err
}

// withExtras adds what the preview found beyond the changes (options source, hints).
func (s *ImportServer) withExtras(ctx context.Context, companyID int64, im *v1.Import) *v1.Import {
	id, err := parseID("import", im.GetId())
	if err != nil {
		return im
	}
	x, err := s.Store.GetImportExtras(ctx, companyID, id)
	if err != nil {
		// The import itself was read; its extras are a best-effort addition.
		s.Log.WarnContext(ctx, "read import extras", "import", id, "error", err)
		return im
	}
	im.OptionsSource = x.OptionsSource
	im.Hints = hintsToProto(x.Hints)
	return im
}

func hintsToProto(hints []directory.Hint) []*v1.ImportHint {
	var out []*v1.ImportHint
	for _, h := range hints {
		ph := &v1.ImportHint{Code: h.Code, Message: h.Message, Value: h.Value, RowCount: int64(h.RowCount)}
		for _, r := range h.Rows {
			ph.Rows = append(ph.Rows, int32(r))
		}
		for _, p := range h.People {
			np := &v1.NamedPerson{Email: p.Email, Name: p.Name, Row: int32(p.Row)}
			if p.ID != 0 {
				np.Id = formatID(p.ID)
			}
			ph.People = append(ph.People, np)
		}
		out = append(out, ph)
	}
	return out
}

package api

import (
	"bytes"
	"context"
	"log/slog"
	"strings"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/importfile"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
)

// DirectoryServer implements DirectoryService.
type DirectoryServer struct {
	Store *store.Store
	Log   *slog.Logger
}

func (s *DirectoryServer) fail(ctx context.Context, err error) error {
	return connectError(ctx, s.Log, err)
}

var statusFilters = map[v1.PersonStatusFilter]string{
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_UNSPECIFIED: "active",
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_ACTIVE:      "active",
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_DEACTIVATED: "deactivated",
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_ALL:         "all",
}

// ListPeople pages through the caller's directory. The page token is the last person's
// position (last name, first name, id), so pages stay stable while people are added.
func (s *DirectoryServer) ListPeople(ctx context.Context, req *connect.Request[v1.ListPeopleRequest]) (*connect.Response[v1.ListPeopleResponse], error) {
	filter := store.PeopleFilter{
		Status: statusFilters[req.Msg.Status], Department: req.Msg.Department, Location: req.Msg.Location,
		Search: req.Msg.Search, Limit: pageSize(req.Msg.PageSize, 100),
	}
	if tok := req.Msg.PageToken; tok != "" {
		parts := strings.SplitN(tok, "\x1f", 3)
		if len(parts) != 3 {
			return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "invalid page token; pass the next_page_token of the previous answer"))
		}
		id, err := parsePageToken(parts[2])
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		filter.AfterLastName, filter.AfterFirstName, filter.AfterID = parts[0], parts[1], id
	}
	page, err := s.Store.ListPeople(ctx, principal(ctx).CompanyID, filter)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListPeopleResponse{BillableCount: page.Billable, Total: page.Total}
	for i := range page.People {
		out.People = append(out.People, personToProto(&page.People[i]))
	}
	if len(page.People) == filter.Limit {
		last := page.People[len(page.People)-1]
		out.NextPageToken = last.Values[directory.LastName] + "\x1f" + last.Values[directory.FirstName] + "\x1f" + formatID(last.ID)
	}
	return connect.NewResponse(out), nil
}

// ExportDirectory writes every person, active and deactivated, as an import file.
func (s *DirectoryServer) ExportDirectory(ctx context.Context, req *connect.Request[v1.ExportDirectoryRequest]) (*connect.Response[v1.ExportDirectoryResponse], error) {
	format := fileFormat(req.Msg.Format)
	var buf bytes.Buffer
	w, err := importfile.NewExportWriter(&buf, format)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	err = s.Store.EachPerson(ctx, principal(ctx).CompanyID, func(p *directory.Person) error { return w.Write(p.Values) })
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := w.Close(); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ExportDirectoryResponse{
		FileName: "staffsync-directory." + format, ContentType: contentType(format), Content: buf.Bytes(),
	}), nil
}

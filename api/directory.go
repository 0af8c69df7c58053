package api

import (
	"bytes"
	"context"
	"log/slog"
	"strings"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/importfile"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
)

// DirectoryServer implements DirectoryService.
type DirectoryServer struct {
	Store *store.Store
	Log   *slog.Logger
	// Temporal starts the delivery of queued emails (nil in tests that send none).
	Temporal client.Client
}

func (s *DirectoryServer) fail(ctx context.Context, err error) error {
	return connectError(ctx, s.Log, err)
}

var statusFilters = map[v1.PersonStatusFilter]string{
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_UNSPECIFIED: "active",
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_ACTIVE:      "active",
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_DEACTIVATED: "deactivated",
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_ALL:         "all",
	v1.PersonStatusFilter_PERSON_STATUS_FILTER_PENDING:     "pending",
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
	if m := strings.TrimSpace(req.Msg.Manager); m != "" {
		id, err := s.Store.ResolvePerson(ctx, principal(ctx).CompanyID, m)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		filter.ManagerID = id
	}
	page, err := s.Store.ListPeople(ctx, principal(ctx).CompanyID, filter)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListPeopleResponse{BillableCount: page.Billable, Total: page.Total, PendingCount: page.Pending}
	for i := range page.People {
		out.People = append(out.People, personToProto(&page.People[i]))
	}
	s.addPhotos(ctx, page.People, out.People)
	s.addInvited(ctx, page.People, out.People)
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

func personRefToProto(r *store.PersonRef) *v1.PersonRef {
	if r == nil {
		return nil
	}
	return &v1.PersonRef{Id: formatID(r.ID), Email: r.Email, Name: r.Name, Active: r.Active}
}

func personRefsToProto(refs []store.PersonRef) []*v1.PersonRef {
	out := make([]*v1.PersonRef, len(refs))
	for i := range refs {
		out[i] = personRefToProto(&refs[i])
	}
	return out
}

// GetPerson returns one person of the caller's company by login email or id.
func (s *DirectoryServer) GetPerson(ctx context.Context, req *connect.Request[v1.GetPersonRequest]) (*connect.Response[v1.GetPersonResponse], error) {
	d, err := s.Store.GetPerson(ctx, principal(ctx).CompanyID, req.Msg.Person)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.GetPersonResponse{
		Person: personToProto(&d.Person), Manager: personRefToProto(d.Manager), SecondaryManager: personRefToProto(d.SecondaryManager),
		DirectReports: personRefsToProto(d.DirectReports), MergedInto: personRefToProto(d.MergedInto), PasswordEmailSent: d.PasswordEmailSent,
	}
	out.Person.Invited = d.PasswordEmailSent
	s.addPhotos(ctx, []directory.Person{d.Person}, []*v1.Person{out.Person})
	for _, f := range directory.AllFields() {
		if name, ok := d.OwnedFields[f]; ok {
			out.OwnedFields = append(out.OwnedFields, &v1.OwnedField{Field: f.Key(), Integration: name})
		}
	}
	return connect.NewResponse(out), nil
}

// fieldByName accepts a field's machine name ("title") or its template header ("Title").
func fieldByName(name string) (directory.Field, error) {
	name = strings.TrimSpace(name)
	if f, ok := directory.FieldByKey(strings.ToLower(name)); ok {
		return f, nil
	}
	for _, f := range directory.AllFields() {
		if strings.EqualFold(f.Header(), name) {
			return f, nil
		}
	}
	keys := make([]string, 0, directory.NumFields)
	for _, f := range directory.AllFields() {
		keys = append(keys, f.Key())
	}
	return 0, directory.Errorf(directory.ErrInvalid, "unknown field %q; use one of %s", directory.Clip(name), strings.Join(keys, ", "))
}

// UpdatePerson changes fields of one person.
func (s *DirectoryServer) UpdatePerson(ctx context.Context, req *connect.Request[v1.UpdatePersonRequest]) (*connect.Response[v1.UpdatePersonResponse], error) {
	edits := make([]store.FieldEdit, 0, len(req.Msg.Fields))
	for _, fv := range req.Msg.Fields {
		f, err := fieldByName(fv.Field)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		value := directory.SetValue(fv.Value)
		if fv.Clear {
			value = directory.Value{Op: directory.Clear}
		}
		edits = append(edits, store.FieldEdit{Field: f, Value: value})
	}
	upd, err := s.Store.UpdatePerson(ctx, principal(ctx), req.Msg.Person, edits)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.UpdatePersonResponse{Person: personToProto(&upd.Person), Warnings: upd.Warnings}
	for _, c := range upd.Changes {
		out.Changes = append(out.Changes, &v1.FieldChange{Field: c.Field.Key(), Old: c.Old, New: c.New})
	}
	return connect.NewResponse(out), nil
}

func statusChangesToProto(results []store.StatusResult) []*v1.StatusChange {
	out := make([]*v1.StatusChange, len(results))
	for i := range results {
		out[i] = &v1.StatusChange{Person: personRefToProto(&results[i].Person), Changed: results[i].Changed, Warnings: results[i].Warnings}
	}
	return out
}

// DeactivatePeople deactivates people in bulk: all of them or, if one is unknown, none.
func (s *DirectoryServer) DeactivatePeople(ctx context.Context, req *connect.Request[v1.DeactivatePeopleRequest]) (*connect.Response[v1.DeactivatePeopleResponse], error) {
	results, err := s.Store.SetPeopleActive(ctx, principal(ctx), req.Msg.People, false)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.DeactivatePeopleResponse{Results: statusChangesToProto(results)}), nil
}

// ReactivatePeople reactivates people in bulk.
func (s *DirectoryServer) ReactivatePeople(ctx context.Context, req *connect.Request[v1.ReactivatePeopleRequest]) (*connect.Response[v1.ReactivatePeopleResponse], error) {
	results, err := s.Store.SetPeopleActive(ctx, principal(ctx), req.Msg.People, true)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ReactivatePeopleResponse{Results: statusChangesToProto(results)}), nil
}

// MergePeople merges the source account into the destination, or shows what would move.
func (s *DirectoryServer) MergePeople(ctx context.Context, req *connect.Request[v1.MergePeopleRequest]) (*connect.Response[v1.MergePeopleResponse], error) {
	m, err := s.Store.MergePeople(ctx, principal(ctx), req.Msg.Source, req.Msg.Destination, req.Msg.DryRun)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.MergePeopleResponse{
		Source: personRefToProto(&m.Source), Destination: personRefToProto(&m.Destination), DryRun: m.DryRun,
		ReportsMoved: personRefsToProto(m.ReportsMoved), SecondaryReportsMoved: personRefsToProto(m.SecondaryReportsMoved),
		CycleParticipationsMoved: m.CycleParticipations, CyclesKeptWithSource: m.CyclesKept, ReviewerRolesMoved: m.ReviewerRolesMoved,
		HistoryEntries: m.HistoryEntries, SourceDeactivated: m.SourceDeactivated, Warnings: m.Warnings,
	}), nil
}

// DeletePerson erases a deactivated person; the caller confirms with the person's email.
func (s *DirectoryServer) DeletePerson(ctx context.Context, req *connect.Request[v1.DeletePersonRequest]) (*connect.Response[v1.DeletePersonResponse], error) {
	d, err := s.Store.DeletePerson(ctx, principal(ctx), req.Msg.Person, req.Msg.ConfirmEmail)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.DeletePersonResponse{
		Id: formatID(d.PersonID), HistoryEntriesErased: d.HistoryErased, ReportsUnassigned: d.ReportsUnassigned, FilesDeleted: d.FilesDeleted,
	}), nil
}

// SendPasswordEmails queues password emails.
func (s *DirectoryServer) SendPasswordEmails(ctx context.Context, req *connect.Request[v1.SendPasswordEmailsRequest]) (*connect.Response[v1.SendPasswordEmailsResponse], error) {
	res, err := s.Store.SendPasswordEmails(ctx, principal(ctx), req.Msg.People)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if len(res.Queued) > 0 {
		res.Warnings = append(res.Warnings, s.deliverQueued(ctx, principal(ctx).CompanyID)...)
	}
	return connect.NewResponse(&v1.SendPasswordEmailsResponse{Queued: personRefsToProto(res.Queued), Warnings: res.Warnings}), nil
}

// GetPersonHistory pages through a person's history, newest first.
func (s *DirectoryServer) GetPersonHistory(ctx context.Context, req *connect.Request[v1.GetPersonHistoryRequest]) (*connect.Response[v1.GetPersonHistoryResponse], error) {
	before, err := parsePageToken(req.Msg.PageToken)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	limit := pageSize(req.Msg.PageSize, 100)
	entries, err := s.Store.PersonHistory(ctx, principal(ctx).CompanyID, req.Msg.Person, before, limit)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.GetPersonHistoryResponse{}
	for _, e := range entries {
		pe := &v1.HistoryEntry{
			Id: formatID(e.ID), At: timestamppb.New(e.At), Kind: e.Kind, ImportSource: e.ImportSource,
			Admin: e.AdminName, MergedFrom: e.MergedFrom,
		}
		if e.ImportID != 0 {
			pe.ImportId = formatID(e.ImportID)
		}
		for _, c := range e.Changes {
			pe.Changes = append(pe.Changes, &v1.FieldChange{Field: c.Field, Old: c.Old, New: c.New})
		}
		out.Entries = append(out.Entries, pe)
	}
	if len(entries) == limit {
		out.NextPageToken = formatID(entries[len(entries)-1].ID)
	}
	return connect.NewResponse(out), nil
}

package api

import (
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
)

var statusToProto = map[directory.ImportStatus]v1.ImportStatus{
	directory.StatusParsing:          v1.ImportStatus_IMPORT_STATUS_PARSING,
	directory.StatusPreviewing:       v1.ImportStatus_IMPORT_STATUS_PREVIEWING,
	directory.StatusAwaitingApproval: v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL,
	directory.StatusApplying:         v1.ImportStatus_IMPORT_STATUS_APPLYING,
	directory.StatusApplied:          v1.ImportStatus_IMPORT_STATUS_APPLIED,
	directory.StatusRejected:         v1.ImportStatus_IMPORT_STATUS_REJECTED,
	directory.StatusExpired:          v1.ImportStatus_IMPORT_STATUS_EXPIRED,
	directory.StatusFailed:           v1.ImportStatus_IMPORT_STATUS_FAILED,
}

var kindToProto = map[directory.Kind]v1.ChangeKind{
	directory.KindNew:         v1.ChangeKind_CHANGE_KIND_NEW,
	directory.KindUpdated:     v1.ChangeKind_CHANGE_KIND_UPDATED,
	directory.KindUnchanged:   v1.ChangeKind_CHANGE_KIND_UNCHANGED,
	directory.KindDeactivated: v1.ChangeKind_CHANGE_KIND_DEACTIVATED,
	directory.KindReactivated: v1.ChangeKind_CHANGE_KIND_REACTIVATED,
	directory.KindError:       v1.ChangeKind_CHANGE_KIND_ERROR,
}

func kindFromProto(k v1.ChangeKind) (directory.Kind, bool) {
	for dk, pk := range kindToProto {
		if pk == k {
			return dk, true
		}
	}
	return "", false
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

func optionsFromProto(o *v1.ImportOptions) (directory.Options, error) {
	return optionsOver(directory.DefaultOptions(), o)
}

// optionsOver sets the options o sets on top of base (the built-in or a company's defaults).
func optionsOver(opts directory.Options, o *v1.ImportOptions) (directory.Options, error) {
	if o == nil {
		return opts, nil
	}
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	set(&opts.SendPasswordEmails, o.SendPasswordEmails)
	set(&opts.UpdateExistingCoreFields, o.UpdateExistingCoreFields)
	set(&opts.UpdateManagersOfExisting, o.UpdateManagersOfExisting)
	set(&opts.SetManagersOfNew, o.SetManagersOfNew)
	set(&opts.DeactivateMissing, o.DeactivateMissing)
	set(&opts.ReactivateMatching, o.ReactivateMatching)
	set(&opts.AddNewToOpenReviewCycles, o.AddNewToOpenReviewCycles)
	set(&opts.ResetReviewersAfterManagerChange, o.ResetReviewersAfterManagerChange)
	switch d := directory.Delimiter(o.Delimiter); d {
	case "":
	case directory.DelimiterAuto, directory.DelimiterComma, directory.DelimiterSemicolon, directory.DelimiterTab:
		opts.Delimiter = d
	default:
		return opts, directory.Errorf(directory.ErrInvalid, "unknown delimiter %q; use auto, comma, semicolon or tab", o.Delimiter)
	}
	if o.Sheet != "" {
		opts.Sheet = o.Sheet
	}
	if o.MaxDeactivations != 0 {
		opts.MaxDeactivations = int(o.MaxDeactivations)
	}
	if o.MaxManagerChanges != 0 {
		opts.MaxManagerChanges = int(o.MaxManagerChanges)
	}
	set(&opts.RequireSecondApprover, o.RequireSecondApprover)
	if o.ActivateOnHireDate != nil {
		on := *o.ActivateOnHireDate
		opts.ActivateOnHireDate = &on
	}
	if o.ApprovalTimeout != nil {
		if err := o.ApprovalTimeout.CheckValid(); err != nil || o.ApprovalTimeout.AsDuration() < time.Minute {
			return opts, directory.Errorf(directory.ErrInvalid, "approval_timeout must be at least one minute, e.g. 72h; leave it unset for 7 days")
		}
		opts.ApprovalTimeout = o.ApprovalTimeout.AsDuration()
	}
	return opts, nil
}

func optionsToProto(o directory.Options) *v1.ImportOptions {
	b := func(v bool) *bool { return &v }
	return &v1.ImportOptions{
		SendPasswordEmails:               b(o.SendPasswordEmails),
		UpdateExistingCoreFields:         b(o.UpdateExistingCoreFields),
		UpdateManagersOfExisting:         b(o.UpdateManagersOfExisting),
		SetManagersOfNew:                 b(o.SetManagersOfNew),
		DeactivateMissing:                b(o.DeactivateMissing),
		ReactivateMatching:               b(o.ReactivateMatching),
		Delimiter:                        string(o.Delimiter),
		Sheet:                            o.Sheet,
		AddNewToOpenReviewCycles:         b(o.AddNewToOpenReviewCycles),
		ResetReviewersAfterManagerChange: b(o.ResetReviewersAfterManagerChange),
		MaxDeactivations:                 int32(o.MaxDeactivations),
		MaxManagerChanges:                int32(o.MaxManagerChanges),
		RequireSecondApprover:            b(o.RequireSecondApprover),
		ApprovalTimeout:                  durationpb.New(o.ApprovalWait()),
		ActivateOnHireDate:               o.ActivateOnHireDate, // unset: the default of the import's kind
	}
}

func importToProto(im store.Import) *v1.Import {
	out := &v1.Import{
		Id:             formatID(im.ID),
		Status:         statusToProto[im.Status],
		Source:         im.Source,
		FileName:       im.FileName,
		CreatedBy:      im.CreatedBy,
		CreatedAt:      timestamppb.New(im.CreatedAt),
		UpdatedAt:      timestamppb.New(im.UpdatedAt),
		Options:        optionsToProto(im.Options),
		PreviewVersion: im.PreviewVersion,
		GuardTripped:   im.GuardTripped,
		GuardReason:    im.GuardReason,
		ErrorMessage:   im.ErrorMessage,
		FileWarnings:   im.FileWarnings,
		RowsTotal:      int64(im.RowsTotal),
		DecidedBy:      im.DecidedBy,
		RejectReason:   im.RejectReason,
		ProgressPhase:  im.ProgressPhase,
		RowsProcessed:  int64(im.RowsProcessed),
		ProgressTotal:  int64(im.ProgressTotal),
		Summary: &v1.Summary{
			New: int64(im.Summary.New), Updated: int64(im.Summary.Updated), Unchanged: int64(im.Summary.Unchanged),
			Deactivated: int64(im.Summary.Deactivated), Reactivated: int64(im.Summary.Reactivated),
			Error: int64(im.Summary.Error), Warning: int64(im.Summary.Warning),
			Pending: int64(im.Summary.Pending), Started: int64(im.Summary.Started),
		},
	}
	if im.DecidedAt != nil {
		out.DecidedAt = timestamppb.New(*im.DecidedAt)
	}
	if im.ApprovalExpiresAt != nil {
		out.ApprovalExpiresAt = timestamppb.New(*im.ApprovalExpiresAt)
	}
	return out
}

func problemsToProto(problems []directory.Problem) []*v1.Problem {
	out := make([]*v1.Problem, len(problems))
	for i, p := range problems {
		out[i] = &v1.Problem{Code: p.Code, Value: p.Value, Message: p.Message}
		if p.Field != directory.NoField {
			out[i].Field = p.Field.Key()
		}
	}
	return out
}

func changeToProto(c directory.Change) *v1.Change {
	out := &v1.Change{
		Row: int32(c.Row), Email: c.Email, Name: c.Name, Kind: kindToProto[c.Kind],
		ReasonCode: c.ReasonCode, Reason: c.Reason,
		Errors: problemsToProto(c.Errors), Warnings: problemsToProto(c.Warnings),
	}
	for _, f := range c.Fields {
		out.Fields = append(out.Fields, &v1.FieldChange{Field: f.Field.Key(), Old: f.Old, New: f.New})
	}
	return out
}

func personToProto(p *directory.Person) *v1.Person {
	v := &p.Values
	return &v1.Person{
		Id: formatID(p.ID), FirstName: v[directory.FirstName], LastName: v[directory.LastName], Gender: v[directory.Gender],
		Title: v[directory.Title], Email: v[directory.Email], ManagerEmail: v[directory.ManagerEmail],
		Department: v[directory.Department], Team: v[directory.Team], Location: v[directory.Location],
		EmployeeId: v[directory.EmployeeID], HireDate: v[directory.HireDate], AltEmail: v[directory.AltEmail],
		SecondaryManagerEmail: v[directory.SecondaryManagerEmail], PreferredName: v[directory.PreferredName],
		LeavingDate: v[directory.LeavingDate], TerminationType: v[directory.TerminationType],
		EmploymentType: v[directory.EmploymentType], Active: p.Active, Pending: p.Pending,
	}
}

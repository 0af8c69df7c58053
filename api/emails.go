package api

import (
	"context"
	"os"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/client"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/mailer"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// deliveryDelayed is what an admin reads when the emails are queued but delivery could not
// be started; the next request (of any admin of the company) delivers them too.
const deliveryDelayed = "the emails are queued but their delivery could not be started now; they go out with the next email request"

// deliverQueued starts (or nudges) the company's email delivery. It answers warnings for the
// admin instead of an error: the emails are committed in the outbox already.
func (s *DirectoryServer) deliverQueued(ctx context.Context, companyID int64) []string {
	if s.Temporal == nil {
		return []string{deliveryDelayed}
	}
	if err := StartEmailDelivery(ctx, s.Temporal, companyID); err != nil {
		s.Log.ErrorContext(ctx, "start email delivery", "company", companyID, "error", err)
		return []string{deliveryDelayed}
	}
	return nil
}

// StartEmailDelivery signals the company's OutboxDelivery workflow, starting it when none runs.
func StartEmailDelivery(ctx context.Context, tc client.Client, companyID int64) error {
	_, err := tc.SignalWithStartWorkflow(ctx, workflows.OutboxWorkflowID(companyID), workflows.SignalDeliver, nil,
		client.StartWorkflowOptions{TaskQueue: workflows.TaskQueue}, workflows.OutboxDelivery, activities.CompanyRef{CompanyID: companyID})
	return err
}

// signInURL is the link welcome emails carry, the same the worker's import emails carry.
func signInURL() string {
	if u := os.Getenv("STAFFSYNC_SIGN_IN_URL"); u != "" {
		return u
	}
	return activities.DefaultSignInURL
}

// composeWelcome writes the welcome email exactly as an import writes it for a new person.
func composeWelcome(r store.PasswordRecipient) (string, string, string) {
	return mailer.PasswordEmail(mailer.Recipient{
		FirstName: r.FirstName, PreferredName: r.PreferredName, Gender: r.Gender,
		Email: r.Email, AltEmail: r.AltEmail, CompanyName: r.CompanyName,
	}, signInURL())
}

// SendWelcomeEmails queues welcome emails for the named people, or everyone active not yet
// invited, and starts their delivery.
func (s *DirectoryServer) SendWelcomeEmails(ctx context.Context, req *connect.Request[v1.SendWelcomeEmailsRequest]) (*connect.Response[v1.SendWelcomeEmailsResponse], error) {
	p := principal(ctx)
	res, err := s.Store.SendWelcomeEmails(ctx, p, req.Msg.People, req.Msg.NotYetInvited, composeWelcome)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if len(res.Queued) > 0 {
		res.Warnings = append(res.Warnings, s.deliverQueued(ctx, p.CompanyID)...)
	}
	return connect.NewResponse(&v1.SendWelcomeEmailsResponse{
		Queued: personRefsToProto(res.Queued), Skipped: personRefsToProto(res.Skipped), Warnings: res.Warnings,
	}), nil
}

// addInvited marks the people who ever got a welcome or password email, so "everyone not
// yet invited" can be shown before it is sent.
func (s *DirectoryServer) addInvited(ctx context.Context, people []directory.Person, out []*v1.Person) {
	ids := make([]int64, len(people))
	for i := range people {
		ids[i] = people[i].ID
	}
	invited, err := s.Store.InvitedAmong(ctx, principal(ctx).CompanyID, ids)
	if err != nil {
		s.Log.WarnContext(ctx, "read invitations", "error", err)
		return
	}
	for i := range people {
		out[i].Invited = invited[people[i].ID]
	}
}

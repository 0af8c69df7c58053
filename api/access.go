package api

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/store"
)

// AccessServer implements AccessService: the caller, roles, tokens and the audit log. Who
// may call each RPC is in minimumRole, not here.
type AccessServer struct {
	Store *store.Store
	Log   *slog.Logger
	// Secrets seals the identity provider's client secret.
	Secrets func() (*secrets.Box, error)
}

func (s *AccessServer) fail(ctx context.Context, err error) error {
	return connectError(ctx, s.Log, err)
}

func tokenToProto(t store.Token) *v1.Token {
	return &v1.Token{
		Id: formatID(t.ID), Name: t.Name, Role: string(t.Role), AdminId: formatID(t.AdminID), AdminName: t.AdminName,
		CreatedAt: timestamppb.New(t.CreatedAt), ExpiresAt: optionalTime(t.ExpiresAt),
		LastUsedAt: optionalTime(t.LastUsedAt), RevokedAt: optionalTime(t.RevokedAt),
	}
}

func adminToProto(a store.Admin) *v1.Admin {
	return &v1.Admin{Id: formatID(a.ID), Name: a.Name, Email: a.Email, Role: string(a.Role), CreatedAt: timestamppb.New(a.CreatedAt)}
}

// WhoAmI names the caller.
func (s *AccessServer) WhoAmI(ctx context.Context, _ *connect.Request[v1.WhoAmIRequest]) (*connect.Response[v1.WhoAmIResponse], error) {
	p := principal(ctx)
	return connect.NewResponse(&v1.WhoAmIResponse{
		CompanyId: formatID(p.CompanyID), AdminId: formatID(p.AdminID), Name: p.AdminName, Role: string(p.Role), TokenName: p.TokenName,
	}), nil
}

// roleOrViewer parses a requested role; none asked for is the least one, viewer.
func roleOrViewer(name string) (store.Role, error) {
	if name == "" {
		return store.RoleViewer, nil
	}
	return store.ParseRole(name)
}

// CreateToken makes a token for the caller's account.
func (s *AccessServer) CreateToken(ctx context.Context, req *connect.Request[v1.CreateTokenRequest]) (*connect.Response[v1.CreateTokenResponse], error) {
	role, err := roleOrViewer(req.Msg.Role)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	var lifetime time.Duration
	if d := req.Msg.ExpiresIn; d != nil {
		if err := d.CheckValid(); err != nil || d.AsDuration() <= 0 {
			return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "expires_in must be a positive duration, for example 720h"))
		}
		lifetime = d.AsDuration()
	}
	t, secret, err := s.Store.CreateAPIToken(ctx, principal(ctx), store.NewAPIToken{Name: req.Msg.Name, Role: role, Lifetime: lifetime})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateTokenResponse{Token: tokenToProto(t), Secret: secret}), nil
}

// ListTokens lists the company's tokens.
func (s *AccessServer) ListTokens(ctx context.Context, _ *connect.Request[v1.ListTokensRequest]) (*connect.Response[v1.ListTokensResponse], error) {
	tokens, err := s.Store.ListTokens(ctx, principal(ctx).CompanyID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListTokensResponse{}
	for _, t := range tokens {
		out.Tokens = append(out.Tokens, tokenToProto(t))
	}
	return connect.NewResponse(out), nil
}

// RevokeToken revokes a token of the company.
func (s *AccessServer) RevokeToken(ctx context.Context, req *connect.Request[v1.RevokeTokenRequest]) (*connect.Response[v1.RevokeTokenResponse], error) {
	id, err := parseID("token", req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	t, err := s.Store.RevokeToken(ctx, principal(ctx), id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RevokeTokenResponse{Token: tokenToProto(t)}), nil
}

// ListAdmins lists the company's admins.
func (s *AccessServer) ListAdmins(ctx context.Context, _ *connect.Request[v1.ListAdminsRequest]) (*connect.Response[v1.ListAdminsResponse], error) {
	admins, err := s.Store.ListAdmins(ctx, principal(ctx).CompanyID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListAdminsResponse{}
	for _, a := range admins {
		out.Admins = append(out.Admins, adminToProto(a))
	}
	return connect.NewResponse(out), nil
}

// SetAdminRole changes an admin's role.
func (s *AccessServer) SetAdminRole(ctx context.Context, req *connect.Request[v1.SetAdminRoleRequest]) (*connect.Response[v1.SetAdminRoleResponse], error) {
	id, err := parseID("admin", req.Msg.AdminId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	role, err := store.ParseRole(req.Msg.Role)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	a, err := s.Store.SetAdminRole(ctx, principal(ctx).CompanyID, id, role)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.SetAdminRoleResponse{Admin: adminToProto(a)}), nil
}

// ListAuditEvents reads the company's audit log.
func (s *AccessServer) ListAuditEvents(ctx context.Context, req *connect.Request[v1.ListAuditEventsRequest]) (*connect.Response[v1.ListAuditEventsResponse], error) {
	m := req.Msg
	f := store.AuditFilter{Actor: m.Actor, Action: m.Action, Object: m.Object, Limit: int(m.Limit)}
	if m.Since != nil {
		f.Since = m.Since.AsTime()
	}
	if m.Until != nil {
		f.Until = m.Until.AsTime()
	}
	if m.BeforeId != "" {
		id, err := parseID("audit event", m.BeforeId)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		f.BeforeID = id
	}
	events, err := s.Store.ListAudit(ctx, principal(ctx).CompanyID, f)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListAuditEventsResponse{}
	for _, e := range events {
		out.Events = append(out.Events, &v1.AuditEvent{
			Id: formatID(e.ID), At: timestamppb.New(e.At), Actor: e.Actor, Role: string(e.Role), ClientAddress: e.ClientAddress,
			Action: e.Action, Object: e.Object, Outcome: e.Outcome, DetailJson: string(e.Detail),
		})
	}
	return connect.NewResponse(out), nil
}

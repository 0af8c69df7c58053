package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// accessCommands manage tokens, roles and read the audit log (issue 19).
var accessCommands = []command{
	{name: "whoami", args: "", summary: "show who the token acts as and its role", flags: whoamiFlags},
	{name: "tokens create", args: "NAME [--role viewer|admin|owner] [--expires-in 90d]", summary: "make an API token for a script (shown once)", flags: tokensCreateFlags},
	{name: "tokens list", args: "", summary: "list the company's API tokens, with role, expiry and last use", flags: tokensListFlags},
	{name: "tokens revoke", args: "ID", summary: "refuse a token from now on", flags: tokensRevokeFlags},
	{name: "admins list", args: "", summary: "list the company's admins and their roles", flags: adminsListFlags},
	{name: "admins set-role", args: "ID viewer|admin|owner", summary: "change an admin's role", flags: adminsSetRoleFlags},
	{name: "audit", args: "[--actor A] [--action A] [--object O] [--since 2026-01-02] [--until DATE] [--limit N]", summary: "read the audit log of changes, newest first", flags: auditFlags},
}

func init() { commands = append(commands, accessCommands...) }

func (a *app) accessClient() (staffsyncv1connect.AccessServiceClient, error) {
	token, err := a.credential()
	if err != nil {
		return nil, err
	}
	return staffsyncv1connect.NewAccessServiceClient(&http.Client{Transport: http.DefaultTransport}, baseURL(a.global.addr),
		connect.WithInterceptors(bearerToken(token))), nil
}

func whoamiFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		resp, err := callAccess(ctx, a, "whoami", func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.WhoAmIResponse], error) {
			return cl.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
		})
		if err != nil {
			return err
		}
		m := resp.Msg
		if a.global.json {
			return writeJSON(a.stdout, map[string]string{"company_id": m.CompanyId, "admin_id": m.AdminId, "name": m.Name, "role": m.Role, "token_name": m.TokenName})
		}
		via := "a console session"
		if m.TokenName != "" {
			via = "token " + strconv.Quote(m.TokenName)
		}
		fmt.Fprintf(a.stdout, "%s (admin %s of company %s), role %s, through %s\n", m.Name, m.AdminId, m.CompanyId, m.Role, via)
		return nil
	}
}

// parseLifetime accepts Go durations and whole days ("90d").
func parseLifetime(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(s[:len(s)-1]); err == nil && s[len(s)-1] == 'd' && n > 0 {
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires-in %q: give days like 30d or a duration like 12h", s)
	}
	return d, nil
}

type tokenJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	Admin      string `json:"admin"`
	CreatedAt  string `json:"created_at"`
	ExpiresAt  string `json:"expires_at,omitempty"`
	LastUsedAt string `json:"last_used_at,omitempty"`
	RevokedAt  string `json:"revoked_at,omitempty"`
	Secret     string `json:"secret,omitempty"`
}

func optionalTimestampJSON(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	return timestampJSON(ts)
}

func toTokenJSON(t *v1.Token) tokenJSON {
	return tokenJSON{ID: t.GetId(), Name: t.GetName(), Role: t.GetRole(), Admin: t.GetAdminName(), CreatedAt: timestampJSON(t.GetCreatedAt()),
		ExpiresAt: optionalTimestampJSON(t.GetExpiresAt()), LastUsedAt: optionalTimestampJSON(t.GetLastUsedAt()), RevokedAt: optionalTimestampJSON(t.GetRevokedAt())}
}

func tokensCreateFlags(fs *flag.FlagSet) commandFunc {
	role := fs.String("role", "viewer", "what the token may do: viewer, admin or owner (at most your own role)")
	expires := fs.String("expires-in", "90d", "lifetime: days like 30d or a duration like 12h; at most 366d")
	return func(ctx context.Context, a *app, args []string) error {
		name, err := a.oneArg(args, "token NAME")
		if err != nil {
			return err
		}
		lifetime, err := parseLifetime(*expires)
		if err != nil {
			return usagef(a.cmd, "%v", err)
		}
		resp, err := callAccess(ctx, a, "create token", func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.CreateTokenResponse], error) {
			return cl.CreateToken(ctx, connect.NewRequest(&v1.CreateTokenRequest{Name: name, Role: *role, ExpiresIn: durationpb.New(lifetime)}))
		})
		if err != nil {
			return err
		}
		if a.global.json {
			out := toTokenJSON(resp.Msg.GetToken())
			out.Secret = resp.Msg.GetSecret()
			return writeJSON(a.stdout, out)
		}
		t := resp.Msg.GetToken()
		fmt.Fprintf(a.stdout, "token %s %q (%s) expires %s\nsecret (shown once; store it now): %s\n", t.GetId(), t.GetName(), t.GetRole(), a.formatTime(t.GetExpiresAt()), resp.Msg.GetSecret())
		return nil
	}
}

func tokenState(t *v1.Token) string {
	switch {
	case t.GetRevokedAt() != nil:
		return "revoked"
	case t.GetExpiresAt() != nil && !t.GetExpiresAt().AsTime().After(time.Now()):
		return "expired"
	}
	return "active"
}

func tokensListFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		resp, err := callAccess(ctx, a, "list tokens", func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.ListTokensResponse], error) {
			return cl.ListTokens(ctx, connect.NewRequest(&v1.ListTokensRequest{}))
		})
		if err != nil {
			return err
		}
		if a.global.json {
			out := make([]tokenJSON, 0, len(resp.Msg.GetTokens()))
			for _, t := range resp.Msg.GetTokens() {
				out = append(out, toTokenJSON(t))
			}
			return writeJSON(a.stdout, out)
		}
		tb := &table{header: []string{"ID", "NAME", "ROLE", "ADMIN", "STATE", "EXPIRES", "LAST USED"}}
		for _, t := range resp.Msg.GetTokens() {
			expires := "never"
			if t.GetExpiresAt() != nil {
				expires = a.formatTime(t.GetExpiresAt())
			}
			tb.add([]string{t.GetId(), t.GetName(), t.GetRole(), t.GetAdminName(), tokenState(t), expires, a.formatTime(t.GetLastUsedAt())})
		}
		tb.write(a.stdout)
		return nil
	}
}

func tokensRevokeFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		id, err := a.oneArg(args, "token ID")
		if err != nil {
			return err
		}
		resp, err := callAccess(ctx, a, fmt.Sprintf("revoke token %s", id), func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.RevokeTokenResponse], error) {
			return cl.RevokeToken(ctx, connect.NewRequest(&v1.RevokeTokenRequest{Id: id}))
		})
		if err != nil {
			return err
		}
		if a.global.json {
			return writeJSON(a.stdout, toTokenJSON(resp.Msg.GetToken()))
		}
		fmt.Fprintf(a.stdout, "token %s %q revoked\n", resp.Msg.GetToken().GetId(), resp.Msg.GetToken().GetName())
		return nil
	}
}

func adminsListFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		resp, err := callAccess(ctx, a, "list admins", func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.ListAdminsResponse], error) {
			return cl.ListAdmins(ctx, connect.NewRequest(&v1.ListAdminsRequest{}))
		})
		if err != nil {
			return err
		}
		if a.global.json {
			out := []map[string]string{}
			for _, ad := range resp.Msg.GetAdmins() {
				out = append(out, map[string]string{"id": ad.GetId(), "name": ad.GetName(), "email": ad.GetEmail(), "role": ad.GetRole()})
			}
			return writeJSON(a.stdout, out)
		}
		tb := &table{header: []string{"ID", "NAME", "EMAIL", "ROLE"}}
		for _, ad := range resp.Msg.GetAdmins() {
			tb.add([]string{ad.GetId(), ad.GetName(), ad.GetEmail(), ad.GetRole()})
		}
		tb.write(a.stdout)
		return nil
	}
}

func adminsSetRoleFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) != 2 {
			return usagef(a.cmd, "give the admin ID and the role (viewer, admin or owner)")
		}
		resp, err := callAccess(ctx, a, fmt.Sprintf("set role of admin %s", args[0]), func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.SetAdminRoleResponse], error) {
			return cl.SetAdminRole(ctx, connect.NewRequest(&v1.SetAdminRoleRequest{AdminId: args[0], Role: args[1]}))
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "admin %s %q is now %s\n", resp.Msg.GetAdmin().GetId(), resp.Msg.GetAdmin().GetName(), resp.Msg.GetAdmin().GetRole())
		return nil
	}
}

// parseDay accepts a date (midnight UTC) or an RFC 3339 time.
func parseDay(flagName, s string) (*timestamppb.Timestamp, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return timestamppb.New(t), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, fmt.Errorf("--%s %q: give a date like 2026-01-31 or a time like 2026-01-31T09:00:00Z", flagName, s)
	}
	return timestamppb.New(t), nil
}

func auditFlags(fs *flag.FlagSet) commandFunc {
	actor := fs.String("actor", "", "only events whose actor contains this text")
	action := fs.String("action", "", "only events whose action contains this text, e.g. UpdateIntegration")
	object := fs.String("object", "", "only events whose object contains this text, e.g. integration_id=3")
	since := fs.String("since", "", "only events at or after this date/time")
	until := fs.String("until", "", "only events before this date/time")
	limit := fs.Int("limit", 50, "at most this many events (up to 1000)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		from, err := parseDay("since", *since)
		if err != nil {
			return usagef(a.cmd, "%v", err)
		}
		to, err := parseDay("until", *until)
		if err != nil {
			return usagef(a.cmd, "%v", err)
		}
		resp, err := callAccess(ctx, a, "read the audit log", func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.ListAuditEventsResponse], error) {
			return cl.ListAuditEvents(ctx, connect.NewRequest(&v1.ListAuditEventsRequest{
				Actor: *actor, Action: *action, Object: *object, Since: from, Until: to, Limit: int32(*limit),
			}))
		})
		if err != nil {
			return err
		}
		if a.global.json {
			out := []map[string]string{}
			for _, e := range resp.Msg.GetEvents() {
				out = append(out, map[string]string{"id": e.GetId(), "at": timestampJSON(e.GetAt()), "actor": e.GetActor(), "role": e.GetRole(),
					"client_address": e.GetClientAddress(), "action": e.GetAction(), "object": e.GetObject(), "outcome": e.GetOutcome(), "detail": e.GetDetailJson()})
			}
			return writeJSON(a.stdout, out)
		}
		tb := &table{header: []string{"TIME", "ACTOR", "ROLE", "FROM", "ACTION", "OBJECT", "OUTCOME"}}
		for _, e := range resp.Msg.GetEvents() {
			tb.add([]string{a.formatTime(e.GetAt()), e.GetActor(), e.GetRole(), e.GetClientAddress(), e.GetAction(), e.GetObject(), e.GetOutcome()})
		}
		tb.write(a.stdout)
		return nil
	}
}

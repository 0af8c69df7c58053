package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// Owners configure single sign-on and add the admin accounts it signs in to.
func init() {
	commands = append(commands,
		command{name: "admins create", args: "NAME --email EMAIL [--role viewer|admin|owner]", summary: "add an admin account (single sign-on finds it by email)", flags: adminsCreateFlags},
		command{name: "sso show", args: "", summary: "show the company's identity provider (never its secret)", flags: ssoShowFlags},
		command{name: "sso set", args: "--issuer URL --client-id ID --domain D [--domain ...] [--client-secret-env VAR] [--role-claim groups --map VALUE=ROLE ...] [--name TEXT]", summary: "configure single sign-on through an OpenID Provider", flags: ssoSetFlags},
	)
}

type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func adminsCreateFlags(fs *flag.FlagSet) commandFunc {
	email := fs.String("email", "", "the email the identity provider reports for this person")
	role := fs.String("role", "viewer", "viewer, admin or owner")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) == 0 {
			return usagef(a.cmd, "missing the admin's NAME")
		}
		resp, err := callAccess(ctx, a, "create admin", func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.CreateAdminResponse], error) {
			return cl.CreateAdmin(ctx, connect.NewRequest(&v1.CreateAdminRequest{Name: strings.Join(args, " "), Email: *email, Role: *role}))
		})
		if err != nil {
			return err
		}
		ad := resp.Msg.GetAdmin()
		fmt.Fprintf(a.stdout, "admin %s %q <%s> created with role %s\n", ad.GetId(), ad.GetName(), ad.GetEmail(), ad.GetRole())
		return nil
	}
}

func (a *app) writeSignIn(s *v1.SignInSettings) error {
	if a.global.json {
		return writeJSON(a.stdout, map[string]any{
			"issuer_url": s.GetIssuerUrl(), "client_id": s.GetClientId(), "client_secret": s.GetClientSecretHint(),
			"allowed_email_domains": s.GetAllowedEmailDomains(), "role_claim": s.GetRoleClaim(), "role_mapping": s.GetRoleMapping(), "display_name": s.GetDisplayName(),
		})
	}
	fmt.Fprintf(a.stdout, "issuer:         %s\nclient id:      %s\nclient secret:  %s\nemail domains:  %s\n",
		s.GetIssuerUrl(), s.GetClientId(), orDash(s.GetClientSecretHint()), strings.Join(s.GetAllowedEmailDomains(), ", "))
	if s.GetRoleClaim() == "" {
		fmt.Fprintln(a.stdout, "roles:          each admin's own role")
	} else {
		var pairs []string
		for k, v := range s.GetRoleMapping() {
			pairs = append(pairs, k+" -> "+v)
		}
		sort.Strings(pairs)
		fmt.Fprintf(a.stdout, "roles:          from claim %q: %s\n", s.GetRoleClaim(), strings.Join(pairs, ", "))
	}
	fmt.Fprintf(a.stdout, "button:         Sign in with %s\n", orDash(s.GetDisplayName()))
	return nil
}

func ssoShowFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		resp, err := callAccess(ctx, a, "read sign-in settings", func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.GetSignInSettingsResponse], error) {
			return cl.GetSignInSettings(ctx, connect.NewRequest(&v1.GetSignInSettingsRequest{}))
		})
		if err != nil {
			return err
		}
		if resp.Msg.GetSettings() == nil {
			fmt.Fprintln(a.stdout, "no identity provider: admins sign in with API tokens; configure one with `staffsyncctl sso set`")
			return nil
		}
		return a.writeSignIn(resp.Msg.GetSettings())
	}
}

func ssoSetFlags(fs *flag.FlagSet) commandFunc {
	issuer := fs.String("issuer", "", "the provider's issuer URL (https)")
	clientID := fs.String("client-id", "", "the client id the provider gave staffsync")
	secretEnv := fs.String("client-secret-env", "", "name of the environment variable holding the client secret (kept out of shell history); unset keeps the stored one")
	roleClaim := fs.String("role-claim", "", "claim whose values give roles, e.g. groups; empty keeps each admin's own role")
	name := fs.String("name", "", "what the console's sign-in button says, e.g. Okta")
	var domains, mapping repeated
	fs.Var(&domains, "domain", "an email domain allowed to sign in (repeat)")
	fs.Var(&mapping, "map", "VALUE=ROLE: a claim value and the role it gives (repeat)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		settings := &v1.SignInSettings{IssuerUrl: *issuer, ClientId: *clientID, AllowedEmailDomains: domains, RoleClaim: *roleClaim, DisplayName: *name, RoleMapping: map[string]string{}}
		for _, m := range mapping {
			k, v, ok := strings.Cut(m, "=")
			if !ok {
				return usagef(a.cmd, "--map %q: give VALUE=ROLE", m)
			}
			settings.RoleMapping[k] = v
		}
		secret := ""
		if *secretEnv != "" {
			if secret = a.env(*secretEnv); secret == "" {
				return usagef(a.cmd, "the environment variable %s is empty", *secretEnv)
			}
		}
		resp, err := callAccess(ctx, a, "set sign-in settings", func(ctx context.Context, cl accessClientAPI) (*connect.Response[v1.SetSignInSettingsResponse], error) {
			return cl.SetSignInSettings(ctx, connect.NewRequest(&v1.SetSignInSettingsRequest{Settings: settings, ClientSecret: secret}))
		})
		if err != nil {
			return err
		}
		return a.writeSignIn(resp.Msg.GetSettings())
	}
}

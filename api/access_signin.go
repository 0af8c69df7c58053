package api

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sort"
	"strings"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/store"
)

// CreateAdmin adds an admin account to the caller's company.
func (s *AccessServer) CreateAdmin(ctx context.Context, req *connect.Request[v1.CreateAdminRequest]) (*connect.Response[v1.CreateAdminResponse], error) {
	role, err := roleOrViewer(req.Msg.Role)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	a, err := s.Store.CreateAdmin(ctx, principal(ctx).CompanyID, req.Msg.Name, req.Msg.Email, role)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateAdminResponse{Admin: adminToProto(a)}), nil
}

func signInToProto(c store.OIDCConfig) *v1.SignInSettings {
	out := &v1.SignInSettings{
		IssuerUrl: c.IssuerURL, ClientId: c.ClientID, ClientSecretHint: c.SecretHint, AllowedEmailDomains: c.AllowedDomains,
		RoleClaim: c.RoleClaim, RoleMapping: map[string]string{}, DisplayName: c.DisplayName,
	}
	for k, r := range c.RoleMapping {
		out.RoleMapping[k] = string(r)
	}
	return out
}

// GetSignInSettings returns the company's identity provider without its secret.
func (s *AccessServer) GetSignInSettings(ctx context.Context, _ *connect.Request[v1.GetSignInSettingsRequest]) (*connect.Response[v1.GetSignInSettingsResponse], error) {
	c, err := s.Store.GetOIDCConfig(ctx, principal(ctx).CompanyID)
	if err != nil && !isNotFound(err) {
		return nil, s.fail(ctx, err)
	}
	out := &v1.GetSignInSettingsResponse{}
	if err == nil {
		out.Settings = signInToProto(c)
	}
	return connect.NewResponse(out), nil
}

func isNotFound(err error) bool { return errors.Is(err, directory.ErrNotFound) }

// SetSignInSettings checks and stores the company's identity provider; the client secret is
// sealed and only a hint of it is kept readable.
func (s *AccessServer) SetSignInSettings(ctx context.Context, req *connect.Request[v1.SetSignInSettingsRequest]) (*connect.Response[v1.SetSignInSettingsResponse], error) {
	p := principal(ctx)
	c, err := signInFromProto(p.CompanyID, req.Msg.GetSettings())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if secret := req.Msg.ClientSecret; secret != "" {
		if len(secret) > 1000 {
			return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "the client secret has at most 1000 characters"))
		}
		box, err := s.Secrets()
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		if c.SecretSealed, err = box.Seal([]byte(secret), store.OIDCSecretAAD(p.CompanyID)); err != nil {
			return nil, s.fail(ctx, err)
		}
		c.SecretHint = secrets.Hint(secret)
	}
	saved, err := s.Store.SetOIDCConfig(ctx, c)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.SetSignInSettingsResponse{Settings: signInToProto(saved)}), nil
}

// signInFromProto validates settings: an https issuer (http only on loopback, for local
// providers), a client id, at least one email domain and roles that exist.
func signInFromProto(companyID int64, in *v1.SignInSettings) (store.OIDCConfig, error) {
	if in == nil {
		return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "send the settings")
	}
	u, err := url.Parse(strings.TrimSpace(in.IssuerUrl))
	if err != nil || u.Host == "" || len(in.IssuerUrl) > 500 || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "issuer_url %q must be the provider's https URL, exactly as its discovery document names it", in.IssuerUrl)
	}
	c := store.OIDCConfig{
		CompanyID: companyID, IssuerURL: strings.TrimSpace(in.IssuerUrl), ClientID: strings.TrimSpace(in.ClientId),
		RoleClaim: strings.TrimSpace(in.RoleClaim), RoleMapping: map[string]store.Role{}, DisplayName: strings.TrimSpace(in.DisplayName),
	}
	if c.ClientID == "" || len(c.ClientID) > 300 {
		return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "client_id is required (at most 300 characters): the id the provider gave staffsync")
	}
	if len(c.RoleClaim) > 100 || len(c.DisplayName) > 100 {
		return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "role_claim and display_name have at most 100 characters")
	}
	if len(in.AllowedEmailDomains) == 0 || len(in.AllowedEmailDomains) > 50 {
		return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "give between 1 and 50 allowed email domains, for example example.com")
	}
	for _, d := range in.AllowedEmailDomains {
		d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
		if d == "" || len(d) > 253 || strings.ContainsAny(d, "@/ ") || !strings.Contains(d, ".") && d != "localhost" {
			return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "%q is not an email domain", d)
		}
		c.AllowedDomains = append(c.AllowedDomains, d)
	}
	sort.Strings(c.AllowedDomains)
	if len(in.RoleMapping) > 100 {
		return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "map at most 100 claim values to roles")
	}
	for k, v := range in.RoleMapping {
		r, err := store.ParseRole(v)
		if err != nil || k == "" || len(k) > 200 {
			return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "role_mapping %q -> %q: map a claim value to owner, admin or viewer", k, v)
		}
		c.RoleMapping[k] = r
	}
	if c.RoleClaim != "" && len(c.RoleMapping) == 0 {
		return store.OIDCConfig{}, directory.Errorf(directory.ErrInvalid, "role_claim %q needs a role_mapping, or nobody could sign in", c.RoleClaim)
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

-- Issue 19: roles, expiring named tokens and an audit log.
-- Every admin and token that existed before had full rights, so both start as owner:
-- nothing that worked stops working.
ALTER TABLE admins ADD COLUMN role text NOT NULL DEFAULT 'owner'
    CHECK (role IN ('owner', 'admin', 'viewer'));

-- A token acts with the lower of its own role and its admin's role. expires_at NULL means
-- no expiry (tokens made before this migration and by the operator's `staffsync admin`).
ALTER TABLE api_tokens
    ADD COLUMN name         text NOT NULL DEFAULT '',
    ADD COLUMN role         text NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'admin', 'viewer')),
    ADD COLUMN expires_at   timestamptz,
    ADD COLUMN last_used_at timestamptz,
    ADD COLUMN revoked_at   timestamptz,
    ADD COLUMN revoked_by   bigint REFERENCES admins(id) ON DELETE SET NULL;
UPDATE api_tokens t SET name = a.name FROM admins a WHERE a.id = t.admin_id;
CREATE INDEX api_tokens_admin_idx ON api_tokens (admin_id);

-- Every change an admin makes. Rows are never updated; kept at least a year (no automatic
-- deletion; see docs/decisions.md, Issue 19). actor is the person's or the token's name as it
-- was at the time, so renaming or deleting an admin does not rewrite history.
CREATE TABLE audit_events (
    id             bigserial PRIMARY KEY,
    company_id     bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    at             timestamptz NOT NULL DEFAULT now(),
    actor          text NOT NULL,
    admin_id       bigint REFERENCES admins(id) ON DELETE SET NULL,
    token_id       bigint REFERENCES api_tokens(id) ON DELETE SET NULL,
    role           text NOT NULL,
    client_address text NOT NULL DEFAULT '',
    action         text NOT NULL,
    object         text NOT NULL DEFAULT '',
    outcome        text NOT NULL,
    detail         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_company_idx ON audit_events (company_id, id DESC);

-- Single sign-on: one OpenID Provider per company. The client secret is sealed with the
-- server's secret key (AAD = company) like integration secrets, and never returned.
CREATE TABLE oidc_configs (
    company_id            bigint PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    issuer_url            text NOT NULL,
    client_id             text NOT NULL,
    client_secret_sealed  bytea,
    client_secret_hint    text NOT NULL DEFAULT '',
    allowed_email_domains text[] NOT NULL DEFAULT '{}',
    role_claim            text NOT NULL DEFAULT '',
    role_mapping          jsonb NOT NULL DEFAULT '{}',
    display_name          text NOT NULL DEFAULT '',
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX admins_email_key ON admins (company_id, lower(email)) WHERE email <> '';

-- A sign-in on its way through the provider: state (hashed), nonce and PKCE verifier,
-- single use, for 10 minutes.
CREATE TABLE oidc_logins (
    state_hash    bytea PRIMARY KEY,
    company_id    bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    return_to     text NOT NULL DEFAULT '/',
    expires_at    timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expiry_idx ON oidc_logins (expires_at);

-- Console sessions: the cookie holds a random token (hashed here), the CSRF token the
-- console echoes in a header is hashed too. Idle and absolute expiry are enforced on use.
CREATE TABLE console_sessions (
    id           bigserial PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE,
    csrf_hash    bytea NOT NULL,
    admin_id     bigint NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX console_sessions_admin_idx ON console_sessions (admin_id);

-- `staffsyncctl login`: the sign-in names the CLI's loopback redirect and a PKCE challenge;
-- after the provider, the CLI gets a one-time code (2 minutes) that only the holder of the
-- challenge's verifier can swap for a short-lived API token.
ALTER TABLE oidc_logins
    ADD COLUMN cli_redirect  text NOT NULL DEFAULT '',
    ADD COLUMN cli_challenge text NOT NULL DEFAULT '';
CREATE TABLE cli_login_codes (
    code_hash  bytea PRIMARY KEY,
    admin_id   bigint NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
    challenge  text NOT NULL,
    expires_at timestamptz NOT NULL
);

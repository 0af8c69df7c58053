-- Managed integrations: a source that keeps the directory in step by itself. Secrets are
-- AES-256-GCM sealed by the secrets package (the database never sees plaintext);
-- secret_hints keeps what the API may show of each ("set, ends in WXYZ").
CREATE TABLE integrations (
    id                   bigserial PRIMARY KEY,
    company_id           bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    kind                 text NOT NULL,
    name                 text NOT NULL,
    settings             jsonb NOT NULL DEFAULT '{}',
    secrets              bytea,
    secret_hints         jsonb NOT NULL DEFAULT '{}',
    interval_seconds     bigint NOT NULL,
    options              jsonb NOT NULL,
    auto_apply           boolean NOT NULL DEFAULT false,
    -- Safety guard limits also live in options; these columns are what the admin set.
    max_deactivations    integer NOT NULL DEFAULT 0,
    max_manager_changes  integer NOT NULL DEFAULT 0,
    -- active, paused or failing; awaiting_approval is derived from the current run's import.
    state                text NOT NULL DEFAULT 'active',
    paused_reason        text NOT NULL DEFAULT '',
    last_error           text NOT NULL DEFAULT '',
    consecutive_failures integer NOT NULL DEFAULT 0,
    current_import_id    bigint REFERENCES imports(id) ON DELETE SET NULL,
    -- The workflow run that created current_import_id: a retried fetch finds its import again.
    current_run_key      text NOT NULL DEFAULT '',
    last_import_id       bigint REFERENCES imports(id) ON DELETE SET NULL,
    last_result          text NOT NULL DEFAULT '',
    last_run_at          timestamptz,
    next_run_at          timestamptz,
    -- What the last imported file looked like (ETag/Last-Modified, or name/size/mtime/hash),
    -- so an unchanged file is not imported again.
    last_fingerprint     text NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, name)
);
CREATE INDEX integrations_company_idx ON integrations (company_id, id);
-- A hosted SFTP drop user name is unique across all companies: it is the login.
CREATE UNIQUE INDEX integrations_drop_user_key ON integrations ((settings->>'user')) WHERE kind = 'sftp-drop';

-- Files uploaded to a hosted SFTP drop. Only complete uploads are stored; import_id is set
-- once a run has imported the file.
CREATE TABLE integration_drop_files (
    integration_id bigint NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    name           text NOT NULL,
    content        bytea NOT NULL,
    size           bigint NOT NULL,
    sha256         bytea NOT NULL,
    uploaded_at    timestamptz NOT NULL DEFAULT now(),
    import_id      bigint REFERENCES imports(id) ON DELETE SET NULL,
    PRIMARY KEY (integration_id, name)
);

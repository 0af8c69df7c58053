-- Companies are tenants. directory_version increases with every change to the company's
-- people; a preview records it and the apply refuses a stale one.
CREATE TABLE companies (
    id                bigserial PRIMARY KEY,
    name              text NOT NULL,
    directory_version bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- Admins act through API tokens; only a SHA-256 of the token is kept.
CREATE TABLE admins (
    id         bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name       text NOT NULL,
    email      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id         bigserial PRIMARY KEY,
    admin_id   bigint NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The directory. Text fields are '' when empty so comparisons stay simple; dates are NULL.
CREATE TABLE people (
    id                   bigserial PRIMARY KEY,
    company_id           bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    first_name           text NOT NULL,
    last_name            text NOT NULL,
    gender               text NOT NULL DEFAULT '',
    title                text NOT NULL DEFAULT '',
    email                text NOT NULL,
    manager_id           bigint REFERENCES people(id) ON DELETE SET NULL,
    department           text NOT NULL DEFAULT '',
    team                 text NOT NULL DEFAULT '',
    location             text NOT NULL DEFAULT '',
    employee_id          text NOT NULL DEFAULT '',
    hire_date            date,
    alt_email            text NOT NULL DEFAULT '',
    secondary_manager_id bigint REFERENCES people(id) ON DELETE SET NULL,
    preferred_name       text NOT NULL DEFAULT '',
    leaving_date         date,
    termination_type     text NOT NULL DEFAULT '',
    employment_type      text NOT NULL DEFAULT '',
    active               boolean NOT NULL DEFAULT true,
    protected            boolean NOT NULL DEFAULT false,
    source_id            text NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
-- A login email is unique across all companies.
CREATE UNIQUE INDEX people_email_key ON people (lower(email));
CREATE UNIQUE INDEX people_employee_id_key ON people (company_id, employee_id) WHERE employee_id <> '';
CREATE INDEX people_company_idx ON people (company_id, last_name, first_name, id);

CREATE TABLE imports (
    id                bigserial PRIMARY KEY,
    company_id        bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    source            text NOT NULL,
    file_name         text NOT NULL DEFAULT '',
    created_by        bigint REFERENCES admins(id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    status            text NOT NULL,
    options           jsonb NOT NULL,
    rows_total        integer NOT NULL DEFAULT 0,
    file_warnings     text[] NOT NULL DEFAULT '{}',
    error_message     text NOT NULL DEFAULT '',
    preview_version   bigint NOT NULL DEFAULT 0,
    directory_version bigint NOT NULL DEFAULT 0,
    summary           jsonb NOT NULL DEFAULT '{}',
    guard_tripped     boolean NOT NULL DEFAULT false,
    guard_reason      text NOT NULL DEFAULT '',
    decided_by        bigint REFERENCES admins(id) ON DELETE SET NULL,
    decided_at        timestamptz,
    reject_reason     text NOT NULL DEFAULT '',
    applied_at        timestamptz
);
CREATE INDEX imports_company_idx ON imports (company_id, id DESC);

CREATE TABLE import_files (
    import_id bigint PRIMARY KEY REFERENCES imports(id) ON DELETE CASCADE,
    content   bytea NOT NULL,
    size      bigint NOT NULL,
    sha256    bytea NOT NULL
);

-- Parsed rows. A cell is NULL when blank (keep the stored value); bit i of clear_mask set
-- means column i was a dash (clear it).
CREATE TABLE import_rows (
    import_id         bigint NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    row_no            integer NOT NULL,
    source_id         text NOT NULL DEFAULT '',
    manager_source_id text NOT NULL DEFAULT '',
    clear_mask        integer NOT NULL DEFAULT 0,
    cells             text[] NOT NULL,
    problems          jsonb,
    PRIMARY KEY (import_id, row_no)
);

-- The preview: one row per file row and per person not in the file that the import touches.
CREATE TABLE import_changes (
    import_id       bigint NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    seq             integer NOT NULL,
    row_no          integer NOT NULL,
    person_id       bigint,
    email           text NOT NULL,
    name            text NOT NULL,
    kind            text NOT NULL,
    reason_code     text NOT NULL,
    reason          text NOT NULL,
    fields          jsonb,
    errors          jsonb,
    warnings        jsonb,
    after           text[],
    source_id       text NOT NULL DEFAULT '',
    manager_changed boolean NOT NULL DEFAULT false,
    PRIMARY KEY (import_id, seq)
);
CREATE INDEX import_changes_kind_idx ON import_changes (import_id, kind, seq);

-- Every change of every person: one row per person and import (or admin action), with each
-- field's old and new value in changes ([{"field","old","new"}]). Never rewritten.
CREATE TABLE people_history (
    id         bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    person_id  bigint REFERENCES people(id) ON DELETE SET NULL,
    import_id  bigint REFERENCES imports(id) ON DELETE SET NULL,
    admin_id   bigint REFERENCES admins(id) ON DELETE SET NULL,
    kind       text NOT NULL,
    changes    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_history_person_idx ON people_history (person_id, id);
CREATE INDEX people_history_import_idx ON people_history (import_id);

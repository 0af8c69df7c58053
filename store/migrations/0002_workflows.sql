-- Import progress and automatic decisions (issue 5).
-- decided_by_system names a decision no admin made, e.g. "scheduled sync" for an
-- auto-approved integration run.
ALTER TABLE imports ADD COLUMN decided_by_system text NOT NULL DEFAULT '';

-- Progress of the running phase (parsing, planning, applying), written by the worker every
-- few thousand rows. A table of its own, without a foreign key: parsing holds FOR UPDATE on
-- the imports row for the whole COPY, and a foreign key check would wait for that lock.
CREATE TABLE import_progress (
    import_id      bigint PRIMARY KEY,
    phase          text NOT NULL,
    rows_processed integer NOT NULL DEFAULT 0,
    rows_total     integer NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Minimal cycles: objectives cycles (open_to_everyone: new people join automatically) and
-- review / 360 cycles whose participants have a reviewer (by default their manager).
CREATE TABLE cycles (
    id               bigserial PRIMARY KEY,
    company_id       bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name             text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('objectives', 'review', '360')),
    open             boolean NOT NULL DEFAULT true,
    open_to_everyone boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cycles_company_idx ON cycles (company_id, id);

CREATE TABLE cycle_participants (
    cycle_id    bigint NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    person_id   bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    reviewer_id bigint REFERENCES people(id) ON DELETE SET NULL,
    import_id   bigint REFERENCES imports(id) ON DELETE SET NULL,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, person_id)
);

-- Emails to send. idempotency_key makes queueing repeatable (one email per person and
-- import); sent_at is set once the mail server accepted it.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    company_id      bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    import_id       bigint REFERENCES imports(id) ON DELETE SET NULL,
    person_id       bigint REFERENCES people(id) ON DELETE SET NULL,
    idempotency_key text NOT NULL UNIQUE,
    kind            text NOT NULL,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    sent_at         timestamptz
);
CREATE INDEX outbox_unsent_idx ON outbox (import_id) WHERE sent_at IS NULL;

-- Lean bulk paths (issues 4 and 9): a 100,000-person import must preview in seconds and
-- apply with a few set-based statements. Measured on the 2-core machine, per 100,000 rows:
-- a foreign-key check costs about 0.5 s per constrained column, the jsonb history of a new
-- person built in SQL about 5 s, and reading 18 values out of a text[] about 0.4 s.

-- Uploaded files are already compressed (XLSX) or compress poorly next to their size; pglz
-- on a 17 MB file costs more than it saves.
ALTER TABLE import_files ALTER COLUMN content SET STORAGE EXTERNAL;

-- Preview rows are written and read only through their import, which is never deleted
-- while they exist; the per-row foreign-key check and the kind index cost more than half
-- of the preview's COPY. Paging by kind scans one import's rows in seq order instead.
ALTER TABLE import_changes DROP CONSTRAINT import_changes_import_id_fkey;
DROP INDEX import_changes_kind_idx;
-- Reporting lines are resolved to ids with the preview (new people get their ids then), so
-- the apply inserts and updates people without joining on emails. The directory version
-- check of the apply guarantees the ids still name the same people.
ALTER TABLE import_changes ADD COLUMN manager_id bigint;
ALTER TABLE import_changes ADD COLUMN secondary_manager_id bigint;
-- A person's values after the change, joined with the unit separator U+001F (which the
-- planner refuses in values): one text is copied 40% faster than a text[] of 18.
ALTER TABLE import_changes ALTER COLUMN after TYPE text USING array_to_string(after, E'\x1f');

-- Reporting lines and the company of a person are written by code that resolved them
-- against the same company's directory under the company lock; deleting a person clears
-- the reporting lines that pointed at them (DeletePerson) in the same transaction.
ALTER TABLE people DROP CONSTRAINT people_company_id_fkey;
ALTER TABLE people DROP CONSTRAINT people_manager_id_fkey;
ALTER TABLE people DROP CONSTRAINT people_secondary_manager_id_fkey;

-- History is an audit log: its rows outlive the people, imports and admins they name
-- (DeletePerson moves person_id to former_person_id itself), and companies are never
-- deleted.
ALTER TABLE people_history DROP CONSTRAINT people_history_company_id_fkey;
ALTER TABLE people_history DROP CONSTRAINT people_history_person_id_fkey;
ALTER TABLE people_history DROP CONSTRAINT people_history_import_id_fkey;
ALTER TABLE people_history DROP CONSTRAINT people_history_admin_id_fkey;

-- A person created by an import keeps the values they were created with in created (the
-- preview's after: every field in the template's column order, joined with U+001F) instead
-- of a [{"field","old","new"}] array: copying the preview's text is cheap, building jsonb
-- per person is not. Readers see both through staffsync_history_changes.
ALTER TABLE people_history ADD COLUMN created text;

-- staffsync_created_changes is the changes array of a person created with these values:
-- every non-empty value, old value '', in field order. It is what the planner lists for a
-- new person (directory.CreatedFields), which a store test checks.
CREATE FUNCTION staffsync_created_changes(created text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('field', k.key, 'old', '', 'new', v.value) ORDER BY v.ord), '[]'::jsonb)
    FROM unnest(string_to_array(created, E'\x1f')) WITH ORDINALITY AS v(value, ord)
    JOIN unnest(ARRAY['first_name', 'last_name', 'gender', 'title', 'email', 'manager_email', 'department', 'team',
        'location', 'employee_id', 'hire_date', 'alt_email', 'secondary_manager_email', 'preferred_name',
        'leaving_date', 'termination_type', 'employment_type', 'status']) WITH ORDINALITY AS k(key, ord) ON k.ord = v.ord
    WHERE v.value <> ''
$$;

-- staffsync_history_changes is a history row's changes, whichever way they are stored.
CREATE FUNCTION staffsync_history_changes(changes jsonb, created text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN created IS NULL THEN changes ELSE staffsync_created_changes(created) END
$$;

-- Progress is a hint for watchers, written every few thousand rows: without WAL its commits
-- do not wait for a disk flush. A crash forgets it, and the next write brings it back.
ALTER TABLE import_progress SET UNLOGGED;

-- Directory management outside imports, history and revert (issue 8).

-- merged_into is the account a person was merged into (MergePeople); the destination's
-- history also lists the history of every account merged into it.
ALTER TABLE people ADD COLUMN merged_into bigint REFERENCES people(id) ON DELETE SET NULL;
CREATE INDEX people_manager_idx ON people (manager_id) WHERE manager_id IS NOT NULL;
CREATE INDEX people_secondary_manager_idx ON people (secondary_manager_id) WHERE secondary_manager_id IS NOT NULL;
CREATE INDEX people_merged_into_idx ON people (merged_into) WHERE merged_into IS NOT NULL;

-- Deleting a person erases their personal data. Their history rows keep the kind, time,
-- actor and the names of the fields that changed, but lose the values (erased); the former
-- person id stays so the rows and the 'deleted' tombstone still belong together.
ALTER TABLE people_history ADD COLUMN former_person_id bigint;
ALTER TABLE people_history ADD COLUMN erased boolean NOT NULL DEFAULT false;
CREATE INDEX people_history_former_person_idx ON people_history (former_person_id) WHERE former_person_id IS NOT NULL;

-- A revert is a new import that names the import it undoes.
ALTER TABLE imports ADD COLUMN reverts_import_id bigint REFERENCES imports(id) ON DELETE SET NULL;
CREATE INDEX imports_reverts_idx ON imports (reverts_import_id) WHERE reverts_import_id IS NOT NULL;

-- staffsync_scrub_changes replaces every old or new value equal to value (case-insensitive)
-- in a [{"field","old","new"}] array with replacement. Deleting a person uses it to take
-- their email out of other people's history and previews.
CREATE FUNCTION staffsync_scrub_changes(changes jsonb, value text, replacement text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_agg(
        CASE WHEN lower(e->>'old') = lower(value) OR lower(e->>'new') = lower(value) THEN
            e || jsonb_build_object(
                'old', CASE WHEN lower(e->>'old') = lower(value) THEN replacement ELSE e->>'old' END,
                'new', CASE WHEN lower(e->>'new') = lower(value) THEN replacement ELSE e->>'new' END)
        ELSE e END ORDER BY ord), '[]'::jsonb)
    FROM jsonb_array_elements(changes) WITH ORDINALITY AS x(e, ord)
$$;

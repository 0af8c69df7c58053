-- Issue 20: an HR admin's everyday work.

-- A company's import configuration: the options an upload uses when it names none.
CREATE TABLE import_defaults (
    company_id bigint PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    options    jsonb NOT NULL,
    updated_by bigint REFERENCES admins(id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Where an import's options came from ("request", "company_defaults", "built_in"; '' for
-- imports from before), and the preview's hints (unknown managers, uncommon domains,
-- possible duplicates) as a JSON array.
ALTER TABLE imports
    ADD COLUMN options_source text NOT NULL DEFAULT '',
    ADD COLUMN hints jsonb NOT NULL DEFAULT '[]';

-- Scheduled runs are a deliberate step: integrations made from now on start with them off.
-- Existing integrations keep running as they did. show_photos: BambooHR employee photos.
ALTER TABLE integrations
    ADD COLUMN automatic_runs boolean NOT NULL DEFAULT true,
    ADD COLUMN show_photos boolean NOT NULL DEFAULT false;
ALTER TABLE integrations ALTER COLUMN automatic_runs SET DEFAULT false;

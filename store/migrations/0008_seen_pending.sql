-- Issue 17: HR syncs you can trust.

-- A record the source sent but that cannot be imported (no work email, invalid email,
-- identity conflict): the source's admin-facing reason. The planner shows it as an error row
-- and counts the person it matches as seen, so they are never deactivated as missing.
ALTER TABLE import_rows ADD COLUMN skip text NOT NULL DEFAULT '';

-- A pending person has not started yet (hire date in the future, option
-- activate_on_hire_date): not active, so not billable, in no cycle and sent no password
-- email; the first sync on or after the hire date activates them. Their start date is their
-- hire_date. Activating someone by any path ends pending.
ALTER TABLE people ADD COLUMN pending boolean NOT NULL DEFAULT false;
ALTER TABLE people ADD CONSTRAINT people_pending_not_active CHECK (NOT (pending AND active));

CREATE FUNCTION staffsync_people_end_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active THEN
        NEW.pending := false;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER people_end_pending BEFORE UPDATE OF active ON people
    FOR EACH ROW WHEN (NEW.active AND OLD.pending) EXECUTE FUNCTION staffsync_people_end_pending();

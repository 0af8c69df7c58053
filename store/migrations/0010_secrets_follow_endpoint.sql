-- Secrets stay with their endpoint: when an admin changes where an integration connects
-- without entering its secrets again, the stored secrets are dropped and their names kept
-- here. The integration cannot run (it is paused) until they are entered again.
ALTER TABLE integrations ADD COLUMN secrets_needed text[] NOT NULL DEFAULT '{}';

-- When the current preview was stored: an import waiting for approval expires its approval
-- timeout (in its options) after that, and admins are shown the deadline.
ALTER TABLE imports ADD COLUMN previewed_at timestamptz;

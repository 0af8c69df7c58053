-- Login emails are unique across companies, so a preview looks up which of its new emails
-- another company already uses. Most companies have domains no other company shares: the
-- preview first asks which of the file's few domains are shared, using this index, and
-- looks up single emails only for those (issue 4: the lookup of 100,000 emails cost 0.2 s).
CREATE INDEX people_email_domain ON people (split_part(lower(email), '@', -1), company_id);

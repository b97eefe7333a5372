-- Candidate surveys: when they go out after the interview, and the up-to-five questions a tenant asks besides the
-- 0–10 pulse. Without questions of its own a tenant asks none (the pulse and a comment only).
ALTER TABLE tenants ADD COLUMN survey_delay_minutes integer NOT NULL DEFAULT 120 CHECK (survey_delay_minutes BETWEEN 0 AND 10080);

CREATE TABLE survey_questions (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  position   integer NOT NULL CHECK (position BETWEEN 1 AND 5),
  text       text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 100),
  kind       text NOT NULL DEFAULT 'rating' CHECK (kind IN ('rating', 'text')),
  PRIMARY KEY (tenant_id, position)
);

-- Retention purge (PIPL Art. 19, 47): what each tenant's retention policy no longer allows is deleted or anonymised
-- by a nightly run, and every deletion leaves a record. Deletion records name objects by id only (never a name, a
-- phone or a text), so they can be kept as the evidence that the purge happened.

-- One row per real purge run (dry runs write nothing). Several instances may run at once: rows are claimed with
-- FOR ... SKIP LOCKED batch by batch, so each run records only what it processed itself.
CREATE TABLE purge_runs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  counts       jsonb,
  error        text,
  CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX purge_runs_started_idx ON purge_runs (started_at DESC);

CREATE TABLE deletion_records (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The record outlives its tenant, like the audit trail.
  tenant_id    uuid REFERENCES tenants (id) ON DELETE SET NULL,
  run_id       uuid REFERENCES purge_runs (id),
  -- A retention class, or candidate_data: a candidate anonymised on their own request, whatever their applications.
  data_class   text NOT NULL
    CHECK (data_class IN ('raw_audio', 'rejected_candidate_data', 'audit_events', 'transcripts', 'candidate_data')),
  object_type  text NOT NULL CHECK (object_type IN ('candidate', 'interview', 'audit_events')),
  object_id    text,
  action       text NOT NULL CHECK (action IN ('deleted', 'anonymised')),
  row_count    integer NOT NULL CHECK (row_count >= 0),
  -- The policy that applied; null for a data-subject request, which does not depend on one.
  retain_days  integer CHECK (retain_days BETWEEN 1 AND 3650),
  reason       text NOT NULL CHECK (reason IN ('retention', 'data_request')),
  -- Rows per table, e.g. {"interview_audio": 12, "sessions": 1}: counts only.
  details      jsonb NOT NULL DEFAULT '{}',
  at           timestamptz NOT NULL,
  CHECK (reason <> 'retention' OR (run_id IS NOT NULL AND retain_days IS NOT NULL)),
  CHECK (object_type = 'audit_events' OR object_id IS NOT NULL)
);
CREATE INDEX deletion_records_tenant_idx ON deletion_records (tenant_id, at);
CREATE INDEX deletion_records_object_idx ON deletion_records (object_type, object_id);
CREATE INDEX deletion_records_run_idx ON deletion_records (run_id) WHERE run_id IS NOT NULL;

-- Append-only like audit_events: the one change accepted is ON DELETE SET NULL of a deleted tenant; DELETE only
-- inside the purge (hb_purge_allowed).
CREATE FUNCTION hb_deletion_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.tenant_id IS NOT NULL AND NEW.tenant_id IS NULL
     AND to_jsonb(NEW) - 'tenant_id' = to_jsonb(OLD) - 'tenant_id'
     AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND hb_purge_allowed() THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'deletion_records is append-only: % refused', lower(TG_OP)
    USING ERRCODE = 'HB001', HINT = 'Write a new record instead.';
END;
$$;
CREATE TRIGGER deletion_records_append_only BEFORE UPDATE OR DELETE ON deletion_records
  FOR EACH ROW EXECUTE FUNCTION hb_deletion_records_append_only();

-- What the purge looks up. A candidate's applications and interviews, the open requests that hold a candidate back,
-- signed-off interviews, and the corrections removed with their segments (the cascade looks them up by segment).
CREATE INDEX applications_candidate_idx ON applications (candidate_id, stage_changed_at);
CREATE INDEX interviews_application_idx ON interviews (application_id);
CREATE INDEX interviews_signed_off_idx ON interviews (tenant_id, transcript_signed_off_at) WHERE transcript_signed_off_at IS NOT NULL;
CREATE INDEX interviews_ends_idx ON interviews (tenant_id, ends_at) WHERE ends_at IS NOT NULL;
CREATE INDEX transcript_corrections_segment_idx ON transcript_corrections (segment_id);
CREATE INDEX data_requests_open_candidate_idx ON data_requests (candidate_id) WHERE status = 'open';
CREATE INDEX candidates_retention_idx ON candidates (tenant_id, id) WHERE anonymised_at IS NULL AND NOT talent_pool;

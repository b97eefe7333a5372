-- Identity and the privacy core (PIPL): candidate sessions beside employee ones, invitation tokens, HR department
-- scopes, field encryption with key ids, rate-limit counters, web-login states, consent-gated audio and transcripts,
-- and data-subject requests.

-- Sessions belong to exactly one employee or one candidate. A candidate session made from an invitation token is
-- limited to that invitation. Idle timeout is per session (set from the role when it is made).
ALTER TABLE sessions ALTER COLUMN employee_id DROP NOT NULL;
ALTER TABLE sessions
  ADD COLUMN candidate_id uuid,
  ADD COLUMN invitation_id uuid,
  ADD COLUMN method text NOT NULL DEFAULT 'demo'
    CHECK (method IN ('demo', 'wecom_miniapp', 'dingtalk_miniapp', 'wecom_web', 'dingtalk_web', 'wechat_miniapp', 'invitation')),
  ADD COLUMN idle_timeout_seconds integer NOT NULL DEFAULT 1800 CHECK (idle_timeout_seconds BETWEEN 60 AND 86400),
  ADD CONSTRAINT sessions_one_subject CHECK ((employee_id IS NULL) <> (candidate_id IS NULL)),
  ADD CONSTRAINT sessions_candidate_fk FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE;
CREATE INDEX sessions_candidate_idx ON sessions (candidate_id) WHERE candidate_id IS NOT NULL;

-- An invitation is what a candidate opens from chat or SMS: a single-purpose bearer token (only its SHA-256 is kept)
-- bound to one application, and to one interview once there is one. A new invitation revokes the old ones.
ALTER TABLE applications ADD CONSTRAINT applications_tenant_id_candidate_key UNIQUE (tenant_id, id, candidate_id);
CREATE TABLE invitations (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL,
  application_id uuid NOT NULL,
  candidate_id   uuid NOT NULL,
  interview_id   uuid,
  token_hash     bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  created_by     text NOT NULL CHECK (created_by ~ '^(employee|candidate|system):'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, application_id, candidate_id) REFERENCES applications (tenant_id, id, candidate_id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  CHECK (expires_at > created_at)
);
CREATE INDEX invitations_candidate_idx ON invitations (tenant_id, candidate_id);
ALTER TABLE sessions ADD CONSTRAINT sessions_invitation_fk FOREIGN KEY (tenant_id, invitation_id) REFERENCES invitations (tenant_id, id) ON DELETE CASCADE;

-- Departments an HR or hiring manager is scoped to (with their sub-departments). Without rows: their own department.
CREATE TABLE employee_scopes (
  tenant_id     uuid NOT NULL,
  employee_id   uuid NOT NULL,
  department_id uuid NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (employee_id, department_id),
  FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id) ON DELETE CASCADE
);

-- Field encryption: AES-256-GCM values as 'v1.<key id>.<base64 iv|ciphertext|tag>', so keys can rotate row by row.
-- Masks are written with the value (lists never decrypt); the phone's last four digits and a keyed HMAC of the whole
-- number make search by tail or by number possible without the plaintext. The plaintext columns are emptied by the
-- server at start-up (it holds the key) and are no longer written.
ALTER TABLE candidates
  ADD COLUMN phone_enc        text CHECK (phone_enc ~ '^v1\.[A-Za-z0-9_-]{1,32}\.'),
  ADD COLUMN email_enc        text CHECK (email_enc ~ '^v1\.[A-Za-z0-9_-]{1,32}\.'),
  ADD COLUMN id_number_enc    text CHECK (id_number_enc ~ '^v1\.[A-Za-z0-9_-]{1,32}\.'),
  ADD COLUMN resume_enc       text CHECK (resume_enc ~ '^v1\.[A-Za-z0-9_-]{1,32}\.'),
  ADD COLUMN phone_masked     text,
  ADD COLUMN email_masked     text,
  ADD COLUMN id_number_masked text,
  ADD COLUMN phone_tail       text CHECK (phone_tail ~ '^[0-9]{4}$'),
  ADD COLUMN phone_lookup     bytea CHECK (length(phone_lookup) = 32),
  ADD CONSTRAINT candidates_phone_parts CHECK ((phone_enc IS NULL) = (phone_masked IS NULL)),
  ADD CONSTRAINT candidates_email_parts CHECK ((email_enc IS NULL) = (email_masked IS NULL)),
  ADD CONSTRAINT candidates_id_number_parts CHECK ((id_number_enc IS NULL) = (id_number_masked IS NULL));
DROP INDEX candidates_phone_idx;
CREATE INDEX candidates_phone_tail_idx ON candidates (tenant_id, phone_tail);
CREATE INDEX candidates_phone_lookup_idx ON candidates (tenant_id, phone_lookup);

-- Login and code-exchange counters, per identity and per client IP, in fixed windows. Unlogged: a crash may forget a
-- minute of counts, which only ever lets a few more attempts through.
CREATE UNLOGGED TABLE rate_limit_hits (
  bucket       text NOT NULL,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL DEFAULT 1,
  PRIMARY KEY (bucket, window_start)
);

-- Web login (QR): the state handed to WeCom/DingTalk, kept hashed, single use, ten minutes.
CREATE TABLE web_login_states (
  state_hash  bytea PRIMARY KEY CHECK (length(state_hash) = 32),
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  return_to   text NOT NULL DEFAULT '/',
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Audio and its transcript exist only under the candidate's separate, active consent. The database refuses the write
-- otherwise, so no code path (live notes, an import, a retry after withdrawal) can store them without it.
ALTER TABLE interviews ADD COLUMN transcript_signed_off_at timestamptz;
CREATE TABLE interview_audio (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL,
  interview_id uuid NOT NULL,
  seq          integer NOT NULL CHECK (seq >= 0),
  format       text NOT NULL DEFAULT 'pcm_s16le_16k_mono',
  bytes        bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (interview_id, seq),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE
);

CREATE FUNCTION hb_interview_has_consent(p_interview uuid, p_purpose text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM interviews i
      JOIN applications a ON a.id = i.application_id
      JOIN consents c ON c.candidate_id = a.candidate_id AND c.tenant_id = i.tenant_id
     WHERE i.id = p_interview AND c.purpose = p_purpose AND c.withdrawn_at IS NULL)
$$;

CREATE FUNCTION hb_require_consent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT hb_interview_has_consent(NEW.interview_id, TG_ARGV[0]) THEN
    RAISE EXCEPTION 'no active % consent for interview %', TG_ARGV[0], NEW.interview_id
      USING ERRCODE = 'HB010', HINT = 'The candidate must consent to this purpose first; withdrawal stops processing.';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER interview_audio_needs_consent BEFORE INSERT ON interview_audio
  FOR EACH ROW EXECUTE FUNCTION hb_require_consent('interview_recording');
CREATE TRIGGER transcript_segments_need_consent BEFORE INSERT ON transcript_segments
  FOR EACH ROW EXECUTE FUNCTION hb_require_consent('transcription');

-- Consent history is evidence: rows are never deleted or rewritten, only withdrawn once.
CREATE FUNCTION hb_consent_withdraw_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND hb_purge_allowed() THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL
     AND to_jsonb(NEW) - 'withdrawn_at' = to_jsonb(OLD) - 'withdrawn_at' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'consents can only be withdrawn: % refused', lower(TG_OP) USING ERRCODE = 'HB001';
END;
$$;
CREATE TRIGGER consents_withdraw_only BEFORE UPDATE OR DELETE ON consents
  FOR EACH ROW EXECUTE FUNCTION hb_consent_withdraw_only();

-- Data-subject requests (PIPL Art. 44–47): a copy of my data, a correction, a deletion. Tracked with a deadline HR
-- sees; the outcome is recorded, never silently closed.
CREATE TABLE data_requests (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL,
  candidate_id  uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('access', 'correction', 'deletion')),
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'rejected')),
  details       text NOT NULL DEFAULT '' CHECK (length(details) <= 2000),
  due_at        timestamptz NOT NULL,
  resolution    text CHECK (length(resolution) <= 2000),
  handled_by    uuid,
  completed_at  timestamptz,
  export        jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, handled_by) REFERENCES employees (tenant_id, id),
  CHECK ((status = 'open') = (completed_at IS NULL)),
  CHECK (status = 'open' OR handled_by IS NOT NULL)
);
CREATE INDEX data_requests_open_idx ON data_requests (tenant_id, due_at) WHERE status = 'open';

-- The departments an HR or hiring manager sees: their scope rows (or, without any, their own department), each with
-- every sub-department. Admins are not asked: they see the whole tenant.
CREATE FUNCTION hb_scope_departments(p_employee uuid) RETURNS SETOF uuid LANGUAGE sql STABLE AS $$
  WITH RECURSIVE roots AS (
    SELECT department_id FROM employee_scopes WHERE employee_id = p_employee
    UNION ALL
    SELECT department_id FROM employees
     WHERE id = p_employee AND department_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM employee_scopes WHERE employee_id = p_employee)
  ), tree AS (
    SELECT id FROM departments WHERE id IN (SELECT department_id FROM roots)
    UNION
    SELECT d.id FROM departments d JOIN tree t ON d.parent_id = t.id
  )
  SELECT id FROM tree
$$;

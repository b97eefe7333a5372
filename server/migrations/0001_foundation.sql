-- HireBridge foundation schema. Forward-only: never edit a migration that has shipped; add a new one.
-- Every tenant-owned table carries tenant_id and references its parents by (tenant_id, id), so the database itself
-- refuses a row that points into another tenant.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- A session-local switch that the retention purge (and only it) turns on to delete rows that are otherwise
-- append-only or immutable.
CREATE FUNCTION hb_purge_allowed() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('hirebridge.purge', true), '') = 'on'
$$;

CREATE FUNCTION hb_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND hb_purge_allowed() THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is %: % refused', TG_TABLE_NAME, TG_ARGV[0], lower(TG_OP)
    USING ERRCODE = 'HB001', HINT = 'Write a new row (a new version or a new event) instead.';
END;
$$;

CREATE TABLE tenants (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(btrim(name)) > 0),
  platform    text NOT NULL CHECK (platform IN ('wecom', 'dingtalk')),
  corp_id     text NOT NULL CHECK (length(corp_id) > 0),
  time_zone   text NOT NULL DEFAULT 'Asia/Shanghai',
  is_demo     boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform, corp_id)
);

CREATE TABLE departments (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id              uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                   text NOT NULL CHECK (length(btrim(name)) > 0),
  parent_id              uuid,
  platform_department_id text,
  created_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, platform_department_id),
  CHECK (parent_id IS DISTINCT FROM id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES departments (tenant_id, id)
);

CREATE TABLE employees (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id              uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  department_id          uuid,
  manager_id             uuid,
  name                   text NOT NULL CHECK (length(btrim(name)) > 0),
  title                  text,
  platform_user_id       text NOT NULL CHECK (length(platform_user_id) > 0),
  platform_union_id      text,
  roles                  text[] NOT NULL DEFAULT '{interviewer}'
    CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'hr', 'hiring_manager', 'interviewer']),
  status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'left')),
  daily_interview_limit  integer CHECK (daily_interview_limit BETWEEN 1 AND 24),
  weekly_interview_limit integer CHECK (weekly_interview_limit BETWEEN 1 AND 100),
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, platform_user_id),
  CHECK (manager_id IS DISTINCT FROM id),
  FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id),
  FOREIGN KEY (tenant_id, manager_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX employees_department_idx ON employees (tenant_id, department_id);

CREATE TABLE jobs (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  department_id     uuid NOT NULL,
  title             text NOT NULL CHECK (length(btrim(title)) > 0),
  description       text NOT NULL DEFAULT '',
  location          text NOT NULL DEFAULT '',
  headcount         integer NOT NULL DEFAULT 1 CHECK (headcount BETWEEN 1 AND 1000),
  status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
  hiring_manager_id uuid,
  owner_hr_id       uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id),
  FOREIGN KEY (tenant_id, hiring_manager_id) REFERENCES employees (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_hr_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX jobs_listing_idx ON jobs (tenant_id, created_at DESC, id DESC);

-- Competency models are versioned and immutable: an edit is a new version, so scores given against an old version
-- stay interpretable. Rows are checked for completeness when the creating transaction commits.
CREATE TABLE competency_models (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  job_id      uuid NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  note        text NOT NULL DEFAULT '',
  created_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (job_id, version),
  FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, created_by) REFERENCES employees (tenant_id, id)
);

CREATE TABLE competencies (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL,
  model_id    uuid NOT NULL,
  position    integer NOT NULL CHECK (position >= 0),
  name        text NOT NULL CHECK (length(btrim(name)) > 0),
  description text NOT NULL DEFAULT '',
  weight      integer NOT NULL CHECK (weight BETWEEN 1 AND 100),
  UNIQUE (tenant_id, id),
  UNIQUE (model_id, position),
  UNIQUE (model_id, name),
  FOREIGN KEY (tenant_id, model_id) REFERENCES competency_models (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE rubric_levels (
  competency_id uuid NOT NULL REFERENCES competencies (id) ON DELETE CASCADE,
  level         integer NOT NULL CHECK (level BETWEEN 1 AND 4),
  label         text NOT NULL CHECK (length(btrim(label)) > 0),
  description   text NOT NULL CHECK (length(btrim(description)) > 0),
  PRIMARY KEY (competency_id, level)
);

CREATE TABLE questions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  competency_id uuid NOT NULL REFERENCES competencies (id) ON DELETE CASCADE,
  position      integer NOT NULL CHECK (position >= 0),
  text          text NOT NULL CHECK (length(btrim(text)) > 0),
  follow_ups    text[] NOT NULL DEFAULT '{}',
  UNIQUE (competency_id, position)
);

CREATE TRIGGER competency_models_immutable BEFORE UPDATE OR DELETE ON competency_models
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('immutable');
CREATE TRIGGER competencies_immutable BEFORE UPDATE OR DELETE ON competencies
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('immutable');
CREATE TRIGGER rubric_levels_immutable BEFORE UPDATE OR DELETE ON rubric_levels
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('immutable');
CREATE TRIGGER questions_immutable BEFORE UPDATE OR DELETE ON questions
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('immutable');

-- Adding to a model is an edit too. The models created by the current transaction are noted in a transaction-local
-- setting; a competency, rubric level or question may only join one of those, never a model committed earlier.
-- (Completeness alone would not catch a new question added to a published model.)
CREATE FUNCTION hb_note_new_competency_model() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('hirebridge.new_competency_models',
    coalesce(current_setting('hirebridge.new_competency_models', true), '') || ' ' || NEW.id::text, true);
  RETURN NULL;
END;
$$;
CREATE TRIGGER competency_models_note_new AFTER INSERT ON competency_models
  FOR EACH ROW EXECUTE FUNCTION hb_note_new_competency_model();

CREATE FUNCTION hb_refuse_addition_to_published_model() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  model uuid;
BEGIN
  IF TG_TABLE_NAME = 'competencies' THEN
    SELECT id INTO model FROM competency_models WHERE id = NEW.model_id;
  ELSE
    SELECT model_id INTO model FROM competencies WHERE id = NEW.competency_id;
  END IF;
  -- An unknown parent is left to the foreign key.
  IF model IS NOT NULL
     AND strpos(coalesce(current_setting('hirebridge.new_competency_models', true), ''), model::text) = 0 THEN
    RAISE EXCEPTION 'competency model % is published and immutable: % insert refused', model, TG_TABLE_NAME
      USING ERRCODE = 'HB001', HINT = 'Publish a new version instead.';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER competencies_only_in_new_model BEFORE INSERT ON competencies
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_addition_to_published_model();
CREATE TRIGGER rubric_levels_only_in_new_model BEFORE INSERT ON rubric_levels
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_addition_to_published_model();
CREATE TRIGGER questions_only_in_new_model BEFORE INSERT ON questions
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_addition_to_published_model();

CREATE FUNCTION hb_check_competency_model(model uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  competency_count integer;
  weight_total integer;
  incomplete text;
BEGIN
  SELECT count(*), coalesce(sum(weight), 0) INTO competency_count, weight_total
    FROM competencies WHERE model_id = model;
  IF competency_count = 0 THEN
    RAISE EXCEPTION 'competency model % has no competencies', model USING ERRCODE = 'HB002';
  END IF;
  IF weight_total <> 100 THEN
    RAISE EXCEPTION 'competency model % weights add up to %, not 100', model, weight_total USING ERRCODE = 'HB002';
  END IF;
  SELECT c.name INTO incomplete FROM competencies c
    WHERE c.model_id = model AND (SELECT count(*) FROM rubric_levels r WHERE r.competency_id = c.id) <> 4
    LIMIT 1;
  IF incomplete IS NOT NULL THEN
    RAISE EXCEPTION 'competency "%" needs exactly 4 rubric levels', incomplete USING ERRCODE = 'HB002';
  END IF;
END;
$$;

CREATE FUNCTION hb_competency_model_complete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'competency_models' THEN
    PERFORM hb_check_competency_model(NEW.id);
  ELSIF TG_TABLE_NAME = 'competencies' THEN
    PERFORM hb_check_competency_model(NEW.model_id);
  ELSE
    PERFORM hb_check_competency_model((SELECT model_id FROM competencies WHERE id = NEW.competency_id));
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER competency_model_complete AFTER INSERT ON competency_models
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hb_competency_model_complete();
CREATE CONSTRAINT TRIGGER competency_complete AFTER INSERT ON competencies
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hb_competency_model_complete();
CREATE CONSTRAINT TRIGGER rubric_level_complete AFTER INSERT ON rubric_levels
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hb_competency_model_complete();

CREATE TABLE interview_rounds (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL,
  job_id           uuid NOT NULL,
  position         integer NOT NULL CHECK (position >= 1),
  name             text NOT NULL CHECK (length(btrim(name)) > 0),
  duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
  UNIQUE (tenant_id, id),
  UNIQUE (job_id, position),
  FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE candidates (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(btrim(name)) > 0),
  phone         text CHECK (phone ~ '^\+?[0-9]{6,20}$'),
  email         text CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  source        text NOT NULL DEFAULT 'other'
    CHECK (source IN ('referral', 'career_site', 'job_board', 'headhunter', 'campus', 'internal', 'other')),
  time_zone     text,
  resume_text   text NOT NULL DEFAULT '',
  talent_pool   boolean NOT NULL DEFAULT false,
  anonymised_at timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE INDEX candidates_listing_idx ON candidates (tenant_id, created_at DESC, id DESC);
CREATE INDEX candidates_phone_idx ON candidates (tenant_id, phone);

-- Applications: no application to a job that is not open; at most one live application per candidate and job.
CREATE TABLE applications (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL,
  candidate_id     uuid NOT NULL,
  job_id           uuid NOT NULL,
  stage            text NOT NULL DEFAULT 'applied'
    CHECK (stage IN ('applied', 'screening', 'interviewing', 'offer', 'hired', 'rejected', 'withdrawn')),
  stage_changed_at timestamptz NOT NULL DEFAULT now(),
  decided_by       uuid,
  decision_reason  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, decided_by) REFERENCES employees (tenant_id, id),
  CHECK (stage NOT IN ('hired', 'rejected') OR decided_by IS NOT NULL)
);
CREATE UNIQUE INDEX applications_one_live_per_job ON applications (candidate_id, job_id)
  WHERE stage NOT IN ('hired', 'rejected', 'withdrawn');
CREATE INDEX applications_listing_idx ON applications (tenant_id, created_at DESC, id DESC);
CREATE INDEX applications_job_idx ON applications (tenant_id, job_id, stage);

-- FOR SHARE: a concurrent close holds the job row; waiting for it and reading the committed status keeps an
-- application from slipping into a job closed at the same moment.
CREATE FUNCTION hb_application_needs_open_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT status FROM jobs WHERE id = NEW.job_id FOR SHARE) IS DISTINCT FROM 'open' THEN
    RAISE EXCEPTION 'job % is not open for applications', NEW.job_id USING ERRCODE = 'HB003';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER applications_need_open_job BEFORE INSERT ON applications
  FOR EACH ROW EXECUTE FUNCTION hb_application_needs_open_job();

CREATE TABLE application_stage_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id      uuid NOT NULL,
  application_id uuid NOT NULL,
  from_stage     text,
  to_stage       text NOT NULL,
  actor_id       uuid,
  reason         text,
  at             timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, actor_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX application_stage_events_idx ON application_stage_events (application_id, id);
CREATE TRIGGER application_stage_events_append_only BEFORE UPDATE OR DELETE ON application_stage_events
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('append-only');

CREATE TABLE rooms (
  id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name      text NOT NULL CHECK (length(btrim(name)) > 0),
  site      text NOT NULL DEFAULT '',
  address   text NOT NULL DEFAULT '',
  capacity  integer NOT NULL DEFAULT 4 CHECK (capacity BETWEEN 1 AND 500),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name)
);

-- Interviews pin the competency-model version they are run against. One live interview per application and round:
-- a cancelled, declined or no-show interview frees the round for a new attempt; a completed one does not.
-- A video interview needs its meeting link once it has a fixed time; while slots are only offered (or were declined
-- before one was chosen) the meeting usually cannot exist yet, since meeting services need the time to create it.
CREATE TABLE interviews (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL,
  application_id      uuid NOT NULL,
  round_id            uuid NOT NULL,
  competency_model_id uuid NOT NULL,
  status              text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'awaiting_candidate', 'scheduled', 'confirmed', 'checked_in', 'in_progress',
                      'completed', 'no_show', 'declined', 'cancelled')),
  mode                text NOT NULL DEFAULT 'onsite' CHECK (mode IN ('onsite', 'video', 'phone')),
  starts_at           timestamptz,
  ends_at             timestamptz,
  room_id             uuid,
  location            text NOT NULL DEFAULT '',
  meeting_url         text CHECK (meeting_url ~ '^https://'),
  schedule_version    integer NOT NULL DEFAULT 0 CHECK (schedule_version >= 0),
  owner_hr_id         uuid,
  cancel_reason       text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, round_id) REFERENCES interview_rounds (tenant_id, id),
  FOREIGN KEY (tenant_id, competency_model_id) REFERENCES competency_models (tenant_id, id),
  FOREIGN KEY (tenant_id, room_id) REFERENCES rooms (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_hr_id) REFERENCES employees (tenant_id, id),
  CHECK ((starts_at IS NULL) = (ends_at IS NULL)),
  CHECK (ends_at > starts_at),
  CHECK (status IN ('draft', 'awaiting_candidate', 'cancelled', 'declined') OR starts_at IS NOT NULL),
  CHECK (mode <> 'video' OR meeting_url IS NOT NULL OR status IN ('draft', 'awaiting_candidate', 'cancelled', 'declined'))
);
CREATE UNIQUE INDEX interviews_one_live_per_round ON interviews (application_id, round_id)
  WHERE status NOT IN ('cancelled', 'declined', 'no_show');
CREATE INDEX interviews_starts_idx ON interviews (tenant_id, starts_at);

-- An interview's round and competency-model version must both belong to the job its application is for; otherwise
-- a kit or scorecard could silently use another job's competencies.
CREATE FUNCTION hb_interview_matches_job() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  application_job uuid;
BEGIN
  -- Unknown or other-tenant ids are left to the foreign keys, which report them as such.
  SELECT job_id INTO application_job FROM applications WHERE id = NEW.application_id AND tenant_id = NEW.tenant_id;
  IF application_job IS NULL THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT 1 FROM interview_rounds WHERE id = NEW.round_id AND tenant_id = NEW.tenant_id AND job_id <> application_job)
     OR EXISTS (SELECT 1 FROM competency_models
                 WHERE id = NEW.competency_model_id AND tenant_id = NEW.tenant_id AND job_id <> application_job) THEN
    RAISE EXCEPTION 'interview round and competency model must belong to job %', application_job
      USING ERRCODE = '23503', CONSTRAINT = 'interviews_match_application_job';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER interviews_match_application_job BEFORE INSERT OR UPDATE OF application_id, round_id, competency_model_id
  ON interviews FOR EACH ROW EXECUTE FUNCTION hb_interview_matches_job();

CREATE TABLE interview_panelists (
  tenant_id              uuid NOT NULL,
  interview_id           uuid NOT NULL,
  employee_id            uuid NOT NULL,
  role                   text NOT NULL DEFAULT 'member' CHECK (role IN ('lead', 'member', 'shadow')),
  focus_competency_ids   uuid[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (interview_id, employee_id),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX interview_panelists_employee_idx ON interview_panelists (tenant_id, employee_id);

CREATE TABLE interview_schedule_versions (
  tenant_id      uuid NOT NULL,
  interview_id   uuid NOT NULL,
  version        integer NOT NULL CHECK (version >= 1),
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL CHECK (ends_at > starts_at),
  room_id        uuid,
  location       text NOT NULL DEFAULT '',
  meeting_url    text CHECK (meeting_url ~ '^https://'),
  changed_by     text NOT NULL CHECK (changed_by ~ '^(employee|candidate|system):'),
  reason         text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (interview_id, version),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, room_id) REFERENCES rooms (tenant_id, id)
);
CREATE TRIGGER interview_schedule_versions_append_only BEFORE UPDATE OR DELETE ON interview_schedule_versions
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('append-only');

-- Bookings make double-booking impossible: the exclusion constraints refuse any two overlapping rows for one
-- interviewer or one room, whatever the interleaving of concurrent transactions. A hold is a booking the candidate
-- has not finished choosing; expired holds are deleted by whoever books next, in the same transaction.
CREATE TABLE bookings (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL,
  interview_id    uuid NOT NULL,
  employee_id     uuid,
  room_id         uuid,
  during          tstzrange NOT NULL CHECK (NOT isempty(during) AND lower(during) IS NOT NULL AND upper(during) IS NOT NULL),
  kind            text NOT NULL DEFAULT 'booked' CHECK (kind IN ('booked', 'held')),
  hold_expires_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id),
  FOREIGN KEY (tenant_id, room_id) REFERENCES rooms (tenant_id, id),
  CHECK ((employee_id IS NULL) <> (room_id IS NULL)),
  CHECK ((kind = 'held') = (hold_expires_at IS NOT NULL)),
  CONSTRAINT bookings_no_interviewer_overlap EXCLUDE USING gist (employee_id WITH =, during WITH &&)
    WHERE (employee_id IS NOT NULL),
  CONSTRAINT bookings_no_room_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&)
    WHERE (room_id IS NOT NULL)
);
CREATE INDEX bookings_interview_idx ON bookings (interview_id);

-- Reminders and the outbox are the database-as-queue: workers claim due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE reminders (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id              uuid NOT NULL,
  interview_id           uuid NOT NULL,
  kind                   text NOT NULL CHECK (length(kind) > 0),
  audience               text NOT NULL CHECK (audience IN ('candidate', 'panelist', 'hr')),
  recipient_employee_id  uuid,
  due_at                 timestamptz NOT NULL,
  status                 text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'cancelled', 'failed')),
  channel                text,
  attempts               integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  claimed_until          timestamptz,
  sent_at                timestamptz,
  skip_reason            text,
  delivery_result        jsonb,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, recipient_employee_id) REFERENCES employees (tenant_id, id),
  CHECK ((audience = 'candidate') = (recipient_employee_id IS NULL)),
  CHECK (status <> 'skipped' OR skip_reason IS NOT NULL),
  CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);
CREATE UNIQUE INDEX reminders_once_per_recipient ON reminders
  (interview_id, kind, coalesce(recipient_employee_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX reminders_due_idx ON reminders (due_at) WHERE status = 'pending';

CREATE TABLE outbox (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel          text NOT NULL CHECK (length(channel) > 0),
  recipient        text NOT NULL CHECK (length(recipient) > 0),
  payload          jsonb NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  claimed_until    timestamptz,
  last_error       text,
  receipt          jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';

-- Scorecards: only a panelist of the interview can hold one (the foreign key to interview_panelists), once each.
CREATE TABLE scorecards (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL,
  interview_id    uuid NOT NULL,
  interviewer_id  uuid NOT NULL,
  status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
  recommendation  text CHECK (recommendation IN ('strong_no', 'no', 'yes', 'strong_yes', 'no_decision')),
  summary         text NOT NULL DEFAULT '',
  version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  submitted_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (interview_id, interviewer_id),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (interview_id, interviewer_id) REFERENCES interview_panelists (interview_id, employee_id),
  CHECK (status = 'draft' OR (recommendation IS NOT NULL AND submitted_at IS NOT NULL))
);

-- A rating is given against a competency of the very model version the interview pinned (the trigger), which also
-- keeps it inside the tenant; the composite keys say the same for the tenant directly.
CREATE TABLE scorecard_ratings (
  tenant_id             uuid NOT NULL,
  scorecard_id          uuid NOT NULL,
  competency_id         uuid NOT NULL,
  level                 integer NOT NULL CHECK (level BETWEEN 1 AND 4),
  note                  text NOT NULL DEFAULT '',
  evidence_segment_ids  uuid[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (scorecard_id, competency_id),
  FOREIGN KEY (tenant_id, scorecard_id) REFERENCES scorecards (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, competency_id) REFERENCES competencies (tenant_id, id),
  CHECK (length(btrim(note)) > 0 OR cardinality(evidence_segment_ids) > 0)
);

CREATE FUNCTION hb_rating_in_pinned_model() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM scorecards s
      JOIN interviews i ON i.id = s.interview_id
      JOIN competencies c ON c.model_id = i.competency_model_id
      WHERE s.id = NEW.scorecard_id AND c.id = NEW.competency_id
  ) THEN
    RAISE EXCEPTION 'competency % is not part of the competency model of the interview', NEW.competency_id
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'scorecard_ratings_competency_in_model';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER scorecard_ratings_competency_in_model BEFORE INSERT OR UPDATE ON scorecard_ratings
  FOR EACH ROW EXECUTE FUNCTION hb_rating_in_pinned_model();

CREATE TABLE scorecard_revisions (
  scorecard_id uuid NOT NULL REFERENCES scorecards (id) ON DELETE CASCADE,
  version      integer NOT NULL,
  snapshot     jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scorecard_id, version)
);
CREATE TRIGGER scorecard_revisions_append_only BEFORE UPDATE OR DELETE ON scorecard_revisions
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('append-only');

CREATE TABLE transcript_segments (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL,
  interview_id uuid NOT NULL,
  seq          integer NOT NULL CHECK (seq >= 0),
  started_ms   integer NOT NULL CHECK (started_ms >= 0),
  ended_ms     integer NOT NULL,
  text         text NOT NULL,
  question_id  uuid REFERENCES questions (id),
  starred      boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (interview_id, seq),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  CHECK (ended_ms >= started_ms)
);

CREATE TABLE transcript_corrections (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id     uuid NOT NULL,
  segment_id    uuid NOT NULL,
  previous_text text NOT NULL,
  new_text      text NOT NULL,
  corrected_by  uuid NOT NULL,
  corrected_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, segment_id) REFERENCES transcript_segments (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, corrected_by) REFERENCES employees (tenant_id, id)
);
CREATE TRIGGER transcript_corrections_append_only BEFORE UPDATE OR DELETE ON transcript_corrections
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('append-only');

CREATE TABLE surveys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL,
  interview_id uuid NOT NULL,
  status       text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'answered', 'expired')),
  send_at      timestamptz NOT NULL,
  sent_at      timestamptz,
  answered_at  timestamptz,
  score        integer CHECK (score BETWEEN 0 AND 10),
  answers      jsonb NOT NULL DEFAULT '{}',
  comment      text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (interview_id),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  CHECK (status <> 'answered' OR (score IS NOT NULL AND answered_at IS NOT NULL))
);

-- Consent is purpose-specific (PIPL Art. 14, 29): recording and transcription need their own, separate records.
CREATE TABLE consents (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL,
  candidate_id   uuid NOT NULL,
  purpose        text NOT NULL
    CHECK (purpose IN ('personal_data', 'interview_recording', 'transcription', 'talent_pool')),
  notice_version text NOT NULL CHECK (length(notice_version) > 0),
  channel        text NOT NULL CHECK (channel IN ('miniapp', 'kf', 'h5', 'paper')),
  given_at       timestamptz NOT NULL,
  withdrawn_at   timestamptz,
  FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
  CHECK (withdrawn_at IS NULL OR withdrawn_at >= given_at)
);
CREATE UNIQUE INDEX consents_one_active_per_purpose ON consents (candidate_id, purpose) WHERE withdrawn_at IS NULL;

-- Audit events are append-only; only the retention purge may delete (old) rows.
CREATE TABLE audit_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   uuid REFERENCES tenants (id) ON DELETE SET NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL CHECK (actor ~ '^(employee|candidate|system):'),
  action      text NOT NULL CHECK (length(action) > 0),
  object_type text NOT NULL,
  object_id   text,
  reason      text,
  request_id  text,
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, at);

-- The one change an audit event accepts: ON DELETE SET NULL when its tenant is deleted (the trail outlives the
-- tenant). Anything else, including detaching an event from a tenant that still exists, is refused.
CREATE FUNCTION hb_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.tenant_id IS NOT NULL AND NEW.tenant_id IS NULL
     AND to_jsonb(NEW) - 'tenant_id' = to_jsonb(OLD) - 'tenant_id'
     AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND hb_purge_allowed() THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', lower(TG_OP)
    USING ERRCODE = 'HB001', HINT = 'Write a new event instead.';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION hb_audit_append_only();

CREATE TABLE retention_policies (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  data_class text NOT NULL CHECK (data_class IN ('raw_audio', 'rejected_candidate_data', 'audit_events', 'transcripts')),
  retain_days integer NOT NULL CHECK (retain_days BETWEEN 1 AND 3650),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, data_class)
);

-- Every tenant starts with the default retention: raw audio 30 days after sign-off, a rejected or withdrawn
-- candidate's personal data 180 days after the decision, audit 3 years, transcripts 1 year.
CREATE FUNCTION hb_default_retention() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO retention_policies (tenant_id, data_class, retain_days) VALUES
    (NEW.id, 'raw_audio', 30), (NEW.id, 'rejected_candidate_data', 180),
    (NEW.id, 'audit_events', 1095), (NEW.id, 'transcripts', 365);
  RETURN NULL;
END;
$$;
CREATE TRIGGER tenants_default_retention AFTER INSERT ON tenants
  FOR EACH ROW EXECUTE FUNCTION hb_default_retention();

-- Sessions hold only a SHA-256 of the token; the token itself exists only with its holder.
CREATE TABLE sessions (
  token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  employee_id  uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_employee_idx ON sessions (employee_id);

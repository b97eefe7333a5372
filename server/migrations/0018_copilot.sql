-- Interviewer copilot: live notes (segments with their source, corrections as versions, question markers, typed
-- notes), evidence-linked scorecards (evidence from typed notes too, submitted once, later edits versioned, 'no decision'
-- only for a no-show), AI draft items that only ever suggest, scorecard deadlines and nudges, debrief decisions.

-- Segments: where the text came from and who spoke (speaker separation is not attempted: 'unknown'). The text and
-- timing of a stored segment never change; a correction is a new version in transcript_corrections, and the
-- segment's current text is its latest correction (or the text itself when there is none).
ALTER TABLE transcript_segments
  ADD COLUMN source  text NOT NULL DEFAULT 'asr' CHECK (source IN ('asr', 'typed')),
  ADD COLUMN speaker text NOT NULL DEFAULT 'unknown' CHECK (speaker IN ('unknown', 'interviewer', 'candidate')),
  ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE transcript_corrections ADD COLUMN version integer CHECK (version >= 2);
CREATE UNIQUE INDEX transcript_corrections_version ON transcript_corrections (segment_id, version);

CREATE FUNCTION hb_segment_keeps_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF hb_purge_allowed() THEN
    RETURN NEW;
  END IF;
  IF NEW.text IS DISTINCT FROM OLD.text OR NEW.started_ms <> OLD.started_ms OR NEW.ended_ms <> OLD.ended_ms
     OR NEW.seq <> OLD.seq OR NEW.interview_id <> OLD.interview_id OR NEW.source <> OLD.source THEN
    RAISE EXCEPTION 'transcript segment % keeps its words: correct it with a new version', OLD.id
      USING ERRCODE = 'HB001', HINT = 'Insert into transcript_corrections and raise the segment version.';
  END IF;
  IF NEW.version <> OLD.version AND NOT EXISTS (
    SELECT 1 FROM transcript_corrections WHERE segment_id = NEW.id AND version = NEW.version) THEN
    RAISE EXCEPTION 'segment version % of % has no correction row', NEW.version, NEW.id USING ERRCODE = 'HB001';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER transcript_segments_keep_words BEFORE UPDATE ON transcript_segments
  FOR EACH ROW EXECUTE FUNCTION hb_segment_keeps_words();

-- Which question of the kit the interviewer was asking from a moment on (ms since the notes started).
CREATE TABLE interview_question_marks (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL,
  interview_id uuid NOT NULL,
  question_id  uuid NOT NULL REFERENCES questions (id),
  at_ms        integer NOT NULL CHECK (at_ms >= 0),
  marked_by    uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (interview_id, marked_by) REFERENCES interview_panelists (interview_id, employee_id)
);
CREATE INDEX interview_question_marks_idx ON interview_question_marks (interview_id, at_ms);

-- Typed notes of a panelist: they need no recording or transcription consent, and they can be evidence.
CREATE TABLE interview_notes (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL,
  interview_id uuid NOT NULL,
  author_id    uuid NOT NULL,
  at_ms        integer CHECK (at_ms >= 0),
  text         text NOT NULL CHECK (length(btrim(text)) > 0 AND length(text) <= 4000),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (interview_id, author_id) REFERENCES interview_panelists (interview_id, employee_id)
);
CREATE INDEX interview_notes_idx ON interview_notes (interview_id, created_at);
CREATE TRIGGER interview_notes_append_only BEFORE UPDATE OR DELETE ON interview_notes
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('append-only');

-- Evidence: transcript spans (segment ids) or typed notes, of this very interview; at least one per rating.
ALTER TABLE scorecard_ratings ADD COLUMN evidence_note_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE scorecard_ratings DROP CONSTRAINT IF EXISTS scorecard_ratings_check;
ALTER TABLE scorecard_ratings ADD CONSTRAINT scorecard_ratings_evidence_required
  CHECK (cardinality(evidence_segment_ids) > 0 OR cardinality(evidence_note_ids) > 0 OR length(btrim(note)) > 0);

CREATE FUNCTION hb_rating_evidence_in_interview() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_interview uuid;
  v_author uuid;
BEGIN
  SELECT interview_id, interviewer_id INTO v_interview, v_author FROM scorecards WHERE id = NEW.scorecard_id;
  IF cardinality(NEW.evidence_segment_ids) > 0 AND (
       SELECT count(*) FROM transcript_segments
        WHERE id = ANY (NEW.evidence_segment_ids) AND interview_id = v_interview) <> cardinality(NEW.evidence_segment_ids) THEN
    RAISE EXCEPTION 'evidence segments must belong to interview %', v_interview
      USING ERRCODE = '23503', CONSTRAINT = 'scorecard_ratings_evidence_in_interview';
  END IF;
  IF cardinality(NEW.evidence_note_ids) > 0 AND (
       SELECT count(*) FROM interview_notes
        WHERE id = ANY (NEW.evidence_note_ids) AND interview_id = v_interview AND author_id = v_author)
       <> cardinality(NEW.evidence_note_ids) THEN
    RAISE EXCEPTION 'evidence notes must be the interviewer''s own notes of interview %', v_interview
      USING ERRCODE = '23503', CONSTRAINT = 'scorecard_ratings_evidence_in_interview';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER scorecard_ratings_evidence_in_interview BEFORE INSERT OR UPDATE ON scorecard_ratings
  FOR EACH ROW EXECUTE FUNCTION hb_rating_evidence_in_interview();

-- A scorecard is submitted once: it never goes back to draft, its submission time stays, and every change after it
-- raises the version by one (the feature writes the snapshot of each version into scorecard_revisions). 'No
-- decision' is only for an interview marked as a no-show.
CREATE FUNCTION hb_scorecard_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF hb_purge_allowed() THEN
    RETURN NEW;
  END IF;
  IF NEW.recommendation = 'no_decision'
     AND NOT EXISTS (SELECT 1 FROM interviews WHERE id = NEW.interview_id AND status = 'no_show') THEN
    RAISE EXCEPTION 'no_decision is only for a no-show' USING ERRCODE = '23514', CONSTRAINT = 'scorecards_no_decision_only_no_show';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status = 'submitted' THEN
    IF NEW.status <> 'submitted' OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at THEN
      RAISE EXCEPTION 'scorecard % was submitted; it cannot be submitted again or withdrawn', OLD.id USING ERRCODE = 'HB001';
    END IF;
    IF NEW.version <> OLD.version + 1 THEN
      RAISE EXCEPTION 'an edit after submission is a new version (% expected)', OLD.version + 1 USING ERRCODE = 'HB001';
    END IF;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER scorecards_rules BEFORE INSERT OR UPDATE ON scorecards
  FOR EACH ROW EXECUTE FUNCTION hb_scorecard_rules();

-- AI (by default rule-based) draft items: one suggestion per competency, citing the segments it rests on. They only
-- suggest; the interviewer accepts, edits or dismisses each, and nothing here is ever a submitted rating.
CREATE TABLE scorecard_draft_items (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL,
  interview_id    uuid NOT NULL,
  interviewer_id  uuid NOT NULL,
  competency_id   uuid NOT NULL,
  suggested_level integer NOT NULL CHECK (suggested_level BETWEEN 1 AND 4),
  rationale       text NOT NULL CHECK (length(btrim(rationale)) > 0),
  segment_ids     uuid[] NOT NULL CHECK (cardinality(segment_ids) > 0),
  generator       text NOT NULL DEFAULT 'rules' CHECK (generator IN ('rules', 'model')),
  status          text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'edited', 'dismissed', 'superseded')),
  decided_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (interview_id, interviewer_id) REFERENCES interview_panelists (interview_id, employee_id),
  FOREIGN KEY (tenant_id, competency_id) REFERENCES competencies (tenant_id, id),
  CHECK (status IN ('proposed', 'superseded') OR decided_at IS NOT NULL)
);
CREATE UNIQUE INDEX scorecard_draft_items_one_open ON scorecard_draft_items (interview_id, interviewer_id, competency_id)
  WHERE status = 'proposed';

-- When scorecards are due, per tenant (default 24 h after the interview ends).
CREATE TABLE scorecard_policies (
  tenant_id    uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  due_minutes  integer NOT NULL DEFAULT 1440 CHECK (due_minutes BETWEEN 60 AND 10080),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The nudge queue: one row per panelist of an interview that ended, claimed with FOR UPDATE SKIP LOCKED. A nudge 1 h
-- after the end, then daily; after 2 business days the interviewer's manager is told once.
CREATE TABLE scorecard_followups (
  tenant_id      uuid NOT NULL,
  interview_id   uuid NOT NULL,
  interviewer_id uuid NOT NULL,
  due_at         timestamptz NOT NULL,
  next_at        timestamptz NOT NULL,
  escalate_at    timestamptz NOT NULL,
  escalated_at   timestamptz,
  nudges_sent    integer NOT NULL DEFAULT 0 CHECK (nudges_sent >= 0),
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'done')),
  done_reason    text,
  attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  claimed_until  timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (interview_id, interviewer_id),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (interview_id, interviewer_id) REFERENCES interview_panelists (interview_id, employee_id) ON DELETE CASCADE,
  CHECK ((status = 'done') = (done_reason IS NOT NULL))
);
CREATE INDEX scorecard_followups_due_idx ON scorecard_followups (next_at) WHERE status = 'pending';
CREATE INDEX scorecard_followups_lease_idx ON scorecard_followups (claimed_until) WHERE status = 'sending';

-- Every nudge and escalation that went out, to whom, with the outbox key: the record HR and the tests read.
CREATE TABLE scorecard_nudges (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id             uuid NOT NULL,
  interview_id          uuid NOT NULL,
  interviewer_id        uuid NOT NULL,
  kind                  text NOT NULL CHECK (kind IN ('nudge', 'escalation')),
  recipient_employee_id uuid NOT NULL,
  outbox_key            text NOT NULL UNIQUE,
  sent_at               timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, recipient_employee_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX scorecard_nudges_idx ON scorecard_nudges (interview_id, interviewer_id);
CREATE TRIGGER scorecard_nudges_append_only BEFORE UPDATE OR DELETE ON scorecard_nudges
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('append-only');

-- Debrief decisions: a named person, a reason, never rewritten (a change of mind is a new row).
CREATE TABLE debrief_decisions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL,
  application_id uuid NOT NULL,
  interview_id   uuid,
  decision       text NOT NULL CHECK (decision IN ('advance', 'hire', 'reject', 'hold')),
  reason         text NOT NULL CHECK (length(btrim(reason)) >= 2 AND length(reason) <= 2000),
  decided_by     uuid NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, decided_by) REFERENCES employees (tenant_id, id)
);
CREATE INDEX debrief_decisions_idx ON debrief_decisions (application_id, created_at);
CREATE TRIGGER debrief_decisions_append_only BEFORE UPDATE OR DELETE ON debrief_decisions
  FOR EACH ROW EXECUTE FUNCTION hb_refuse_change('append-only');

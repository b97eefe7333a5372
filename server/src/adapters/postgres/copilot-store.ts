import { sql } from 'kysely';
import { AppError } from '../../domain/errors';
import type { FieldCipher } from '../../domain/field-cipher';
import type {
  ClaimedFollowup, CopilotInterview, CopilotStore, Correction, Decision, DraftItem, ModelCompetency, Note, QuestionMark, Segment, StoredScorecard,
} from '../../features/copilot/copilot-store';
import { candidateAad } from './candidate-store';
import type { Db } from './database';
import { decodeCursor, toPage } from './pagination';
import { jobVisible } from './scope';

interface InterviewRow {
  id: string; tenant_id: string; status: string; mode: CopilotInterview['mode']; location: string; starts_at: Date | null; ends_at: Date | null;
  job_id: string; job_title: string; round_name: string; application_id: string; stage: string; candidate_id: string; candidate_name: string;
  competency_model_id: string; time_zone: string; recording: boolean; transcription: boolean;
  panel: { employeeId: string; name: string; role: PanelRole; focus: string[]; platformUserId: string; status: PanelStatus; managerId: string | null }[];
}
type PanelRole = 'lead' | 'member' | 'shadow';
type PanelStatus = 'active' | 'disabled' | 'left';

const interviewSelect = sql`
  SELECT i.id, i.tenant_id, i.status, i.mode, i.location, i.starts_at, i.ends_at, j.id AS job_id, j.title AS job_title, ro.name AS round_name,
         a.id AS application_id, a.stage, a.candidate_id, ca.name AS candidate_name, i.competency_model_id, t.time_zone,
         hb_interview_has_consent(i.id, 'interview_recording') AS recording, hb_interview_has_consent(i.id, 'transcription') AS transcription,
         coalesce((SELECT json_agg(json_build_object('employeeId', e.id, 'name', e.name, 'role', p.role, 'focus', p.focus_competency_ids,
                                                     'platformUserId', e.platform_user_id, 'status', e.status, 'managerId', e.manager_id)
                                   ORDER BY p.role, e.name)
                     FROM interview_panelists p JOIN employees e ON e.id = p.employee_id WHERE p.interview_id = i.id), '[]') AS panel
    FROM interviews i
    JOIN applications a ON a.id = i.application_id
    JOIN candidates ca ON ca.id = a.candidate_id
    JOIN jobs j ON j.id = a.job_id
    JOIN interview_rounds ro ON ro.id = i.round_id
    JOIN tenants t ON t.id = i.tenant_id`;

function toInterview(r: InterviewRow): CopilotInterview {
  return {
    id: r.id, tenantId: r.tenant_id, status: r.status, mode: r.mode, location: r.location, startsAt: r.starts_at, endsAt: r.ends_at,
    jobId: r.job_id, jobTitle: r.job_title, roundName: r.round_name, applicationId: r.application_id, applicationStage: r.stage,
    candidateId: r.candidate_id, candidateName: r.candidate_name, modelId: r.competency_model_id, timeZone: r.time_zone,
    consents: { recording: r.recording, transcription: r.transcription },
    panel: r.panel.map((p) => ({
      employeeId: p.employeeId, name: p.name, role: p.role, focusCompetencyIds: p.focus, platformUserId: p.platformUserId, status: p.status, managerId: p.managerId,
    })),
  };
}

interface SegmentRow {
  id: string; seq: number; started_ms: number; ended_ms: number; text: string; current_text: string | null; version: number;
  source: Segment['source']; speaker: Segment['speaker']; starred: boolean; question_id: string | null;
}
const segmentSelect = sql`
  SELECT s.id, s.seq, s.started_ms, s.ended_ms, s.text, s.version, s.source, s.speaker, s.starred, s.question_id,
         (SELECT c.new_text FROM transcript_corrections c WHERE c.segment_id = s.id ORDER BY c.version DESC NULLS LAST, c.id DESC LIMIT 1) AS current_text
    FROM transcript_segments s`;
const toSegment = (r: SegmentRow): Segment => ({
  id: r.id, seq: r.seq, startedMs: r.started_ms, endedMs: r.ended_ms, text: r.current_text ?? r.text, originalText: r.text, version: r.version,
  source: r.source, speaker: r.speaker, starred: r.starred, questionId: r.question_id,
});

interface ScorecardRow {
  id: string; interviewer_id: string; name: string; status: 'draft' | 'submitted'; recommendation: StoredScorecard['recommendation'];
  summary: string; version: number; submitted_at: Date | null; updated_at: Date;
  ratings: { competencyId: string; level: number; note: string; segments: string[]; notes: string[] }[];
}
const scorecardSelect = sql`
  SELECT s.id, s.interviewer_id, e.name, s.status, s.recommendation, s.summary, s.version, s.submitted_at, s.updated_at,
         coalesce((SELECT json_agg(json_build_object('competencyId', r.competency_id, 'level', r.level, 'note', r.note,
                                                     'segments', r.evidence_segment_ids, 'notes', r.evidence_note_ids) ORDER BY c.position)
                     FROM scorecard_ratings r JOIN competencies c ON c.id = r.competency_id WHERE r.scorecard_id = s.id), '[]') AS ratings
    FROM scorecards s JOIN employees e ON e.id = s.interviewer_id`;
const toScorecard = (r: ScorecardRow): StoredScorecard => ({
  id: r.id, interviewerId: r.interviewer_id, interviewerName: r.name, status: r.status, recommendation: r.recommendation, summary: r.summary,
  version: r.version, submittedAt: r.submitted_at, updatedAt: r.updated_at,
  ratings: r.ratings.map((x) => ({ competencyId: x.competencyId, level: x.level, note: x.note, evidenceSegmentIds: x.segments, evidenceNoteIds: x.notes })),
});

interface DraftRow { id: string; competency_id: string; suggested_level: number; rationale: string; segment_ids: string[]; status: DraftItem['status']; created_at: Date }
const toDraft = (r: DraftRow): DraftItem => ({
  id: r.id, competencyId: r.competency_id, suggestedLevel: r.suggested_level, rationale: r.rationale, segmentIds: r.segment_ids, status: r.status, createdAt: r.created_at,
});

const noteOf = (r: { id: string; author_id: string; at_ms: number | null; text: string; created_at: Date }): Note => ({
  id: r.id, authorId: r.author_id, atMs: r.at_ms, text: r.text, createdAt: r.created_at,
});

function consentRefused(error: unknown): never {
  if ((error as { code?: string }).code === 'HB010') {
    throw new AppError('CONSENT_REQUIRED', '候选人尚未同意转写，只能手写笔记。The candidate has not consented to transcription; typed notes only.', [], { cause: error });
  }
  throw error;
}

export function postgresCopilotStore(db: Db, cipher: FieldCipher): CopilotStore {
  return {
    async interview(tenantId, interviewId, options = {}) {
      if (options.lock) await sql`SELECT 1 FROM interviews WHERE id = ${interviewId} AND tenant_id = ${tenantId} FOR UPDATE`.execute(db);
      const { rows } = await sql<InterviewRow>`${interviewSelect} WHERE i.id = ${interviewId} AND i.tenant_id = ${tenantId}`.execute(db);
      return rows[0] ? toInterview(rows[0]) : undefined;
    },
    async interviewsOf(tenantId, employeeId, from, to) {
      const { rows } = await sql<InterviewRow>`${interviewSelect}
        WHERE i.tenant_id = ${tenantId} AND i.starts_at >= ${from} AND i.starts_at < ${to}
          AND i.status NOT IN ('cancelled', 'declined', 'draft')
          AND EXISTS (SELECT 1 FROM interview_panelists p WHERE p.interview_id = i.id AND p.employee_id = ${employeeId})
        ORDER BY i.starts_at, i.id LIMIT 200`.execute(db);
      return rows.map(toInterview);
    },
    async tenantTimeZone(tenantId) {
      const { rows } = await sql<{ time_zone: string }>`SELECT time_zone FROM tenants WHERE id = ${tenantId}`.execute(db);
      return rows[0]?.time_zone;
    },
    async employee(tenantId, employeeId) {
      const { rows } = await sql<{ id: string; name: string; platform_user_id: string; status: string }>`
        SELECT id, name, platform_user_id, status FROM employees WHERE id = ${employeeId} AND tenant_id = ${tenantId}`.execute(db);
      const r = rows[0];
      return r ? { id: r.id, name: r.name, platformUserId: r.platform_user_id, status: r.status } : undefined;
    },
    async competencies(tenantId, modelId) {
      const { rows } = await sql<{
        id: string; position: number; name: string; description: string; weight: number;
        rubric: ModelCompetency['rubric']; questions: { id: string; text: string; followUps: string[] }[];
      }>`
        SELECT c.id, c.position, c.name, c.description, c.weight,
               coalesce((SELECT json_agg(json_build_object('level', l.level, 'label', l.label, 'description', l.description) ORDER BY l.level)
                           FROM rubric_levels l WHERE l.competency_id = c.id), '[]') AS rubric,
               coalesce((SELECT json_agg(json_build_object('id', q.id, 'text', q.text, 'followUps', q.follow_ups) ORDER BY q.position)
                           FROM questions q WHERE q.competency_id = c.id), '[]') AS questions
          FROM competencies c WHERE c.model_id = ${modelId} AND c.tenant_id = ${tenantId} ORDER BY c.position`.execute(db);
      return rows;
    },
    async resumeText(tenantId, candidateId) {
      const { rows } = await sql<{ resume_enc: string | null; resume_text: string }>`
        SELECT resume_enc, resume_text FROM candidates WHERE id = ${candidateId} AND tenant_id = ${tenantId}`.execute(db);
      const row = rows[0];
      if (!row) return '';
      if (row.resume_enc) return cipher.decrypt(row.resume_enc, candidateAad(tenantId, candidateId, 'resume'));
      return row.resume_text ?? '';
    },

    async segments(tenantId, interviewId) {
      const { rows } = await sql<SegmentRow>`${segmentSelect} WHERE s.interview_id = ${interviewId} AND s.tenant_id = ${tenantId} ORDER BY s.seq`.execute(db);
      return rows.map(toSegment);
    },
    async appendSegment(input) {
      try {
        const { rows } = await sql<{ id: string }>`
          INSERT INTO transcript_segments (tenant_id, interview_id, seq, started_ms, ended_ms, text, source, created_at)
          VALUES (${input.tenantId}, ${input.interviewId},
                  coalesce(${input.seq}::int, (SELECT coalesce(max(seq) + 1, 0) FROM transcript_segments WHERE interview_id = ${input.interviewId})),
                  ${input.startedMs}, ${input.endedMs}, ${input.text}, ${input.source}, ${input.now})
          RETURNING id`.execute(db);
        const { rows: segs } = await sql<SegmentRow>`${segmentSelect} WHERE s.id = ${rows[0]!.id}`.execute(db);
        return toSegment(segs[0]!);
      } catch (error) {
        return consentRefused(error);
      }
    },
    async correctSegment(tenantId, interviewId, segmentId, text, by, now) {
      const { rows } = await sql<SegmentRow>`${segmentSelect}
        WHERE s.id = ${segmentId} AND s.interview_id = ${interviewId} AND s.tenant_id = ${tenantId} FOR UPDATE OF s`.execute(db);
      const current = rows[0];
      if (!current) return undefined;
      const version = current.version + 1;
      await sql`INSERT INTO transcript_corrections (tenant_id, segment_id, previous_text, new_text, corrected_by, corrected_at, version)
                VALUES (${tenantId}, ${segmentId}, ${current.current_text ?? current.text}, ${text}, ${by}, ${now}, ${version})`.execute(db);
      await sql`UPDATE transcript_segments SET version = ${version} WHERE id = ${segmentId}`.execute(db);
      const { rows: after } = await sql<SegmentRow>`${segmentSelect} WHERE s.id = ${segmentId}`.execute(db);
      return toSegment(after[0]!);
    },
    async corrections(tenantId, segmentId) {
      const { rows } = await sql<{ version: number | null; previous_text: string; new_text: string; corrected_by: string; corrected_at: Date }>`
        SELECT version, previous_text, new_text, corrected_by, corrected_at FROM transcript_corrections
         WHERE segment_id = ${segmentId} AND tenant_id = ${tenantId} ORDER BY id`.execute(db);
      return rows.map((r, i): Correction => ({ version: r.version ?? i + 2, previousText: r.previous_text, newText: r.new_text, correctedBy: r.corrected_by, correctedAt: r.corrected_at }));
    },
    async setSegmentFlags(tenantId, interviewId, segmentId, flags) {
      const { rows } = await sql<{ id: string }>`
        UPDATE transcript_segments
           SET starred = ${flags.starred === undefined ? sql`starred` : sql`${flags.starred}`},
               question_id = ${flags.questionId === undefined ? sql`question_id` : sql`${flags.questionId}::uuid`}
         WHERE id = ${segmentId} AND interview_id = ${interviewId} AND tenant_id = ${tenantId} RETURNING id`.execute(db);
      if (!rows[0]) return undefined;
      const { rows: segs } = await sql<SegmentRow>`${segmentSelect} WHERE s.id = ${segmentId}`.execute(db);
      return toSegment(segs[0]!);
    },
    async addQuestionMark(input) {
      const { rows } = await sql<{ id: string }>`
        INSERT INTO interview_question_marks (tenant_id, interview_id, question_id, at_ms, marked_by, created_at)
        VALUES (${input.tenantId}, ${input.interviewId}, ${input.questionId}, ${input.atMs}, ${input.markedBy}, ${input.now}) RETURNING id`.execute(db);
      return { id: rows[0]!.id, questionId: input.questionId, atMs: input.atMs, markedBy: input.markedBy };
    },
    async questionMarks(tenantId, interviewId) {
      const { rows } = await sql<{ id: string; question_id: string; at_ms: number; marked_by: string }>`
        SELECT id, question_id, at_ms, marked_by FROM interview_question_marks
         WHERE interview_id = ${interviewId} AND tenant_id = ${tenantId} ORDER BY at_ms, created_at`.execute(db);
      return rows.map((r): QuestionMark => ({ id: r.id, questionId: r.question_id, atMs: r.at_ms, markedBy: r.marked_by }));
    },
    async addNote(input) {
      const { rows } = await sql<{ id: string; author_id: string; at_ms: number | null; text: string; created_at: Date }>`
        INSERT INTO interview_notes (tenant_id, interview_id, author_id, at_ms, text, created_at)
        VALUES (${input.tenantId}, ${input.interviewId}, ${input.authorId}, ${input.atMs}, ${input.text}, ${input.now})
        RETURNING id, author_id, at_ms, text, created_at`.execute(db);
      return noteOf(rows[0]!);
    },
    async notes(tenantId, interviewId, authorId) {
      const { rows } = await sql<{ id: string; author_id: string; at_ms: number | null; text: string; created_at: Date }>`
        SELECT id, author_id, at_ms, text, created_at FROM interview_notes
         WHERE interview_id = ${interviewId} AND tenant_id = ${tenantId} AND author_id = ${authorId} ORDER BY created_at, id`.execute(db);
      return rows.map(noteOf);
    },

    async scorecard(tenantId, interviewId, interviewerId, options = {}) {
      if (options.lock) await sql`SELECT 1 FROM scorecards WHERE interview_id = ${interviewId} AND interviewer_id = ${interviewerId} FOR UPDATE`.execute(db);
      const { rows } = await sql<ScorecardRow>`${scorecardSelect}
        WHERE s.interview_id = ${interviewId} AND s.interviewer_id = ${interviewerId} AND s.tenant_id = ${tenantId}`.execute(db);
      return rows[0] ? toScorecard(rows[0]) : undefined;
    },
    async scorecards(tenantId, interviewId) {
      const { rows } = await sql<ScorecardRow>`${scorecardSelect} WHERE s.interview_id = ${interviewId} AND s.tenant_id = ${tenantId} ORDER BY e.name, s.id`.execute(db);
      return rows.map(toScorecard);
    },
    async saveScorecard(input) {
      const { rows } = await sql<{ id: string }>`
        INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, summary, version, submitted_at, created_at, updated_at)
        VALUES (${input.tenantId}, ${input.interviewId}, ${input.interviewerId}, ${input.status}, ${input.recommendation}, ${input.summary},
                ${input.version}, ${input.submittedAt}, ${input.now}, ${input.now})
        ON CONFLICT (interview_id, interviewer_id) DO UPDATE
           SET status = excluded.status, recommendation = excluded.recommendation, summary = excluded.summary, version = excluded.version,
               submitted_at = excluded.submitted_at, updated_at = excluded.updated_at
        RETURNING id`.execute(db);
      const id = rows[0]!.id;
      await sql`DELETE FROM scorecard_ratings WHERE scorecard_id = ${id}`.execute(db);
      for (const r of input.ratings) {
        await sql`INSERT INTO scorecard_ratings (tenant_id, scorecard_id, competency_id, level, note, evidence_segment_ids, evidence_note_ids)
                  VALUES (${input.tenantId}, ${id}, ${r.competencyId}, ${r.level}, ${r.note}, ${[...r.evidenceSegmentIds]}::uuid[], ${[...r.evidenceNoteIds]}::uuid[])`.execute(db);
      }
      const { rows: cards } = await sql<ScorecardRow>`${scorecardSelect} WHERE s.id = ${id}`.execute(db);
      return toScorecard(cards[0]!);
    },
    async addRevision(scorecardId, version, snapshot, now) {
      await sql`INSERT INTO scorecard_revisions (scorecard_id, version, snapshot, created_at)
                VALUES (${scorecardId}, ${version}, ${JSON.stringify(snapshot)}::jsonb, ${now})`.execute(db);
    },
    async revisions(tenantId, scorecardId) {
      const { rows } = await sql<{ version: number; created_at: Date; snapshot: unknown }>`
        SELECT r.version, r.created_at, r.snapshot FROM scorecard_revisions r JOIN scorecards s ON s.id = r.scorecard_id
         WHERE r.scorecard_id = ${scorecardId} AND s.tenant_id = ${tenantId} ORDER BY r.version`.execute(db);
      return rows.map((r) => ({ version: r.version, createdAt: r.created_at, snapshot: r.snapshot }));
    },

    async replaceDraftItems(tenantId, interviewId, interviewerId, items, now) {
      await sql`UPDATE scorecard_draft_items SET status = 'superseded'
                 WHERE interview_id = ${interviewId} AND interviewer_id = ${interviewerId} AND tenant_id = ${tenantId} AND status = 'proposed'`.execute(db);
      const out: DraftItem[] = [];
      for (const item of items) {
        const { rows } = await sql<DraftRow>`
          INSERT INTO scorecard_draft_items (tenant_id, interview_id, interviewer_id, competency_id, suggested_level, rationale, segment_ids, created_at)
          VALUES (${tenantId}, ${interviewId}, ${interviewerId}, ${item.competencyId}, ${item.suggestedLevel}, ${item.rationale}, ${[...item.segmentIds]}::uuid[], ${now})
          RETURNING id, competency_id, suggested_level, rationale, segment_ids, status, created_at`.execute(db);
        out.push(toDraft(rows[0]!));
      }
      return out;
    },
    async draftItems(tenantId, interviewId, interviewerId) {
      const { rows } = await sql<DraftRow>`
        SELECT d.id, d.competency_id, d.suggested_level, d.rationale, d.segment_ids, d.status, d.created_at
          FROM scorecard_draft_items d JOIN competencies c ON c.id = d.competency_id
         WHERE d.interview_id = ${interviewId} AND d.interviewer_id = ${interviewerId} AND d.tenant_id = ${tenantId} AND d.status <> 'superseded'
         ORDER BY c.position, d.created_at`.execute(db);
      return rows.map(toDraft);
    },
    async decideDraftItem(tenantId, interviewId, interviewerId, itemId, status, now) {
      const { rows } = await sql<DraftRow>`
        UPDATE scorecard_draft_items SET status = ${status}, decided_at = ${now}
         WHERE id = ${itemId} AND interview_id = ${interviewId} AND interviewer_id = ${interviewerId} AND tenant_id = ${tenantId} AND status = 'proposed'
        RETURNING id, competency_id, suggested_level, rationale, segment_ids, status, created_at`.execute(db);
      return rows[0] ? toDraft(rows[0]) : undefined;
    },

    async scorecardDueMinutes(tenantId) {
      const { rows } = await sql<{ due_minutes: number }>`SELECT due_minutes FROM scorecard_policies WHERE tenant_id = ${tenantId}`.execute(db);
      return rows[0]?.due_minutes;
    },
    async setScorecardDueMinutes(tenantId, minutes, now) {
      await sql`INSERT INTO scorecard_policies (tenant_id, due_minutes, updated_at) VALUES (${tenantId}, ${minutes}, ${now})
                ON CONFLICT (tenant_id) DO UPDATE SET due_minutes = excluded.due_minutes, updated_at = excluded.updated_at`.execute(db);
    },
    async lateScorecards(tenantId, scope, now, defaultDueMinutes) {
      const { rows } = await sql<{
        interview_id: string; interviewer_id: string; name: string; job_title: string; round_name: string; candidate_name: string;
        ends_at: Date; due_at: Date; card_status: string | null; nudges_sent: number | null; escalated_at: Date | null;
      }>`
        SELECT i.id AS interview_id, p.employee_id AS interviewer_id, e.name, j.title AS job_title, ro.name AS round_name, ca.name AS candidate_name,
               i.ends_at, i.ends_at + make_interval(mins => coalesce(sp.due_minutes, ${defaultDueMinutes})) AS due_at,
               s.status AS card_status, f.nudges_sent, f.escalated_at
          FROM interviews i
          JOIN interview_panelists p ON p.interview_id = i.id
          JOIN employees e ON e.id = p.employee_id
          JOIN applications a ON a.id = i.application_id
          JOIN candidates ca ON ca.id = a.candidate_id
          JOIN jobs j ON j.id = a.job_id
          JOIN interview_rounds ro ON ro.id = i.round_id
          LEFT JOIN scorecard_policies sp ON sp.tenant_id = i.tenant_id
          LEFT JOIN scorecards s ON s.interview_id = i.id AND s.interviewer_id = p.employee_id
          LEFT JOIN scorecard_followups f ON f.interview_id = i.id AND f.interviewer_id = p.employee_id
         WHERE i.tenant_id = ${tenantId} AND i.status IN ('checked_in', 'in_progress', 'completed', 'confirmed', 'scheduled')
           AND p.role <> 'shadow' AND i.ends_at IS NOT NULL
           AND i.ends_at + make_interval(mins => coalesce(sp.due_minutes, ${defaultDueMinutes})) < ${now}
           AND (s.status IS NULL OR s.status = 'draft')
           AND ${jobVisible(scope, 'j')}
         ORDER BY due_at, e.name LIMIT 500`.execute(db);
      return rows.map((r) => ({
        interviewId: r.interview_id, interviewerId: r.interviewer_id, interviewerName: r.name, jobTitle: r.job_title, roundName: r.round_name,
        candidateName: r.candidate_name, endsAt: r.ends_at, dueAt: r.due_at, status: r.card_status === 'draft' ? ('draft' as const) : ('missing' as const),
        nudgesSent: r.nudges_sent ?? 0, escalated: r.escalated_at !== null,
      }));
    },

    async pendingScorecardsOf(tenantId, employeeId, now, defaultDueMinutes, page) {
      const after = decodeCursor(page.cursor);
      const { rows } = await sql<{
        interview_id: string; status: string; job_title: string; round_name: string; candidate_name: string; role: 'lead' | 'member';
        card_status: string | null; starts_at: Date | null; ends_at: Date; due_at: Date; nudges_sent: number;
      }>`
        SELECT i.id AS interview_id, i.status, j.title AS job_title, ro.name AS round_name, ca.name AS candidate_name, p.role,
               s.status AS card_status, i.starts_at, i.ends_at,
               i.ends_at + make_interval(mins => coalesce(sp.due_minutes, ${defaultDueMinutes})) AS due_at,
               (SELECT count(*)::int FROM scorecard_nudges n
                 WHERE n.interview_id = i.id AND n.interviewer_id = p.employee_id AND n.kind = 'nudge') AS nudges_sent
          FROM interview_panelists p
          JOIN interviews i ON i.id = p.interview_id
          JOIN applications a ON a.id = i.application_id
          JOIN candidates ca ON ca.id = a.candidate_id
          JOIN jobs j ON j.id = a.job_id
          JOIN interview_rounds ro ON ro.id = i.round_id
          LEFT JOIN scorecard_policies sp ON sp.tenant_id = i.tenant_id
          LEFT JOIN scorecards s ON s.interview_id = i.id AND s.interviewer_id = p.employee_id
         WHERE p.tenant_id = ${tenantId} AND i.tenant_id = ${tenantId} AND p.employee_id = ${employeeId} AND p.role <> 'shadow'
           AND i.status IN ('scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed')
           AND i.ends_at IS NOT NULL AND i.ends_at <= ${now}
           AND (s.status IS NULL OR s.status = 'draft')
           ${after ? sql`AND (i.ends_at, i.id) > (${after.createdAt}, ${after.id}::uuid)` : sql``}
         ORDER BY i.ends_at, i.id
         LIMIT ${page.limit + 1}`.execute(db);
      return toPage(rows.map((r) => ({ ...r, created_at: r.ends_at, id: r.interview_id })), page.limit, (r) => ({
        interviewId: r.interview_id, interviewStatus: r.status, jobTitle: r.job_title, roundName: r.round_name, candidateName: r.candidate_name,
        role: r.role, status: r.card_status === 'draft' ? ('draft' as const) : ('none' as const), startsAt: r.starts_at, endsAt: r.ends_at,
        dueAt: r.due_at, nudgesSent: r.nudges_sent,
      }));
    },

    async addDecision(input) {
      const { rows } = await sql<{ id: string; created_at: Date; name: string }>`
        INSERT INTO debrief_decisions (tenant_id, application_id, interview_id, decision, reason, decided_by, created_at)
        VALUES (${input.tenantId}, ${input.applicationId}, ${input.interviewId}, ${input.decision}, ${input.reason}, ${input.decidedBy}, ${input.now})
        RETURNING id, created_at, (SELECT name FROM employees WHERE id = ${input.decidedBy}) AS name`.execute(db);
      const r = rows[0]!;
      return { id: r.id, decision: input.decision, reason: input.reason, decidedBy: input.decidedBy, decidedByName: r.name, interviewId: input.interviewId, createdAt: r.created_at };
    },
    async decisions(tenantId, applicationId) {
      const { rows } = await sql<{ id: string; decision: Decision['decision']; reason: string; decided_by: string; name: string; interview_id: string | null; created_at: Date }>`
        SELECT d.id, d.decision, d.reason, d.decided_by, e.name, d.interview_id, d.created_at
          FROM debrief_decisions d JOIN employees e ON e.id = d.decided_by
         WHERE d.application_id = ${applicationId} AND d.tenant_id = ${tenantId} ORDER BY d.created_at, d.id`.execute(db);
      return rows.map((r) => ({ id: r.id, decision: r.decision, reason: r.reason, decidedBy: r.decided_by, decidedByName: r.name, interviewId: r.interview_id, createdAt: r.created_at }));
    },

    async unplannedFollowups(now, limit) {
      const { rows } = await sql<{ tenant_id: string; interview_id: string; interviewer_id: string; ends_at: Date; time_zone: string; due_minutes: number | null }>`
        SELECT i.tenant_id, i.id AS interview_id, p.employee_id AS interviewer_id, i.ends_at, t.time_zone, sp.due_minutes
          FROM interviews i
          JOIN interview_panelists p ON p.interview_id = i.id
          JOIN tenants t ON t.id = i.tenant_id
          LEFT JOIN scorecard_policies sp ON sp.tenant_id = i.tenant_id
         WHERE i.ends_at <= ${now} AND i.ends_at > ${now}::timestamptz - interval '30 days'
           AND i.status IN ('scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed')
           AND p.role <> 'shadow'
           AND NOT EXISTS (SELECT 1 FROM scorecard_followups f WHERE f.interview_id = i.id AND f.interviewer_id = p.employee_id)
         ORDER BY i.ends_at LIMIT ${limit}`.execute(db);
      return rows.map((r) => ({ tenantId: r.tenant_id, interviewId: r.interview_id, interviewerId: r.interviewer_id, endsAt: r.ends_at, timeZone: r.time_zone, dueMinutes: r.due_minutes }));
    },
    async insertFollowup(input) {
      await sql`INSERT INTO scorecard_followups (tenant_id, interview_id, interviewer_id, due_at, next_at, escalate_at, created_at, updated_at)
                VALUES (${input.tenantId}, ${input.interviewId}, ${input.interviewerId}, ${input.dueAt}, ${input.nextAt}, ${input.escalateAt}, ${input.now}, ${input.now})
                ON CONFLICT DO NOTHING`.execute(db);
    },
    async claimFollowups(limit, now, leaseUntil) {
      const { rows } = await sql<{
        tenant_id: string; interview_id: string; interviewer_id: string; due_at: Date; next_at: Date; escalate_at: Date; escalated_at: Date | null; nudges_sent: number; attempts: number;
      }>`
        WITH pending_due AS (
          SELECT interview_id, interviewer_id FROM scorecard_followups
           WHERE status = 'pending' AND next_at <= ${now} ORDER BY next_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), lapsed AS (
          -- Claimed by a process that died: due again once its lease ran out.
          SELECT interview_id, interviewer_id FROM scorecard_followups
           WHERE status = 'sending' AND claimed_until < ${now} ORDER BY claimed_until LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), due AS (
          SELECT * FROM pending_due UNION SELECT * FROM lapsed
        )
        UPDATE scorecard_followups f SET status = 'sending', claimed_until = ${leaseUntil}, attempts = f.attempts + 1, updated_at = ${now}
          FROM due WHERE f.interview_id = due.interview_id AND f.interviewer_id = due.interviewer_id
        RETURNING f.tenant_id, f.interview_id, f.interviewer_id, f.due_at, f.next_at, f.escalate_at, f.escalated_at, f.nudges_sent, f.attempts`.execute(db);
      return rows.map((r): ClaimedFollowup => ({
        tenantId: r.tenant_id, interviewId: r.interview_id, interviewerId: r.interviewer_id, dueAt: r.due_at, nextAt: r.next_at,
        escalateAt: r.escalate_at, escalatedAt: r.escalated_at, nudgesSent: r.nudges_sent, attempts: r.attempts,
      }));
    },
    async finishFollowup(interviewId, interviewerId, outcome, now) {
      if ('done' in outcome) {
        await sql`UPDATE scorecard_followups SET status = 'done', done_reason = ${outcome.done}, claimed_until = NULL, updated_at = ${now}
                   WHERE interview_id = ${interviewId} AND interviewer_id = ${interviewerId}`.execute(db);
        return;
      }
      await sql`UPDATE scorecard_followups
                   SET status = 'pending', next_at = ${outcome.nextAt}, claimed_until = NULL, attempts = 0, updated_at = ${now},
                       nudges_sent = nudges_sent + ${outcome.nudged ? 1 : 0},
                       escalated_at = CASE WHEN ${outcome.escalated} THEN coalesce(escalated_at, ${now}::timestamptz) ELSE escalated_at END
                 WHERE interview_id = ${interviewId} AND interviewer_id = ${interviewerId}`.execute(db);
    },
    async releaseFollowup(interviewId, interviewerId, now) {
      await sql`UPDATE scorecard_followups SET status = 'pending', claimed_until = NULL, updated_at = ${now}
                 WHERE interview_id = ${interviewId} AND interviewer_id = ${interviewerId} AND status = 'sending'`.execute(db);
    },
    async recordNudge(input) {
      await sql`INSERT INTO scorecard_nudges (tenant_id, interview_id, interviewer_id, kind, recipient_employee_id, outbox_key, sent_at)
                VALUES (${input.tenantId}, ${input.interviewId}, ${input.interviewerId}, ${input.kind}, ${input.recipientId}, ${input.outboxKey}, ${input.now})
                ON CONFLICT (outbox_key) DO NOTHING`.execute(db);
    },
    async nextFollowupAt() {
      const { rows } = await sql<{ at: Date | null }>`
        SELECT least((SELECT min(next_at) FROM scorecard_followups WHERE status = 'pending'),
                     (SELECT min(claimed_until) FROM scorecard_followups WHERE status = 'sending')) AS at`.execute(db);
      return rows[0]?.at ?? undefined;
    },
  };
}

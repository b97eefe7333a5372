import { sql } from 'kysely';
import type { SurveyQuestion, SurveyResponse, SurveyStore } from '../../features/surveys/survey-store';
import type { Db } from './database';

export function postgresSurveyStore(db: Db): SurveyStore {
  return {
    async delayMinutes(tenantId) {
      const { rows } = await sql<{ m: number }>`SELECT survey_delay_minutes AS m FROM tenants WHERE id = ${tenantId}`.execute(db);
      return rows[0]?.m ?? 120;
    },
    async questions(tenantId) {
      const { rows } = await sql<SurveyQuestion>`SELECT position, text, kind FROM survey_questions WHERE tenant_id = ${tenantId} ORDER BY position`.execute(db);
      return rows;
    },
    async setQuestions(tenantId, questions) {
      await sql`DELETE FROM survey_questions WHERE tenant_id = ${tenantId}`.execute(db);
      for (const q of questions) {
        await sql`INSERT INTO survey_questions (tenant_id, position, text, kind) VALUES (${tenantId}, ${q.position}, ${q.text}, ${q.kind})`.execute(db);
      }
    },
    async schedule(tenantId, interviewId, sendAt, now) {
      await sql`INSERT INTO surveys (tenant_id, interview_id, send_at, created_at) VALUES (${tenantId}, ${interviewId}, ${sendAt}, ${now})
                ON CONFLICT (interview_id) DO UPDATE SET send_at = EXCLUDED.send_at WHERE surveys.status = 'scheduled'`.execute(db);
    },
    async markSent(tenantId, interviewId, now) {
      await sql`UPDATE surveys SET status = 'sent', sent_at = ${now} WHERE tenant_id = ${tenantId} AND interview_id = ${interviewId} AND status = 'scheduled'`.execute(db);
    },
    async expire(tenantId, interviewId) {
      await sql`UPDATE surveys SET status = 'expired' WHERE tenant_id = ${tenantId} AND interview_id = ${interviewId} AND status IN ('scheduled', 'sent')`.execute(db);
    },
    async find(tenantId, interviewId) {
      const { rows } = await sql<{ status: 'scheduled' | 'sent' | 'answered' | 'expired'; send_at: Date; answered_at: Date | null; interview_status: string }>`
        SELECT s.status, s.send_at, s.answered_at, i.status AS interview_status
          FROM surveys s JOIN interviews i ON i.id = s.interview_id
         WHERE s.tenant_id = ${tenantId} AND s.interview_id = ${interviewId}`.execute(db);
      const r = rows[0];
      return r && { status: r.status, sendAt: r.send_at, answeredAt: r.answered_at, interviewStatus: r.interview_status };
    },
    async answer(tenantId, interviewId, response, now) {
      const result = await sql`
        UPDATE surveys s SET status = 'answered', score = ${response.score}, answers = ${JSON.stringify(response.answers)}::jsonb,
                             comment = ${response.comment}, answered_at = ${now}
          FROM interviews i
         WHERE s.tenant_id = ${tenantId} AND s.interview_id = ${interviewId} AND i.id = s.interview_id
           AND s.status IN ('scheduled', 'sent') AND i.status IN ('checked_in', 'in_progress', 'completed')`.execute(db);
      return Number(result.numAffectedRows ?? 0) > 0;
    },
    async responses(tenantId, filter) {
      const { rows } = await sql<{ score: number; answers: Record<string, number | string>; comment: string | null }>`
        SELECT s.score, s.answers, s.comment
          FROM surveys s
          JOIN interviews i ON i.id = s.interview_id
          JOIN applications a ON a.id = i.application_id
         WHERE s.tenant_id = ${tenantId} AND s.status = 'answered'
           ${filter.jobId ? sql`AND a.job_id = ${filter.jobId}` : sql``}
           ${filter.interviewerId ? sql`AND EXISTS (SELECT 1 FROM interview_panelists p WHERE p.interview_id = i.id AND p.employee_id = ${filter.interviewerId})` : sql``}
         ORDER BY s.answered_at DESC`.execute(db);
      return rows.map((r): SurveyResponse => ({ score: r.score, answers: r.answers, comment: r.comment }));
    },
  };
}

import { sql } from 'kysely';
import type { Consent, DataRequest, Scorecard } from '../../../contracts/privacy';
import type { CandidateInterviewRecord, DataRequestRecord, PrivacyStore } from '../../features/privacy/privacy-store';
import type { Db } from './database';
import { iso } from './pagination';

type ConsentRow = { id: string; purpose: Consent['purpose']; notice_version: string; channel: Consent['channel']; given_at: Date; withdrawn_at: Date | null };
const toConsent = (r: ConsentRow): Consent => ({
  id: r.id,
  purpose: r.purpose,
  noticeVersion: r.notice_version,
  channel: r.channel,
  givenAt: iso(r.given_at),
  withdrawnAt: r.withdrawn_at ? iso(r.withdrawn_at) : null,
});

type RequestRow = {
  id: string; candidate_id: string; kind: DataRequest['kind']; status: DataRequest['status']; details: string; due_at: Date;
  resolution: string | null; completed_at: Date | null; created_at: Date; export: unknown; candidate_name?: string;
};
const toRequest = (r: RequestRow, now: Date): DataRequestRecord => ({
  id: r.id,
  candidateId: r.candidate_id,
  ...(r.candidate_name !== undefined && { candidateName: r.candidate_name }),
  kind: r.kind,
  status: r.status,
  details: r.details,
  dueAt: iso(r.due_at),
  overdue: r.status === 'open' && r.due_at <= now,
  resolution: r.resolution,
  completedAt: r.completed_at ? iso(r.completed_at) : null,
  createdAt: iso(r.created_at),
  hasExport: r.export !== null && r.export !== undefined,
  export: r.export,
});

export function postgresPrivacyStore(db: Db): PrivacyStore {
  /** A candidate's interviews with what they may see: the panel by title only (shadows left out), no personal data. */
  async function candidateInterviews(
    tenantId: string,
    candidateId: string,
    only: { interviewId?: string; applicationId?: string | null },
  ): Promise<CandidateInterviewRecord[]> {
    let query = db
      .selectFrom('interviews as i')
      .innerJoin('applications as a', 'a.id', 'i.application_id')
      .innerJoin('candidates as c', 'c.id', 'a.candidate_id')
      .innerJoin('tenants as t', 't.id', 'i.tenant_id')
      .innerJoin('jobs as j', 'j.id', 'a.job_id')
      .innerJoin('interview_rounds as r', 'r.id', 'i.round_id')
      .select(['i.id', 'i.application_id', 'j.title', 'r.name', 'i.status', 'i.mode', 'i.starts_at', 'i.ends_at', 'i.location', 'i.meeting_url', 'i.checked_in_at', 'c.time_zone as candidate_zone', 't.time_zone as tenant_zone'])
      .where('i.tenant_id', '=', tenantId)
      .where('a.candidate_id', '=', candidateId);
    if (only.interviewId) query = query.where('i.id', '=', only.interviewId);
    if (only.applicationId) query = query.where('i.application_id', '=', only.applicationId);
    const rows = await query.orderBy('i.starts_at', (ob) => ob.desc().nullsFirst()).orderBy('i.created_at', 'desc').limit(100).execute();
    if (rows.length === 0) return [];
    const panel = await db
      .selectFrom('interview_panelists as p')
      .innerJoin('employees as e', 'e.id', 'p.employee_id')
      .select(['p.interview_id', 'e.title'])
      .where('p.interview_id', 'in', rows.map((r) => r.id))
      .where('p.role', '<>', 'shadow')
      .execute();
    return rows.map((row) => ({
      id: row.id, applicationId: row.application_id, jobTitle: row.title, roundName: row.name, status: row.status, mode: row.mode,
      startsAt: row.starts_at, endsAt: row.ends_at, location: row.location, meetingUrl: row.meeting_url, checkedInAt: row.checked_in_at,
      panelTitles: panel.filter((p) => p.interview_id === row.id).map((p) => p.title ?? '面试官'),
      candidateTimeZone: row.candidate_zone, tenantTimeZone: row.tenant_zone,
    }));
  }

  const consentColumns = ['id', 'purpose', 'notice_version', 'channel', 'given_at', 'withdrawn_at'] as const;
  const requestBase = () =>
    db
      .selectFrom('data_requests as r')
      .innerJoin('candidates as c', 'c.id', 'r.candidate_id')
      .select(['r.id', 'r.candidate_id', 'r.kind', 'r.status', 'r.details', 'r.due_at', 'r.resolution', 'r.completed_at', 'r.created_at', 'r.export', 'c.name as candidate_name']);

  return {
    async listConsents(tenantId, candidateId) {
      const rows = await db.selectFrom('consents').select(consentColumns).where('tenant_id', '=', tenantId).where('candidate_id', '=', candidateId).orderBy('given_at').execute();
      return rows.map(toConsent);
    },
    async giveConsent(tenantId, candidateId, { purpose, noticeVersion, channel, now }) {
      const inserted = await db
        .insertInto('consents')
        .values({ tenant_id: tenantId, candidate_id: candidateId, purpose, notice_version: noticeVersion, channel, given_at: now })
        .onConflict((oc) => oc.columns(['candidate_id', 'purpose']).where('withdrawn_at', 'is', null).doNothing())
        .returning(consentColumns)
        .executeTakeFirst();
      if (inserted) return toConsent(inserted);
      const active = await db
        .selectFrom('consents')
        .select(consentColumns)
        .where('tenant_id', '=', tenantId)
        .where('candidate_id', '=', candidateId)
        .where('purpose', '=', purpose)
        .where('withdrawn_at', 'is', null)
        .executeTakeFirstOrThrow();
      return toConsent(active);
    },
    async withdrawConsent(tenantId, candidateId, purpose, now) {
      const result = await db
        .updateTable('consents')
        .set({ withdrawn_at: now })
        .where('tenant_id', '=', tenantId)
        .where('candidate_id', '=', candidateId)
        .where('purpose', '=', purpose)
        .where('withdrawn_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async insertDataRequest({ tenantId, candidateId, kind, details, dueAt, now }) {
      const { id } = await db
        .insertInto('data_requests')
        .values({ tenant_id: tenantId, candidate_id: candidateId, kind, details, due_at: dueAt, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const row = await requestBase().where('r.id', '=', id).executeTakeFirstOrThrow();
      return toRequest(row as RequestRow, now);
    },
    async findDataRequest(tenantId, requestId, now) {
      const row = await requestBase().where('r.tenant_id', '=', tenantId).where('r.id', '=', requestId).executeTakeFirst();
      return row && toRequest(row as RequestRow, now);
    },
    async listDataRequests(tenantId, filter, now) {
      let q = requestBase().where('r.tenant_id', '=', tenantId);
      if (filter.candidateId) q = q.where('r.candidate_id', '=', filter.candidateId);
      if (filter.status) q = q.where('r.status', '=', filter.status);
      const rows = await q.orderBy('r.status').orderBy('r.due_at').limit(500).execute();
      return rows.map((r) => {
        const { export: _export, ...request } = toRequest(r as RequestRow, now);
        return request;
      });
    },
    async resolveDataRequest(tenantId, requestId, outcome) {
      const result = await db
        .updateTable('data_requests')
        .set({
          status: outcome.status,
          resolution: outcome.resolution,
          handled_by: outcome.handledBy,
          completed_at: outcome.now,
          export: outcome.export === undefined ? null : JSON.stringify(outcome.export),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', requestId)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async candidateRecords(tenantId, candidateId) {
      const candidate = await db
        .selectFrom('candidates')
        .select(['name', 'source', 'time_zone', 'talent_pool', 'created_at', 'updated_at'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', candidateId)
        .executeTakeFirst();
      const applications = await db
        .selectFrom('applications as a')
        .innerJoin('jobs as j', 'j.id', 'a.job_id')
        .select(['a.id', 'j.title as job', 'a.stage', 'a.created_at', 'a.stage_changed_at'])
        .where('a.tenant_id', '=', tenantId)
        .where('a.candidate_id', '=', candidateId)
        .orderBy('a.created_at')
        .execute();
      const interviews = await db
        .selectFrom('interviews as i')
        .innerJoin('applications as a', 'a.id', 'i.application_id')
        .innerJoin('interview_rounds as r', 'r.id', 'i.round_id')
        .select(['i.id', 'i.application_id', 'r.name as round', 'i.status', 'i.mode', 'i.starts_at', 'i.ends_at', 'i.location'])
        .where('i.tenant_id', '=', tenantId)
        .where('a.candidate_id', '=', candidateId)
        .orderBy('i.starts_at')
        .execute();
      const ids = interviews.map((i) => i.id);
      const surveys = ids.length
        ? (await sql<{ interview_id: string; status: string; score: number | null; comment: string | null; answered_at: Date | null }>`
            SELECT interview_id, status, score, comment, answered_at FROM surveys WHERE tenant_id = ${tenantId} AND interview_id = ANY(${ids}::uuid[])`.execute(db)).rows
        : [];
      const channels = await db
        .selectFrom('candidate_channels')
        .select(['kf_external_userid', 'mp_openid', 'mp_unionid', 'kf_last_customer_message_at'])
        .where('tenant_id', '=', tenantId)
        .where('candidate_id', '=', candidateId)
        .executeTakeFirst();
      return {
        candidate: candidate && { name: candidate.name, source: candidate.source, timeZone: candidate.time_zone, talentPool: candidate.talent_pool, createdAt: iso(candidate.created_at), updatedAt: iso(candidate.updated_at) },
        applications: applications.map((a) => ({ id: a.id, job: a.job, stage: a.stage, appliedAt: iso(a.created_at), stageChangedAt: iso(a.stage_changed_at) })),
        interviews: interviews.map((i) => ({ id: i.id, applicationId: i.application_id, round: i.round, status: i.status, mode: i.mode, startsAt: i.starts_at && iso(i.starts_at), endsAt: i.ends_at && iso(i.ends_at), location: i.location })),
        surveys: surveys.map((s) => ({ interviewId: s.interview_id, status: s.status, score: s.score, comment: s.comment, answeredAt: s.answered_at && iso(s.answered_at) })),
        wechat: channels
          ? { kfExternalUserId: channels.kf_external_userid, miniProgramOpenId: channels.mp_openid, unionId: channels.mp_unionid, lastMessageAt: channels.kf_last_customer_message_at && iso(channels.kf_last_customer_message_at) }
          : null,
      };
    },

    async listInvitations(tenantId, candidateId, onlyInvitationId, now) {
      let q = db
        .selectFrom('invitations as i')
        .innerJoin('applications as a', 'a.id', 'i.application_id')
        .innerJoin('jobs as j', 'j.id', 'a.job_id')
        .select(['i.id', 'j.title', 'i.interview_id', 'i.expires_at', 'i.revoked_at', 'i.application_id'])
        .where('i.tenant_id', '=', tenantId)
        .where('i.candidate_id', '=', candidateId);
      if (onlyInvitationId) q = q.where('i.id', '=', onlyInvitationId);
      const rows = await q.orderBy('i.created_at', 'desc').limit(50).execute();
      return rows.map((r) => ({ id: r.id, jobTitle: r.title, interviewId: r.interview_id, expiresAt: r.expires_at, live: !r.revoked_at && r.expires_at > now, applicationId: r.application_id }));
    },
    async findCandidateInterview(tenantId, candidateId, interviewId) {
      return (await candidateInterviews(tenantId, candidateId, { interviewId }))[0];
    },
    async listCandidateInterviews(tenantId, candidateId, applicationId) {
      return candidateInterviews(tenantId, candidateId, { applicationId });
    },
    async findSurvey(tenantId, interviewId) {
      const { rows } = await sql<{ status: 'scheduled' | 'sent' | 'answered' | 'expired'; send_at: Date; answered_at: Date | null }>`
        SELECT status, send_at, answered_at FROM surveys WHERE tenant_id = ${tenantId} AND interview_id = ${interviewId}`.execute(db);
      const row = rows[0];
      return row && { status: row.status, sendAt: row.send_at, answeredAt: row.answered_at };
    },
    async invitationApplication(tenantId, invitationId) {
      const row = await db.selectFrom('invitations').select('application_id').where('tenant_id', '=', tenantId).where('id', '=', invitationId).executeTakeFirst();
      return row?.application_id;
    },

    async findInterview(tenantId, interviewId) {
      const row = await db
        .selectFrom('interviews as i')
        .innerJoin('applications as a', 'a.id', 'i.application_id')
        .innerJoin('candidates as c', 'c.id', 'a.candidate_id')
        .innerJoin('jobs as j', 'j.id', 'a.job_id')
        .innerJoin('interview_rounds as r', 'r.id', 'i.round_id')
        .select(['i.id', 'i.application_id', 'a.job_id', 'j.title', 'c.name as candidate_name', 'r.name as round_name', 'i.status', 'i.mode', 'i.starts_at', 'i.ends_at', 'i.location'])
        .where('i.tenant_id', '=', tenantId)
        .where('i.id', '=', interviewId)
        .executeTakeFirst();
      if (!row) return undefined;
      const panel = await db
        .selectFrom('interview_panelists as p')
        .innerJoin('employees as e', 'e.id', 'p.employee_id')
        .select(['p.employee_id', 'e.name', 'e.title', 'p.role'])
        .where('p.interview_id', '=', interviewId)
        .orderBy('e.name')
        .execute();
      return {
        id: row.id, applicationId: row.application_id, jobId: row.job_id, jobTitle: row.title, candidateName: row.candidate_name,
        roundName: row.round_name, status: row.status, mode: row.mode,
        startsAt: row.starts_at && iso(row.starts_at), endsAt: row.ends_at && iso(row.ends_at), location: row.location,
        panel: panel.map((p) => ({ employeeId: p.employee_id, name: p.name, title: p.title, role: p.role })),
      };
    },
    async listScorecards(tenantId, interviewId) {
      const { rows } = await sql<{ interviewer_id: string; name: string; status: Scorecard['status']; recommendation: Scorecard['recommendation']; summary: string; submitted_at: Date | null }>`
        SELECT s.interviewer_id, e.name, s.status, s.recommendation, s.summary, s.submitted_at
          FROM scorecards s JOIN employees e ON e.id = s.interviewer_id
         WHERE s.tenant_id = ${tenantId} AND s.interview_id = ${interviewId}
         ORDER BY e.name`.execute(db);
      return rows.map((r) => ({
        interviewerId: r.interviewer_id, interviewerName: r.name, status: r.status, recommendation: r.recommendation,
        summary: r.summary, submittedAt: r.submitted_at && iso(r.submitted_at),
      }));
    },

    async getScopes(tenantId, employeeId) {
      const employee = await db.selectFrom('employees').select('id').where('tenant_id', '=', tenantId).where('id', '=', employeeId).executeTakeFirst();
      if (!employee) return undefined;
      const rows = await db.selectFrom('employee_scopes').select('department_id').where('employee_id', '=', employeeId).orderBy('department_id').execute();
      return rows.map((r) => r.department_id);
    },
    async setScopes(tenantId, employeeId, departmentIds) {
      const employee = await db.selectFrom('employees').select('id').where('tenant_id', '=', tenantId).where('id', '=', employeeId).forUpdate().executeTakeFirst();
      if (!employee) return false;
      await db.deleteFrom('employee_scopes').where('employee_id', '=', employeeId).execute();
      if (departmentIds.length > 0) {
        await db
          .insertInto('employee_scopes')
          .values([...new Set(departmentIds)].map((department_id) => ({ tenant_id: tenantId, employee_id: employeeId, department_id })))
          .execute();
      }
      return true;
    },
    async listRetentionPolicies(tenantId) {
      const rows = await db.selectFrom('retention_policies').select(['data_class', 'retain_days']).where('tenant_id', '=', tenantId).orderBy('data_class').execute();
      return rows.map((r) => ({ dataClass: r.data_class as 'raw_audio', retainDays: r.retain_days }));
    },
    async setRetentionPolicy(tenantId, dataClass, retainDays, now) {
      await db
        .insertInto('retention_policies')
        .values({ tenant_id: tenantId, data_class: dataClass, retain_days: retainDays, updated_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'data_class']).doUpdateSet({ retain_days: retainDays, updated_at: now }))
        .execute();
    },
  };
}

import { sql } from 'kysely';
import type { BotStore } from '../../features/bot/bot-store';
import type { Db } from './database';
import { candidateVisible, jobVisible } from './scope';

export function postgresBotStore(db: Db): BotStore {
  return {
    async employeesByPlatformUser(tenantId, platformUserIds) {
      if (platformUserIds.length === 0) return [];
      const rows = await db
        .selectFrom('employees')
        .select(['id', 'platform_user_id', 'name', 'roles', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('platform_user_id', 'in', [...platformUserIds])
        .execute();
      return rows.map((r) => ({ id: r.id, platformUserId: r.platform_user_id, name: r.name, roles: r.roles, status: r.status }));
    },
    async funnelRows(tenantId, jobId, from, to, scope) {
      const job = await db.selectFrom('jobs').select(['title']).where('tenant_id', '=', tenantId).where('id', '=', jobId).where(jobVisible(scope)).executeTakeFirst();
      if (!job) return undefined;
      const { rows } = await sql<{ stage: string; reached: string[] }>`
        SELECT a.stage,
               array(SELECT DISTINCT e.to_stage FROM application_stage_events e WHERE e.application_id = a.id) || ARRAY[a.stage] AS reached
          FROM applications a
         WHERE a.tenant_id = ${tenantId} AND a.job_id = ${jobId} AND a.created_at >= ${from} AND a.created_at < ${to}`.execute(db);
      return { jobTitle: job.title, rows: rows.map((r) => ({ stage: r.stage, reached: [...new Set(r.reached)] })) };
    },
    async agenda(tenantId, from, to, scope, limit) {
      const { rows } = await sql<{
        id: string; status: string; starts_at: Date; ends_at: Date; confirmed_at: Date | null; checked_in_at: Date | null;
        job_title: string; round_name: string; candidate_name: string; panel: string[] | null;
      }>`
        SELECT i.id, i.status, i.starts_at, i.ends_at, i.confirmed_at, i.checked_in_at, jobs.title AS job_title, r.name AS round_name,
               c.name AS candidate_name,
               array(SELECT e.name FROM interview_panelists p JOIN employees e ON e.id = p.employee_id
                      WHERE p.interview_id = i.id ORDER BY p.role, e.name) AS panel
          FROM interviews i
          JOIN applications a ON a.id = i.application_id
          JOIN jobs ON jobs.id = a.job_id
          JOIN interview_rounds r ON r.id = i.round_id
          JOIN candidates c ON c.id = a.candidate_id
         WHERE i.tenant_id = ${tenantId} AND i.starts_at >= ${from} AND i.starts_at < ${to}
           AND i.status NOT IN ('cancelled', 'draft', 'awaiting_candidate', 'declined') AND ${jobVisible(scope)}
         ORDER BY i.starts_at, i.id
         LIMIT ${limit}`.execute(db);
      return rows.map((r) => ({
        interviewId: r.id, status: r.status, startsAt: r.starts_at, endsAt: r.ends_at, confirmedAt: r.confirmed_at, checkedInAt: r.checked_in_at,
        jobTitle: r.job_title, roundName: r.round_name, candidateName: r.candidate_name, panel: r.panel ?? [],
      }));
    },
    async interviewsOfCandidate(tenantId, candidateId, scope) {
      const visible = await db.selectFrom('candidates').select('id').where('tenant_id', '=', tenantId).where('id', '=', candidateId).where(candidateVisible(scope)).executeTakeFirst();
      if (!visible) return undefined;
      const { rows } = await sql<{ id: string; application_id: string; job_title: string; round_name: string; status: string; starts_at: Date | null; ends_at: Date | null; confirmed_at: Date | null }>`
        SELECT i.id, i.application_id, jobs.title AS job_title, r.name AS round_name, i.status, i.starts_at, i.ends_at, i.confirmed_at
          FROM interviews i
          JOIN applications a ON a.id = i.application_id
          JOIN jobs ON jobs.id = a.job_id
          JOIN interview_rounds r ON r.id = i.round_id
         WHERE i.tenant_id = ${tenantId} AND a.candidate_id = ${candidateId} AND ${jobVisible(scope)}
         ORDER BY i.starts_at DESC NULLS FIRST, i.created_at DESC
         LIMIT 20`.execute(db);
      return rows.map((r) => ({
        interviewId: r.id, applicationId: r.application_id, jobTitle: r.job_title, roundName: r.round_name, status: r.status,
        startsAt: r.starts_at, endsAt: r.ends_at, confirmedAt: r.confirmed_at,
      }));
    },
    async interviewerLoad(tenantId, from, to, scope, limit) {
      const { rows } = await sql<{ name: string; interviews: number }>`
        SELECT e.name, count(*)::int AS interviews
          FROM interview_panelists p
          JOIN interviews i ON i.id = p.interview_id
          JOIN applications a ON a.id = i.application_id
          JOIN jobs ON jobs.id = a.job_id
          JOIN employees e ON e.id = p.employee_id
         WHERE p.tenant_id = ${tenantId} AND i.starts_at >= ${from} AND i.starts_at < ${to}
           AND i.status NOT IN ('cancelled', 'declined') AND ${jobVisible(scope)}
         GROUP BY e.id, e.name
         ORDER BY interviews DESC, e.name
         LIMIT ${limit}`.execute(db);
      return rows;
    },
    async commandSeen(tenantId, messageId) {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = ${tenantId} AND action = 'bot.command' AND request_id = ${messageId}`.execute(db);
      return (rows[0]?.n ?? 0) > 0;
    },
    async insertBotSession(s) {
      await sql`INSERT INTO sessions (token_hash, tenant_id, employee_id, method, expires_at, idle_timeout_seconds, created_at, last_seen_at)
                VALUES (${s.tokenHash}, ${s.tenantId}, ${s.employeeId}, 'bot', ${s.expiresAt}, ${s.idleTimeoutSeconds}, ${s.now}, ${s.now})`.execute(db);
    },
  };
}

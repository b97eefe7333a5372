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
    async botCommand(tenantId, requestId, maxAgeSeconds) {
      // The audit time is the database's own now(), so its age is measured against the database clock too.
      const { rows } = await sql<{ actor: string; at: Date; details: Record<string, unknown> | null }>`
        SELECT actor, at, details FROM audit_events
         WHERE tenant_id = ${tenantId} AND action = 'bot.command' AND request_id = ${requestId}
           AND at > now() - make_interval(secs => ${maxAgeSeconds})
         ORDER BY at LIMIT 1`.execute(db);
      const r = rows[0];
      if (!r) return undefined;
      const text = (v: unknown) => (typeof v === 'string' ? v : null);
      return { actor: r.actor, at: r.at, chatType: text(r.details?.chatType), platform: text(r.details?.platform), chatId: text(r.details?.chatId) };
    },
    async insertBotSession(s) {
      await sql`INSERT INTO sessions (token_hash, tenant_id, employee_id, method, expires_at, idle_timeout_seconds, created_at, last_seen_at)
                VALUES (${s.tokenHash}, ${s.tenantId}, ${s.employeeId}, 'bot', ${s.expiresAt}, ${s.idleTimeoutSeconds}, ${s.now}, ${s.now})`.execute(db);
    },
    async lastManualNudgeAt(tenantId, interviewId, interviewerId) {
      const { rows } = await sql<{ at: Date | null }>`
        SELECT max(sent_at) AS at FROM scorecard_nudges
         WHERE tenant_id = ${tenantId} AND interview_id = ${interviewId} AND interviewer_id = ${interviewerId}
           AND kind = 'nudge' AND outbox_key LIKE 'chat:nudge-manual:%'`.execute(db);
      return rows[0]?.at ?? undefined;
    },
    async exportRows(tenantId, from, to, scope, limit, viewerId) {
      const { rows } = await sql<{
        starts_at: Date; ends_at: Date | null; status: string; candidate_name: string; job_title: string; round_name: string; interviewer_name: string | null;
        role: string | null; card_status: string | null; recommendation: string | null; average_level: string | null; submitted_at: Date | null;
      }>`
        SELECT i.starts_at, i.ends_at, i.status, c.name AS candidate_name, jobs.title AS job_title, r.name AS round_name, e.name AS interviewer_name,
               p.role, s.status AS card_status,
               -- Independent scoring: only submitted cards, and nothing while the viewer's own scoring seat is unsubmitted.
               CASE WHEN shown.ok THEN s.recommendation END AS recommendation,
               CASE WHEN shown.ok THEN (SELECT round(avg(sr.level)::numeric, 2) FROM scorecard_ratings sr WHERE sr.scorecard_id = s.id) END AS average_level,
               s.submitted_at
          FROM interviews i
          JOIN applications a ON a.id = i.application_id
          JOIN jobs ON jobs.id = a.job_id
          JOIN interview_rounds r ON r.id = i.round_id
          JOIN candidates c ON c.id = a.candidate_id
          LEFT JOIN interview_panelists p ON p.interview_id = i.id
          LEFT JOIN employees e ON e.id = p.employee_id
          LEFT JOIN scorecards s ON s.interview_id = i.id AND s.interviewer_id = p.employee_id
          CROSS JOIN LATERAL (
            SELECT s.status = 'submitted' AND NOT EXISTS (
                     SELECT 1 FROM interview_panelists mine
                       LEFT JOIN scorecards own ON own.interview_id = mine.interview_id AND own.interviewer_id = mine.employee_id
                      WHERE mine.interview_id = i.id AND mine.employee_id = ${viewerId} AND mine.role IN ('lead', 'member')
                        AND own.status IS DISTINCT FROM 'submitted') AS ok
          ) shown
         WHERE i.tenant_id = ${tenantId} AND i.starts_at >= ${from} AND i.starts_at < ${to} AND ${jobVisible(scope)}
         ORDER BY i.starts_at, i.id, e.name
         LIMIT ${limit}`.execute(db);
      return rows.map((r) => ({
        startsAt: r.starts_at, endsAt: r.ends_at, status: r.status, candidateName: r.candidate_name, jobTitle: r.job_title, roundName: r.round_name,
        interviewerName: r.interviewer_name, panelRole: r.role, scorecardStatus: r.card_status, recommendation: r.recommendation,
        averageLevel: r.average_level === null ? null : Number(r.average_level), submittedAt: r.submitted_at,
      }));
    },
    async insertExport(x) {
      await sql`INSERT INTO bot_exports (tenant_id, employee_id, token_hash, filename, body, row_count, expires_at, created_at)
                VALUES (${x.tenantId}, ${x.employeeId}, ${x.tokenHash}, ${x.filename}, ${Buffer.from(x.body)}, ${x.rowCount}, ${x.expiresAt}, ${x.now})`.execute(db);
    },
    async peekExport(tokenHash, now) {
      const { rows } = await sql<{ filename: string; row_count: number; expires_at: Date; downloaded_at: Date | null; has_body: boolean }>`
        SELECT filename, row_count, expires_at, downloaded_at, body IS NOT NULL AS has_body FROM bot_exports WHERE token_hash = ${tokenHash}`.execute(db);
      const r = rows[0];
      if (!r) return undefined;
      const state = r.downloaded_at ? ('used' as const) : !r.has_body || r.expires_at <= now ? ('expired' as const) : ('ready' as const);
      return { filename: r.filename, rowCount: r.row_count, expiresAt: r.expires_at, state };
    },
    async takeExport(tokenHash, now) {
      const { rows } = await sql<{ tenant_id: string; employee_id: string; filename: string; body: Buffer; row_count: number }>`
        WITH found AS (
          SELECT id, body FROM bot_exports
           WHERE token_hash = ${tokenHash} AND downloaded_at IS NULL AND body IS NOT NULL AND expires_at > ${now}
           FOR UPDATE)
        UPDATE bot_exports x SET downloaded_at = ${now}, body = NULL FROM found WHERE x.id = found.id
        RETURNING x.tenant_id, x.employee_id, x.filename, found.body, x.row_count`.execute(db);
      const r = rows[0];
      return r ? { tenantId: r.tenant_id, employeeId: r.employee_id, filename: r.filename, body: r.body, rowCount: r.row_count } : undefined;
    },
    async expireExports(now) {
      const result = await sql`UPDATE bot_exports SET body = NULL WHERE body IS NOT NULL AND expires_at <= ${now}`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },
    async upsertDigest(d) {
      await sql`INSERT INTO bot_digests (tenant_id, platform, chat_id, employee_id, local_time, time_zone, next_run_at, created_at, updated_at)
                VALUES (${d.tenantId}, ${d.platform}, ${d.chatId}, ${d.employeeId}, ${d.localTime}, ${d.timeZone}, ${d.nextRunAt}, ${d.now}, ${d.now})
                ON CONFLICT (tenant_id, platform, chat_id) DO UPDATE
                  SET employee_id = excluded.employee_id, local_time = excluded.local_time, time_zone = excluded.time_zone,
                      next_run_at = excluded.next_run_at, updated_at = excluded.updated_at`.execute(db);
    },
    async deleteDigest(tenantId, platform, chatId) {
      const result = await sql`DELETE FROM bot_digests WHERE tenant_id = ${tenantId} AND platform = ${platform} AND chat_id = ${chatId}`.execute(db);
      return Number(result.numAffectedRows ?? 0) > 0;
    },
    async claimDueDigests(now, limit) {
      const { rows } = await sql<{
        tenant_id: string; platform: 'wecom' | 'dingtalk'; chat_id: string; employee_id: string; status: string; roles: string[];
        local_time: string; time_zone: string; next_run_at: Date;
      }>`
        SELECT d.tenant_id, d.platform, d.chat_id, d.employee_id, e.status, e.roles, d.local_time, d.time_zone, d.next_run_at
          FROM bot_digests d JOIN employees e ON e.id = d.employee_id
         WHERE d.next_run_at <= ${now}
         ORDER BY d.next_run_at
         LIMIT ${limit}
           FOR UPDATE OF d SKIP LOCKED`.execute(db);
      return rows.map((r) => ({
        tenantId: r.tenant_id, platform: r.platform, chatId: r.chat_id, employeeId: r.employee_id, employeeStatus: r.status, employeeRoles: r.roles,
        localTime: r.local_time, timeZone: r.time_zone, nextRunAt: r.next_run_at,
      }));
    },
    async advanceDigest(d) {
      await sql`UPDATE bot_digests SET next_run_at = ${d.nextRunAt}, last_sent_at = coalesce(${d.sentAt}, last_sent_at), updated_at = ${d.now}
                 WHERE tenant_id = ${d.tenantId} AND platform = ${d.platform} AND chat_id = ${d.chatId}`.execute(db);
    },
    async nextDigestAt() {
      const { rows } = await sql<{ at: Date | null }>`SELECT min(next_run_at) AS at FROM bot_digests`.execute(db);
      return rows[0]?.at ?? undefined;
    },
  };
}

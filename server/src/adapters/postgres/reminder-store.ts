import { sql } from 'kysely';
import type { ClaimedReminder, ReminderStore } from '../../features/reminders/reminder-store';
import type { Db } from './database';

export function postgresReminderStore(db: Db): ReminderStore {
  return {
    async claimDue(limit, now, leaseUntil) {
      // A row whose lease ran out (its claimer died mid-send) is due again; attempts counts the tries.
      const { rows } = await sql<{
        id: string; tenant_id: string; interview_id: string; kind: string; audience: ClaimedReminder['audience']; due_at: Date; attempts: number;
        status: string; starts_at: Date | null; ends_at: Date | null; candidate_id: string; candidate_name: string; job_title: string;
        round_name: string; mode: 'onsite' | 'video' | 'phone'; location: string; time_zone: string;
        recipient_id: string | null; recipient_user: string | null; recipient_status: string | null;
      }>`
        WITH pending_due AS (
          SELECT id FROM reminders
           WHERE status = 'pending' AND due_at <= ${now}
           ORDER BY due_at
           LIMIT ${limit}
           FOR UPDATE SKIP LOCKED
        ), lapsed AS (
          -- Claimed by a process that died: due again once its lease ran out.
          SELECT id FROM reminders
           WHERE status = 'sending' AND claimed_until < ${now}
           ORDER BY claimed_until
           LIMIT ${limit}
           FOR UPDATE SKIP LOCKED
        ), due AS (
          SELECT id FROM pending_due UNION SELECT id FROM lapsed
        ), claimed AS (
          UPDATE reminders r SET status = 'sending', claimed_until = ${leaseUntil}, attempts = r.attempts + 1, updated_at = ${now}
            FROM due WHERE r.id = due.id
          RETURNING r.*
        )
        SELECT c.id, c.tenant_id, c.interview_id, c.kind, c.audience, c.due_at, c.attempts,
               i.status, i.starts_at, i.ends_at, a.candidate_id, ca.name AS candidate_name, j.title AS job_title,
               ro.name AS round_name, i.mode, i.location, t.time_zone,
               e.id AS recipient_id, e.platform_user_id AS recipient_user, e.status AS recipient_status
          FROM claimed c
          JOIN interviews i ON i.id = c.interview_id
          JOIN applications a ON a.id = i.application_id
          JOIN candidates ca ON ca.id = a.candidate_id
          JOIN jobs j ON j.id = a.job_id
          JOIN interview_rounds ro ON ro.id = i.round_id
          JOIN tenants t ON t.id = c.tenant_id
          LEFT JOIN employees e ON e.id = c.recipient_employee_id
         ORDER BY c.due_at`.execute(db);
      return rows.map((r) => ({
        id: r.id, tenantId: r.tenant_id, interviewId: r.interview_id, kind: r.kind, audience: r.audience, dueAt: r.due_at, attempts: r.attempts,
        interview: {
          status: r.status, startsAt: r.starts_at, endsAt: r.ends_at, candidateId: r.candidate_id, candidateName: r.candidate_name,
          jobTitle: r.job_title, roundName: r.round_name, mode: r.mode, location: r.location, timeZone: r.time_zone,
        },
        recipient: r.recipient_id ? { id: r.recipient_id, platformUserId: r.recipient_user!, status: r.recipient_status! } : null,
      }));
    },
    async finish(id, outcome, now) {
      await sql`UPDATE reminders
                   SET status = ${outcome.status}, channel = ${outcome.channel}, skip_reason = ${outcome.skipReason ?? null},
                       delivery_result = ${outcome.result ? JSON.stringify(outcome.result) : null}::jsonb,
                       sent_at = ${outcome.status === 'sent' ? now : null}, claimed_until = NULL, updated_at = ${now}
                 WHERE id = ${id}`.execute(db);
    },
    async release(id, error, now) {
      await sql`UPDATE reminders SET status = 'pending', claimed_until = NULL, updated_at = ${now},
                       delivery_result = ${JSON.stringify({ lastError: error.slice(0, 500) })}::jsonb
                 WHERE id = ${id} AND status = 'sending'`.execute(db);
    },
    async nextDueAt() {
      // The next pending reminder, or the end of a lease a dead process left behind, whichever comes first.
      const { rows } = await sql<{ at: Date | null }>`
        SELECT least((SELECT min(due_at) FROM reminders WHERE status = 'pending'),
                     (SELECT min(claimed_until) FROM reminders WHERE status = 'sending')) AS at`.execute(db);
      return rows[0]?.at ?? undefined;
    },
  };
}

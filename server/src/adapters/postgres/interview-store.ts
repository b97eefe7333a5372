import { sql } from 'kysely';
import type { InterviewStore, PanelEmployee } from '../../features/interviews/interview-store';
import type { Db } from './database';
import { jobVisible } from './scope';

const defaultPolicy = { rescheduleNoticeMinutes: 720, cancelNoticeMinutes: 240, maxReschedules: 2, reasonRequired: true };

export function postgresInterviewStore(db: Db): InterviewStore {
  const panelOf = async (interviewId: string): Promise<PanelEmployee[]> => {
    const rows = await db
      .selectFrom('interview_panelists as p')
      .innerJoin('employees as e', 'e.id', 'p.employee_id')
      .select(['e.id', 'e.name', 'e.title', 'e.platform_user_id', 'e.status'])
      .where('p.interview_id', '=', interviewId)
      .orderBy('e.name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, title: r.title, platformUserId: r.platform_user_id, status: r.status as PanelEmployee['status'] }));
  };

  return {
    async schedulingTarget(tenantId, applicationId, roundId) {
      const row = await db
        .selectFrom('applications as a')
        .innerJoin('candidates as c', 'c.id', 'a.candidate_id')
        .innerJoin('jobs as j', 'j.id', 'a.job_id')
        .innerJoin('tenants as t', 't.id', 'a.tenant_id')
        .select(['a.id', 'a.candidate_id', 'c.name', 'a.stage', 'a.job_id', 'j.title', 't.time_zone'])
        .where('a.tenant_id', '=', tenantId)
        .where('a.id', '=', applicationId)
        .executeTakeFirst();
      if (!row) return undefined;
      const round = await db
        .selectFrom('interview_rounds')
        .select(['id', 'name', 'duration_minutes'])
        .where('tenant_id', '=', tenantId)
        .where('job_id', '=', row.job_id)
        .where('id', '=', roundId)
        .executeTakeFirst();
      const model = await db
        .selectFrom('competency_models')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('job_id', '=', row.job_id)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return {
        applicationId: row.id, candidateId: row.candidate_id, candidateName: row.name, stage: row.stage, jobId: row.job_id,
        jobTitle: row.title, tenantTimeZone: row.time_zone,
        round: round && { id: round.id, name: round.name, durationMinutes: round.duration_minutes },
        modelId: model?.id ?? null,
      };
    },
    async employees(tenantId, employeeIds) {
      if (employeeIds.length === 0) return [];
      const rows = await db
        .selectFrom('employees')
        .select(['id', 'name', 'title', 'platform_user_id', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...employeeIds])
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.name, title: r.title, platformUserId: r.platform_user_id, status: r.status as PanelEmployee['status'] }));
    },
    async insertInterview(input) {
      const row = await db
        .insertInto('interviews')
        .values({
          tenant_id: input.tenantId, application_id: input.applicationId, round_id: input.roundId, competency_model_id: input.modelId,
          status: input.startsAt ? 'scheduled' : 'awaiting_candidate', mode: input.mode, starts_at: input.startsAt, ends_at: input.endsAt, room_id: input.roomId,
          location: input.location, meeting_url: input.meetingUrl, schedule_version: input.startsAt ? 1 : 0, owner_hr_id: input.ownerHrId,
          created_at: input.now, updated_at: input.now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async insertPanel(tenantId, interviewId, panel) {
      await db
        .insertInto('interview_panelists')
        .values(panel.map((p) => ({ tenant_id: tenantId, interview_id: interviewId, employee_id: p.employeeId, role: p.role })))
        .execute();
    },
    async book(tenantId, interviewId, { employeeIds, roomId, from, to, now }) {
      // Holds that expired are nobody's: whoever books next removes them in the same transaction.
      await sql`DELETE FROM bookings WHERE tenant_id = ${tenantId} AND kind = 'held' AND hold_expires_at <= ${now}`.execute(db);
      const during = sql`tstzrange(${from}, ${to}, '[)')`;
      for (const employeeId of employeeIds) {
        await sql`INSERT INTO bookings (tenant_id, interview_id, employee_id, during, created_at) VALUES (${tenantId}, ${interviewId}, ${employeeId}, ${during}, ${now})`.execute(db);
      }
      if (roomId) {
        await sql`INSERT INTO bookings (tenant_id, interview_id, room_id, during, created_at) VALUES (${tenantId}, ${interviewId}, ${roomId}, ${during}, ${now})`.execute(db);
      }
    },
    async hold(tenantId, interviewId, { employeeIds, from, to, expiresAt, now }) {
      await sql`DELETE FROM bookings WHERE tenant_id = ${tenantId} AND kind = 'held' AND (interview_id = ${interviewId} OR hold_expires_at <= ${now})`.execute(db);
      const during = sql`tstzrange(${from}, ${to}, '[)')`;
      for (const employeeId of employeeIds) {
        await sql`INSERT INTO bookings (tenant_id, interview_id, employee_id, during, kind, hold_expires_at, created_at)
                  VALUES (${tenantId}, ${interviewId}, ${employeeId}, ${during}, 'held', ${expiresAt}, ${now})`.execute(db);
      }
    },
    async releaseBookings(tenantId, interviewId) {
      await sql`DELETE FROM bookings WHERE tenant_id = ${tenantId} AND interview_id = ${interviewId}`.execute(db);
    },
    async insertScheduleVersion(input) {
      await sql`INSERT INTO interview_schedule_versions
                  (tenant_id, interview_id, version, starts_at, ends_at, room_id, location, meeting_url, changed_by, reason, created_at)
                VALUES (${input.tenantId}, ${input.interviewId}, ${input.version}, ${input.startsAt}, ${input.endsAt}, ${input.roomId},
                        ${input.location}, ${input.meetingUrl}, ${input.changedBy}, ${input.reason}, ${input.now})`.execute(db);
    },
    async insertReminders(tenantId, interviewId, reminders, now) {
      for (const r of reminders) {
        await sql`INSERT INTO reminders (tenant_id, interview_id, kind, audience, recipient_employee_id, due_at, created_at, updated_at)
                  VALUES (${tenantId}, ${interviewId}, ${r.kind}, ${r.audience}, ${r.recipientEmployeeId}, ${r.dueAt}, ${now}, ${now})`.execute(db);
      }
    },
    async cancelReminders(tenantId, interviewId, now) {
      const result = await sql`UPDATE reminders SET status = 'cancelled', updated_at = ${now}
                               WHERE tenant_id = ${tenantId} AND interview_id = ${interviewId} AND status = 'pending'`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },
    async findForAnswer(tenantId, interviewId, options) {
      if (options?.lock) await sql`SELECT 1 FROM interviews WHERE tenant_id = ${tenantId} AND id = ${interviewId} FOR UPDATE`.execute(db);
      const row = await db
        .selectFrom('interviews as i')
        .innerJoin('applications as a', 'a.id', 'i.application_id')
        .innerJoin('candidates as c', 'c.id', 'a.candidate_id')
        .innerJoin('jobs as j', 'j.id', 'a.job_id')
        .innerJoin('interview_rounds as r', 'r.id', 'i.round_id')
        .innerJoin('tenants as t', 't.id', 'i.tenant_id')
        .select([
          'i.id', 'i.tenant_id', 'i.status', 'i.starts_at', 'i.ends_at', 'i.schedule_version', 'a.candidate_id', 'c.name', 'a.id as application_id',
          'a.job_id', 'j.title', 'r.name as round_name', 'i.location', 't.time_zone', 'r.duration_minutes', 'i.mode', 'i.room_id', 'i.meeting_url',
          'i.reschedule_count', 'c.time_zone as candidate_time_zone', 'i.owner_hr_id',
        ])
        .where('i.tenant_id', '=', tenantId)
        .where('i.id', '=', interviewId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id, tenantId: row.tenant_id, status: row.status, startsAt: row.starts_at, endsAt: row.ends_at, scheduleVersion: row.schedule_version,
        candidateId: row.candidate_id, candidateName: row.name, applicationId: row.application_id, jobId: row.job_id, jobTitle: row.title,
        roundName: row.round_name, location: row.location, tenantTimeZone: row.time_zone, panel: await panelOf(row.id),
        durationMinutes: row.duration_minutes, mode: row.mode, roomId: row.room_id, meetingUrl: row.meeting_url,
        rescheduleCount: row.reschedule_count, candidateTimeZone: row.candidate_time_zone, ownerHrId: row.owner_hr_id,
      };
    },
    async setStatus(tenantId, interviewId, from, to, fields, now) {
      const result = await db
        .updateTable('interviews')
        .set({
          status: to,
          updated_at: now,
          ...(fields.confirmedAt && { confirmed_at: fields.confirmedAt }),
          ...(fields.declineReason !== undefined && { decline_reason: fields.declineReason }),
          ...(fields.cancelReason !== undefined && { cancel_reason: fields.cancelReason }),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', interviewId)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async panelLoad(tenantId, interviewId, from, to, now) {
      const { rows } = await sql<{ employee_id: string; name: string; daily_interview_limit: number | null; weekly_interview_limit: number | null; lo: Date | null; hi: Date | null }>`
        SELECT e.id AS employee_id, e.name, e.daily_interview_limit, e.weekly_interview_limit, lower(b.during) AS lo, upper(b.during) AS hi
          FROM interview_panelists p
          JOIN employees e ON e.id = p.employee_id
          LEFT JOIN bookings b ON b.employee_id = e.id AND b.interview_id <> ${interviewId}
               AND b.during && tstzrange(${from}, ${to}, '[)')
               AND (b.kind = 'booked' OR b.hold_expires_at > ${now})
         WHERE p.tenant_id = ${tenantId} AND p.interview_id = ${interviewId} AND p.role <> 'shadow'
         ORDER BY e.id, lo`.execute(db);
      const byEmployee = new Map<string, { employeeId: string; name: string; dailyLimit: number | null; weeklyLimit: number | null; busy: { startsAt: Date; endsAt: Date }[] }>();
      for (const r of rows) {
        const entry = byEmployee.get(r.employee_id) ?? { employeeId: r.employee_id, name: r.name, dailyLimit: r.daily_interview_limit, weeklyLimit: r.weekly_interview_limit, busy: [] };
        if (r.lo && r.hi) entry.busy.push({ startsAt: r.lo, endsAt: r.hi });
        byEmployee.set(r.employee_id, entry);
      }
      return [...byEmployee.values()];
    },
    async moveInterview(tenantId, interviewId, change) {
      const row = await db
        .updateTable('interviews')
        .set((eb) => ({
          starts_at: change.startsAt,
          ends_at: change.endsAt,
          status: change.status,
          confirmed_at: change.confirmedAt,
          schedule_version: eb('schedule_version', '+', 1),
          reschedule_count: change.countsAsReschedule ? eb('reschedule_count', '+', 1) : eb.ref('reschedule_count'),
          updated_at: change.now,
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', interviewId)
        .returning('schedule_version')
        .executeTakeFirstOrThrow();
      return row.schedule_version;
    },
    async resetReminders(tenantId, interviewId, reminders, now) {
      // Everything not yet sent for the old time stops; each reminder of the new time is (re)armed in place.
      await sql`UPDATE reminders SET status = 'cancelled', claimed_until = NULL, updated_at = ${now}
                 WHERE tenant_id = ${tenantId} AND interview_id = ${interviewId} AND status IN ('pending', 'sending')`.execute(db);
      for (const r of reminders) {
        await sql`INSERT INTO reminders (tenant_id, interview_id, kind, audience, recipient_employee_id, due_at, created_at, updated_at)
                  VALUES (${tenantId}, ${interviewId}, ${r.kind}, ${r.audience}, ${r.recipientEmployeeId}, ${r.dueAt}, ${now}, ${now})
                  ON CONFLICT (interview_id, kind, coalesce(recipient_employee_id, '00000000-0000-0000-0000-000000000000'::uuid))
                  DO UPDATE SET due_at = EXCLUDED.due_at, status = 'pending', channel = NULL, attempts = 0, claimed_until = NULL,
                                sent_at = NULL, skip_reason = NULL, delivery_result = NULL, updated_at = ${now}`.execute(db);
      }
    },
    async checkinCode(tenantId, site, localDate, freshCode, now) {
      const { rows } = await sql<{ code: string }>`
        INSERT INTO checkin_codes (tenant_id, site, local_date, code, created_at) VALUES (${tenantId}, ${site}, ${localDate}::date, ${freshCode}, ${now})
        ON CONFLICT (tenant_id, site, local_date) DO UPDATE SET site = EXCLUDED.site
        RETURNING code`.execute(db);
      return rows[0]!.code;
    },
    async findCheckinCode(code) {
      const { rows } = await sql<{ tenant_id: string; site: string; local_date: string }>`
        SELECT tenant_id, site, to_char(local_date, 'YYYY-MM-DD') AS local_date FROM checkin_codes WHERE code = ${code}`.execute(db);
      const row = rows[0];
      return row && { tenantId: row.tenant_id, site: row.site, localDate: row.local_date };
    },
    async candidateInterviewsBetween(tenantId, candidateId, from, to) {
      const { rows } = await sql<{ id: string; status: string; starts_at: Date; site: string | null }>`
        SELECT i.id, i.status, i.starts_at, r.site
          FROM interviews i JOIN applications a ON a.id = i.application_id LEFT JOIN rooms r ON r.id = i.room_id
         WHERE i.tenant_id = ${tenantId} AND a.candidate_id = ${candidateId} AND i.mode = 'onsite'
           AND i.starts_at >= ${from} AND i.starts_at < ${to}
         ORDER BY i.starts_at`.execute(db);
      return rows.map((r) => ({ id: r.id, status: r.status, startsAt: r.starts_at, site: r.site }));
    },
    async markCheckedIn(tenantId, interviewId, from, now) {
      const result = await db
        .updateTable('interviews')
        .set({ status: 'checked_in', checked_in_at: now, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', interviewId)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async markNoShow(tenantId, interviewId, from, markedBy, now) {
      const result = await db
        .updateTable('interviews')
        .set({ status: 'no_show', no_show_marked_by: markedBy, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', interviewId)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async nextOpenInterviewOf(tenantId, candidateId, now) {
      const { rows } = await sql<{ id: string; status: string }>`
        SELECT i.id, i.status FROM interviews i JOIN applications a ON a.id = i.application_id
         WHERE i.tenant_id = ${tenantId} AND a.candidate_id = ${candidateId}
           AND (i.status = 'awaiting_candidate' OR (i.status IN ('scheduled', 'confirmed') AND i.starts_at > ${now}))
         ORDER BY i.starts_at NULLS FIRST LIMIT 1`.execute(db);
      return rows[0];
    },
    async noShowStats(tenantId, scope, from, to, timeZone) {
      const { rows } = await sql<{ dimension: 'job' | 'source' | 'slot'; key: string; label: string; interviews: string; no_shows: string }>`
        WITH held AS (
          SELECT i.status, j.id AS job_id, j.title, c.source,
                 CASE WHEN extract(hour FROM i.starts_at AT TIME ZONE ${timeZone}) < 12 THEN 'morning'
                      WHEN extract(hour FROM i.starts_at AT TIME ZONE ${timeZone}) < 14 THEN 'noon'
                      WHEN extract(hour FROM i.starts_at AT TIME ZONE ${timeZone}) < 18 THEN 'afternoon'
                      ELSE 'evening' END AS slot
            FROM interviews i
            JOIN applications a ON a.id = i.application_id
            JOIN candidates c ON c.id = a.candidate_id
            JOIN jobs j ON j.id = a.job_id
           WHERE i.tenant_id = ${tenantId} AND i.starts_at >= ${from} AND i.starts_at < ${to}
             AND i.status IN ('checked_in', 'in_progress', 'completed', 'no_show')
             AND ${jobVisible(scope, 'j')}
        )
        SELECT 'job' AS dimension, job_id::text AS key, min(title) AS label, count(*) AS interviews, count(*) FILTER (WHERE status = 'no_show') AS no_shows FROM held GROUP BY job_id
        UNION ALL
        SELECT 'source', source, source, count(*), count(*) FILTER (WHERE status = 'no_show') FROM held GROUP BY source
        UNION ALL
        SELECT 'slot', slot, slot, count(*), count(*) FILTER (WHERE status = 'no_show') FROM held GROUP BY slot
        ORDER BY 1, 2`.execute(db);
      return rows.map((r) => ({ dimension: r.dimension, key: r.key, label: r.label, interviews: Number(r.interviews), noShows: Number(r.no_shows) }));
    },
    async countNoShows(tenantId, applicationId) {
      const row = await db
        .selectFrom('interviews')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('application_id', '=', applicationId)
        .where('status', '=', 'no_show')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async setSchedulePolicy(tenantId, jobId, p, now) {
      await sql`INSERT INTO job_schedule_policies (job_id, tenant_id, reschedule_notice_minutes, cancel_notice_minutes, max_reschedules, reason_required, updated_at)
                VALUES (${jobId}, ${tenantId}, ${p.rescheduleNoticeMinutes}, ${p.cancelNoticeMinutes}, ${p.maxReschedules}, ${p.reasonRequired}, ${now})
                ON CONFLICT (job_id) DO UPDATE SET reschedule_notice_minutes = EXCLUDED.reschedule_notice_minutes,
                  cancel_notice_minutes = EXCLUDED.cancel_notice_minutes, max_reschedules = EXCLUDED.max_reschedules,
                  reason_required = EXCLUDED.reason_required, updated_at = EXCLUDED.updated_at`.execute(db);
    },
    async reminderPolicy(tenantId) {
      const { rows } = await sql<{ candidate_minutes: number[]; panel_minutes: number | null; unconfirmed_alert_minutes: number | null }>`
        SELECT candidate_minutes, panel_minutes, unconfirmed_alert_minutes FROM reminder_policies WHERE tenant_id = ${tenantId}`.execute(db);
      const r = rows[0];
      return r && { candidateMinutes: r.candidate_minutes, panelMinutes: r.panel_minutes, unconfirmedAlertMinutes: r.unconfirmed_alert_minutes };
    },
    async setReminderPolicy(tenantId, policy, now) {
      await sql`INSERT INTO reminder_policies (tenant_id, candidate_minutes, panel_minutes, unconfirmed_alert_minutes, updated_at)
                VALUES (${tenantId}, ${[...policy.candidateMinutes]}::integer[], ${policy.panelMinutes}, ${policy.unconfirmedAlertMinutes}, ${now})
                ON CONFLICT (tenant_id) DO UPDATE SET candidate_minutes = EXCLUDED.candidate_minutes, panel_minutes = EXCLUDED.panel_minutes,
                  unconfirmed_alert_minutes = EXCLUDED.unconfirmed_alert_minutes, updated_at = EXCLUDED.updated_at`.execute(db);
    },
    async policy(tenantId, jobId) {
      const row = await sql<{ reschedule_notice_minutes: number; cancel_notice_minutes: number; max_reschedules: number; reason_required: boolean }>`
        SELECT reschedule_notice_minutes, cancel_notice_minutes, max_reschedules, reason_required
          FROM job_schedule_policies WHERE tenant_id = ${tenantId} AND job_id = ${jobId}`.execute(db);
      const p = row.rows[0];
      return p
        ? { rescheduleNoticeMinutes: p.reschedule_notice_minutes, cancelNoticeMinutes: p.cancel_notice_minutes, maxReschedules: p.max_reschedules, reasonRequired: p.reason_required }
        : defaultPolicy;
    },
  };
}

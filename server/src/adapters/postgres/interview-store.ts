import { sql } from 'kysely';
import type { InterviewStore, PanelEmployee } from '../../features/interviews/interview-store';
import type { Db } from './database';

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
          status: 'scheduled', mode: input.mode, starts_at: input.startsAt, ends_at: input.endsAt, room_id: input.roomId,
          location: input.location, meeting_url: input.meetingUrl, schedule_version: 1, owner_hr_id: input.ownerHrId,
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
        .select(['i.id', 'i.tenant_id', 'i.status', 'i.starts_at', 'i.ends_at', 'i.schedule_version', 'a.candidate_id', 'c.name', 'a.id as application_id', 'a.job_id', 'j.title', 'r.name as round_name', 'i.location', 't.time_zone'])
        .where('i.tenant_id', '=', tenantId)
        .where('i.id', '=', interviewId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id, tenantId: row.tenant_id, status: row.status, startsAt: row.starts_at, endsAt: row.ends_at, scheduleVersion: row.schedule_version,
        candidateId: row.candidate_id, candidateName: row.name, applicationId: row.application_id, jobId: row.job_id, jobTitle: row.title,
        roundName: row.round_name, location: row.location, tenantTimeZone: row.time_zone, panel: await panelOf(row.id),
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

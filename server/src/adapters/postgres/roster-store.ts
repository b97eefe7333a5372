import { sql, type Selectable } from 'kysely';
import type { AffectedInterview, EmployeeFields, EmployeeStatus, RosterEmployee, RosterStore } from '../../features/roster/roster-store';
import type { Db } from './database';
import type { DepartmentTable, EmployeeTable } from './schema';

const toDepartment = (r: Selectable<DepartmentTable>) => ({ id: r.id, platformDepartmentId: r.platform_department_id, name: r.name, parentId: r.parent_id });

const employeeColumns = ['id', 'platform_user_id', 'name', 'title', 'department_id', 'manager_id', 'status', 'platform_union_id'] as const;

const toEmployee = (r: Pick<Selectable<EmployeeTable>, (typeof employeeColumns)[number]>): RosterEmployee => ({
  id: r.id,
  platformUserId: r.platform_user_id,
  name: r.name,
  title: r.title,
  departmentId: r.department_id,
  managerId: r.manager_id,
  status: r.status,
  platformUnionId: r.platform_union_id,
});

function employeeColumnsOf(changes: Partial<EmployeeFields>) {
  return {
    ...(changes.name !== undefined && { name: changes.name }),
    ...(changes.title !== undefined && { title: changes.title }),
    ...(changes.departmentId !== undefined && { department_id: changes.departmentId }),
    ...(changes.managerId !== undefined && { manager_id: changes.managerId }),
    ...(changes.status !== undefined && { status: changes.status }),
  };
}

/**
 * An upcoming seat: the interview is not over and has not started (or has no time yet), and the panelist holds no
 * scorecard for it (the scorecard's foreign key needs the seat).
 */
const upcomingSeat = (now: Date, terminalStatuses: readonly string[]) => sql<boolean>`
  i.status <> all(${[...terminalStatuses]}::text[])
  and (i.starts_at is null or i.starts_at > ${now})`;

export function postgresRosterStore(db: Db): RosterStore {
  const selectEmployee = (tenantId: string) => db.selectFrom('employees').select(employeeColumns).where('tenant_id', '=', tenantId);
  return {
    async listDepartments(tenantId) {
      const rows = await db.selectFrom('departments').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
      return rows.map(toDepartment);
    },
    async insertDepartment(tenantId, department) {
      await db
        .insertInto('departments')
        .values({ tenant_id: tenantId, name: department.name, platform_department_id: department.platformDepartmentId, parent_id: department.parentId })
        .onConflict((oc) => oc.columns(['tenant_id', 'platform_department_id']).doNothing())
        .execute();
      const row = await db
        .selectFrom('departments')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('platform_department_id', '=', department.platformDepartmentId)
        .executeTakeFirstOrThrow();
      return toDepartment(row);
    },
    async updateDepartment(tenantId, id, changes) {
      await db
        .updateTable('departments')
        .set({ ...(changes.name !== undefined && { name: changes.name }), ...(changes.parentId !== undefined && { parent_id: changes.parentId }) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },

    async listEmployees(tenantId) {
      return (await selectEmployee(tenantId).orderBy('created_at').orderBy('id').execute()).map(toEmployee);
    },
    async lockEmployee(tenantId, platformUserId) {
      const row = await selectEmployee(tenantId).where('platform_user_id', '=', platformUserId).forUpdate().executeTakeFirst();
      return row && toEmployee(row);
    },
    async lockEmployeeById(tenantId, id) {
      const row = await selectEmployee(tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
      return row && toEmployee(row);
    },
    async employeeIdsByPlatformUserId(tenantId, platformUserIds) {
      if (platformUserIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('employees')
        .select(['id', 'platform_user_id'])
        .where('tenant_id', '=', tenantId)
        .where('platform_user_id', 'in', [...platformUserIds])
        .execute();
      return new Map(rows.map((r) => [r.platform_user_id, r.id]));
    },
    async platformUserIdsOf(tenantId, employeeIds) {
      if (employeeIds.length === 0) return new Map();
      const rows = await db.selectFrom('employees').select(['id', 'platform_user_id']).where('tenant_id', '=', tenantId).where('id', 'in', [...employeeIds]).execute();
      return new Map(rows.map((r) => [r.id, r.platform_user_id]));
    },
    async insertEmployee(tenantId, platformUserId, fields, now) {
      // roles is left to the column default (interviewer): HR grants anything more.
      const row = await db
        .insertInto('employees')
        .values({
          tenant_id: tenantId,
          platform_user_id: platformUserId,
          name: fields.name,
          title: fields.title,
          department_id: fields.departmentId,
          manager_id: fields.managerId,
          status: fields.status,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'platform_user_id']).doNothing())
        .returning(employeeColumns)
        .executeTakeFirst();
      return row && toEmployee(row);
    },
    async setPlatformUnionId(tenantId, id, unionId, now) {
      await db.updateTable('employees').set({ platform_union_id: unionId, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async updateEmployee(tenantId, id, changes, now) {
      await db
        .updateTable('employees')
        .set({ ...employeeColumnsOf(changes), updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async renamePlatformUserId(tenantId, from, to, now) {
      const result = await db
        .updateTable('employees')
        .set({ platform_user_id: to, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('platform_user_id', '=', from)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async revokeSessions(tenantId, employeeId, now) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('tenant_id', '=', tenantId)
        .where('employee_id', '=', employeeId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async releaseUpcomingSeats(tenantId, employeeId, now, terminalStatuses) {
      // One statement: lock the seats, delete the removable ones with the employee's bookings for them, cancel
      // their pending reminders, and read what HR needs to know. Data-modifying CTEs run to completion whether or
      // not the final select reads them (https://www.postgresql.org/docs/15/queries-with.html#QUERIES-WITH-MODIFYING).
      const result = await sql<{
        interview_id: string;
        seat_removed: boolean;
        starts_at: Date | null;
        job_title: string;
        round_name: string;
        candidate_name: string;
        hr_id: string | null;
        hr_platform_user_id: string | null;
        hr_status: EmployeeStatus | null;
      }>`
        with seats as (
          select p.interview_id,
                 exists (select 1 from scorecards sc where sc.interview_id = p.interview_id and sc.interviewer_id = p.employee_id) as has_scorecard
          from interview_panelists p
          join interviews i on i.id = p.interview_id
          where p.tenant_id = ${tenantId} and p.employee_id = ${employeeId} and ${upcomingSeat(now, terminalStatuses)}
          for update of p
        ), removed as (
          delete from interview_panelists p
          using seats s
          where p.interview_id = s.interview_id and p.employee_id = ${employeeId} and not s.has_scorecard
          returning p.interview_id
        ), freed as (
          delete from bookings b
          using removed r
          where b.interview_id = r.interview_id and b.employee_id = ${employeeId}
          returning b.id
        ), cancelled as (
          update reminders m set status = 'cancelled', updated_at = ${now}
          from removed r
          where m.interview_id = r.interview_id and m.recipient_employee_id = ${employeeId} and m.status = 'pending'
          returning m.id
        )
        select s.interview_id, not s.has_scorecard as seat_removed, i.starts_at,
               j.title as job_title, r.name as round_name, c.name as candidate_name,
               hr.id as hr_id, hr.platform_user_id as hr_platform_user_id, hr.status as hr_status
        from seats s
        join interviews i on i.id = s.interview_id
        join applications a on a.id = i.application_id
        join jobs j on j.id = a.job_id
        join interview_rounds r on r.id = i.round_id
        join candidates c on c.id = a.candidate_id
        left join employees hr on hr.tenant_id = i.tenant_id and hr.id = coalesce(i.owner_hr_id, j.owner_hr_id)
        order by i.starts_at nulls last, s.interview_id`.execute(db);
      return result.rows.map(
        (r): AffectedInterview => ({
          interviewId: r.interview_id,
          startsAt: r.starts_at,
          jobTitle: r.job_title,
          roundName: r.round_name,
          candidateName: r.candidate_name,
          seatRemoved: r.seat_removed,
          ownerHr: r.hr_id && r.hr_platform_user_id && r.hr_status ? { id: r.hr_id, platformUserId: r.hr_platform_user_id, status: r.hr_status } : null,
        }),
      );
    },

    async employeesNeedingRelease(tenantId, now, terminalStatuses) {
      const result = await sql<{ id: string }>`
        select e.id from employees e
        where e.tenant_id = ${tenantId} and e.status <> 'active'
          and (exists (select 1 from sessions s where s.employee_id = e.id and s.revoked_at is null)
               or exists (select 1 from interview_panelists p join interviews i on i.id = p.interview_id
                          where p.employee_id = e.id and ${upcomingSeat(now, terminalStatuses)}
                            and not exists (select 1 from scorecards sc where sc.interview_id = p.interview_id and sc.interviewer_id = e.id)))
        order by e.id`.execute(db);
      return result.rows.map((r) => r.id);
    },

    async tenantsWithApp(kinds) {
      if (kinds.length === 0) return [];
      const rows = await db.selectFrom('platform_apps').select('tenant_id').distinct().where('kind', 'in', [...kinds]).orderBy('tenant_id').execute();
      return rows.map((r) => r.tenant_id);
    },
    async beginRun(tenantId, mode, now, staleBefore) {
      await db
        .updateTable('roster_sync_runs')
        .set({ status: 'abandoned', finished_at: now, error: 'the process running it stopped before it finished' })
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'running')
        .where('started_at', '<', staleBefore)
        .execute();
      const row = await db
        .insertInto('roster_sync_runs')
        .values({ tenant_id: tenantId, mode, started_at: now })
        .onConflict((oc) => oc.column('tenant_id').where('status', '=', 'running').doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id;
    },
    async finishRun(runId, outcome, now) {
      await db
        .updateTable('roster_sync_runs')
        .set(
          outcome.status === 'succeeded'
            ? { status: 'succeeded', finished_at: now, report: JSON.stringify(outcome.report) }
            : { status: 'failed', finished_at: now, error: outcome.error },
        )
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .execute();
    },
  };
}

import { interviewStatus } from '../../domain/state-machines';
import type { DirectoryMember, DirectoryMemberStatus } from '../../ports/employee-directory';
import type { Stores } from '../context';
import type { Tenant } from '../directory';
import { enqueueMessage } from '../outbox';
import { leaverNotice } from './notice';
import type { EmployeeFields, EmployeeStatus, RosterEmployee } from './roster-store';

/** Interviews in these states are over: nobody needs to replace a panelist on them. */
export const terminalInterviewStatuses: readonly string[] = interviewStatus.states.filter((s) => interviewStatus.isTerminal(s));

export type FieldName = 'name' | 'title' | 'department' | 'manager' | 'status';

export interface FieldDiff {
  readonly from: string | null;
  readonly to: string | null;
}

export interface MemberChange {
  readonly userId: string;
  readonly name: string;
  kind: 'created' | 'updated' | 'left' | 'disabled';
  readonly fields: Partial<Record<FieldName, FieldDiff>>;
}

export interface ReleaseTotals {
  sessionsRevoked: number;
  seatsRemoved: number;
  hrNotices: number;
  /** Upcoming interviews that lost an interviewer but have no active owning HR to tell. */
  interviewsWithoutHr: string[];
}

export const emptyRelease = (): ReleaseTotals => ({ sessionsRevoked: 0, seatsRemoved: 0, hrNotices: 0, interviewsWithoutHr: [] });

export function addRelease(into: ReleaseTotals, more: ReleaseTotals): void {
  into.sessionsRevoked += more.sessionsRevoked;
  into.seatsRemoved += more.seatsRemoved;
  into.hrNotices += more.hrNotices;
  into.interviewsWithoutHr.push(...more.interviewsWithoutHr);
}

/** How the sync names departments and managers in a report, and finds our department for a platform id. */
export interface Lookups {
  departmentIdOf(platformDepartmentId: string): string | undefined;
  departmentLabel(id: string | null): string | null;
  employeeLabel(id: string | null): Promise<string | null>;
}

/**
 * A member the platform has not activated yet (invited, not joined) is still on the roster and can be planned
 * as an interviewer; only disabled and departed members lose access.
 */
export function statusOf(status: DirectoryMemberStatus): EmployeeStatus {
  return status === 'disabled' ? 'disabled' : status === 'left' ? 'left' : 'active';
}

/** The main department if we know it, else the first known one; undefined when none is known here. */
function departmentOf(member: DirectoryMember, lookups: Lookups): string | undefined {
  const candidates = [member.mainDepartmentId, ...member.departmentIds].filter((id): id is string => id !== null);
  for (const id of candidates) {
    const found = lookups.departmentIdOf(id);
    if (found) return found;
  }
  return undefined;
}

export function hasUnknownDepartment(member: DirectoryMember, lookups: Lookups): boolean {
  return member.departmentIds.length > 0 && departmentOf(member, lookups) === undefined;
}

/**
 * What the directory says the row should be. `managerId` undefined keeps the current manager (the full sync sets
 * managers in a second pass, once everyone exists).
 */
export function desiredFields(member: DirectoryMember, existing: RosterEmployee | undefined, lookups: Lookups, managerId: string | null | undefined): EmployeeFields {
  return {
    name: member.name,
    title: member.title,
    departmentId: departmentOf(member, lookups) ?? existing?.departmentId ?? null,
    managerId: managerId === undefined ? (existing?.managerId ?? null) : managerId,
    status: statusOf(member.status),
  };
}

const columns = ['name', 'title', 'departmentId', 'managerId', 'status'] as const;

export function changedColumns(existing: RosterEmployee, desired: EmployeeFields): Partial<EmployeeFields> {
  const changes: Partial<Record<(typeof columns)[number], unknown>> = {};
  for (const column of columns) if (existing[column] !== desired[column]) changes[column] = desired[column];
  return changes as Partial<EmployeeFields>;
}

async function describe(changes: Partial<EmployeeFields>, before: Partial<EmployeeFields>, lookups: Lookups) {
  const fields: Partial<Record<FieldName, FieldDiff>> = {};
  if ('name' in changes) fields.name = { from: before.name ?? null, to: changes.name ?? null };
  if ('title' in changes) fields.title = { from: before.title ?? null, to: changes.title ?? null };
  if ('departmentId' in changes) {
    fields.department = { from: lookups.departmentLabel(before.departmentId ?? null), to: lookups.departmentLabel(changes.departmentId ?? null) };
  }
  if ('managerId' in changes) {
    fields.manager = { from: await lookups.employeeLabel(before.managerId ?? null), to: await lookups.employeeLabel(changes.managerId ?? null) };
  }
  if ('status' in changes) fields.status = { from: before.status ?? null, to: changes.status ?? null };
  // A new employee's empty fields are no news.
  for (const [field, diff] of Object.entries(fields)) if (diff.from === diff.to) delete fields[field as FieldName];
  return fields;
}

function kindOf(created: boolean, changes: Partial<EmployeeFields>): MemberChange['kind'] {
  if (created) return 'created';
  if (changes.status === 'left') return 'left';
  if (changes.status === 'disabled') return 'disabled';
  return 'updated';
}

/**
 * The unionId to write when the directory gives one (DingTalk) that differs from the stored one; undefined when there
 * is nothing to write. It is an id, not a reported field: storing it never counts as a change of the employee.
 */
export function unionIdToStore(member: DirectoryMember | undefined, existing: RosterEmployee | undefined): string | undefined {
  const unionId = member?.unionId;
  if (typeof unionId !== 'string' || unionId === '') return undefined;
  return existing && existing.platformUnionId === unionId ? undefined : unionId;
}

/** Resolves the direct leader to our employee id: null when the platform names none (or one we do not hold). */
export async function managerIdFor(stores: Stores, tenantId: string, member: DirectoryMember, selfId: string | undefined): Promise<string | null | undefined> {
  if (member.directLeaderIds === null) return undefined;
  const leader = member.directLeaderIds[0];
  if (!leader) return null;
  const id = (await stores.roster.employeeIdsByPlatformUserId(tenantId, [leader])).get(leader);
  return id === undefined || id === selfId ? null : id;
}

/**
 * Brings one employee in line with the directory, in the caller's transaction: the row is locked first, so a
 * change_contact event and a full sync of the same person never interleave. `member` undefined means the
 * platform no longer has the person. A person who leaves or is disabled is released in the same transaction.
 */
export async function applyMember(
  stores: Stores,
  tenant: Tenant,
  userId: string,
  member: DirectoryMember | undefined,
  lookups: Lookups,
  now: Date,
  options: { resolveManager: boolean },
): Promise<{ change?: MemberChange; release: ReleaseTotals }> {
  const release = emptyRelease();
  let existing = await stores.roster.lockEmployee(tenant.id, userId);
  if (!member || member.status === 'left') {
    // Someone we never had needs no row; someone we had keeps theirs (interviews and scorecards refer to it).
    if (!existing || existing.status === 'left') return { release };
  }
  if (!existing && member) {
    const managerId = options.resolveManager ? await managerIdFor(stores, tenant.id, member, undefined) : undefined;
    const fields = desiredFields(member, undefined, lookups, managerId);
    const created = await stores.roster.insertEmployee(tenant.id, userId, fields, now);
    if (created) {
      if (unionIdToStore(member, created) !== undefined) await stores.roster.setPlatformUnionId(tenant.id, created.id, member.unionId!, now);
      const described = await describe(fields, {}, lookups);
      return { change: { userId, name: fields.name, kind: 'created', fields: described }, release };
    }
    // A concurrent sync created the row first: update it like any other.
    existing = await stores.roster.lockEmployee(tenant.id, userId);
  }
  if (!existing) return { release };

  const desired: EmployeeFields = member
    ? desiredFields(member, existing, lookups, options.resolveManager ? await managerIdFor(stores, tenant.id, member, existing.id) : undefined)
    : { ...existing, status: 'left' };
  const changes = changedColumns(existing, desired);
  if (unionIdToStore(member, existing) !== undefined) await stores.roster.setPlatformUnionId(tenant.id, existing.id, member!.unionId!, now);
  if (Object.keys(changes).length === 0) return { release };
  await stores.roster.updateEmployee(tenant.id, existing.id, changes, now);
  const fields = await describe(changes, existing, lookups);
  if (changes.status && changes.status !== 'active') {
    addRelease(release, await releaseEmployee(stores, tenant, { id: existing.id, name: desired.name, status: changes.status }, now));
  }
  if (changes.status) {
    await stores.audit.append({
      tenantId: tenant.id,
      actor: 'system:roster',
      action: `employee.${changes.status === 'active' ? 'reactivated' : changes.status}`,
      objectType: 'employee',
      objectId: existing.id,
      details: { platformUserId: userId, from: existing.status, ...release },
    });
  }
  return { change: { userId, name: desired.name, kind: kindOf(false, changes), fields }, release };
}

/**
 * What leaving (or being disabled) takes away, in the caller's transaction: every session, and the panel seats on
 * interviews still to come; each owning HR hears about each interview once (the idempotency key names the person
 * and the interview, so a replayed event or a second sync adds nothing).
 */
export async function releaseEmployee(
  stores: Stores,
  tenant: Tenant,
  employee: { readonly id: string; readonly name: string; readonly status: EmployeeStatus },
  now: Date,
): Promise<ReleaseTotals> {
  const totals = emptyRelease();
  totals.sessionsRevoked = await stores.roster.revokeSessions(tenant.id, employee.id, now);
  const affected = await stores.roster.releaseUpcomingSeats(tenant.id, employee.id, now, terminalInterviewStatuses);
  for (const interview of affected) {
    if (interview.seatRemoved) totals.seatsRemoved++;
    const hr = interview.ownerHr;
    if (!hr || hr.status !== 'active' || hr.id === employee.id) {
      totals.interviewsWithoutHr.push(interview.interviewId);
      continue;
    }
    const notice = leaverNotice(employee, interview, tenant.timeZone);
    const { inserted } = await enqueueMessage(stores, {
      tenantId: tenant.id,
      // A DingTalk tenant's HR is reached by the app robot 1:1 (dingtalk_oto: msgKey + msgParam), a WeCom one by the app.
      channel: tenant.platform === 'dingtalk' ? 'dingtalk_oto' : 'wecom_app',
      recipient: hr.platformUserId,
      payload:
        tenant.platform === 'dingtalk'
          ? { msgKey: 'sampleMarkdown', msgParam: { title: '面试需要更换面试官 An interview needs a new interviewer', text: notice.markdown.content } }
          : notice,
      idempotencyKey: `roster.panelist-gone:${employee.id}:${interview.interviewId}`,
    });
    if (inserted) totals.hrNotices++;
  }
  return totals;
}

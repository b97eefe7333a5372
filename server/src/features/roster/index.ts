import { AppError, notFound } from '../../domain/errors';
import { DirectoryNotConfiguredError, type DirectoryMember, type EmployeeDirectory } from '../../ports/employee-directory';
import type { FeatureContext, Stores } from '../context';
import type { Tenant } from '../directory';
import type { InboxHandler, InboxHandlers } from '../inbox';
import {
  addRelease,
  applyMember,
  desiredFields,
  emptyRelease,
  changedColumns,
  hasUnknownDepartment,
  releaseEmployee,
  terminalInterviewStatuses,
  unionIdToStore,
  type FieldDiff,
  type Lookups,
  type MemberChange,
  type ReleaseTotals,
} from './apply';
import type { RosterDepartment, RosterRunMode } from './roster-store';

export type { RosterStore, RosterRunMode } from './roster-store';
export type { MemberChange, FieldDiff, FieldName, ReleaseTotals } from './apply';

export interface RosterProgress {
  readonly phase: 'departments' | 'listing' | 'members' | 'managers' | 'cleanup';
  readonly done: number;
  /** null while the total is not known yet (the member list is still being paged). */
  readonly total: number | null;
}

export interface RosterReport {
  readonly tenantId: string;
  readonly mode: RosterRunMode;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly departments: { created: number; updated: number; unchanged: number; notOnPlatform: string[] };
  readonly employees: { listed: number; created: number; updated: number; left: number; disabled: number; unchanged: number };
  /** One entry per employee that changed, with each changed field's old and new value. */
  readonly changes: MemberChange[];
  readonly released: ReleaseTotals;
}

export interface RosterSyncOptions {
  readonly onProgress?: (progress: RosterProgress) => void;
  /** Parallel user/get calls; WeCom allows 10,000 calls a minute per API (document/path/90454). */
  readonly concurrency?: number;
}

/** A run left `running` this long was abandoned by a process that died. */
const staleRunMs = 60 * 60 * 1000;

export class RosterSyncBusyError extends AppError {
  constructor() {
    super('CONFLICT', '通讯录正在同步，请稍后再试。A roster sync for this tenant is already running.');
  }
}

async function tenantOf(ctx: FeatureContext, tenantId: string): Promise<Tenant> {
  const tenant = await ctx.stores.directory.findTenant(tenantId);
  if (!tenant) throw notFound('Tenant', '租户');
  return tenant;
}

function lookupsFrom(stores: Stores, tenantId: string, departments: readonly RosterDepartment[], employeeLabels?: Map<string, string>): Lookups {
  const byPlatformId = new Map(departments.filter((d) => d.platformDepartmentId !== null).map((d) => [d.platformDepartmentId!, d.id]));
  const names = new Map(departments.map((d) => [d.id, d.name]));
  return {
    departmentIdOf: (platformId) => byPlatformId.get(platformId),
    departmentLabel: (id) => (id === null ? null : (names.get(id) ?? id)),
    employeeLabel: async (id) => {
      if (id === null) return null;
      const known = employeeLabels?.get(id);
      if (known) return known;
      const found = await stores.roster.platformUserIdsOf(tenantId, [id]);
      return found.get(id) ?? id;
    },
  };
}

/**
 * Departments by the platform's id, with their parents. A department gone from the platform stays (jobs and
 * employees refer to it) and is reported. A name the platform does not give keeps the one we have; a new one
 * gets a placeholder HR can rename.
 */
async function syncDepartments(ctx: FeatureContext, directory: EmployeeDirectory, tenant: Tenant) {
  const remote = await directory.listDepartments();
  return ctx.transact(async (stores) => {
    const report = { created: 0, updated: 0, unchanged: 0, notOnPlatform: [] as string[] };
    const existing = await stores.roster.listDepartments(tenant.id);
    const byPlatformId = new Map(existing.filter((d) => d.platformDepartmentId !== null).map((d) => [d.platformDepartmentId!, d]));
    const created = new Set<string>();
    // Parents may come after their children in the list: create everything first, link parents second.
    for (const department of remote) {
      if (byPlatformId.has(department.id)) continue;
      const name = department.name ?? (department.parentId === null ? tenant.name : `部门 #${department.id}`);
      const row = await stores.roster.insertDepartment(tenant.id, { name, platformDepartmentId: department.id, parentId: null });
      byPlatformId.set(department.id, row);
      created.add(department.id);
    }
    for (const department of remote) {
      const row = byPlatformId.get(department.id)!;
      const parentId = department.parentId === null ? null : (byPlatformId.get(department.parentId)?.id ?? row.parentId);
      const changes: { name?: string; parentId?: string | null } = {};
      if (department.name !== null && department.name !== row.name) changes.name = department.name;
      if (parentId !== row.parentId) changes.parentId = parentId;
      if (Object.keys(changes).length > 0) {
        await stores.roster.updateDepartment(tenant.id, row.id, changes);
        byPlatformId.set(department.id, { ...row, ...changes });
      }
      if (created.has(department.id)) report.created++;
      else if (Object.keys(changes).length > 0) report.updated++;
      else report.unchanged++;
    }
    const listed = new Set(remote.map((d) => d.id));
    report.notOnPlatform = existing.filter((d) => d.platformDepartmentId !== null && !listed.has(d.platformDepartmentId)).map((d) => d.platformDepartmentId!);
    return { report, departments: [...byPlatformId.values(), ...existing.filter((d) => d.platformDepartmentId === null)] };
  });
}

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, onDone: (done: number) => void) {
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

function leaderOf(member: DirectoryMember, idByUser: ReadonlyMap<string, string>, selfId: string): string | null | undefined {
  if (member.directLeaderIds === null) return undefined;
  const leader = member.directLeaderIds[0];
  const id = leader === undefined ? undefined : idByUser.get(leader);
  return id === undefined || id === selfId ? null : id;
}

async function runSync(ctx: FeatureContext, directory: EmployeeDirectory, tenant: Tenant, mode: RosterRunMode, options: RosterSyncOptions, startedAt: Date): Promise<RosterReport> {
  const progress = options.onProgress ?? (() => undefined);
  const now = startedAt;
  progress({ phase: 'departments', done: 0, total: null });
  const { report: departments, departments: departmentRows } = await syncDepartments(ctx, directory, tenant);

  const refs = await directory.listMembers((p) => progress({ phase: 'listing', done: p.listed, total: null }));
  const snapshot = new Map((await ctx.stores.roster.listEmployees(tenant.id)).map((e) => [e.platformUserId, e]));
  const listed = new Set(refs.map((r) => r.userId));
  // Not listed any more: asked one by one, so a member who merely moved out of reach is not taken for gone.
  const unlisted = [...snapshot.values()].filter((e) => e.status !== 'left' && !listed.has(e.platformUserId)).map((e) => e.platformUserId);
  const userIds = [...listed, ...unlisted];
  const members = new Map<string, DirectoryMember | undefined>();
  await eachLimited(
    userIds,
    options.concurrency ?? 8,
    async (userId) => {
      members.set(userId, await directory.getMember(userId));
    },
    (done) => progress({ phase: 'members', done, total: userIds.length }),
  );

  const labels = new Map([...snapshot.values()].map((e) => [e.id, e.platformUserId]));
  const lookups = lookupsFrom(ctx.stores, tenant.id, departmentRows, labels);
  const changes = new Map<string, MemberChange>();
  const released = emptyRelease();
  for (const userId of userIds) {
    const member = members.get(userId);
    const existing = snapshot.get(userId);
    // Settled from the snapshot without a transaction; anything else is decided again on the locked row.
    if (!existing && (!member || member.status === 'left')) continue;
    if (existing && !member && existing.status === 'left') continue;
    if (
      existing &&
      member &&
      Object.keys(changedColumns(existing, desiredFields(member, existing, lookups, undefined))).length === 0 &&
      unionIdToStore(member, existing) === undefined
    )
      continue;
    const outcome = await ctx.transact((stores) =>
      applyMember(stores, tenant, userId, member, lookupsFrom(stores, tenant.id, departmentRows, labels), now, { resolveManager: false }),
    );
    if (outcome.change) changes.set(userId, outcome.change);
    addRelease(released, outcome.release);
  }

  // Managers once everyone exists: a leader may have been created after the member who reports to them.
  const current = await ctx.stores.roster.listEmployees(tenant.id);
  const idByUser = new Map(current.map((e) => [e.platformUserId, e.id]));
  for (const e of current) labels.set(e.id, e.platformUserId);
  let managerDone = 0;
  for (const employee of current) {
    progress({ phase: 'managers', done: ++managerDone, total: current.length });
    const member = members.get(employee.platformUserId);
    if (!member) continue;
    const wanted = leaderOf(member, idByUser, employee.id);
    if (wanted === undefined || wanted === employee.managerId) continue;
    const updated = await ctx.transact(async (stores) => {
      const locked = await stores.roster.lockEmployeeById(tenant.id, employee.id);
      if (!locked || locked.managerId === wanted) return undefined;
      await stores.roster.updateEmployee(tenant.id, employee.id, { managerId: wanted }, now);
      return locked.managerId;
    });
    if (updated === undefined) continue;
    const diff: FieldDiff = { from: await lookups.employeeLabel(updated), to: await lookups.employeeLabel(wanted) };
    const change = changes.get(employee.platformUserId);
    if (change) (change.fields as Record<string, FieldDiff>).manager = diff;
    else changes.set(employee.platformUserId, { userId: employee.platformUserId, name: employee.name, kind: 'updated', fields: { manager: diff } });
  }

  // Whoever is not active yet still holds a session or an upcoming seat (released by hand, or before this
  // existed, or a seat added since): fix it now.
  const pending = await ctx.stores.roster.employeesNeedingRelease(tenant.id, now, terminalInterviewStatuses);
  let cleaned = 0;
  for (const employeeId of pending) {
    progress({ phase: 'cleanup', done: ++cleaned, total: pending.length });
    const totals = await ctx.transact(async (stores) => {
      const locked = await stores.roster.lockEmployeeById(tenant.id, employeeId);
      if (!locked || locked.status === 'active') return emptyRelease();
      return releaseEmployee(stores, tenant, locked, now);
    });
    addRelease(released, totals);
  }

  const changeList = [...changes.values()];
  const count = (kind: MemberChange['kind']) => changeList.filter((c) => c.kind === kind).length;
  return {
    tenantId: tenant.id,
    mode,
    startedAt: startedAt.toISOString(),
    finishedAt: ctx.clock.now().toISOString(),
    departments,
    employees: {
      listed: refs.length,
      created: count('created'),
      updated: count('updated'),
      left: count('left'),
      disabled: count('disabled'),
      unchanged: userIds.length - changeList.length,
    },
    changes: changeList,
    released,
  };
}

async function recordedRun(ctx: FeatureContext, directory: EmployeeDirectory, tenantId: string, mode: RosterRunMode, options: RosterSyncOptions) {
  const tenant = await tenantOf(ctx, tenantId);
  const startedAt = ctx.clock.now();
  const runId = await ctx.stores.roster.beginRun(tenant.id, mode, startedAt, new Date(startedAt.getTime() - staleRunMs));
  if (!runId) throw new RosterSyncBusyError();
  try {
    const report = await runSync(ctx, directory, tenant, mode, options, startedAt);
    await ctx.stores.roster.finishRun(runId, { status: 'succeeded', report }, ctx.clock.now());
    return report;
  } catch (error) {
    await ctx.stores.roster.finishRun(runId, { status: 'failed', error: String((error as Error)?.message ?? error).slice(0, 1000) }, ctx.clock.now()).catch(() => undefined);
    throw error;
  }
}

/**
 * Imports the directory: departments (with parents), employees (new ones are interviewers; roles HR gave are
 * never touched) and managers. Leavers and disabled members lose their sessions and upcoming panel seats, and the
 * owning HR of each affected interview is told. One run per tenant at a time; the run and its report are kept.
 */
export function syncRoster(ctx: FeatureContext, directory: EmployeeDirectory, tenantId: string, options: RosterSyncOptions = {}): Promise<RosterReport> {
  return recordedRun(ctx, directory, tenantId, 'sync', options);
}

/**
 * The nightly check: a full sync recorded as a reconciliation. change_contact events keep the roster current, so
 * anything this run changes is an event that was missed, and its report says which.
 */
export function reconcileRoster(ctx: FeatureContext, directory: EmployeeDirectory, tenantId: string, options: RosterSyncOptions = {}): Promise<RosterReport> {
  return recordedRun(ctx, directory, tenantId, 'reconcile', options);
}

export type DirectoryFor = (tenantId: string) => Promise<EmployeeDirectory>;

/**
 * One directory resolver per kind of platform app that carries a directory: `wecom_contacts` (WeCom's contacts-sync
 * app) and `dingtalk_app` (DingTalk's internal app with 通讯录只读). A bare DirectoryFor means WeCom only, as before.
 */
export type DirectoriesByApp = Readonly<Partial<Record<'wecom_contacts' | 'dingtalk_app', DirectoryFor>>>;

/**
 * Reconciles every tenant that has a directory connection on any platform given; one tenant's failure does not
 * stop the others. A tenant is reconciled once, with the resolver of the first kind listed it has an app of.
 */
export async function reconcileAllTenants(
  ctx: FeatureContext,
  directories: DirectoryFor | DirectoriesByApp,
): Promise<{ tenantId: string; report?: RosterReport; error?: unknown }[]> {
  const byApp: DirectoriesByApp = typeof directories === 'function' ? { wecom_contacts: directories } : directories;
  const results: { tenantId: string; report?: RosterReport; error?: unknown }[] = [];
  const seen = new Set<string>();
  for (const kind of ['wecom_contacts', 'dingtalk_app'] as const) {
    const directoryFor = byApp[kind];
    if (!directoryFor) continue;
    for (const tenantId of await ctx.stores.roster.tenantsWithApp([kind])) {
      if (seen.has(tenantId)) continue;
      seen.add(tenantId);
      try {
        results.push({ tenantId, report: await reconcileRoster(ctx, await directoryFor(tenantId), tenantId) });
      } catch (error) {
        results.push({ tenantId, error });
      }
    }
  }
  return results;
}

/**
 * One member, fresh from the directory (a change_contact event). Runs in `ctx`'s transaction, which for an inbox
 * handler also marks the event done. A department the member joined that we have not seen yet is imported first.
 */
export async function refreshMember(ctx: FeatureContext, directory: EmployeeDirectory, tenantId: string, userId: string): Promise<MemberChange | undefined> {
  const tenant = await tenantOf(ctx, tenantId);
  const member = await directory.getMember(userId);
  let departments = await ctx.stores.roster.listDepartments(tenantId);
  if (member && member.status !== 'left' && hasUnknownDepartment(member, lookupsFrom(ctx.stores, tenantId, departments))) {
    departments = (await syncDepartments(ctx, directory, tenant)).departments;
  }
  const outcome = await ctx.transact((stores) =>
    applyMember(stores, tenant, userId, member, lookupsFrom(stores, tenantId, departments), ctx.clock.now(), { resolveManager: true }),
  );
  return outcome.change;
}

/** The department tree, fresh from the directory (a department event); returns what changed. */
export async function refreshDepartments(ctx: FeatureContext, directory: EmployeeDirectory, tenantId: string): Promise<RosterReport['departments']> {
  return (await syncDepartments(ctx, directory, await tenantOf(ctx, tenantId))).report;
}

/** The platform deleted the member (change_contact delete_user): no lookup needed, they have left. */
export async function markMemberRemoved(ctx: FeatureContext, tenantId: string, userId: string): Promise<MemberChange | undefined> {
  const tenant = await tenantOf(ctx, tenantId);
  const departments = await ctx.stores.roster.listDepartments(tenantId);
  const outcome = await ctx.transact((stores) =>
    applyMember(stores, tenant, userId, undefined, lookupsFrom(stores, tenantId, departments), ctx.clock.now(), { resolveManager: false }),
  );
  return outcome.change;
}

const textOf = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * The inbox handler for WeCom's change_contact events (the member fields are read from the directory, not from
 * the event, which carries only what changed). https://developer.work.weixin.qq.com/document/path/90970
 */
export function rosterInboxHandlers(directoryFor: DirectoryFor): InboxHandlers {
  const directoryOrNone = async (tenantId: string) => {
    try {
      return await directoryFor(tenantId);
    } catch (error) {
      // A tenant without a contacts connection keeps its roster by hand: nothing to refresh from.
      if (error instanceof DirectoryNotConfiguredError) return undefined;
      throw error;
    }
  };
  const changeContact: InboxHandler = async (event, ctx) => {
    const changeType = textOf(event.payload.ChangeType);
    const userId = textOf(event.payload.UserID);
    if (changeType === 'delete_user') {
      if (userId) await markMemberRemoved(ctx, event.tenantId, userId);
      return;
    }
    if (changeType === 'create_user' || changeType === 'update_user') {
      if (!userId) return;
      const directory = await directoryOrNone(event.tenantId);
      if (!directory) return;
      // A generated userid may be changed once; the event names the old one and the new one.
      const renamedTo = textOf(event.payload.NewUserID);
      if (renamedTo && renamedTo !== userId) {
        await ctx.transact((stores) => stores.roster.renamePlatformUserId(event.tenantId, userId, renamedTo, ctx.clock.now()));
      }
      await refreshMember(ctx, directory, event.tenantId, renamedTo ?? userId);
      return;
    }
    if (changeType === 'create_party' || changeType === 'update_party' || changeType === 'delete_party') {
      const directory = await directoryOrNone(event.tenantId);
      if (directory) await syncDepartments(ctx, directory, await tenantOf(ctx, event.tenantId));
    }
    // Tag changes (update_tag) do not touch the roster.
  };
  return { 'event.change_contact': changeContact };
}

/** `["a","b"]`, `"a"` or `"a,b"` → the user or department ids an org event names. */
function idsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : typeof value === 'number' ? [value] : [];
  return list.map((v) => (typeof v === 'number' ? String(v) : textOf(v))).filter((v): v is string => v !== undefined);
}

/**
 * Inbox handlers for DingTalk's 通讯录 events (stored as `event.<EventType>` by the Stream connection and the HTTP
 * callback). Stream frames keep the event body under `data` with camelCase keys (`userId`, `deptId`); HTTP pushes
 * put it at the top level as `UserId` / `DeptId`: both are read. As with WeCom, member fields come from the
 * directory, not from the event. https://open.dingtalk.com/document/orgapp/address-book-events
 * - user_add_org / user_modify_org / user_active_org: refresh each member named;
 * - user_leave_org: the member has left; no lookup (user/get no longer knows them);
 * - org_dept_create / org_dept_modify / org_dept_remove: refresh the department tree.
 */
export function dingtalkRosterInboxHandlers(directoryFor: DirectoryFor): InboxHandlers {
  const directoryOrNone = async (tenantId: string) => {
    try {
      return await directoryFor(tenantId);
    } catch (error) {
      if (error instanceof DirectoryNotConfiguredError) return undefined;
      throw error;
    }
  };
  const bodyOf = (payload: Record<string, unknown>): Record<string, unknown> =>
    typeof payload.data === 'object' && payload.data !== null && !Array.isArray(payload.data) ? (payload.data as Record<string, unknown>) : payload;
  const usersOf = (payload: Record<string, unknown>) => {
    const body = bodyOf(payload);
    return [...new Set(idsOf(body.userId ?? body.UserId))];
  };

  const refreshNamed: InboxHandler = async (event, ctx) => {
    const userIds = usersOf(event.payload);
    if (userIds.length === 0) return;
    const directory = await directoryOrNone(event.tenantId);
    if (!directory) return;
    for (const userId of userIds) await refreshMember(ctx, directory, event.tenantId, userId);
  };
  const leave: InboxHandler = async (event, ctx) => {
    for (const userId of usersOf(event.payload)) await markMemberRemoved(ctx, event.tenantId, userId);
  };
  const departments: InboxHandler = async (event, ctx) => {
    const directory = await directoryOrNone(event.tenantId);
    if (directory) await refreshDepartments(ctx, directory, event.tenantId);
  };
  return {
    'event.user_add_org': refreshNamed,
    'event.user_modify_org': refreshNamed,
    'event.user_active_org': refreshNamed,
    'event.user_leave_org': leave,
    'event.org_dept_create': departments,
    'event.org_dept_modify': departments,
    'event.org_dept_remove': departments,
  };
}

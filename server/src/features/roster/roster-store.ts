import type { PlatformAppKind } from '../platform';

export type EmployeeStatus = 'active' | 'disabled' | 'left';

export interface RosterDepartment {
  readonly id: string;
  readonly platformDepartmentId: string | null;
  readonly name: string;
  readonly parentId: string | null;
}

export interface RosterEmployee {
  readonly id: string;
  readonly platformUserId: string;
  readonly name: string;
  readonly title: string | null;
  readonly departmentId: string | null;
  readonly managerId: string | null;
  readonly status: EmployeeStatus;
  /** DingTalk unionId (employees.platform_union_id); null when not known. Optional for stores that do not read it. */
  readonly platformUnionId?: string | null;
}

/** What the directory decides about an employee. Roles are not here: the sync never changes them. */
export interface EmployeeFields {
  readonly name: string;
  readonly title: string | null;
  readonly departmentId: string | null;
  readonly managerId: string | null;
  readonly status: EmployeeStatus;
}

/** An upcoming interview a departing employee sat on the panel of. */
export interface AffectedInterview {
  readonly interviewId: string;
  readonly startsAt: Date | null;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly candidateName: string;
  /** False when the seat was kept because the employee already holds a scorecard for it. */
  readonly seatRemoved: boolean;
  /** The interview's owning HR (or the job's, when the interview names none). */
  readonly ownerHr: { readonly id: string; readonly platformUserId: string; readonly status: EmployeeStatus } | null;
}

export type RosterRunMode = 'sync' | 'reconcile';

export interface RosterStore {
  listDepartments(tenantId: string): Promise<RosterDepartment[]>;
  /** Inserts unless the platform id exists already (a concurrent sync); either way returns the stored row. */
  insertDepartment(tenantId: string, department: { name: string; platformDepartmentId: string; parentId: string | null }): Promise<RosterDepartment>;
  updateDepartment(tenantId: string, id: string, changes: { name?: string; parentId?: string | null }): Promise<void>;

  listEmployees(tenantId: string): Promise<RosterEmployee[]>;
  /** The employee row, locked until the transaction ends (FOR UPDATE), so two updaters of one person queue. */
  lockEmployee(tenantId: string, platformUserId: string): Promise<RosterEmployee | undefined>;
  lockEmployeeById(tenantId: string, id: string): Promise<RosterEmployee | undefined>;
  employeeIdsByPlatformUserId(tenantId: string, platformUserIds: readonly string[]): Promise<Map<string, string>>;
  platformUserIdsOf(tenantId: string, employeeIds: readonly string[]): Promise<Map<string, string>>;
  /** New employees get the database's default role (interviewer). undefined when a concurrent insert won. */
  insertEmployee(tenantId: string, platformUserId: string, fields: EmployeeFields, now: Date): Promise<RosterEmployee | undefined>;
  updateEmployee(tenantId: string, id: string, changes: Partial<EmployeeFields>, now: Date): Promise<void>;
  /** WeCom lets a generated userid be changed once (change_contact NewUserID). False when `from` is unknown. */
  renamePlatformUserId(tenantId: string, from: string, to: string, now: Date): Promise<boolean>;
  /** Stores the platform's cross-app id (DingTalk unionId) the directory gave for the employee. */
  setPlatformUnionId(tenantId: string, id: string, unionId: string, now: Date): Promise<void>;

  /** Sets revoked_at on every session of the employee not yet revoked; returns how many. */
  revokeSessions(tenantId: string, employeeId: string, now: Date): Promise<number>;
  /**
   * Removes the employee from the panel of every interview that is not over (status not in `terminalStatuses`,
   * starts after `now` or not yet timed) — with their bookings and pending reminders for it — and returns those
   * interviews. A seat with a scorecard is kept (the scorecard refers to it) and returned with `seatRemoved: false`.
   */
  releaseUpcomingSeats(tenantId: string, employeeId: string, now: Date, terminalStatuses: readonly string[]): Promise<AffectedInterview[]>;
  /** Employees who are not active yet still hold an unrevoked session or a removable upcoming panel seat. */
  employeesNeedingRelease(tenantId: string, now: Date, terminalStatuses: readonly string[]): Promise<string[]>;

  /** Tenants that have a platform app of one of these kinds (whose directory can be read). */
  tenantsWithApp(kinds: readonly PlatformAppKind[]): Promise<string[]>;
  /**
   * Starts a run unless one is running for the tenant (undefined then). A run left `running` since before
   * `staleBefore` (its process died) is marked abandoned first.
   */
  beginRun(tenantId: string, mode: RosterRunMode, now: Date, staleBefore: Date): Promise<string | undefined>;
  finishRun(runId: string, outcome: { status: 'succeeded'; report: unknown } | { status: 'failed'; error: string }, now: Date): Promise<void>;
}

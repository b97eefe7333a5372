/**
 * The company directory of the tenant's platform (WeCom contacts, later DingTalk): who works here, in which
 * department, under whom. Ids are the platform's own, as strings; nothing here names a vendor field.
 */
export interface DirectoryDepartment {
  readonly id: string;
  /** null for the root of the tree. */
  readonly parentId: string | null;
  /** null when the platform does not tell this caller the name (WeCom's contacts-sync id list carries none). */
  readonly name: string | null;
}

/** One member as the paged member list gives it: enough to know who exists, not what they are. */
export interface DirectoryMemberRef {
  readonly userId: string;
  readonly departmentIds: readonly string[];
}

/**
 * `pending`: on the roster but has not joined the platform yet (invited, not activated). `disabled`: the account is
 * switched off but the person is still on the roster. `left`: no longer with the company.
 */
export type DirectoryMemberStatus = 'active' | 'pending' | 'disabled' | 'left';

export interface DirectoryMember {
  readonly userId: string;
  readonly name: string;
  /** Position or job title; null when empty. */
  readonly title: string | null;
  readonly departmentIds: readonly string[];
  readonly mainDepartmentId: string | null;
  readonly status: DirectoryMemberStatus;
  /** Direct leaders' user ids, first one first; null when the platform does not say (so: leave what we know). */
  readonly directLeaderIds: readonly string[] | null;
}

export interface DirectoryListProgress {
  /** Members listed so far (distinct user ids). */
  readonly listed: number;
  readonly pages: number;
}

export interface EmployeeDirectory {
  listDepartments(): Promise<DirectoryDepartment[]>;
  /** Every member, all pages of the platform's cursor followed to the end. */
  listMembers(onProgress?: (progress: DirectoryListProgress) => void): Promise<DirectoryMemberRef[]>;
  /** undefined when the platform no longer knows the user id (deleted from the directory). */
  getMember(userId: string): Promise<DirectoryMember | undefined>;
}

/** The tenant has no directory connection configured (e.g. no WeCom contacts-sync secret). */
export class DirectoryNotConfiguredError extends Error {
  constructor(readonly tenantId: string, detail: string) {
    super(`tenant ${tenantId} has no employee directory: ${detail}`);
    this.name = 'DirectoryNotConfiguredError';
  }
}

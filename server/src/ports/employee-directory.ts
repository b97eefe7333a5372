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
  /**
   * The member's id across the platform's apps (DingTalk unionId: its calendar API names people by it). undefined
   * when the platform has no such id (WeCom), null when it has one but did not give it: both keep what is stored.
   */
  readonly unionId?: string | null;
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

/*
 * The HR roster (花名册) of the tenant's platform: the personnel file beside the directory (start date, position,
 * contracts, education…). WeCom serves it through 人事助手 to one self-built app only, with a token of its own, so it
 * is a port of its own that a directory may or may not come with. Ids are the platform's, as strings.
 */

/** How a field's value is typed. `files` covers image, single-file and multi-file fields. */
export type HrFieldType = 'text' | 'option' | 'time' | 'image' | 'file' | 'files';

export interface HrField {
  readonly id: string;
  readonly name: string;
  readonly type: HrFieldType;
  readonly required: boolean;
  readonly groupId: string;
  readonly groupName: string;
  /** The choices of an `option` field; empty for other types. */
  readonly options: readonly { readonly id: number; readonly text: string }[];
}

/** One value. `time` is whole seconds since the Unix epoch; `mobile` is a phone number field's value. */
export type HrValue =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'option'; readonly optionId: number }
  | { readonly kind: 'time'; readonly epochSeconds: number }
  | { readonly kind: 'mobile'; readonly countryCode: string; readonly number: string }
  | { readonly kind: 'files'; readonly mediaIds: readonly string[] };

/** A field of one record. `subIndex` picks the entry of a repeatable group (education, work history…); 0 otherwise. */
export interface HrFieldRef {
  readonly fieldId: string;
  readonly subIndex?: number;
}

export interface HrFieldValue {
  readonly fieldId: string;
  readonly subIndex: number;
  /** null when the platform has no value for this field (or could not read it). */
  readonly value: HrValue | null;
}

export interface HrUpdate extends HrFieldRef {
  readonly value: HrValue;
}

export interface HrRoster {
  /** Every field of the roster, grouped as the platform groups them. */
  hrFields(): Promise<HrField[]>;
  /** The member's values of `fields`, or of every field when omitted. */
  hrRecord(userId: string, fields?: readonly HrFieldRef[]): Promise<HrFieldValue[]>;
  /** Writes the values; all or nothing, as the platform applies one request. */
  updateHrRecord(userId: string, updates: readonly HrUpdate[]): Promise<void>;
}

/**
 * The platform refused a roster call. `not_updatable`: a field the platform does not let apps write (it names no
 * value, only field ids); `forbidden`: this app is not the one allowed to use the roster; `unknown_user`: not on the
 * platform (or outside the app's visible range); `platform`: anything else, `retryable` when trying later may help.
 */
export class HrRosterError extends Error {
  constructor(
    readonly code: 'not_updatable' | 'forbidden' | 'unknown_user' | 'not_configured' | 'platform',
    message: string,
    readonly retryable: boolean,
    readonly fieldIds: readonly string[] = [],
  ) {
    super(message);
    this.name = 'HrRosterError';
  }
}

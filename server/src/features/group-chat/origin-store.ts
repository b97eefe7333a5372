import type { GroupTarget } from '../../ports/group-notifier';

/** Where interviews scheduled from a group command remember their chat (interviews.origin_chat). */
export interface GroupChatStore {
  /** The database's clock (what audit_events.at is written with), to bracket one command. */
  databaseNow(): Promise<Date>;
  /**
   * Marks the interviews the employee scheduled (`interview.schedule` audited at or after `since`, a databaseNow()
   * taken before the command ran) as coming from `origin`, unless they already have one. Returns how many.
   */
  rememberOrigin(tenantId: string, employeeId: string, since: Date, origin: GroupTarget): Promise<number>;
  originOf(tenantId: string, interviewId: string): Promise<GroupTarget | undefined>;
}

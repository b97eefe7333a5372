import type { OutboundMessage } from '../../ports/outbound-sender';

export interface NewOutboxMessage {
  readonly tenantId: string;
  readonly channel: string;
  readonly recipient: string;
  readonly payload: Record<string, unknown>;
  /** Names the logical message (e.g. `reminder:<id>`): enqueuing it twice keeps one row. */
  readonly idempotencyKey: string;
  readonly notBefore?: Date;
}

export interface OutboxStore {
  enqueue(message: NewOutboxMessage): Promise<{ id: string; inserted: boolean }>;
  /**
   * Claims up to `limit` due rows (FOR UPDATE SKIP LOCKED, so instances never share a row) and leases them until
   * `leaseUntil`; rows whose lease ran out (the claimer died) are due again.
   */
  claimDue(limit: number, now: Date, leaseUntil: Date): Promise<OutboundMessage[]>;
  markSent(id: string, receipt: Record<string, unknown>, now: Date): Promise<void>;
  /** Back to pending at `at`; `countAttempt: false` for deferrals that never reached the platform. */
  reschedule(id: string, at: Date, error: string | null, options: { countAttempt: boolean }): Promise<void>;
  markDead(id: string, error: string, now: Date): Promise<void>;
  /** Send times of rows sent on `channel` to `recipient` since `since`, oldest first. */
  sentTimes(channel: string, recipient: string, since: Date): Promise<Date[]>;
}

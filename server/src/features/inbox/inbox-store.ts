export interface InboundEvent {
  readonly tenantId: string;
  readonly appId: string;
  /** The platform's own identity of the event: a retry or replay carries the same key. */
  readonly dedupeKey: string;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
}

export interface ClaimedInboundEvent extends InboundEvent {
  readonly id: string;
  readonly attempts: number;
  readonly receivedAt: Date;
}

export interface InboxStore {
  /** Durable insert; a second copy of the same event only counts as a duplicate. */
  accept(event: InboundEvent): Promise<{ inserted: boolean }>;
  /** Claims due events (FOR UPDATE SKIP LOCKED) with a lease; events whose lease ran out are due again. */
  claimDue(limit: number, now: Date, leaseUntil: Date): Promise<ClaimedInboundEvent[]>;
  /**
   * Only while still claimed by this attempt: a worker that lost its lease (and whose event was claimed again)
   * cannot mark the newer claim's work done.
   */
  markDone(id: string, attempt: number, now: Date, note?: string): Promise<boolean>;
  reschedule(id: string, at: Date, error: string): Promise<void>;
  markDead(id: string, error: string): Promise<void>;
}

export interface InboundEvent {
  readonly tenantId: string;
  readonly appId: string;
  /** The platform's own identity of the event: a retry or replay carries the same key. */
  readonly dedupeKey: string;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
}

export interface InboxStore {
  /** Durable insert; a second copy of the same event only counts as a duplicate. */
  accept(event: InboundEvent): Promise<{ inserted: boolean }>;
}

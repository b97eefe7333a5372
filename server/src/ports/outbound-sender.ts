/** One claimed outbox row, as a sender sees it. */
export interface OutboundMessage {
  readonly id: string;
  readonly tenantId: string;
  readonly channel: string;
  readonly recipient: string;
  readonly payload: Record<string, unknown>;
  readonly idempotencyKey: string;
  readonly attempts: number;
}

/** Sends one message on one channel; adapters implement it per vendor. */
export interface OutboundSender {
  send(message: OutboundMessage): Promise<{ receipt: Record<string, unknown> }>;
}

/** A send that failed; `retryable` says whether trying later can succeed. */
export class SendFailedError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SendFailedError';
  }
}

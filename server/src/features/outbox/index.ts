import { pacingByChannel, nextAllowedAt, retryDelayMs } from '../../domain/pacing';
import { SendFailedError, type OutboundSender } from '../../ports/outbound-sender';
import type { FeatureContext, Stores } from '../context';
import type { NewOutboxMessage } from './outbox-store';

export type { OutboxStore, NewOutboxMessage } from './outbox-store';

/**
 * Writes an outbound message into the outbox. Call it with the stores of the transaction that makes the change the
 * message reports, so the message exists exactly when the change does.
 */
export function enqueueMessage(stores: Stores, message: NewOutboxMessage) {
  return stores.outbox.enqueue(message);
}

export interface DispatchOptions {
  readonly batchSize?: number;
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
}

export interface DispatchResult {
  readonly claimed: number;
  readonly sent: number;
  readonly retried: number;
  readonly deferred: number;
  readonly dead: number;
}

/**
 * Sends what is due. Each row is claimed by one instance only; a crash after the platform accepted a message but
 * before `markSent` leads to one more attempt after the lease, which the platform's duplicate check absorbs (the
 * body is identical). Never called from a request handler.
 */
export async function dispatchDueMessages(
  ctx: FeatureContext,
  senders: Readonly<Record<string, OutboundSender>>,
  options: DispatchOptions = {},
): Promise<DispatchResult> {
  const now = ctx.clock.now();
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const claimed = await ctx.stores.outbox.claimDue(options.batchSize ?? 50, now, new Date(now.getTime() + leaseMs));
  let sent = 0;
  let retried = 0;
  let deferred = 0;
  let dead = 0;
  for (const message of claimed) {
    const sender = senders[message.channel];
    if (!sender) {
      await ctx.stores.outbox.markDead(message.id, `no sender for channel ${message.channel}`, ctx.clock.now());
      dead++;
      continue;
    }
    const windows = pacingByChannel[message.channel];
    if (windows) {
      const longest = Math.max(...windows.map((w) => w.windowMs));
      const at = ctx.clock.now();
      const times = await ctx.stores.outbox.sentTimes(message.channel, message.recipient, new Date(at.getTime() - longest));
      const allowedAt = nextAllowedAt(windows, times, at);
      if (allowedAt) {
        await ctx.stores.outbox.reschedule(message.id, allowedAt, null, { countAttempt: false });
        deferred++;
        continue;
      }
    }
    try {
      const { receipt } = await sender.send(message);
      await ctx.stores.outbox.markSent(message.id, receipt, ctx.clock.now());
      sent++;
    } catch (error) {
      const failure = error instanceof SendFailedError ? error : new SendFailedError((error as Error).message, true);
      const text = `${failure.code ? `${failure.code}: ` : ''}${failure.message}`.slice(0, 1000);
      if (!failure.retryable || message.attempts >= maxAttempts) {
        await ctx.stores.outbox.markDead(message.id, text, ctx.clock.now());
        dead++;
      } else {
        await ctx.stores.outbox.reschedule(message.id, new Date(ctx.clock.now().getTime() + retryDelayMs(message.attempts)), text, {
          countAttempt: true,
        });
        retried++;
      }
    }
  }
  return { claimed: claimed.length, sent, retried, deferred, dead };
}

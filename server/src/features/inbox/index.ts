import { retryDelayMs } from '../../domain/pacing';
import type { FeatureContext } from '../context';
import type { ClaimedInboundEvent, InboundEvent } from './inbox-store';

export type { InboxStore, InboundEvent, ClaimedInboundEvent } from './inbox-store';

/**
 * Stores an inbound platform event before anything acknowledges it. Work happens later, from the inbox, so a slow
 * handler can never make the platform time out and retry.
 */
export async function acceptInboundEvent(ctx: FeatureContext, event: InboundEvent): Promise<{ inserted: boolean }> {
  return ctx.stores.inbox.accept(event);
}

/**
 * Does the work an event asks for. `ctx` is bound to one transaction that also marks the event done, so the
 * effect happens exactly once: a crash before the commit rolls both back and the event is handled again.
 * Outbound messages go through the outbox with `ctx.stores`, never straight to a platform.
 */
export type InboxHandler = (event: ClaimedInboundEvent, ctx: FeatureContext) => Promise<void>;

/** Handlers by event kind, e.g. `event.change_contact`, `message.text`, `event.template_card_event`. */
export type InboxHandlers = Readonly<Record<string, InboxHandler>>;

export async function processDueEvents(
  ctx: FeatureContext,
  handlers: InboxHandlers,
  options: { batchSize?: number; leaseMs?: number; maxAttempts?: number } = {},
): Promise<{ claimed: number; handled: number; ignored: number; retried: number; dead: number }> {
  const now = ctx.clock.now();
  const claimed = await ctx.stores.inbox.claimDue(options.batchSize ?? 50, now, new Date(now.getTime() + (options.leaseMs ?? 120_000)));
  let handled = 0;
  let ignored = 0;
  let retried = 0;
  let dead = 0;
  for (const event of claimed) {
    const handler = handlers[event.kind];
    try {
      await ctx.transact(async (stores) => {
        const bound: FeatureContext = { stores, transact: (work) => work(stores), clock: ctx.clock };
        if (handler) await handler(event, bound);
        const marked = await stores.inbox.markDone(event.id, event.attempts, ctx.clock.now(), handler ? undefined : `no handler for ${event.kind}`);
        // The lease ran out and another worker holds the event now: undo this attempt's effect.
        if (!marked) throw new Error('lease lost before the event was marked done');
      });
      if (handler) handled++;
      else ignored++;
    } catch (error) {
      const message = ((error as Error)?.message ?? String(error)).slice(0, 1000);
      if (event.attempts >= (options.maxAttempts ?? 10)) {
        await ctx.stores.inbox.markDead(event.id, message);
        dead++;
      } else {
        await ctx.stores.inbox.reschedule(event.id, new Date(ctx.clock.now().getTime() + retryDelayMs(event.attempts)), message);
        retried++;
      }
    }
  }
  return { claimed: claimed.length, handled, ignored, retried, dead };
}

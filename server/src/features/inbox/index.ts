import type { FeatureContext } from '../context';
import type { InboundEvent } from './inbox-store';

export type { InboxStore, InboundEvent } from './inbox-store';

/**
 * Stores an inbound platform event before anything acknowledges it. Work happens later, from the inbox, so a slow
 * handler can never make the platform time out and retry.
 */
export async function acceptInboundEvent(ctx: FeatureContext, event: InboundEvent): Promise<{ inserted: boolean }> {
  return ctx.stores.inbox.accept(event);
}

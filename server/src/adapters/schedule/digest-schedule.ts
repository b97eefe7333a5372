import type { FeatureContext } from '../../features/context';
import { dispatchDueDigests, nextDigestAt } from '../../features/bot';
import type { Logger } from '../../observability/logger';
import { startWakeLoop, type Dispatcher } from './wake-loop';

export type DigestDispatcher = Dispatcher;

/**
 * The bot's daily group digests (订阅), like the reminders and nudges: the queue is the bot_digests table; node-schedule
 * only arms the next wake-up, at the earliest next_run_at and at least every `maxSleepMs` (so a subscription made on
 * another instance is picked up). A restart loses nothing and a long outage yields one late digest per chat.
 */
export function startDigestDispatcher(deps: { features: FeatureContext; log: Logger; maxSleepMs?: number }): DigestDispatcher {
  return startWakeLoop({
    log: deps.log,
    what: 'bot digest dispatch',
    ...(deps.maxSleepMs !== undefined && { maxSleepMs: deps.maxSleepMs }),
    look: async () => {
      const result = await dispatchDueDigests(deps.features);
      if (result.sent > 0 || result.dropped > 0) deps.log.info({ ...result }, 'bot digests dispatched');
      return nextDigestAt(deps.features);
    },
  });
}

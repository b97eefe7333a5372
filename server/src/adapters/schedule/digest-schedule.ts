import schedule from 'node-schedule';
import type { FeatureContext } from '../../features/context';
import { dispatchDueDigests, nextDigestAt } from '../../features/bot';
import type { Logger } from '../../observability/logger';

export interface DigestDispatcher {
  /** Look now (e.g. right after someone subscribed). */
  wake(): void;
  /** The time the next wake-up is armed for. */
  nextWakeAt(): Date | undefined;
  stop(): Promise<void>;
}

/**
 * The bot's daily group digests (订阅), like the reminders and nudges: the queue is the bot_digests table; node-schedule
 * only arms the next wake-up, at the earliest next_run_at and at least every `maxSleepMs` (so a subscription made on
 * another instance is picked up). A restart loses nothing and a long outage yields one late digest per chat.
 */
export function startDigestDispatcher(deps: { features: FeatureContext; log: Logger; maxSleepMs?: number }): DigestDispatcher {
  const maxSleepMs = deps.maxSleepMs ?? 60_000;
  let job: schedule.Job | undefined;
  let armedFor: Date | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const arm = (at: Date | undefined) => {
    job?.cancel();
    if (stopped) return;
    const now = Date.now();
    const wakeAt = Math.max(now + 20, Math.min(at?.getTime() ?? Infinity, now + maxSleepMs));
    armedFor = new Date(wakeAt);
    job = schedule.scheduleJob(armedFor, () => run());
  };

  const tick = async () => {
    const result = await dispatchDueDigests(deps.features);
    if (result.sent > 0 || result.dropped > 0) deps.log.info({ ...result }, 'bot digests dispatched');
    arm(await nextDigestAt(deps.features));
  };

  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = tick()
      .catch((error: unknown) => {
        deps.log.warn({ err: error }, 'bot digest dispatch failed; will try again');
        arm(undefined);
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          run();
        }
      });
  };

  run();
  return {
    wake: run,
    nextWakeAt: () => armedFor,
    async stop() {
      stopped = true;
      job?.cancel();
      await running;
    },
  };
}

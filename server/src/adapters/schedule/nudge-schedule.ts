import schedule from 'node-schedule';
import type { FeatureContext } from '../../features/context';
import { dispatchDueNudges, nextNudgeAt } from '../../features/copilot/nudges';
import type { Logger } from '../../observability/logger';

export interface NudgeDispatcher {
  /** Look now. */
  wake(): void;
  /** The time the next wake-up is armed for. */
  nextWakeAt(): Date | undefined;
  stop(): Promise<void>;
}

/**
 * Scorecard nudges, like the reminders: the queue (scorecard_followups) lives in the database; node-schedule only
 * arms the next wake-up, at the earliest due follow-up and at least every `maxSleepMs` (which is also how interviews
 * that just ended get their follow-ups planned). A restart loses nothing.
 */
export function startNudgeDispatcher(deps: {
  features: FeatureContext;
  log: Logger;
  /** The deep link's base: `${publicUrl}/h5/#/pages/interviewer/scorecard?id=…`. */
  publicUrl: string;
  batchSize?: number;
  maxSleepMs?: number;
}): NudgeDispatcher {
  const batchSize = deps.batchSize ?? 50;
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
    for (;;) {
      const result = await dispatchDueNudges(deps.features, { publicUrl: deps.publicUrl, batchSize });
      if (result.claimed > 0 || result.planned > 0) deps.log.info({ ...result }, 'scorecard nudges dispatched');
      if (result.claimed < batchSize || stopped) break;
    }
    arm(await nextNudgeAt(deps.features));
  };

  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = tick()
      .catch((error: unknown) => {
        deps.log.warn({ err: error }, 'scorecard nudge dispatch failed; will try again');
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

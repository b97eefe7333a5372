import type { FeatureContext } from '../../features/context';
import { dispatchDueNudges, nextNudgeAt } from '../../features/copilot/nudges';
import type { Logger } from '../../observability/logger';
import { startWakeLoop, type Dispatcher } from './wake-loop';

export type NudgeDispatcher = Dispatcher;

/**
 * Scorecard nudges, like the reminders: the queue (scorecard_followups) lives in the database; node-schedule only
 * arms the next wake-up, at the earliest due follow-up and at least every `maxSleepMs` (which is also how interviews
 * that just ended get their follow-ups planned). A restart loses nothing.
 */
export function startNudgeDispatcher(deps: {
  features: FeatureContext;
  log: Logger;
  /** The deep link's base: `${publicUrl}/h5/#/pages/interviewer/scorecard/index?id=…`. */
  publicUrl: string;
  batchSize?: number;
  maxSleepMs?: number;
}): NudgeDispatcher {
  const batchSize = deps.batchSize ?? 50;
  return startWakeLoop({
    log: deps.log,
    what: 'scorecard nudge dispatch',
    ...(deps.maxSleepMs !== undefined && { maxSleepMs: deps.maxSleepMs }),
    look: async (isStopped) => {
      for (;;) {
        const result = await dispatchDueNudges(deps.features, { publicUrl: deps.publicUrl, batchSize });
        if (result.claimed > 0 || result.planned > 0) deps.log.info({ ...result }, 'scorecard nudges dispatched');
        if (result.claimed < batchSize || isStopped()) break;
      }
      return nextNudgeAt(deps.features);
    },
  });
}

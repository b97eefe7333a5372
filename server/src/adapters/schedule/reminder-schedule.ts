import type { FeatureContext } from '../../features/context';
import { dispatchDueReminders, nextReminderDueAt } from '../../features/reminders';
import type { Logger } from '../../observability/logger';
import type { CandidateMessenger } from '../../ports/candidate-messenger';
import { startWakeLoop, type Dispatcher } from './wake-loop';

export type ReminderDispatcher = Dispatcher;

/**
 * The reminders queue lives in the database; node-schedule only arms the next wake-up: at the earliest pending
 * due_at, and at least every `maxSleepMs` (reminders another instance queued, rows whose lease ran out). A restart
 * loses nothing: the first tick finds whatever fell due while the process was down.
 */
export function startReminderDispatcher(deps: {
  features: FeatureContext;
  messenger: CandidateMessenger;
  log: Logger;
  batchSize?: number;
  maxSleepMs?: number;
  /** The mini-app's survey page for an interview (the public URL is configuration). */
  surveyUrl?: (interviewId: string) => string;
  /**
   * Subscribes to "reminders were queued or moved" (PostgreSQL NOTIFY from any instance); returns the unsubscribe.
   * Without it a reminder due within the next minute may wait for the periodic look.
   */
  subscribe?: (onChange: () => void) => { close(): Promise<void> };
}): ReminderDispatcher {
  const batchSize = deps.batchSize ?? 50;
  return startWakeLoop({
    log: deps.log,
    what: 'reminder dispatch',
    ...(deps.maxSleepMs !== undefined && { maxSleepMs: deps.maxSleepMs }),
    ...(deps.subscribe && { subscribe: deps.subscribe }),
    look: async (isStopped) => {
      for (;;) {
        const result = await dispatchDueReminders(deps.features, deps.messenger, { batchSize, ...(deps.surveyUrl && { surveyUrl: deps.surveyUrl }) });
        if (result.claimed > 0) deps.log.info({ ...result }, 'reminders dispatched');
        if (result.claimed < batchSize || isStopped()) break;
      }
      return nextReminderDueAt(deps.features);
    },
  });
}

import schedule from 'node-schedule';
import type { FeatureContext } from '../../features/context';
import { dispatchDueReminders, nextReminderDueAt } from '../../features/reminders';
import type { Logger } from '../../observability/logger';
import type { CandidateMessenger } from '../../ports/candidate-messenger';

export interface ReminderDispatcher {
  /** Look now (e.g. right after an interview was scheduled). */
  wake(): void;
  /** The time the next wake-up is armed for. */
  nextWakeAt(): Date | undefined;
  stop(): Promise<void>;
}

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
      const result = await dispatchDueReminders(deps.features, deps.messenger, { batchSize, ...(deps.surveyUrl && { surveyUrl: deps.surveyUrl }) });
      if (result.claimed > 0) deps.log.info({ ...result }, 'reminders dispatched');
      if (result.claimed < batchSize || stopped) break;
    }
    arm(await nextReminderDueAt(deps.features));
  };

  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = tick()
      .catch((error: unknown) => {
        deps.log.warn({ err: error }, 'reminder dispatch failed; will try again');
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
  const subscription = deps.subscribe?.(() => {
    if (!stopped) run();
  });
  return {
    wake: run,
    nextWakeAt: () => armedFor,
    async stop() {
      stopped = true;
      job?.cancel();
      await subscription?.close();
      await running;
    },
  };
}

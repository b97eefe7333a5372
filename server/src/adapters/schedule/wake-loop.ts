import schedule from 'node-schedule';
import type { Logger } from '../../observability/logger';

/** A database-queue dispatcher as the process sees it. */
export interface Dispatcher {
  /** Look now (e.g. right after something was queued). */
  wake(): void;
  /** The time the next wake-up is armed for. */
  nextWakeAt(): Date | undefined;
  stop(): Promise<void>;
}

/**
 * The one wake-up loop behind every database queue (reminders, scorecard nudges, bot digests): the queue lives in
 * the database; node-schedule only arms the next look, at the time `look` returns and at least every `maxSleepMs`
 * (work another instance queued, leases that ran out). Looks never overlap: a wake-up during a look runs one more
 * look after it. A failed look is logged and retried at the next periodic wake-up. A restart loses nothing: the
 * first look finds whatever fell due while the process was down.
 */
export function startWakeLoop(deps: {
  /** Does the work that is due and answers when to look next (undefined: only the periodic look). */
  look: (isStopped: () => boolean) => Promise<Date | undefined>;
  log: Logger;
  /** Named in the warning of a failed look, e.g. "reminder dispatch". */
  what: string;
  maxSleepMs?: number;
  /** Something that calls back when new work may be due (e.g. PostgreSQL LISTEN); returns its unsubscribe. */
  subscribe?: (onChange: () => void) => { close(): Promise<void> };
}): Dispatcher {
  const maxSleepMs = deps.maxSleepMs ?? 60_000;
  let job: schedule.Job | undefined;
  let armedFor: Date | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const isStopped = () => stopped;

  const arm = (at: Date | undefined) => {
    job?.cancel();
    if (stopped) return;
    const now = Date.now();
    armedFor = new Date(Math.max(now + 20, Math.min(at?.getTime() ?? Infinity, now + maxSleepMs)));
    job = schedule.scheduleJob(armedFor, () => run());
  };

  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = deps
      .look(isStopped)
      .then(arm, (error: unknown) => {
        deps.log.warn({ err: error }, `${deps.what} failed; will try again`);
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

import schedule from 'node-schedule';
import type { FeatureContext } from '../../features/context';
import { runPurge, type PurgeReport } from '../../features/retention';
import type { Logger } from '../../observability/logger';

export interface PurgeSchedule {
  /** Runs the purge now (unless one is in hand in this process, which it then waits for). */
  runNow(): Promise<PurgeReport | undefined>;
  nextRunAt(): Date | undefined;
  /** Cancels future runs and waits for the one in hand. */
  stop(): Promise<void>;
}

/**
 * The nightly retention purge. Every instance may schedule it: batches are claimed with FOR ... SKIP LOCKED, so
 * instances firing together share the work and never process the same rows; each writes its own purge_runs row.
 * Logs counts per tenant and class only (object ids stay in deletion_records).
 */
export function startPurgeSchedule(deps: {
  /** Cron expression, e.g. `0 3 * * *` (03:00 every day). */
  cron: string;
  /** IANA zone the cron is read in; the process zone when omitted. */
  timeZone?: string;
  features: FeatureContext;
  log: Logger;
}): PurgeSchedule {
  let running: Promise<PurgeReport | undefined> | undefined;

  const purge = async () => {
    const report = await runPurge(deps.features);
    for (const tenant of report.tenants) {
      for (const c of tenant.classes) {
        const fields = { runId: report.runId, tenantId: tenant.tenantId, dataClass: c.dataClass, retainDays: c.retainDays, objects: c.objects, rows: c.rows };
        if (c.error) deps.log.error({ ...fields, error: c.error }, 'retention purge failed for a tenant data class');
        else if (c.objects > 0) deps.log.info(fields, 'retention purge deleted or anonymised what the policy no longer allows');
      }
    }
    deps.log.info({ runId: report.runId, tenants: report.tenants.length, ...report.totals, failed: report.failed }, 'retention purge finished');
    return report;
  };

  const runNow = () => {
    running ??= purge()
      .catch((error: unknown) => {
        deps.log.error({ err: error }, 'retention purge failed');
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const job = schedule.scheduleJob({ rule: deps.cron, ...(deps.timeZone && { tz: deps.timeZone }) }, () => {
    void runNow();
  });
  // node-schedule answers an unparsable rule with null instead of throwing.
  if (!job) throw new Error(`retention purge schedule: "${deps.cron}" is not a valid cron expression`);

  return {
    runNow,
    nextRunAt: () => {
      const next = job.nextInvocation() as unknown as { toDate?: () => Date } | Date | null;
      if (!next) return undefined;
      return next instanceof Date ? next : next.toDate?.();
    },
    async stop() {
      job.cancel();
      await running;
    },
  };
}

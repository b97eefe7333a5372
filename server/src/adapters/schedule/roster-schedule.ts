import schedule from 'node-schedule';
import type { FeatureContext } from '../../features/context';
import { reconcileAllTenants, RosterSyncBusyError, type DirectoriesByApp, type DirectoryFor } from '../../features/roster';
import type { Logger } from '../../observability/logger';

export interface RosterSchedule {
  /** Runs the reconciliation now (unless one is in hand in this process, which it then waits for). */
  runNow(): Promise<void>;
  nextRunAt(): Date | undefined;
  /** Cancels future runs and waits for the one in hand. */
  stop(): Promise<void>;
}

/**
 * The nightly roster reconciliation. Every instance may schedule it: the run record lets one instance per tenant
 * through and the others skip. Logs counts only (names and user ids stay in the stored report).
 */
export function startRosterSchedule(deps: {
  /** Cron expression, e.g. `30 2 * * *` (02:30 every day). */
  cron: string;
  /** IANA zone the cron is read in; the process zone when omitted. */
  timeZone?: string;
  features: FeatureContext;
  /** A bare resolver covers WeCom (`wecom_contacts`) tenants only; a map adds DingTalk (`dingtalk_app`) tenants. */
  directoryFor: DirectoryFor | DirectoriesByApp;
  log: Logger;
}): RosterSchedule {
  let running: Promise<void> | undefined;

  const reconcile = async () => {
    const results = await reconcileAllTenants(deps.features, deps.directoryFor);
    for (const { tenantId, report, error } of results) {
      if (report) {
        const changed = report.changes.length + report.departments.created + report.departments.updated;
        const summary = { tenantId, ...report.employees, departments: report.departments, released: { ...report.released, interviewsWithoutHr: report.released.interviewsWithoutHr.length } };
        if (changed > 0) deps.log.warn(summary, 'roster reconciliation found differences change_contact events had not brought; fixed them');
        else deps.log.info(summary, 'roster reconciliation: directory and roster agree');
      } else if (error instanceof RosterSyncBusyError) {
        deps.log.info({ tenantId }, 'roster reconciliation skipped: another run for the tenant is in progress');
      } else {
        deps.log.error({ tenantId, err: error }, 'roster reconciliation failed for a tenant');
      }
    }
  };

  const runNow = () => {
    running ??= reconcile()
      .catch((error: unknown) => deps.log.error({ err: error }, 'roster reconciliation failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const job = schedule.scheduleJob({ rule: deps.cron, ...(deps.timeZone && { tz: deps.timeZone }) }, () => {
    void runNow();
  });
  // node-schedule answers an unparsable rule with null instead of throwing.
  if (!job) throw new Error(`roster reconciliation schedule: "${deps.cron}" is not a valid cron expression`);

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

import type { ChartPeriod, TimeToHire } from '../../../contracts/bot';
import { scopeOf } from '../../domain/access-scope';
import { hiringRoles, requireRole, type Principal } from '../../domain/principal';
import { periodRange, tenantZone } from '../bot';
import type { FeatureContext } from '../context';
import type { HireRow } from './report-store';

const dayMs = 86_400_000;
const oneDecimal = (n: number) => Math.round(n * 10) / 10;

/** The median of sorted values (the mean of the middle two for an even count). */
export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile of sorted values by nearest rank (p90 of ten values is the ninth). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Days from application to hire of each row, whole-period summary and per job (slowest median first). */
export function summariseHires(rows: readonly HireRow[]): Pick<TimeToHire, 'hires' | 'medianDays' | 'p90Days' | 'jobs'> {
  const daysOf = (r: HireRow) => Math.max(0, (r.hiredAt.getTime() - r.appliedAt.getTime()) / dayMs);
  const byJob = new Map<string, { jobTitle: string; days: number[] }>();
  for (const r of rows) {
    const entry = byJob.get(r.jobId) ?? { jobTitle: r.jobTitle, days: [] };
    entry.days.push(daysOf(r));
    byJob.set(r.jobId, entry);
  }
  const jobs = [...byJob.entries()].map(([jobId, { jobTitle, days }]) => {
    const sorted = [...days].sort((a, b) => a - b);
    return {
      jobId,
      jobTitle,
      hires: sorted.length,
      medianDays: oneDecimal(median(sorted)),
      p90Days: oneDecimal(percentile(sorted, 90)),
      meanDays: oneDecimal(sorted.reduce((s, d) => s + d, 0) / sorted.length),
    };
  });
  jobs.sort((a, b) => b.medianDays - a.medianDays || a.jobTitle.localeCompare(b.jobTitle, 'zh-CN') || a.jobId.localeCompare(b.jobId));
  const all = rows.map(daysOf).sort((a, b) => a - b);
  return {
    hires: all.length,
    medianDays: all.length ? oneDecimal(median(all)) : null,
    p90Days: all.length ? oneDecimal(percentile(all, 90)) : null,
    jobs,
  };
}

/**
 * 招聘周期 Time to hire: for applications hired in the period (tenant zone, the charts' period vocabulary), the days
 * from the application to the hired stage, per job — median, p90 and mean — within the caller's department scope.
 */
export async function timeToHire(ctx: FeatureContext, principal: Principal, query: { period: ChartPeriod }): Promise<TimeToHire> {
  requireRole(principal, hiringRoles);
  const { from, to } = periodRange(query.period, ctx.clock.now(), await tenantZone(ctx, principal.tenantId));
  const rows = await ctx.stores.reports.hires(principal.tenantId, from, to, scopeOf(principal));
  return { period: query.period, from: from.toISOString(), to: to.toISOString(), ...summariseHires(rows) };
}

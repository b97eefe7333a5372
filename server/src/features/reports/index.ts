import type { ChartPeriod, InterviewerLoad, NoShowsByJob } from '../../../contracts/bot';
import type { Principal } from '../../domain/principal';
import { interviewerLoad, periodRange, tenantZone } from '../bot';
import type { FeatureContext } from '../context';
import { noShowReport } from '../interviews/policies';

export type { HireRow, ReportStore } from './report-store';
export { median, percentile, summariseHires, timeToHire } from './time-to-hire';

/** 面试官负荷 as numbers (the table under the chart), over the same period as the chart. */
export async function interviewerLoadReport(ctx: FeatureContext, principal: Principal, query: { period: ChartPeriod }): Promise<InterviewerLoad> {
  const items = await interviewerLoad(ctx, principal, query.period);
  const { from, to } = periodRange(query.period, ctx.clock.now(), await tenantZone(ctx, principal.tenantId));
  return { period: query.period, from: from.toISOString(), to: to.toISOString(), items };
}

/** 未到场率 by job over a named period: what /api/charts/no-shows.png draws, as numbers. */
export async function noShowsByJob(ctx: FeatureContext, principal: Principal, query: { period: ChartPeriod }): Promise<NoShowsByJob> {
  const { from, to } = periodRange(query.period, ctx.clock.now(), await tenantZone(ctx, principal.tenantId));
  const report = await noShowReport(ctx, principal, { from: from.toISOString(), to: to.toISOString() });
  return { period: query.period, from: report.from, to: report.to, items: report.byJob };
}

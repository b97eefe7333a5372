import type { SchedulePolicy } from '../../../contracts/interviews';
import { scopeOf } from '../../domain/access-scope';
import { notFound } from '../../domain/errors';
import { actorRef, hiringRoles, hrRoles, requireRole, type Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';
import type { ReminderPolicy } from './interview-store';
import { reminderPolicyOf } from './index';

export async function getReminderPolicy(ctx: FeatureContext, principal: Principal): Promise<ReminderPolicy> {
  requireRole(principal, hiringRoles);
  return reminderPolicyOf(ctx.stores, principal.tenantId);
}

/** Admins set when reminders go out; interviews scheduled or moved from now on follow it. */
export async function setReminderPolicy(ctx: FeatureContext, principal: Principal, policy: ReminderPolicy, requestId: string): Promise<ReminderPolicy> {
  requireRole(principal, ['admin']);
  return ctx.transact(async (stores) => {
    await stores.interviews.setReminderPolicy(principal.tenantId, { ...policy, candidateMinutes: [...new Set(policy.candidateMinutes)].sort((a, b) => b - a) }, ctx.clock.now());
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'reminders.policy', objectType: 'tenant', objectId: principal.tenantId, requestId, details: { ...policy } });
    return reminderPolicyOf(stores, principal.tenantId);
  });
}

export async function getSchedulePolicy(ctx: FeatureContext, principal: Principal, jobId: string): Promise<SchedulePolicy> {
  requireRole(principal, hiringRoles);
  if (!(await ctx.stores.jobs.findJob(principal.tenantId, jobId, { scope: scopeOf(principal) }))) throw notFound('Job', '职位');
  return ctx.stores.interviews.policy(principal.tenantId, jobId);
}

/** HR of the job set its self-service limits (notice for rescheduling and for cancelling, count, reason). */
export async function setSchedulePolicy(ctx: FeatureContext, principal: Principal, jobId: string, policy: SchedulePolicy, requestId: string): Promise<SchedulePolicy> {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    if (!(await stores.jobs.findJob(principal.tenantId, jobId, { scope: scopeOf(principal) }))) throw notFound('Job', '职位');
    await stores.interviews.setSchedulePolicy(principal.tenantId, jobId, policy, ctx.clock.now());
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'job.schedule_policy', objectType: 'job', objectId: jobId, requestId, details: { ...policy } });
    return stores.interviews.policy(principal.tenantId, jobId);
  });
}

const slotNames: Record<string, string> = { morning: '上午', noon: '中午', afternoon: '下午', evening: '晚上' };
const sourceNames: Record<string, string> = { referral: '内推', career_site: '官网', job_board: '招聘网站', headhunter: '猎头', campus: '校园', internal: '内部', other: '其他' };

/** No-show rates by job, candidate source and part of day (tenant zone), over interviews in the period, within scope. */
export async function noShowReport(ctx: FeatureContext, principal: Principal, query: { from: string; to: string }) {
  requireRole(principal, hiringRoles);
  const tenant = await ctx.stores.directory.findTenant(principal.tenantId);
  if (!tenant) throw notFound('Tenant', '公司');
  const rows = await ctx.stores.interviews.noShowStats(principal.tenantId, scopeOf(principal), new Date(query.from), new Date(query.to), tenant.timeZone);
  const shape = (dimension: 'job' | 'source' | 'slot', names: Record<string, string> = {}) =>
    rows
      .filter((r) => r.dimension === dimension)
      .map((r) => ({ key: r.key, label: names[r.label] ?? r.label, interviews: r.interviews, noShows: r.noShows, rate: r.interviews ? Math.round((r.noShows / r.interviews) * 1000) / 1000 : 0 }));
  return { from: query.from, to: query.to, byJob: shape('job'), bySource: shape('source', sourceNames), bySlot: shape('slot', slotNames) };
}

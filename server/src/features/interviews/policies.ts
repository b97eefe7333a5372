import type { SchedulePolicy } from '../../../contracts/interviews';
import { scopeOf } from '../../domain/access-scope';
import { notFound } from '../../domain/errors';
import { actorRef, hiringRoles, hrRoles, requireRole, type Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';
import type { ReminderPolicy } from './interview-store';

export async function getReminderPolicy(ctx: FeatureContext, principal: Principal): Promise<ReminderPolicy> {
  requireRole(principal, hiringRoles);
  return ctx.stores.interviews.reminderPolicy(principal.tenantId);
}

/** Admins set when reminders go out; interviews scheduled or moved from now on follow it. */
export async function setReminderPolicy(ctx: FeatureContext, principal: Principal, policy: ReminderPolicy, requestId: string): Promise<ReminderPolicy> {
  requireRole(principal, ['admin']);
  return ctx.transact(async (stores) => {
    await stores.interviews.setReminderPolicy(principal.tenantId, { ...policy, candidateMinutes: [...new Set(policy.candidateMinutes)].sort((a, b) => b - a) }, ctx.clock.now());
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'reminders.policy', objectType: 'tenant', objectId: principal.tenantId, requestId, details: { ...policy } });
    return stores.interviews.reminderPolicy(principal.tenantId);
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

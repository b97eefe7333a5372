import type { Page } from '../../../contracts/common';
import type { Application, ApplicationQuery } from '../../../contracts/applications';
import { AppError, notFound } from '../../domain/errors';
import { scopeOf } from '../../domain/access-scope';
import { actorRef, hiringRoles, hrRoles, requireRole, type Principal } from '../../domain/principal';
import { assertTransition, type ApplicationStage } from '../../domain/state-machines';
import type { FeatureContext } from '../context';

export type { ApplicationStore, StageChange } from './application-store';

const applicationNotFound = () => notFound('Application', '申请');

export async function createApplication(
  ctx: FeatureContext,
  principal: Principal,
  input: { candidateId: string; jobId: string },
): Promise<Application> {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    const [candidate, job] = await Promise.all([
      stores.candidates.findCandidate(principal.tenantId, input.candidateId, { scope: scopeOf(principal) }),
      stores.jobs.findJob(principal.tenantId, input.jobId, { scope: scopeOf(principal) }),
    ]);
    if (!candidate) throw notFound('Candidate', '候选人');
    if (!job) throw notFound('Job', '职位');
    if (job.status !== 'open') throw new AppError('JOB_NOT_OPEN', '该职位未开放，不能投递。The job is not open for applications.');
    const application = await stores.applications.insertApplication(principal.tenantId, input.candidateId, input.jobId, principal.employeeId);
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'application.create',
      objectType: 'application',
      objectId: application.id,
    });
    return application;
  });
}

export async function getApplication(ctx: FeatureContext, principal: Principal, applicationId: string): Promise<Application> {
  requireRole(principal, hiringRoles);
  const application = await ctx.stores.applications.findApplication(principal.tenantId, applicationId, {
    withHistory: true,
    scope: scopeOf(principal),
  });
  if (!application) throw applicationNotFound();
  return application;
}

export async function listApplications(ctx: FeatureContext, principal: Principal, query: ApplicationQuery): Promise<Page<Application>> {
  requireRole(principal, hiringRoles);
  return ctx.stores.applications.listApplications(principal.tenantId, query, { scope: scopeOf(principal) });
}

/**
 * Moves an application along its stage machine. Hiring and rejecting are decisions: a named person (the principal)
 * records them with the reason, and the decision is audited.
 */
export async function moveApplication(
  ctx: FeatureContext,
  principal: Principal,
  applicationId: string,
  move: { to: ApplicationStage; reason?: string | undefined },
): Promise<Application> {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    const current = await stores.applications.findApplication(principal.tenantId, applicationId, { lock: true, scope: scopeOf(principal) });
    if (!current) throw applicationNotFound();
    assertTransition('application', current.stage, move.to);
    const at = ctx.clock.now();
    await stores.applications.moveApplication(principal.tenantId, applicationId, {
      from: current.stage,
      to: move.to,
      actorId: principal.employeeId,
      reason: move.reason ?? null,
      at,
    });
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'application.move',
      objectType: 'application',
      objectId: applicationId,
      reason: move.reason ?? null,
      details: { from: current.stage, to: move.to },
    });
    const moved = await stores.applications.findApplication(principal.tenantId, applicationId, { withHistory: true });
    if (!moved) throw applicationNotFound();
    return moved;
  });
}

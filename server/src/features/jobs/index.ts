import type { Page } from '../../../contracts/common';
import type { CompetencyModel, CreateJob, Job, JobQuery, PublishCompetencyModel, UpdateJob } from '../../../contracts/jobs';
import { AppError, notFound } from '../../domain/errors';
import { scopeOf } from '../../domain/access-scope';
import { hiringRoles, hrRoles, actorRef, requireRole, type Principal } from '../../domain/principal';
import { assertTransition, type JobStatus } from '../../domain/state-machines';
import type { FeatureContext } from '../context';
import type { CompetencyModelSummary } from './job-store';

export type { JobStore, CompetencyModelSummary } from './job-store';

const jobNotFound = () => notFound('Job', '职位');

/** HR put jobs only into departments they are scoped to; one outside reads as unknown, like another tenant's. */
async function requireDepartmentInScope(ctx: FeatureContext, principal: Principal, departmentId: string) {
  if (!(await ctx.stores.jobs.departmentInScope(principal.tenantId, departmentId, scopeOf(principal)))) throw notFound('Department', '部门');
}

export async function createJob(ctx: FeatureContext, principal: Principal, input: CreateJob): Promise<Job> {
  requireRole(principal, hrRoles);
  await requireDepartmentInScope(ctx, principal, input.departmentId);
  return ctx.transact(async (stores) => {
    const job = await stores.jobs.insertJob(principal.tenantId, input);
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'job.create', objectType: 'job', objectId: job.id });
    return job;
  });
}

export async function getJob(ctx: FeatureContext, principal: Principal, jobId: string): Promise<Job> {
  requireRole(principal, hiringRoles);
  const job = await ctx.stores.jobs.findJob(principal.tenantId, jobId, { scope: scopeOf(principal) });
  if (!job) throw jobNotFound();
  return job;
}

export async function listJobs(ctx: FeatureContext, principal: Principal, query: JobQuery): Promise<Page<Job>> {
  requireRole(principal, hiringRoles);
  return ctx.stores.jobs.listJobs(principal.tenantId, query, { scope: scopeOf(principal) });
}

export async function updateJob(ctx: FeatureContext, principal: Principal, jobId: string, patch: UpdateJob): Promise<Job> {
  requireRole(principal, hrRoles);
  if (patch.departmentId !== undefined) await requireDepartmentInScope(ctx, principal, patch.departmentId);
  return ctx.transact(async (stores) => {
    if (!(await stores.jobs.findJob(principal.tenantId, jobId, { lock: true, scope: scopeOf(principal) }))) throw jobNotFound();
    const job = await stores.jobs.updateJob(principal.tenantId, jobId, patch, ctx.clock.now());
    if (!job) throw jobNotFound();
    return job;
  });
}

export async function changeJobStatus(ctx: FeatureContext, principal: Principal, jobId: string, to: JobStatus): Promise<Job> {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    const job = await stores.jobs.findJob(principal.tenantId, jobId, { lock: true, scope: scopeOf(principal) });
    if (!job) throw jobNotFound();
    assertTransition('job', job.status, to);
    if (to === 'open' && job.competencyModelVersion === null) {
      throw new AppError('INVALID_TRANSITION', '发布职位前需要先设置胜任力模型。Publish a competency model before opening the job.');
    }
    await stores.jobs.setJobStatus(principal.tenantId, jobId, job.status, to, ctx.clock.now());
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: `job.${to}`,
      objectType: 'job',
      objectId: jobId,
      details: { from: job.status, to },
    });
    return { ...job, status: to, updatedAt: ctx.clock.now().toISOString() };
  });
}

/**
 * Every edit of a competency model is a new immutable version; interviews keep the version they were planned with.
 * The job row is locked so that two concurrent edits get consecutive versions instead of a conflict.
 */
export async function publishCompetencyModel(
  ctx: FeatureContext,
  principal: Principal,
  jobId: string,
  input: PublishCompetencyModel,
): Promise<CompetencyModel> {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    const job = await stores.jobs.findJob(principal.tenantId, jobId, { lock: true, scope: scopeOf(principal) });
    if (!job) throw jobNotFound();
    const version = (job.competencyModelVersion ?? 0) + 1;
    const model = await stores.jobs.insertCompetencyModel(principal.tenantId, jobId, version, input, principal.employeeId);
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'competency_model.publish',
      objectType: 'job',
      objectId: jobId,
      details: { version },
    });
    return model;
  });
}

export async function getCompetencyModel(
  ctx: FeatureContext,
  principal: Principal,
  jobId: string,
  version?: number,
): Promise<CompetencyModel> {
  requireRole(principal, hiringRoles);
  if (!(await ctx.stores.jobs.findJob(principal.tenantId, jobId, { scope: scopeOf(principal) }))) throw jobNotFound();
  const model = await ctx.stores.jobs.findCompetencyModel(principal.tenantId, jobId, version);
  if (!model) throw notFound('Competency model', '胜任力模型');
  return model;
}

export async function listCompetencyModelVersions(
  ctx: FeatureContext,
  principal: Principal,
  jobId: string,
): Promise<CompetencyModelSummary[]> {
  requireRole(principal, hiringRoles);
  const job = await ctx.stores.jobs.findJob(principal.tenantId, jobId, { scope: scopeOf(principal) });
  if (!job) throw jobNotFound();
  return ctx.stores.jobs.listCompetencyModelVersions(principal.tenantId, jobId);
}

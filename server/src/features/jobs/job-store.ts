import type { AccessScope } from '../../domain/access-scope';
import type { Page } from '../../../contracts/common';
import type { CompetencyModel, CreateJob, Job, JobQuery, PublishCompetencyModel, UpdateJob } from '../../../contracts/jobs';
import type { JobStatus } from '../../domain/state-machines';

export interface CompetencyModelSummary {
  readonly id: string;
  readonly version: number;
  readonly note: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
}

export interface JobStore {
  insertJob(tenantId: string, input: CreateJob): Promise<Job>;
  /** `scope`: only a job the principal may see (default: the whole tenant, for internal work). */
  findJob(tenantId: string, jobId: string, options?: { lock?: boolean; scope?: AccessScope }): Promise<Job | undefined>;
  listJobs(tenantId: string, query: JobQuery, options?: { scope?: AccessScope }): Promise<Page<Job>>;
  /** Whether a department is inside the scope (where the principal may put a job). */
  departmentInScope(tenantId: string, departmentId: string, scope: AccessScope): Promise<boolean>;
  updateJob(tenantId: string, jobId: string, patch: UpdateJob, now: Date): Promise<Job | undefined>;
  /** Compare-and-set: false when the job is no longer in `from`. */
  setJobStatus(tenantId: string, jobId: string, from: JobStatus, to: JobStatus, now: Date): Promise<boolean>;
  findCompetencyModel(tenantId: string, jobId: string, version?: number): Promise<CompetencyModel | undefined>;
  listCompetencyModelVersions(tenantId: string, jobId: string): Promise<CompetencyModelSummary[]>;
  insertCompetencyModel(
    tenantId: string,
    jobId: string,
    version: number,
    input: PublishCompetencyModel,
    createdBy: string | null,
  ): Promise<CompetencyModel>;
}

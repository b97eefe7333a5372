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
  findJob(tenantId: string, jobId: string, options?: { lock?: boolean }): Promise<Job | undefined>;
  listJobs(tenantId: string, query: JobQuery): Promise<Page<Job>>;
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

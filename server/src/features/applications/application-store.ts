import type { AccessScope } from '../../domain/access-scope';
import type { Page } from '../../../contracts/common';
import type { Application, ApplicationQuery } from '../../../contracts/applications';
import type { ApplicationStage } from '../../domain/state-machines';

export interface StageChange {
  readonly from: ApplicationStage;
  readonly to: ApplicationStage;
  readonly actorId: string;
  readonly reason: string | null;
  readonly at: Date;
}

export interface ApplicationStore {
  insertApplication(tenantId: string, candidateId: string, jobId: string, actorId: string): Promise<Application>;
  findApplication(
    tenantId: string,
    applicationId: string,
    options?: { lock?: boolean; withHistory?: boolean; scope?: AccessScope },
  ): Promise<Application | undefined>;
  listApplications(tenantId: string, query: ApplicationQuery, options?: { scope?: AccessScope }): Promise<Page<Application>>;
  /** Compare-and-set on the stage, with the stage event appended in the same statement batch. */
  moveApplication(tenantId: string, applicationId: string, change: StageChange): Promise<boolean>;
}

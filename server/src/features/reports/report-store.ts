import type { AccessScope } from '../../domain/access-scope';

/** One hire: an application that entered the hired stage, with when it was created and when it was hired. */
export interface HireRow {
  readonly applicationId: string;
  readonly jobId: string;
  readonly jobTitle: string;
  readonly appliedAt: Date;
  readonly hiredAt: Date;
}

/** The reads the HR reports need beyond the bot's (server/src/features/reports). */
export interface ReportStore {
  /**
   * Applications to jobs in `scope` hired in [from, to): hired at the first stage event into `hired` (or, for rows
   * without history, the stage change time of an application that is hired), created at the application's creation.
   */
  hires(tenantId: string, from: Date, to: Date, scope: AccessScope): Promise<HireRow[]>;
}

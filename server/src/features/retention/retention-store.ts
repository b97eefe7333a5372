/** The data classes a tenant sets a retention period for (retention_policies.data_class). */
export const dataClasses = ['raw_audio', 'transcripts', 'rejected_candidate_data', 'audit_events'] as const;
export type DataClass = (typeof dataClasses)[number];

export type DeletionReason = 'retention' | 'data_request';

export interface RetentionPolicy {
  readonly dataClass: DataClass;
  readonly retainDays: number;
}

export interface PurgeTenant {
  readonly id: string;
  readonly name: string;
}

/** What one class of one tenant would lose (dry run): objects, rows where cheap to count, a few object ids. */
export interface PurgePreview {
  /** Candidates, interviews, or audit events (for `audit_events`, objects = rows). */
  readonly objects: number;
  /** Rows that would be deleted: audio chunks, transcript segments (+ corrections, audio), audit events; null for candidates. */
  readonly rows: number | null;
  readonly sample: string[];
}

/** What one purge batch did. `selected` is how many objects it claimed (it stops when fewer than the limit). */
export interface PurgeBatchResult {
  readonly selected: number;
  /** The last object id claimed: the next batch starts after it (null when none was claimed). */
  readonly last: string | null;
  readonly objects: number;
  readonly rows: number;
}

export interface AnonymisedCandidate {
  readonly candidateId: string;
  /** Rows deleted or rewritten, the candidate row included. */
  readonly rows: number;
  /** The same per table. */
  readonly tables: Readonly<Record<string, number>>;
}

export interface AnonymiseOptions {
  /** The purge run, or null when a data-subject request asks for it. */
  readonly runId: string | null;
  readonly reason: DeletionReason;
  readonly now: Date;
  /** The policy that applied (retention only). */
  readonly retainDays?: number | null;
}

export interface PurgeBatchOptions {
  readonly runId: string;
  readonly now: Date;
  readonly retainDays: number;
  /** Everything older than this goes (now − retainDays, computed by the caller from its clock). */
  readonly cutoff: Date;
  readonly limit: number;
  /**
   * Only objects after this id (the previous batch's `last`): each batch goes on where the last one stopped instead
   * of walking again over the index entries the previous batches left dead. An object skipped because another
   * transaction held it is taken by that run, or by the next night's.
   */
  readonly after: string | null;
}

export interface RetentionStore {
  tenants(tenantIds?: readonly string[]): Promise<PurgeTenant[]>;
  /** The tenant's policies (set through the privacy feature). */
  policies(tenantId: string): Promise<RetentionPolicy[]>;

  /** The same selection as purgeBatch, read only. */
  preview(tenantId: string, dataClass: DataClass, cutoff: Date, sampleSize: number): Promise<PurgePreview>;
  /**
   * Claims up to `limit` objects of the class that the policy no longer allows (FOR ... SKIP LOCKED, so concurrent
   * runs never take the same ones), deletes or anonymises them and writes their deletion records. Opens its own
   * transaction unless it is called inside one; the purge switch (hirebridge.purge) is on only while it works.
   */
  purgeBatch(tenantId: string, dataClass: DataClass, options: PurgeBatchOptions): Promise<PurgeBatchResult>;
  /**
   * Anonymises one candidate whatever the policy says (a data-subject deletion request, or the purge itself) and
   * writes one deletion record. undefined when there is no such candidate or it was anonymised already. Works inside
   * the caller's transaction (`ctx.transact(async (stores) => stores.retention.anonymiseCandidate(…))`), and turns
   * the purge switch off again before it returns.
   */
  anonymiseCandidate(tenantId: string, candidateId: string, options: AnonymiseOptions): Promise<AnonymisedCandidate | undefined>;

  beginRun(now: Date): Promise<string>;
  finishRun(runId: string, outcome: { counts: unknown; error: string | null }, now: Date): Promise<void>;
}

import type { FeatureContext } from '../context';
import type { DataClass, PurgeBatchResult } from './retention-store';

export type {
  AnonymiseOptions,
  AnonymisedCandidate,
  DataClass,
  DeletionReason,
  PurgeBatchResult,
  PurgePreview,
  PurgeTenant,
  RetentionPolicy,
  RetentionStore,
} from './retention-store';
export { dataClasses } from './retention-store';

/*
 * Retention (PIPL Art. 19: keep personal information no longer than the purpose needs; Art. 47: delete it when the
 * period has passed). Per tenant and data class (retention_policies, defaults written by the database for every new
 * tenant: raw audio 30 days, transcripts 365, a rejected or withdrawn candidate's personal data 180, audit 1095):
 *
 * - raw_audio: the audio chunks of an interview whose transcript was signed off more than N days ago are deleted.
 * - transcripts: the transcript (segments with their corrections) of an interview that ended more than N days ago
 *   is deleted, and with it any audio still kept (audio never outlives its transcript, signed off or not), the
 *   interviewers' typed notes and the scorecard draft items (their rationale quotes the transcript).
 * - rejected_candidate_data: a candidate all of whose applications are rejected or withdrawn, the latest decision
 *   more than N days ago, who is not in the talent pool, is anonymised (see the postgres retention store for the
 *   exact columns and rows). Their applications, stage events, interviews and scorecard levels stay, so funnel and
 *   interviewer statistics survive. Hired candidates, candidates with a live application and candidates without any
 *   application are not this class. A candidate with an open data-subject request is left alone until the request
 *   is resolved: an access request must still find the data, and a deletion request is carried out (and recorded)
 *   by its own workflow; the next nightly run picks the candidate up.
 * - audit_events: audit events older than N days are deleted.
 *
 * Policies are read and set through the privacy feature (listRetentionPolicies / setRetentionPolicies).
 * Every deleted or anonymised object gets a deletion record (one per candidate, per interview and class, per audit
 * batch). Cut-offs come from the injected clock, never from the database's now().
 */

const dayMs = 86_400_000;
const defaultBatchSize = 1000;
const defaultSampleSize = 5;

export const dataClassLabels: Readonly<Record<DataClass, string>> = {
  raw_audio: '面试录音 Raw audio',
  transcripts: '面试转写 Transcripts',
  rejected_candidate_data: '未录用候选人个人信息 Rejected/withdrawn candidates',
  audit_events: '审计日志 Audit events',
};

export const cutoffOf = (now: Date, retainDays: number) => new Date(now.getTime() - retainDays * dayMs);

export interface PurgeClassResult {
  readonly dataClass: DataClass;
  readonly retainDays: number;
  /** ISO instant: what is older goes. */
  readonly cutoff: string;
  /** Candidates anonymised, interviews purged, audit events deleted (would be, in a dry run). */
  readonly objects: number;
  /** Rows deleted or rewritten; null in a dry run of the candidate class (not counted ahead). */
  readonly rows: number | null;
  /** Dry run: a few of the object ids. */
  readonly sample?: string[];
  readonly error?: string;
}

export interface PurgeTenantResult {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly classes: PurgeClassResult[];
}

export interface PurgeReport {
  /** The purge_runs row; null for a dry run, which writes nothing. */
  readonly runId: string | null;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly tenants: PurgeTenantResult[];
  readonly totals: { readonly objects: number; readonly rows: number };
  /** Tenant classes that failed (their error is in the class result); the others still ran. */
  readonly failed: number;
}

export interface PurgeProgress {
  readonly tenantId: string;
  readonly dataClass: DataClass;
  readonly objects: number;
}

export interface PurgeOptions {
  readonly dryRun?: boolean;
  /** Only these tenants (all when omitted). */
  readonly tenantIds?: readonly string[];
  /** Objects per transaction (candidates, interviews; audit events go 10× this). */
  readonly batchSize?: number;
  readonly sampleSize?: number;
  readonly onProgress?: (progress: PurgeProgress) => void;
}

/** Audio first, then transcripts (which take any audio left), candidates, and the audit trail last. */
const purgeOrder: readonly DataClass[] = ['raw_audio', 'transcripts', 'rejected_candidate_data', 'audit_events'];

/** The message, with what the database said when a store mapped it to an AppError (ids and SQL states, no data). */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/** The nightly purge (and `npm run purge`). One tenant class failing does not stop the others. */
export async function runPurge(ctx: FeatureContext, options: PurgeOptions = {}): Promise<PurgeReport> {
  const dryRun = options.dryRun ?? false;
  const batchSize = options.batchSize ?? defaultBatchSize;
  const sampleSize = options.sampleSize ?? defaultSampleSize;
  const now = ctx.clock.now();
  const store = ctx.stores.retention;
  const tenants = await store.tenants(options.tenantIds);
  const runId = dryRun ? null : await store.beginRun(now);

  const results: PurgeTenantResult[] = [];
  let failed = 0;
  const totals = { objects: 0, rows: 0 };
  try {
    for (const tenant of tenants) {
      const policies = new Map((await store.policies(tenant.id)).map((p) => [p.dataClass, p.retainDays]));
      const classes: PurgeClassResult[] = [];
      for (const dataClass of purgeOrder) {
        const retainDays = policies.get(dataClass);
        if (retainDays === undefined) continue; // no policy, nothing is purged for the class
        const cutoff = cutoffOf(now, retainDays);
        const base = { dataClass, retainDays, cutoff: cutoff.toISOString() };
        try {
          if (runId === null) {
            const preview = await store.preview(tenant.id, dataClass, cutoff, sampleSize);
            classes.push({ ...base, objects: preview.objects, rows: preview.rows, sample: preview.sample });
            continue;
          }
          let objects = 0;
          let rows = 0;
          let after: string | null = null;
          const limit = dataClass === 'audit_events' ? batchSize * 10 : batchSize;
          for (;;) {
            const from: string | null = after;
            const batch: PurgeBatchResult = await ctx.transact((stores) => stores.retention.purgeBatch(tenant.id, dataClass, { runId, now, retainDays, cutoff, limit, after: from }));
            after = batch.last;
            objects += batch.objects;
            rows += batch.rows;
            if (batch.objects > 0) options.onProgress?.({ tenantId: tenant.id, dataClass, objects });
            // Fewer than asked: nothing more is due (or the rest is being purged by another instance right now).
            if (batch.selected < limit || after === null) break;
          }
          totals.objects += objects;
          totals.rows += rows;
          classes.push({ ...base, objects, rows });
        } catch (error) {
          failed++;
          classes.push({ ...base, objects: 0, rows: 0, error: messageOf(error) });
        }
      }
      results.push({ tenantId: tenant.id, tenantName: tenant.name, classes });
    }
  } catch (error) {
    if (runId !== null) await store.finishRun(runId, { counts: countsOf(results), error: messageOf(error) }, ctx.clock.now());
    throw error;
  }
  const finishedAt = ctx.clock.now();
  if (runId !== null) {
    const errors = results.flatMap((t) => t.classes.filter((c) => c.error).map((c) => `${t.tenantId}/${c.dataClass}: ${c.error}`));
    await store.finishRun(runId, { counts: countsOf(results), error: errors.length ? errors.join('; ') : null }, finishedAt);
  }
  return { runId, dryRun, startedAt: now.toISOString(), finishedAt: finishedAt.toISOString(), tenants: results, totals, failed };
}

/** purge_runs.counts: { "<tenant id>": { "<class>": { objects, rows } } }. Ids and numbers only. */
function countsOf(results: readonly PurgeTenantResult[]) {
  return Object.fromEntries(
    results.map((t) => [t.tenantId, Object.fromEntries(t.classes.map((c) => [c.dataClass, { objects: c.objects, rows: c.rows, ...(c.error && { failed: true }) }]))]),
  );
}

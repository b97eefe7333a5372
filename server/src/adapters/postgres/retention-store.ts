import { sql, type RawBuilder } from 'kysely';
import type {
  AnonymiseOptions,
  AnonymisedCandidate,
  DataClass,
  PurgeBatchOptions,
  PurgeBatchResult,
  PurgePreview,
  RetentionStore,
} from '../../features/retention/retention-store';
import type { Db } from './database';

/** The name an anonymised candidate keeps (candidates.name must not be empty). */
export const anonymisedName = '已匿名候选人';
/** What an anonymised scorecard rating note says (a rating needs a note or evidence). */
export const anonymisedNote = '（已匿名）';

/**
 * Runs `work` with the purge switch on (`hirebridge.purge`, read by hb_purge_allowed(): the only way append-only
 * tables accept DELETE), inside the caller's transaction or a new one, and turns it off again afterwards so the rest
 * of a caller's transaction cannot delete append-only rows. After a failure the transaction is aborted anyway.
 */
async function withPurgeSwitch<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  const run = async (trx: Db) => {
    await sql`select set_config('hirebridge.purge', 'on', true)`.execute(trx);
    const result = await work(trx);
    await sql`select set_config('hirebridge.purge', '', true)`.execute(trx);
    return result;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** Runs `<dml> returning <key> as k` and counts the rows per key. */
async function countBy(db: Db, dml: RawBuilder<unknown>): Promise<Map<string, number>> {
  const { rows } = await sql<{ k: string; n: number }>`with d as (${dml}) select k, count(*)::int as n from d group by k`.execute(db);
  return new Map(rows.map((r) => [r.k, r.n]));
}

// ---------------------------------------------------------------------------------------------------------------
// Selections: the same SQL for the dry run and for the purge (which adds ORDER BY, LIMIT and the row locks).

/**
 * Rejected or withdrawn candidates whose personal data the policy no longer allows: at least one application, every
 * application final (rejected or withdrawn) and decided before the cut-off, not in the talent pool, not anonymised,
 * and no open data-subject request (that workflow handles them; the purge takes them after it is resolved).
 */
const dueCandidates = (tenantId: string, cutoff: Date, after: string | null = null) => {
  // The bound is repeated inside the subqueries (PostgreSQL does not carry `c.id > x` over `a.candidate_id = c.id`),
  // so a batch's merge joins start at the cursor instead of at the first application.
  const from = (column: RawBuilder<unknown>) => (after === null ? sql`true` : sql`${column} > ${after}::uuid`);
  return sql`
  select c.id from candidates c
   where c.tenant_id = ${tenantId} and c.anonymised_at is null and not c.talent_pool and ${from(sql`c.id`)}
     and exists (select 1 from applications a where a.candidate_id = c.id and ${from(sql`a.candidate_id`)})
     and not exists (select 1 from applications a
                      where a.candidate_id = c.id and ${from(sql`a.candidate_id`)}
                        and (a.stage not in ('rejected', 'withdrawn') or a.stage_changed_at >= ${cutoff}))
     and not exists (select 1 from data_requests r where r.candidate_id = c.id and r.status = 'open')`;
};

/** Interviews whose transcript was signed off before the cut-off and that still have audio. */
const dueAudioInterviews = (tenantId: string, cutoff: Date) => sql`
  select i.id from interviews i
   where i.tenant_id = ${tenantId} and i.transcript_signed_off_at < ${cutoff}
     and exists (select 1 from interview_audio x where x.interview_id = i.id)`;

/**
 * Interviews that ended before the cut-off and still have a transcript or audio, or the copilot's text drawn from
 * the interview: typed notes (the transcript of an interview without transcription consent) and scorecard draft items
 * (their rationale quotes the transcript).
 */
const dueTranscriptInterviews = (tenantId: string, cutoff: Date) => sql`
  select i.id from interviews i
   where i.tenant_id = ${tenantId} and i.ends_at < ${cutoff}
     and (exists (select 1 from transcript_segments s where s.interview_id = i.id)
          or exists (select 1 from interview_audio x where x.interview_id = i.id)
          or exists (select 1 from interview_notes n where n.interview_id = i.id)
          or exists (select 1 from scorecard_draft_items d where d.interview_id = i.id))`;

const sum = (counts: Iterable<number>) => [...counts].reduce((a, b) => a + b, 0);

interface RecordRow {
  readonly objectId: string | null;
  readonly rowCount: number;
  readonly details: Record<string, unknown>;
}

async function insertRecords(
  db: Db,
  common: {
    tenantId: string;
    runId: string | null;
    dataClass: DataClass | 'candidate_data';
    objectType: 'candidate' | 'interview' | 'audit_events';
    action: 'deleted' | 'anonymised';
    retainDays: number | null;
    reason: 'retention' | 'data_request';
    at: Date;
  },
  records: readonly RecordRow[],
): Promise<void> {
  if (records.length === 0) return;
  const json = JSON.stringify(records.map((r) => ({ object_id: r.objectId, row_count: r.rowCount, details: r.details })));
  await sql`
    insert into deletion_records (tenant_id, run_id, data_class, object_type, object_id, action, row_count, retain_days, reason, details, at)
    select ${common.tenantId}, ${common.runId}, ${common.dataClass}, ${common.objectType}, x.object_id, ${common.action}, x.row_count,
           ${common.retainDays}, ${common.reason}, x.details, ${common.at}
      from jsonb_to_recordset(${json}::jsonb) as x(object_id text, row_count integer, details jsonb)`.execute(db);
}

/**
 * Anonymises the candidates (those not anonymised yet; the UPDATE's row lock and re-check make a concurrent second
 * attempt a no-op) and returns what was done per candidate. Needs the purge switch on.
 *
 * Cleared on the candidate row: name (→ 已匿名候选人), phone, email, id number and résumé in every form (encrypted,
 * masked, tail, lookup HMAC, legacy plaintext), time zone. Kept: source, talent_pool (false), created_at — counts.
 * Deleted: WeChat reachability (candidate_channels with subscription balances, kf invitations, delivery log),
 * candidate sessions and invitations, and the audio and transcripts (with corrections) of all their interviews.
 * Rewritten, because free text about a person is personal data: the applications' decision_reason, scorecard
 * summaries, scorecard rating notes (→ （已匿名）, evidence links dropped with the segments they pointed to),
 * scorecard revision snapshots (deleted), survey comments. Also deleted: the copilot's typed notes and scorecard
 * draft items (rationale quoting the transcript) of their interviews, the debrief decisions of their applications
 * (the reason is free text; the outcome stays as the stage), and every bot export file the tenant still holds (a
 * sheet listing candidates by name). Active consents are withdrawn (the rows stay as evidence and hold nothing
 * personal).
 * Kept so statistics survive: applications (job, stage, dates, who decided), stage events, interviews, panels,
 * bookings, scorecard recommendations and rating levels, survey scores.
 * Free text that may still mention the person and is NOT rewritten here: application_stage_events.reason
 * (append-only), interviews.cancel_reason and interview_schedule_versions.reason, surveys.answers, audit_events
 * details, outbox payloads and inbox messages (no candidate key to find them by; both are short-lived queues),
 * candidate_deliveries is deleted. These are either short HR notes or expire with their own retention.
 */
async function anonymise(db: Db, tenantId: string, candidateIds: readonly string[], options: AnonymiseOptions): Promise<AnonymisedCandidate[]> {
  if (candidateIds.length === 0) return [];
  const ids = [...candidateIds];
  const now = options.now;
  const { rows: done } = await sql<{ id: string }>`
    update candidates
       set name = ${anonymisedName}, phone = null, email = null, resume_text = '', time_zone = null,
           phone_enc = null, email_enc = null, id_number_enc = null, resume_enc = null,
           phone_masked = null, email_masked = null, id_number_masked = null, phone_tail = null, phone_lookup = null,
           anonymised_at = ${now}, updated_at = ${now}
     where tenant_id = ${tenantId} and id = any(${ids}::uuid[]) and anonymised_at is null
     returning id`.execute(db);
  if (done.length === 0) return [];
  const mine = done.map((r) => r.id);
  // The candidates' interviews, once, for the statements below.
  const ofCandidates = sql`
    select i.id as interview_id, a.candidate_id from interviews i join applications a on a.id = i.application_id
     where a.tenant_id = ${tenantId} and a.candidate_id = any(${mine}::uuid[])`;

  const tables: Record<string, Map<string, number>> = {
    // Corrections go first explicitly (they would cascade with their segments, uncounted).
    transcript_corrections: await countBy(db, sql`
      delete from transcript_corrections tc using transcript_segments s, (${ofCandidates}) c
       where tc.segment_id = s.id and s.interview_id = c.interview_id returning c.candidate_id as k`),
    transcript_segments: await countBy(db, sql`
      delete from transcript_segments s using (${ofCandidates}) c where s.interview_id = c.interview_id returning c.candidate_id as k`),
    interview_audio: await countBy(db, sql`
      delete from interview_audio x using (${ofCandidates}) c where x.interview_id = c.interview_id returning c.candidate_id as k`),
    scorecard_revisions: await countBy(db, sql`
      delete from scorecard_revisions r using scorecards s, (${ofCandidates}) c
       where r.scorecard_id = s.id and s.interview_id = c.interview_id returning c.candidate_id as k`),
    scorecards: await countBy(db, sql`
      update scorecards s set summary = '', updated_at = ${now} from (${ofCandidates}) c
       where s.interview_id = c.interview_id and s.summary <> '' returning c.candidate_id as k`),
    scorecard_ratings: await countBy(db, sql`
      update scorecard_ratings r set note = ${anonymisedNote}, evidence_segment_ids = '{}', evidence_note_ids = '{}'
        from scorecards s, (${ofCandidates}) c
       where r.scorecard_id = s.id and s.interview_id = c.interview_id
         and (r.note <> ${anonymisedNote} or cardinality(r.evidence_segment_ids) > 0 or cardinality(r.evidence_note_ids) > 0)
       returning c.candidate_id as k`),
    // The copilot's free text: typed notes (append-only, deleted under the purge switch; the ratings above no longer
    // point at them), the draft items' rationale (quotes of the transcript) and the debrief reasons (append-only; the
    // decision itself survives as the application's stage and stage events).
    interview_notes: await countBy(db, sql`
      delete from interview_notes n using (${ofCandidates}) c where n.interview_id = c.interview_id returning c.candidate_id as k`),
    scorecard_draft_items: await countBy(db, sql`
      delete from scorecard_draft_items d using (${ofCandidates}) c where d.interview_id = c.interview_id returning c.candidate_id as k`),
    debrief_decisions: await countBy(db, sql`
      delete from debrief_decisions d using applications a
       where d.application_id = a.id and a.tenant_id = ${tenantId} and a.candidate_id = any(${mine}::uuid[]) returning a.candidate_id as k`),
    surveys: await countBy(db, sql`
      update surveys v set comment = null from (${ofCandidates}) c
       where v.interview_id = c.interview_id and v.comment is not null returning c.candidate_id as k`),
    applications: await countBy(db, sql`
      update applications set decision_reason = null, updated_at = ${now}
       where tenant_id = ${tenantId} and candidate_id = any(${mine}::uuid[]) and decision_reason is not null
       returning candidate_id as k`),
    candidate_subscription_balances: await countBy(db, sql`
      delete from candidate_subscription_balances where candidate_id = any(${mine}::uuid[]) returning candidate_id as k`),
    candidate_channels: await countBy(db, sql`
      delete from candidate_channels where tenant_id = ${tenantId} and candidate_id = any(${mine}::uuid[]) returning candidate_id as k`),
    kf_invitations: await countBy(db, sql`
      delete from kf_invitations where tenant_id = ${tenantId} and candidate_id = any(${mine}::uuid[]) returning candidate_id as k`),
    candidate_deliveries: await countBy(db, sql`
      delete from candidate_deliveries where tenant_id = ${tenantId} and candidate_id = any(${mine}::uuid[]) returning candidate_id as k`),
    sessions: await countBy(db, sql`
      delete from sessions where tenant_id = ${tenantId} and candidate_id = any(${mine}::uuid[]) returning candidate_id as k`),
    invitations: await countBy(db, sql`
      delete from invitations where tenant_id = ${tenantId} and candidate_id = any(${mine}::uuid[]) returning candidate_id as k`),
    consents: await countBy(db, sql`
      update consents set withdrawn_at = greatest(given_at, ${now})
       where tenant_id = ${tenantId} and candidate_id = any(${mine}::uuid[]) and withdrawn_at is null
       returning candidate_id as k`),
  };

  // Bot exports (面试与评分 sheets) list candidates by name inside a file that cannot be searched: every file of the
  // tenant still held is dropped (links last ten minutes; one asked for again is made afresh). Counted on the first
  // candidate of the batch.
  const { rows: exports } = await sql<{ n: number }>`
    with d as (update bot_exports set body = null where tenant_id = ${tenantId} and body is not null returning id)
    select count(*)::int as n from d`.execute(db);
  if ((exports[0]?.n ?? 0) > 0) tables.bot_exports = new Map([[mine[0]!, exports[0]!.n]]);

  const results = mine.map((candidateId): AnonymisedCandidate => {
    const perTable: Record<string, number> = { candidates: 1 };
    for (const [table, counts] of Object.entries(tables)) {
      const n = counts.get(candidateId);
      if (n) perTable[table] = n;
    }
    return { candidateId, rows: sum(Object.values(perTable)), tables: perTable };
  });
  await insertRecords(
    db,
    {
      tenantId,
      runId: options.runId,
      dataClass: options.reason === 'retention' ? 'rejected_candidate_data' : 'candidate_data',
      objectType: 'candidate',
      action: 'anonymised',
      retainDays: options.retainDays ?? null,
      reason: options.reason,
      at: now,
    },
    results.map((r) => ({ objectId: r.candidateId, rowCount: r.rows, details: r.tables })),
  );
  return results;
}

/** Deletes the interviews' rows in the given tables and records one deletion per interview that lost any. */
async function purgeInterviews(
  db: Db,
  tenantId: string,
  dataClass: 'raw_audio' | 'transcripts',
  interviewIds: readonly string[],
  options: PurgeBatchOptions,
): Promise<{ objects: number; rows: number }> {
  const ids = [...interviewIds];
  const tables: Record<string, Map<string, number>> =
    dataClass === 'raw_audio'
      ? { interview_audio: await countBy(db, sql`delete from interview_audio where interview_id = any(${ids}::uuid[]) returning interview_id as k`) }
      : {
          transcript_corrections: await countBy(db, sql`
            delete from transcript_corrections tc using transcript_segments s
             where tc.segment_id = s.id and s.interview_id = any(${ids}::uuid[]) returning s.interview_id as k`),
          transcript_segments: await countBy(db, sql`delete from transcript_segments where interview_id = any(${ids}::uuid[]) returning interview_id as k`),
          interview_audio: await countBy(db, sql`delete from interview_audio where interview_id = any(${ids}::uuid[]) returning interview_id as k`),
          interview_notes: await countBy(db, sql`delete from interview_notes where interview_id = any(${ids}::uuid[]) returning interview_id as k`),
          scorecard_draft_items: await countBy(db, sql`delete from scorecard_draft_items where interview_id = any(${ids}::uuid[]) returning interview_id as k`),
        };
  const records: RecordRow[] = [];
  for (const id of ids) {
    const perTable: Record<string, number> = {};
    for (const [table, counts] of Object.entries(tables)) {
      const n = counts.get(id);
      if (n) perTable[table] = n;
    }
    const rowCount = sum(Object.values(perTable));
    // Nothing left: a concurrent run deleted it between our claim and now. Its record is that run's.
    if (rowCount > 0) records.push({ objectId: id, rowCount, details: perTable });
  }
  await insertRecords(
    db,
    { tenantId, runId: options.runId, dataClass, objectType: 'interview', action: 'deleted', retainDays: options.retainDays, reason: 'retention', at: options.now },
    records,
  );
  return { objects: records.length, rows: sum(records.map((r) => r.rowCount)) };
}

export function postgresRetentionStore(db: Db): RetentionStore {
  return {
    async tenants(tenantIds) {
      let query = db.selectFrom('tenants').select(['id', 'name']).orderBy('created_at').orderBy('id');
      if (tenantIds) query = query.where('id', '=', sql<string>`any(${[...tenantIds]}::uuid[])`);
      return query.execute();
    },
    async policies(tenantId) {
      const rows = await db.selectFrom('retention_policies').select(['data_class', 'retain_days']).where('tenant_id', '=', tenantId).orderBy('data_class').execute();
      return rows.map((r) => ({ dataClass: r.data_class as DataClass, retainDays: r.retain_days }));
    },

    async preview(tenantId, dataClass, cutoff, sampleSize): Promise<PurgePreview> {
      const sampleOf = async (selection: RawBuilder<unknown>) =>
        (await sql<{ id: string }>`select id::text from (${selection}) s order by id limit ${sampleSize}`.execute(db)).rows.map((r) => r.id);
      switch (dataClass) {
        case 'rejected_candidate_data': {
          const selection = dueCandidates(tenantId, cutoff);
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from (${selection}) s`.execute(db);
          return { objects: rows[0]?.n ?? 0, rows: null, sample: await sampleOf(selection) };
        }
        case 'raw_audio': {
          const selection = dueAudioInterviews(tenantId, cutoff);
          const { rows } = await sql<{ objects: number; rows: number }>`
            select count(distinct x.interview_id)::int as objects, count(*)::int as rows
              from interview_audio x where x.interview_id in (${selection})`.execute(db);
          return { objects: rows[0]?.objects ?? 0, rows: rows[0]?.rows ?? 0, sample: await sampleOf(selection) };
        }
        case 'transcripts': {
          const selection = dueTranscriptInterviews(tenantId, cutoff);
          const { rows } = await sql<{ objects: number; rows: number }>`
            with due as (${selection})
            select (select count(*) from due)::int as objects,
                   ((select count(*) from transcript_segments s where s.interview_id in (select id from due))
                    + (select count(*) from transcript_corrections tc join transcript_segments s on s.id = tc.segment_id
                        where s.interview_id in (select id from due))
                    + (select count(*) from interview_audio x where x.interview_id in (select id from due))
                    + (select count(*) from interview_notes n where n.interview_id in (select id from due))
                    + (select count(*) from scorecard_draft_items d where d.interview_id in (select id from due)))::int as rows`.execute(db);
          return { objects: rows[0]?.objects ?? 0, rows: rows[0]?.rows ?? 0, sample: await sampleOf(selection) };
        }
        case 'audit_events': {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_events where tenant_id = ${tenantId} and at < ${cutoff}`.execute(db);
          const sample = await sql<{ id: string }>`
            select id::text from audit_events where tenant_id = ${tenantId} and at < ${cutoff} order by id limit ${sampleSize}`.execute(db);
          const n = rows[0]?.n ?? 0;
          return { objects: n, rows: n, sample: sample.rows.map((r) => r.id) };
        }
      }
    },

    async purgeBatch(tenantId, dataClass, options): Promise<PurgeBatchResult> {
      const { cutoff, limit, after } = options;
      const lastOf = (rows: readonly { id: string }[]) => rows.at(-1)?.id ?? null;
      return withPurgeSwitch(db, async (trx) => {
        switch (dataClass) {
          case 'rejected_candidate_data': {
            const { rows } = await sql<{ id: string }>`
              ${dueCandidates(tenantId, cutoff, after)}
              order by c.id limit ${limit} for no key update of c skip locked`.execute(trx);
            const done = await anonymise(
              trx,
              tenantId,
              rows.map((r) => r.id),
              { runId: options.runId, reason: 'retention', now: options.now, retainDays: options.retainDays },
            );
            return { selected: rows.length, last: lastOf(rows), objects: done.length, rows: sum(done.map((d) => d.rows)) };
          }
          case 'raw_audio':
          case 'transcripts': {
            const selection = dataClass === 'raw_audio' ? dueAudioInterviews(tenantId, cutoff) : dueTranscriptInterviews(tenantId, cutoff);
            // FOR NO KEY UPDATE: concurrent purges skip each other's interviews; inserts that only reference an
            // interview (FOR KEY SHARE) are not held up.
            const { rows } = await sql<{ id: string }>`
              ${selection} and (${after}::uuid is null or i.id > ${after}::uuid)
              order by i.id limit ${limit} for no key update of i skip locked`.execute(trx);
            const done = await purgeInterviews(
              trx,
              tenantId,
              dataClass,
              rows.map((r) => r.id),
              options,
            );
            return { selected: rows.length, last: lastOf(rows), ...done };
          }
          case 'audit_events': {
            const { rows } = await sql<{ selected: number; claimed: string | null; n: number; first: string | null; last: string | null }>`
              with due as (
                select id from audit_events where tenant_id = ${tenantId} and at < ${cutoff} and id > ${after ?? '0'}::bigint
                 order by id limit ${limit} for update skip locked),
              d as (delete from audit_events e using due where e.id = due.id returning e.id)
              select (select count(*) from due)::int as selected, (select max(id)::text from due) as claimed,
                     count(*)::int as n, min(id)::text as first, max(id)::text as last from d`.execute(trx);
            const result = rows[0] ?? { selected: 0, claimed: null, n: 0, first: null, last: null };
            if (result.n > 0) {
              await insertRecords(
                trx,
                { tenantId, runId: options.runId, dataClass, objectType: 'audit_events', action: 'deleted', retainDays: options.retainDays, reason: 'retention', at: options.now },
                [{ objectId: null, rowCount: result.n, details: { firstId: result.first, lastId: result.last, before: cutoff.toISOString() } }],
              );
            }
            return { selected: result.selected, last: result.claimed, objects: result.n, rows: result.n };
          }
        }
      });
    },

    async anonymiseCandidate(tenantId, candidateId, options) {
      const [done] = await withPurgeSwitch(db, (trx) => anonymise(trx, tenantId, [candidateId], options));
      return done;
    },

    async beginRun(now) {
      const { rows } = await sql<{ id: string }>`insert into purge_runs (started_at) values (${now}) returning id`.execute(db);
      return rows[0]!.id;
    },
    async finishRun(runId, outcome, now) {
      await sql`
        update purge_runs set status = ${outcome.error === null ? 'succeeded' : 'failed'}, finished_at = ${now},
               counts = ${JSON.stringify(outcome.counts)}::jsonb, error = ${outcome.error}
         where id = ${runId} and status = 'running'`.execute(db);
    },
  };
}

import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymisedNote } from '../../server/src/adapters/postgres/retention-store';
import type { FeatureContext } from '../../server/src/features/context';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { runPurge } from '../../server/src/features/retention';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, type TenantFixture } from '../support/fixtures';

/**
 * The retention purge on real PostgreSQL covers the copilot's and the bot's free text too: when a rejected candidate
 * is anonymised (or a deletion request is carried out) their interviews' typed notes, scorecard draft items, debrief
 * reasons and the tenant's held export files go, and ratings stop pointing at deleted notes; when the transcript
 * period passes, an interview's typed notes and draft items go with its transcript. Nothing newer is touched.
 */
const now = new Date('2026-11-20T02:00:00Z');
const clock = fixedClock(now);
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

let db: TestDatabase;
let features: FeatureContext;
let t: TenantFixture;
let jobId: string;
let roundId: string;
let modelId: string;
let competencyId: string;
const iv: Record<string, string> = {};
const cand: Record<string, string> = {};
const app: Record<string, string> = {};

async function candidateWith(key: string, stage: string, stageDaysAgo: number) {
  const c = await db.db.insertInto('candidates').values({ tenant_id: t.tenantId, name: `候选人${key}`, resume_text: '' }).returning('id').executeTakeFirstOrThrow();
  cand[key] = c.id;
  const a = await db.db.insertInto('applications').values({
    tenant_id: t.tenantId, candidate_id: c.id, job_id: jobId, stage, stage_changed_at: daysAgo(stageDaysAgo),
    decided_by: stage === 'rejected' ? t.employees.hr.id : null,
  }).returning('id').executeTakeFirstOrThrow();
  app[key] = a.id;
}

/** An interview with the copilot's text: a typed note (evidence of a rating), a draft item and a debrief decision. */
async function interviewWithText(key: string, appKey: string, endedDaysAgo: number) {
  const ends = daysAgo(endedDaysAgo);
  const me = t.employees.interviewer.id;
  const row = await db.db.insertInto('interviews').values({
    tenant_id: t.tenantId, application_id: app[appKey]!, round_id: roundId, competency_model_id: modelId, status: 'completed',
    starts_at: new Date(ends.getTime() - 3_600_000), ends_at: ends,
  }).returning('id').executeTakeFirstOrThrow();
  iv[key] = row.id;
  await sql`insert into interview_panelists (tenant_id, interview_id, employee_id, role) values (${t.tenantId}, ${row.id}, ${me}, 'lead')`.execute(db.db);
  const { rows: [note] } = await sql<{ id: string }>`
    insert into interview_notes (tenant_id, interview_id, author_id, text) values (${t.tenantId}, ${row.id}, ${me}, ${`${key}：候选人说家住浦东，孩子刚上小学`}) returning id`.execute(db.db);
  const { rows: [card] } = await sql<{ id: string }>`
    insert into scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, summary, submitted_at)
    values (${t.tenantId}, ${row.id}, ${me}, 'submitted', 'no', '', ${ends}) returning id`.execute(db.db);
  await sql`insert into scorecard_ratings (tenant_id, scorecard_id, competency_id, level, note, evidence_note_ids)
            values (${t.tenantId}, ${card!.id}, ${competencyId}, 2, '', ${[note!.id]}::uuid[])`.execute(db.db);
  await sql`insert into scorecard_draft_items (tenant_id, interview_id, interviewer_id, competency_id, suggested_level, rationale, segment_ids)
            values (${t.tenantId}, ${row.id}, ${me}, ${competencyId}, 3, '引用：“我叫李四，住在浦东”', ${[randomUUID()]}::uuid[])`.execute(db.db);
  await sql`insert into debrief_decisions (tenant_id, application_id, interview_id, decision, reason, decided_by)
            values (${t.tenantId}, ${app[appKey]!}, ${row.id}, 'hold', '候选人家庭原因不便出差', ${t.employees.hr.id})`.execute(db.db);
}

const countOf = async (table: 'interview_notes' | 'scorecard_draft_items' | 'debrief_decisions', interviewKey: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where interview_id = ${iv[interviewKey]!}`.execute(db.db)).rows[0]!.n;

async function addExport(createdDaysAgo: number) {
  await sql`insert into bot_exports (tenant_id, employee_id, token_hash, filename, body, row_count, expires_at, created_at)
            values (${t.tenantId}, ${t.employees.hr.id}, ${randomBytes(32)}, 'interviews.xlsx', ${Buffer.from('候选人甲 不推荐')}, 1,
                    ${new Date(daysAgo(createdDaysAgo).getTime() + 600_000)}, ${daysAgo(createdDaysAgo)})`.execute(db.db);
}
const heldExports = async () => (await sql<{ n: number }>`select count(*)::int as n from bot_exports where tenant_id = ${t.tenantId} and body is not null`.execute(db.db)).rows[0]!.n;

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  t = await createTenant(db.db);
  const hr = t.employees.hr;
  const job = await createJob(features, hr.principal, {
    departmentId: t.departmentId, title: '运营专员', description: '', location: '上海', headcount: 1, hiringManagerId: null, ownerHrId: hr.id,
    rounds: [{ name: '一面', durationMinutes: 60 }],
  });
  const model = await publishCompetencyModel(features, hr.principal, job.id, competencyModelInput([60, 40]));
  await changeJobStatus(features, hr.principal, job.id, 'open');
  jobId = job.id;
  roundId = job.rounds[0]!.id;
  modelId = model.id;
  competencyId = (await db.db.selectFrom('competencies').select('id').where('model_id', '=', model.id).orderBy('position').executeTakeFirstOrThrow()).id;

  await candidateWith('rejected', 'rejected', 200); // past the 180-day default: anonymised
  await interviewWithText('ofRejected', 'rejected', 210);
  await candidateWith('live', 'interviewing', 5); // a live application: never anonymised
  await interviewWithText('old', 'live', 400); // past the 365-day transcript default
  await candidateWith('recent', 'interviewing', 5);
  await interviewWithText('recent', 'recent', 10);
  await addExport(30);
  await addExport(0);
});
afterAll(async () => {
  await db?.drop();
});

describe('the purge and the copilot’s free text', () => {
  it('dry run counts an interview whose only text is typed notes and a draft item', async () => {
    const dry = await runPurge(features, { dryRun: true, tenantIds: [t.tenantId] });
    const transcripts = dry.tenants[0]!.classes.find((c) => c.dataClass === 'transcripts')!;
    // The 400-day-old interview has no segments or audio, only a note and a draft item; the anonymised candidate's
    // 210-day-old one is not yet due for the transcript class.
    expect(transcripts).toMatchObject({ objects: 1, rows: 2, sample: [iv.old] });
  });

  it('anonymising a rejected candidate deletes their notes, draft items and debrief reasons and the held exports', async () => {
    expect(await heldExports()).toBe(2);
    const report = await runPurge(features, { tenantIds: [t.tenantId] });
    expect(report.failed).toBe(0);
    for (const table of ['interview_notes', 'scorecard_draft_items', 'debrief_decisions'] as const) expect(await countOf(table, 'ofRejected')).toBe(0);
    const ratings = (await sql<{ note: string; evidence_note_ids: string[]; level: number }>`
      select r.note, r.evidence_note_ids, r.level from scorecard_ratings r join scorecards s on s.id = r.scorecard_id where s.interview_id = ${iv.ofRejected!}`.execute(db.db)).rows;
    // The level stays for statistics; the rating no longer points at a deleted note.
    expect(ratings).toEqual([{ note: anonymisedNote, evidence_note_ids: [], level: 2 }]);
    expect(await heldExports()).toBe(0);
    const record = (await sql<{ details: Record<string, number> }>`select details from deletion_records where object_id = ${cand.rejected!}`.execute(db.db)).rows[0]!;
    expect(record.details).toMatchObject({ interview_notes: 1, scorecard_draft_items: 1, debrief_decisions: 1, bot_exports: 2 });
  });

  it('the transcript period takes an old interview’s notes and draft items, and leaves newer ones and the decision', async () => {
    expect(await countOf('interview_notes', 'old')).toBe(0);
    expect(await countOf('scorecard_draft_items', 'old')).toBe(0);
    // A debrief decision belongs to the application, not to the transcript.
    expect(await countOf('debrief_decisions', 'old')).toBe(1);
    for (const table of ['interview_notes', 'scorecard_draft_items', 'debrief_decisions'] as const) expect(await countOf(table, 'recent')).toBe(1);
    const record = (await sql<{ details: Record<string, number> }>`
      select details from deletion_records where object_id = ${iv.old!} and data_class = 'transcripts'`.execute(db.db)).rows[0]!;
    expect(record.details).toEqual({ interview_notes: 1, scorecard_draft_items: 1 });
  });

  it('a deletion request takes the same text whatever the retention', async () => {
    const done = await features.transact((stores) => stores.retention.anonymiseCandidate(t.tenantId, cand.recent!, { runId: null, reason: 'data_request', now }));
    expect(done?.tables).toMatchObject({ interview_notes: 1, scorecard_draft_items: 1, debrief_decisions: 1 });
    for (const table of ['interview_notes', 'scorecard_draft_items', 'debrief_decisions'] as const) expect(await countOf(table, 'recent')).toBe(0);
  });
});

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymisedName } from '../../server/src/adapters/postgres/retention-store';
import { startPurgeSchedule } from '../../server/src/adapters/schedule/purge-schedule';
import type { FeatureContext } from '../../server/src/features/context';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { runPurge, type PurgeReport } from '../../server/src/features/retention';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, type TenantFixture } from '../support/fixtures';

// Now is 2026-11-20 02:00 UTC. Defaults: audio 30 days after sign-off, transcripts 365 days after the interview,
// rejected/withdrawn candidates 180 days after the last decision, audit 1095 days.
const now = new Date('2026-11-20T02:00:00Z');
const clock = fixedClock(now);
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

let db: TestDatabase;
let features: FeatureContext;

interface Setup {
  readonly tenant: TenantFixture;
  readonly jobId: string;
  readonly roundId: string;
  readonly modelId: string;
  readonly competencyId: string;
}

async function setUpTenant(): Promise<Setup> {
  const tenant = await createTenant(db.db);
  const hr = tenant.employees.hr;
  const job = await createJob(features, hr.principal, {
    departmentId: tenant.departmentId,
    title: '后端工程师',
    description: '',
    location: '上海',
    headcount: 1,
    hiringManagerId: tenant.employees.manager.id,
    ownerHrId: hr.id,
    rounds: [{ name: '一面', durationMinutes: 60 }],
  });
  const model = await publishCompetencyModel(features, hr.principal, job.id, competencyModelInput([60, 40]));
  await changeJobStatus(features, hr.principal, job.id, 'open');
  const competency = await db.db.selectFrom('competencies').select('id').where('model_id', '=', model.id).orderBy('position').executeTakeFirstOrThrow();
  return { tenant, jobId: job.id, roundId: job.rounds[0]!.id, modelId: model.id, competencyId: competency.id };
}

let seq = 0;
const enc = (label: string) => `v1.k1.${Buffer.from(`${label}-${++seq}`).toString('base64url')}`;

/** A candidate with every personal column filled, the way the candidate store writes them (values look encrypted). */
async function candidate(s: Setup, options: { talentPool?: boolean } = {}): Promise<string> {
  const row = await db.db
    .insertInto('candidates')
    .values({
      tenant_id: s.tenant.tenantId,
      name: `候选人${++seq}`,
      phone: null,
      email: null,
      resume_text: '旧版明文简历',
      time_zone: 'Asia/Shanghai',
      talent_pool: options.talentPool ?? false,
      phone_enc: enc('phone'),
      email_enc: enc('email'),
      id_number_enc: enc('id'),
      resume_enc: enc('resume'),
      phone_masked: '138****1234',
      email_masked: 'z***@example.com',
      id_number_masked: '3101**********1234',
      phone_tail: '1234',
      phone_lookup: randomBytes(32),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function application(s: Setup, candidateId: string, stage: string, changedDaysAgo: number): Promise<string> {
  const row = await db.db
    .insertInto('applications')
    .values({
      tenant_id: s.tenant.tenantId,
      candidate_id: candidateId,
      job_id: s.jobId,
      stage,
      stage_changed_at: daysAgo(changedDaysAgo),
      decided_by: stage === 'rejected' || stage === 'hired' ? s.tenant.employees.hr.id : null,
      decision_reason: stage === 'rejected' ? '沟通中提到家庭原因，不宜出差' : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.db
    .insertInto('application_stage_events')
    .values({ tenant_id: s.tenant.tenantId, application_id: row.id, from_stage: 'applied', to_stage: stage, reason: null, at: daysAgo(changedDaysAgo) })
    .execute();
  return row.id;
}

/** An interview of the application with consent, audio, a transcript with a correction, and a scorecard. */
async function interview(s: Setup, applicationId: string, options: { endedDaysAgo: number; signedOffDaysAgo: number | null }): Promise<string> {
  const { tenantId } = s.tenant;
  const app = await db.db.selectFrom('applications').select('candidate_id').where('id', '=', applicationId).executeTakeFirstOrThrow();
  const ends = daysAgo(options.endedDaysAgo);
  const row = await db.db
    .insertInto('interviews')
    .values({
      tenant_id: tenantId,
      application_id: applicationId,
      round_id: s.roundId,
      competency_model_id: s.modelId,
      status: 'completed',
      starts_at: new Date(ends.getTime() - 3_600_000),
      ends_at: ends,
      transcript_signed_off_at: options.signedOffDaysAgo === null ? null : daysAgo(options.signedOffDaysAgo),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const active = await db.db.selectFrom('consents').select('purpose').where('candidate_id', '=', app.candidate_id).where('withdrawn_at', 'is', null).execute();
  for (const purpose of ['interview_recording', 'transcription'] as const) {
    if (active.some((c) => c.purpose === purpose)) continue;
    await db.db
      .insertInto('consents')
      .values({ tenant_id: tenantId, candidate_id: app.candidate_id, purpose, notice_version: '2026-01', channel: 'miniapp', given_at: daysAgo(800) })
      .execute();
  }
  await db.db
    .insertInto('interview_audio')
    .values([0, 1, 2].map((n) => ({ tenant_id: tenantId, interview_id: row.id, seq: n, bytes: randomBytes(64) })))
    .execute();
  const segments = await db.db
    .insertInto('transcript_segments')
    .values([0, 1].map((n) => ({ tenant_id: tenantId, interview_id: row.id, seq: n, started_ms: n * 1000, ended_ms: n * 1000 + 900, text: `我叫张三，电话 138${n}` })))
    .returning('id')
    .execute();
  await sql`insert into transcript_corrections (tenant_id, segment_id, previous_text, new_text, corrected_by)
            values (${tenantId}, ${segments[0]!.id}, '我叫张三', '我叫张珊', ${s.tenant.employees.interviewer.id})`.execute(db.db);
  const interviewer = s.tenant.employees.interviewer.id;
  await sql`insert into interview_panelists (tenant_id, interview_id, employee_id, role) values (${tenantId}, ${row.id}, ${interviewer}, 'lead')`.execute(db.db);
  const { rows } = await sql<{ id: string }>`
    insert into scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, summary, submitted_at)
    values (${tenantId}, ${row.id}, ${interviewer}, 'submitted', 'no', '张三沟通清楚，但期望薪资过高', ${ends}) returning id`.execute(db.db);
  await sql`
    insert into scorecard_ratings (tenant_id, scorecard_id, competency_id, level, note, evidence_segment_ids)
    values (${tenantId}, ${rows[0]!.id}, ${s.competencyId}, 2, '张三提到前公司的项目', ${[segments[1]!.id]}::uuid[])`.execute(db.db);
  await sql`insert into scorecard_revisions (scorecard_id, version, snapshot) values (${rows[0]!.id}, 1, '{"summary":"张三"}')`.execute(db.db);
  return row.id;
}

/** Sessions, an invitation and a WeChat channel: everything that lets the candidate be reached or signed in. */
async function reachable(s: Setup, candidateId: string, applicationId: string) {
  const { tenantId } = s.tenant;
  const invitation = await db.db
    .insertInto('invitations')
    .values({ tenant_id: tenantId, application_id: applicationId, candidate_id: candidateId, token_hash: randomBytes(32), expires_at: new Date('2099-01-01'), created_by: 'system:test' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`insert into sessions (token_hash, tenant_id, candidate_id, invitation_id, method, expires_at)
            values (${randomBytes(32)}, ${tenantId}, ${candidateId}, ${invitation.id}, 'invitation', '2099-01-01')`.execute(db.db);
  await sql`insert into candidate_channels (tenant_id, candidate_id) values (${tenantId}, ${candidateId})`.execute(db.db);
}

const count = async (query: string, ...params: unknown[]) => {
  const { rows } = await db.pool.query<{ n: string }>(query, params);
  return Number(rows[0]!.n);
};

async function funnel(tenantId: string) {
  const { rows } = await db.pool.query(
    `select job_id, stage, count(*)::int as n from applications where tenant_id = $1 group by 1, 2 order by 1, 2`,
    [tenantId],
  );
  const events = await count('select count(*) as n from application_stage_events where tenant_id = $1', tenantId);
  const ratings = await db.pool.query(
    `select r.level, count(*)::int as n from scorecard_ratings r join scorecards s on s.id = r.scorecard_id where s.tenant_id = $1 group by 1 order by 1`,
    [tenantId],
  );
  return { applications: rows, events, ratings: ratings.rows };
}

const classOf = (report: PurgeReport, tenantId: string, dataClass: string) =>
  report.tenants.find((t) => t.tenantId === tenantId)?.classes.find((c) => c.dataClass === dataClass);

let a: Setup;
const ids: Record<string, string> = {};
const interviews: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  a = await setUpTenant();

  // Candidates of tenant A.
  ids.rejectedOld = await candidate(a);
  const app1 = await application(a, ids.rejectedOld, 'rejected', 200);
  // Never signed off: its audio goes with the candidate, not with the raw-audio class.
  interviews.ofRejected = await interview(a, app1, { endedDaysAgo: 210, signedOffDaysAgo: null });
  await reachable(a, ids.rejectedOld, app1);

  ids.withdrawnOld = await candidate(a);
  await application(a, ids.withdrawnOld, 'withdrawn', 181);

  ids.rejectedRecent = await candidate(a);
  await application(a, ids.rejectedRecent, 'rejected', 179);

  ids.talentPool = await candidate(a, { talentPool: true });
  await application(a, ids.talentPool, 'rejected', 400);

  ids.hired = await candidate(a);
  await application(a, ids.hired, 'hired', 400);

  // One application rejected long ago, another still live: not all decisions are final.
  ids.oneLive = await candidate(a);
  await application(a, ids.oneLive, 'rejected', 300);
  await application(a, ids.oneLive, 'interviewing', 300);

  // Rejected long ago, but a rejected and a recent decision: the latest counts.
  ids.latestRecent = await candidate(a);
  await application(a, ids.latestRecent, 'rejected', 300);
  await application(a, ids.latestRecent, 'withdrawn', 20);

  ids.openRequest = await candidate(a);
  await application(a, ids.openRequest, 'rejected', 300);
  await db.db
    .insertInto('data_requests')
    .values({ tenant_id: a.tenant.tenantId, candidate_id: ids.openRequest, kind: 'access', due_at: daysAgo(-10) })
    .execute();

  ids.noApplication = await candidate(a);

  // Interviews of a hired candidate: audio and transcripts follow their own clocks.
  const hiredApp = (await db.db.selectFrom('applications').select('id').where('candidate_id', '=', ids.hired).executeTakeFirstOrThrow()).id;
  const round2 = await sql<{ id: string }>`insert into interview_rounds (tenant_id, job_id, position, name, duration_minutes) values (${a.tenant.tenantId}, ${a.jobId}, 2, '二面', 60), (${a.tenant.tenantId}, ${a.jobId}, 3, '三面', 60), (${a.tenant.tenantId}, ${a.jobId}, 4, '终面', 60) returning id`.execute(db.db);
  const rounds = [a.roundId, ...round2.rows.map((r) => r.id)];
  const at = (i: number) => ({ ...a, roundId: rounds[i]! });
  interviews.audioDue = await interview(at(0), hiredApp, { endedDaysAgo: 45, signedOffDaysAgo: 31 });
  interviews.audioKept = await interview(at(1), hiredApp, { endedDaysAgo: 45, signedOffDaysAgo: 29 });
  interviews.notSignedOff = await interview(at(2), hiredApp, { endedDaysAgo: 45, signedOffDaysAgo: null });
  interviews.transcriptDue = await interview(at(3), hiredApp, { endedDaysAgo: 366, signedOffDaysAgo: null });

  // Audit events: one older than three years, one just inside.
  for (const [days, action] of [[1096, 'old.event'], [1094, 'kept.event']] as const) {
    await db.db.insertInto('audit_events').values({ tenant_id: a.tenant.tenantId, actor: 'system:test', action, object_type: 'test', object_id: null, at: daysAgo(days) }).execute();
  }
});

afterAll(async () => {
  await db?.drop();
});

/** A tenant's own period for one class (what the privacy feature's setRetentionPolicies writes). */
const setPolicy = (tenantId: string, dataClass: string, days: number) =>
  db.pool.query(`update retention_policies set retain_days = $3 where tenant_id = $1 and data_class = $2`, [tenantId, dataClass, days]);

describe('retention policies', () => {
  it('every tenant starts with the defaults', async () => {
    const policies = await features.stores.retention.policies(a.tenant.tenantId);
    expect(Object.fromEntries(policies.map((p) => [p.dataClass, p.retainDays]))).toEqual({
      raw_audio: 30,
      transcripts: 365,
      rejected_candidate_data: 180,
      audit_events: 1095,
    });
  });
});

describe('append-only tables', () => {
  it('refuse deletes outside the purge, and deletion records refuse updates even inside it', async () => {
    for (const table of ['audit_events', 'transcript_corrections', 'application_stage_events', 'scorecard_revisions']) {
      await expect(db.pool.query(`delete from ${table}`)).rejects.toMatchObject({ code: 'HB001' });
    }
    await expect(db.pool.query(`delete from consents`)).rejects.toMatchObject({ code: 'HB001' });
    await db.pool.query(
      `insert into deletion_records (tenant_id, data_class, object_type, object_id, action, row_count, reason, at)
       values ($1, 'candidate_data', 'candidate', 'x', 'anonymised', 1, 'data_request', now())`,
      [a.tenant.tenantId],
    );
    await expect(db.pool.query(`delete from deletion_records`)).rejects.toMatchObject({ code: 'HB001' });
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local hirebridge.purge = 'on'`);
      await expect(client.query(`update deletion_records set row_count = 2`)).rejects.toMatchObject({ code: 'HB001' });
      await client.query('rollback');
      await client.query('begin');
      await client.query(`set local hirebridge.purge = 'on'`);
      expect((await client.query(`delete from deletion_records where object_id = 'x'`)).rowCount).toBe(1);
      await client.query('commit');
    } finally {
      client.release();
    }
    // SET LOCAL ended with the transaction.
    await expect(db.pool.query(`delete from audit_events`)).rejects.toMatchObject({ code: 'HB001' });
  });
});

describe('the purge', () => {
  let before: Awaited<ReturnType<typeof funnel>>;
  let dry: PurgeReport;
  let report: PurgeReport;

  it('dry run: shows what would go and writes nothing', async () => {
    const snapshot = async () => ({
      records: await count('select count(*) as n from deletion_records'),
      runs: await count('select count(*) as n from purge_runs'),
      anonymised: await count('select count(*) as n from candidates where anonymised_at is not null'),
      audio: await count('select count(*) as n from interview_audio'),
      segments: await count('select count(*) as n from transcript_segments'),
      audit: await count('select count(*) as n from audit_events'),
    });
    const first = await snapshot();
    dry = await runPurge(features, { dryRun: true, tenantIds: [a.tenant.tenantId] });
    expect(await snapshot()).toEqual(first);
    expect(dry.runId).toBeNull();
    const candidates = classOf(dry, a.tenant.tenantId, 'rejected_candidate_data')!;
    expect(candidates.objects).toBe(2);
    expect(candidates.sample!.sort()).toEqual([ids.rejectedOld, ids.withdrawnOld].sort());
    expect(classOf(dry, a.tenant.tenantId, 'raw_audio')).toMatchObject({ objects: 1, rows: 3, sample: [interviews.audioDue], retainDays: 30 });
    // Transcripts: the 366-day-old interview (2 segments, 1 correction, 3 audio chunks).
    expect(classOf(dry, a.tenant.tenantId, 'transcripts')).toMatchObject({ objects: 1, rows: 6, sample: [interviews.transcriptDue] });
    expect(classOf(dry, a.tenant.tenantId, 'audit_events')).toMatchObject({ objects: 1, rows: 1 });
  });

  it('deletes and anonymises what the policies no longer allow, nothing else', async () => {
    before = await funnel(a.tenant.tenantId);
    report = await runPurge(features, { tenantIds: [a.tenant.tenantId] });
    expect(report.failed).toBe(0);
    expect(report.runId).toEqual(expect.any(String));
    // The same objects as the dry run said.
    for (const dataClass of ['rejected_candidate_data', 'raw_audio', 'transcripts', 'audit_events']) {
      expect(classOf(report, a.tenant.tenantId, dataClass)?.objects, dataClass).toBe(classOf(dry, a.tenant.tenantId, dataClass)?.objects);
    }

    const rows = await db.db.selectFrom('candidates').selectAll().where('tenant_id', '=', a.tenant.tenantId).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const gone of [ids.rejectedOld, ids.withdrawnOld]) {
      const c = byId.get(gone!)!;
      expect(c).toMatchObject({
        name: anonymisedName,
        phone: null,
        email: null,
        resume_text: '',
        time_zone: null,
        phone_enc: null,
        email_enc: null,
        id_number_enc: null,
        resume_enc: null,
        phone_masked: null,
        email_masked: null,
        id_number_masked: null,
        phone_tail: null,
        phone_lookup: null,
      });
      expect(c.anonymised_at).toEqual(now);
    }
    for (const kept of ['rejectedRecent', 'talentPool', 'hired', 'oneLive', 'latestRecent', 'openRequest', 'noApplication']) {
      const c = byId.get(ids[kept]!)!;
      expect(c.anonymised_at, kept).toBeNull();
      expect(c.phone_enc, kept).not.toBeNull();
    }

    // What went with the rejected candidate.
    const cid = ids.rejectedOld!;
    expect(await count('select count(*) as n from sessions where candidate_id = $1', cid)).toBe(0);
    expect(await count('select count(*) as n from invitations where candidate_id = $1', cid)).toBe(0);
    expect(await count('select count(*) as n from candidate_channels where candidate_id = $1', cid)).toBe(0);
    expect(await count('select count(*) as n from interview_audio where interview_id = $1', interviews.ofRejected)).toBe(0);
    expect(await count('select count(*) as n from transcript_segments where interview_id = $1', interviews.ofRejected)).toBe(0);
    expect(await count('select count(*) as n from consents where candidate_id = $1 and withdrawn_at is null', cid)).toBe(0);
    expect(await count('select count(*) as n from consents where candidate_id = $1', cid)).toBe(2);
    expect(await count(`select count(*) as n from applications where candidate_id = $1 and decision_reason is not null`, cid)).toBe(0);
    expect(await count(`select count(*) as n from scorecards where interview_id = $1 and summary <> ''`, interviews.ofRejected)).toBe(0);
    expect(await count(`select count(*) as n from scorecards where interview_id = $1 and recommendation = 'no'`, interviews.ofRejected)).toBe(1);
    expect(
      await count(
        `select count(*) as n from scorecard_ratings r join scorecards s on s.id = r.scorecard_id where s.interview_id = $1 and r.level = 2 and r.note not like '%张三%' and cardinality(r.evidence_segment_ids) = 0`,
        interviews.ofRejected,
      ),
    ).toBe(1);
    expect(await count(`select count(*) as n from scorecard_revisions r join scorecards s on s.id = r.scorecard_id where s.interview_id = $1`, interviews.ofRejected)).toBe(0);
    expect(await count(`select count(*) as n from interviews where id = $1`, interviews.ofRejected)).toBe(1);

    // Audio and transcripts of the hired candidate's interviews.
    const audio = async (id: string) => count('select count(*) as n from interview_audio where interview_id = $1', id);
    const segments = async (id: string) => count('select count(*) as n from transcript_segments where interview_id = $1', id);
    expect(await audio(interviews.audioDue!)).toBe(0);
    expect(await segments(interviews.audioDue!)).toBe(2); // the transcript has its own, longer retention
    expect(await audio(interviews.audioKept!)).toBe(3);
    expect(await audio(interviews.notSignedOff!)).toBe(3);
    expect(await audio(interviews.transcriptDue!)).toBe(0);
    expect(await segments(interviews.transcriptDue!)).toBe(0);
    expect(await segments(interviews.notSignedOff!)).toBe(2);

    // Audit: the old event went, the other stayed.
    const actions = (await db.db.selectFrom('audit_events').select('action').where('tenant_id', '=', a.tenant.tenantId).where('object_type', '=', 'test').execute()).map((r) => r.action);
    expect(actions).toEqual(['kept.event']);
  });

  it('aggregate statistics are the same before and after', async () => {
    expect(await funnel(a.tenant.tenantId)).toEqual(before);
  });

  it('writes one deletion record per object, with ids and counts only', async () => {
    const records = await db.pool.query(`select * from deletion_records where run_id = $1 order by data_class, object_id`, [report.runId]);
    const of = (dataClass: string) => records.rows.filter((r) => r.data_class === dataClass);
    expect(of('rejected_candidate_data').map((r) => r.object_id).sort()).toEqual([ids.rejectedOld, ids.withdrawnOld].sort());
    for (const r of of('rejected_candidate_data')) {
      expect(r).toMatchObject({ tenant_id: a.tenant.tenantId, object_type: 'candidate', action: 'anonymised', retain_days: 180, reason: 'retention' });
      expect(r.at).toEqual(now);
    }
    const rejected = of('rejected_candidate_data').find((r) => r.object_id === ids.rejectedOld)!;
    expect(rejected.details).toMatchObject({ candidates: 1, interview_audio: 3, transcript_segments: 2, transcript_corrections: 1, sessions: 1, invitations: 1, candidate_channels: 1 });
    expect(rejected.row_count).toBeGreaterThanOrEqual(10);
    expect(of('raw_audio')).toEqual([expect.objectContaining({ object_type: 'interview', object_id: interviews.audioDue, action: 'deleted', row_count: 3, retain_days: 30 })]);
    expect(of('transcripts')).toEqual([expect.objectContaining({ object_id: interviews.transcriptDue, row_count: 6, details: { interview_audio: 3, transcript_segments: 2, transcript_corrections: 1 } })]);
    expect(of('audit_events')).toEqual([expect.objectContaining({ object_type: 'audit_events', object_id: null, row_count: 1, retain_days: 1095 })]);
    const run = await db.pool.query(`select status, finished_at, error, counts from purge_runs where id = $1`, [report.runId]);
    expect(run.rows[0]).toMatchObject({ status: 'succeeded', error: null });
    expect(run.rows[0].counts[a.tenant.tenantId].rejected_candidate_data).toMatchObject({ objects: 2 });
  });

  it('a second run finds nothing more', async () => {
    const again = await runPurge(features, { tenantIds: [a.tenant.tenantId] });
    expect(again.totals).toEqual({ objects: 0, rows: 0 });
    expect(await count('select count(*) as n from deletion_records where run_id = $1', again.runId)).toBe(0);
  });

  it('a per-tenant policy moves the cut-off', async () => {
    const b = await setUpTenant();
    await setPolicy(b.tenant.tenantId, 'rejected_candidate_data', 30);
    const c60 = await candidate(b);
    await application(b, c60, 'rejected', 60);
    const c20 = await candidate(b);
    await application(b, c20, 'rejected', 20);
    const result = await runPurge(features, { tenantIds: [b.tenant.tenantId] });
    expect(classOf(result, b.tenant.tenantId, 'rejected_candidate_data')).toMatchObject({ retainDays: 30, objects: 1 });
    const anonymised = await db.db.selectFrom('candidates').select('id').where('tenant_id', '=', b.tenant.tenantId).where('anonymised_at', 'is not', null).execute();
    expect(anonymised.map((r) => r.id)).toEqual([c60]);
  });

  it('two purges at once never process the same candidate twice', async () => {
    const c = await setUpTenant();
    const many: string[] = [];
    for (let i = 0; i < 120; i++) {
      const id = await candidate(c);
      await application(c, id, i % 2 ? 'rejected' : 'withdrawn', 200);
      many.push(id);
    }
    // Small batches so the two interleave.
    const [one, two] = await Promise.all([
      runPurge(features, { tenantIds: [c.tenant.tenantId], batchSize: 7 }),
      runPurge(features, { tenantIds: [c.tenant.tenantId], batchSize: 7 }),
    ]);
    const done = (r: PurgeReport) => classOf(r, c.tenant.tenantId, 'rejected_candidate_data')!.objects;
    expect(done(one) + done(two)).toBe(120);
    const perCandidate = await db.pool.query<{ object_id: string; n: number }>(
      `select object_id, count(*)::int as n from deletion_records where tenant_id = $1 and object_type = 'candidate' group by 1`,
      [c.tenant.tenantId],
    );
    expect(perCandidate.rows).toHaveLength(120);
    expect(perCandidate.rows.every((r) => r.n === 1)).toBe(true);
    expect(await count('select count(*) as n from candidates where tenant_id = $1 and anonymised_at is null', c.tenant.tenantId)).toBe(0);
  });
});

describe('anonymiseCandidate for a data-subject deletion request', () => {
  it('anonymises whatever the retention, inside the caller transaction, and turns the purge switch off again', async () => {
    const cid = ids.hired!;
    const result = await features.transact(async (stores) => {
      const done = await stores.retention.anonymiseCandidate(a.tenant.tenantId, cid, { runId: null, reason: 'data_request', now });
      // The rest of the caller's transaction cannot delete append-only rows.
      await expect(sql`delete from audit_events`.execute(db.db)).rejects.toMatchObject({ code: 'HB001' });
      return done;
    });
    expect(result).toMatchObject({ candidateId: cid, tables: expect.objectContaining({ candidates: 1, interview_audio: 6, transcript_segments: 6 }) });
    const record = await db.pool.query(`select * from deletion_records where object_id = $1`, [cid]);
    expect(record.rows).toEqual([expect.objectContaining({ data_class: 'candidate_data', reason: 'data_request', run_id: null, retain_days: null, action: 'anonymised' })]);
    const row = await db.db.selectFrom('candidates').select(['name', 'phone_enc', 'anonymised_at']).where('id', '=', cid).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: anonymisedName, phone_enc: null, anonymised_at: now });
    // Once is enough.
    expect(await features.stores.retention.anonymiseCandidate(a.tenant.tenantId, cid, { runId: null, reason: 'data_request', now })).toBeUndefined();
    // Another tenant's candidate answers like one that does not exist.
    const other = await createTenant(db.db);
    expect(await features.stores.retention.anonymiseCandidate(other.tenantId, ids.talentPool!, { runId: null, reason: 'data_request', now })).toBeUndefined();
  });
});

describe('the nightly schedule', () => {
  it('runs the purge on demand, knows its next run, and refuses a broken cron', async () => {
    const log = createLogger({ level: 'silent' });
    const schedule = startPurgeSchedule({ cron: '0 3 * * *', timeZone: 'Asia/Shanghai', features, log });
    try {
      expect(schedule.nextRunAt()).toBeInstanceOf(Date);
      const report = await schedule.runNow();
      expect(report).toMatchObject({ dryRun: false, failed: 0 });
      expect(await count(`select count(*) as n from purge_runs where id = $1 and status = 'succeeded'`, report!.runId)).toBe(1);
    } finally {
      await schedule.stop();
    }
    expect(() => startPurgeSchedule({ cron: 'not a cron', features, log })).toThrow(/not a valid cron/);
  });
});

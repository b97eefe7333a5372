import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/src/adapters/postgres/schema';
import { mapDatabaseError } from '../../server/src/adapters/postgres/pg-errors';
import { AppError } from '../../server/src/domain/errors';
import { createApplication, moveApplication } from '../../server/src/features/applications';
import { createCandidate } from '../../server/src/features/candidates';
import type { FeatureContext } from '../../server/src/features/context';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, type TenantFixture } from '../support/fixtures';

/**
 * The invariants the schema itself enforces, proven against a real PostgreSQL. Rows the API cannot build yet
 * (interviews, bookings, scorecards …) are written with raw SQL; every refusal asserts its SQLSTATE and, where the
 * constraint is named, its name.
 */

type Q = Kysely<Database>;

let t: TestDatabase;
let ctx: FeatureContext;

beforeAll(async () => {
  t = await createTestDatabase();
  ctx = t.features();
});
afterAll(async () => {
  await t?.drop();
});

const at = (iso: string) => new Date(iso);
const range = (from: string, to: string) => `[${at(from).toISOString()},${at(to).toISOString()})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a promise rejected with (fails the test if it fulfilled). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

interface World {
  readonly tenant: TenantFixture;
  readonly jobId: string;
  readonly modelId: string;
  readonly competencyIds: readonly string[];
  readonly roundIds: readonly [string, string];
  readonly candidateId: string;
  readonly applicationId: string;
  readonly roomId: string;
}

let candidateCounter = 0;

/** A tenant with an open job (two rounds, a published model), a candidate with a live application, and a room. */
async function world(): Promise<World> {
  const tenant = await createTenant(t.db);
  const hr = tenant.employees.hr.principal;
  const job = await createJob(ctx, hr, {
    departmentId: tenant.departmentId,
    title: '后端工程师',
    description: '',
    location: '上海',
    headcount: 1,
    hiringManagerId: tenant.employees.manager.id,
    ownerHrId: tenant.employees.hr.id,
    rounds: [
      { name: '一面', durationMinutes: 60 },
      { name: '二面', durationMinutes: 60 },
    ],
  });
  const model = await publishCompetencyModel(ctx, hr, job.id, competencyModelInput([60, 40]));
  await changeJobStatus(ctx, hr, job.id, 'open');
  const candidate = await newCandidate(tenant);
  const application = await createApplication(ctx, hr, { candidateId: candidate, jobId: job.id });
  const room = await t.db
    .insertInto('rooms')
    .values({ tenant_id: tenant.tenantId, name: `会议室 ${++candidateCounter}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const [r1, r2] = [...job.rounds].sort((a, b) => a.position - b.position);
  return {
    tenant,
    jobId: job.id,
    modelId: model.id,
    competencyIds: model.competencies.map((c) => c.id),
    roundIds: [r1!.id, r2!.id],
    candidateId: candidate,
    applicationId: application.id,
    roomId: room.id,
  };
}

async function newCandidate(tenant: TenantFixture): Promise<string> {
  const c = await createCandidate(ctx, tenant.employees.hr.principal, {
    name: `候选人${++candidateCounter}`,
    phone: null,
    email: null,
    source: 'other',
    timeZone: null,
    resumeText: '',
    talentPool: false,
  });
  return c.id;
}

async function draftJob(tenant: TenantFixture): Promise<string> {
  const job = await createJob(ctx, tenant.employees.hr.principal, {
    departmentId: tenant.departmentId,
    title: '草稿职位',
    description: '',
    location: '',
    headcount: 1,
    hiringManagerId: null,
    ownerHrId: null,
    rounds: [],
  });
  return job.id;
}

interface InterviewInput {
  status?: string;
  mode?: 'onsite' | 'video' | 'phone';
  startsAt?: Date | null;
  endsAt?: Date | null;
  meetingUrl?: string | null;
  roundId?: string;
  applicationId?: string;
}

function insertInterview(w: World, input: InterviewInput = {}, q: Q = t.db) {
  const startsAt = input.startsAt === undefined ? at('2026-12-01T02:00:00Z') : input.startsAt;
  const endsAt = input.endsAt === undefined ? at('2026-12-01T03:00:00Z') : input.endsAt;
  return sql<{ id: string }>`
    insert into interviews (tenant_id, application_id, round_id, competency_model_id, status, mode, starts_at, ends_at, meeting_url)
    values (${w.tenant.tenantId}, ${input.applicationId ?? w.applicationId}, ${input.roundId ?? w.roundIds[0]}, ${w.modelId},
            ${input.status ?? 'scheduled'}, ${input.mode ?? 'onsite'}, ${startsAt}, ${endsAt}, ${input.meetingUrl ?? null})
    returning id`
    .execute(q)
    .then((r) => r.rows[0]!.id);
}

/** The candidate's transcription consent, without which the database refuses transcript rows. */
async function consentToTranscription(interviewId: string) {
  await sql`insert into consents (tenant_id, candidate_id, purpose, notice_version, channel, given_at)
            select i.tenant_id, a.candidate_id, 'transcription', 'test', 'miniapp', now()
              from interviews i join applications a on a.id = i.application_id
             where i.id = ${interviewId}
            on conflict do nothing`.execute(t.db);
}

function addPanelist(tenantId: string, interviewId: string, employeeId: string, q: Q = t.db) {
  return sql`insert into interview_panelists (tenant_id, interview_id, employee_id) values (${tenantId}, ${interviewId}, ${employeeId})`.execute(q);
}

function book(
  w: World,
  interviewId: string,
  who: { employeeId?: string | null; roomId?: string | null },
  during: string,
  q: Q = t.db,
  hold?: Date,
) {
  return sql`
    insert into bookings (tenant_id, interview_id, employee_id, room_id, during, kind, hold_expires_at)
    values (${w.tenant.tenantId}, ${interviewId}, ${who.employeeId ?? null}, ${who.roomId ?? null}, ${during}::tstzrange,
            ${hold ? 'held' : 'booked'}, ${hold ?? null})`.execute(q);
}

/** Inserts a model version by hand: `levels` rubric levels per competency, weights as given. */
async function insertModel(q: Q, w: World, weights: number[], levels = 4): Promise<string> {
  const model = await sql<{ id: string }>`
    insert into competency_models (tenant_id, job_id, version)
    values (${w.tenant.tenantId}, ${w.jobId}, (select coalesce(max(version), 0) + 1 from competency_models where job_id = ${w.jobId}))
    returning id`.execute(q);
  const modelId = model.rows[0]!.id;
  for (const [i, weight] of weights.entries()) {
    const c = await sql<{ id: string }>`
      insert into competencies (tenant_id, model_id, position, name, weight)
      values (${w.tenant.tenantId}, ${modelId}, ${i}, ${`能力${i}`}, ${weight}) returning id`.execute(q);
    for (let level = 1; level <= levels; level++) {
      await sql`insert into rubric_levels (competency_id, level, label, description)
                values (${c.rows[0]!.id}, ${level}, ${`L${level}`}, ${'描述'})`.execute(q);
    }
  }
  return modelId;
}

/** Resolves once some backend of this test database waits on a lock (so the interleaving is the one intended). */
async function someoneWaitsOnALock(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const r = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db);
    if (r.rows[0]!.n > 0) return;
    await sleep(10);
  }
  throw new Error('no transaction ended up waiting on a lock');
}

function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

describe('cross-tenant references', () => {
  let a: World;
  let b: World;
  beforeAll(async () => {
    a = await world();
    b = await world();
  });

  it('refuses a job in tenant A pointing at a department of tenant B', async () => {
    await expect(
      t.db.insertInto('jobs').values({ tenant_id: a.tenant.tenantId, department_id: b.tenant.departmentId, title: '越界' }).execute(),
    ).rejects.toMatchObject({ code: '23503', constraint: 'jobs_tenant_id_department_id_fkey' });
  });

  it('reports a department of another tenant as NOT_FOUND through the feature', async () => {
    await expect(
      createJob(ctx, a.tenant.employees.hr.principal, {
        departmentId: b.tenant.departmentId,
        title: '越界',
        description: '',
        location: '',
        headcount: 1,
        hiringManagerId: null,
        ownerHrId: null,
        rounds: [],
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses an application joining a candidate of A with a job of B, whichever tenant it claims', async () => {
    await expect(
      t.db.insertInto('applications').values({ tenant_id: a.tenant.tenantId, candidate_id: a.candidateId, job_id: b.jobId }).execute(),
    ).rejects.toMatchObject({ code: '23503', constraint: 'applications_tenant_id_job_id_fkey' });
    await expect(
      t.db.insertInto('applications').values({ tenant_id: b.tenant.tenantId, candidate_id: a.candidateId, job_id: b.jobId }).execute(),
    ).rejects.toMatchObject({ code: '23503', constraint: 'applications_tenant_id_candidate_id_fkey' });
  });

  it('refuses a panelist from another tenant', async () => {
    const interview = await insertInterview(a);
    await expect(addPanelist(a.tenant.tenantId, interview, b.tenant.employees.interviewer.id)).rejects.toMatchObject({
      code: '23503',
      constraint: 'interview_panelists_tenant_id_employee_id_fkey',
    });
    await expect(addPanelist(b.tenant.tenantId, interview, b.tenant.employees.interviewer.id)).rejects.toMatchObject({
      code: '23503',
      constraint: 'interview_panelists_tenant_id_interview_id_fkey',
    });
  });

  it('refuses an interview pinned to another tenant’s model or round, and a booking of another tenant’s room', async () => {
    await expect(
      sql`insert into interviews (tenant_id, application_id, round_id, competency_model_id)
          values (${a.tenant.tenantId}, ${a.applicationId}, ${a.roundIds[1]}, ${b.modelId})`.execute(t.db),
    ).rejects.toMatchObject({ code: '23503', constraint: 'interviews_tenant_id_competency_model_id_fkey' });
    await expect(
      sql`insert into interviews (tenant_id, application_id, round_id, competency_model_id)
          values (${a.tenant.tenantId}, ${a.applicationId}, ${b.roundIds[1]}, ${a.modelId})`.execute(t.db),
    ).rejects.toMatchObject({ code: '23503', constraint: 'interviews_tenant_id_round_id_fkey' });
    const interview = await insertInterview(a, { roundId: a.roundIds[1], status: 'draft', startsAt: null, endsAt: null });
    await expect(book(a, interview, { roomId: b.roomId }, range('2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z'))).rejects.toMatchObject({
      code: '23503',
      constraint: 'bookings_tenant_id_room_id_fkey',
    });
  });

  it('refuses a rating against another tenant’s competency and a transcript correction by another tenant’s employee', async () => {
    const interview = await insertInterview(a, { applicationId: await secondApplication(a) });
    await addPanelist(a.tenant.tenantId, interview, a.tenant.employees.manager.id);
    const card = await sql<{ id: string }>`
      insert into scorecards (tenant_id, interview_id, interviewer_id) values (${a.tenant.tenantId}, ${interview}, ${a.tenant.employees.manager.id})
      returning id`.execute(t.db);
    await expect(
      sql`insert into scorecard_ratings (tenant_id, scorecard_id, competency_id, level, note)
          values (${a.tenant.tenantId}, ${card.rows[0]!.id}, ${b.competencyIds[0]}, 3, '好')`.execute(t.db),
    ).rejects.toMatchObject({ code: '23503' });
    await consentToTranscription(interview);
    const segment = await sql<{ id: string }>`
      insert into transcript_segments (tenant_id, interview_id, seq, started_ms, ended_ms, text)
      values (${a.tenant.tenantId}, ${interview}, 0, 0, 1000, '你好') returning id`.execute(t.db);
    await expect(
      sql`insert into transcript_corrections (tenant_id, segment_id, previous_text, new_text, corrected_by)
          values (${a.tenant.tenantId}, ${segment.rows[0]!.id}, '你好', '您好', ${b.tenant.employees.hr.id})`.execute(t.db),
    ).rejects.toMatchObject({ code: '23503', constraint: 'transcript_corrections_tenant_id_corrected_by_fkey' });
    await sql`insert into transcript_corrections (tenant_id, segment_id, previous_text, new_text, corrected_by)
              values (${a.tenant.tenantId}, ${segment.rows[0]!.id}, '你好', '您好', ${a.tenant.employees.hr.id})`.execute(t.db);
  });
});

describe('competency models', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  const children = async () => {
    const c = await sql<{ id: string }>`select id from competencies where model_id = ${w.modelId} order by position limit 1`.execute(t.db);
    const competencyId = c.rows[0]!.id;
    const qn = await sql<{ id: string }>`select id from questions where competency_id = ${competencyId} limit 1`.execute(t.db);
    return { competencyId, questionId: qn.rows[0]!.id };
  };

  it('refuses UPDATE on all four tables of a published model (HB001)', async () => {
    const { competencyId, questionId } = await children();
    await expect(sql`update competency_models set note = 'x' where id = ${w.modelId}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
    await expect(sql`update competencies set weight = weight where id = ${competencyId}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
    await expect(sql`update rubric_levels set label = 'x' where competency_id = ${competencyId} and level = 1`.execute(t.db)).rejects.toMatchObject({
      code: 'HB001',
    });
    await expect(sql`update questions set text = 'x' where id = ${questionId}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
  });

  it('refuses DELETE on all four tables of a published model (HB001)', async () => {
    const { competencyId, questionId } = await children();
    await expect(sql`delete from questions where id = ${questionId}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
    await expect(sql`delete from rubric_levels where competency_id = ${competencyId} and level = 4`.execute(t.db)).rejects.toMatchObject({
      code: 'HB001',
    });
    await expect(sql`delete from competencies where id = ${competencyId}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
    await expect(sql`delete from competency_models where id = ${w.modelId}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
    const left = await sql<{ n: number }>`select count(*)::int as n from rubric_levels where competency_id = ${competencyId}`.execute(t.db);
    expect(left.rows[0]!.n).toBe(4);
  });

  it('refuses adding a question, a competency or a rubric level to a model published earlier (HB001)', async () => {
    const { competencyId } = await children();
    await expect(sql`insert into questions (competency_id, position, text) values (${competencyId}, 99, '新问题')`.execute(t.db)).rejects.toMatchObject({
      code: 'HB001',
    });
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`insert into competencies (tenant_id, model_id, position, name, weight)
                  values (${w.tenant.tenantId}, ${w.modelId}, 9, '新增', 10)`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: 'HB001' });
  });

  it('commits a complete model written by hand (weights 100, four levels each)', async () => {
    const id = await t.db.transaction().execute((trx) => insertModel(trx, w, [50, 30, 20]));
    const r = await sql<{ n: number }>`select count(*)::int as n from competencies where model_id = ${id}`.execute(t.db);
    expect(r.rows[0]!.n).toBe(3);
  });

  const refusedAtCommit = async (write: (trx: Q) => Promise<unknown>) => {
    let wroteEverything = false;
    const error = await rejection(
      t.db.transaction().execute(async (trx) => {
        await write(trx);
        wroteEverything = true;
      }),
    );
    // Every statement succeeded: the refusal came from the deferred check at COMMIT.
    expect(wroteEverything).toBe(true);
    expect(error).toMatchObject({ code: 'HB002' });
    expect(mapDatabaseError(error)).toMatchObject({ code: 'INVALID_COMPETENCY_MODEL' });
  };

  it('refuses at COMMIT a model whose weights do not add up to 100 (HB002)', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from competency_models where job_id = ${w.jobId}`.execute(t.db);
    await refusedAtCommit((trx) => insertModel(trx, w, [60, 30]));
    await refusedAtCommit((trx) => insertModel(trx, w, [60, 50]));
    const after = await sql<{ n: number }>`select count(*)::int as n from competency_models where job_id = ${w.jobId}`.execute(t.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('refuses at COMMIT a competency without exactly four rubric levels (HB002)', async () => {
    await refusedAtCommit((trx) => insertModel(trx, w, [100], 3));
    await refusedAtCommit((trx) => insertModel(trx, w, [70, 30], 0));
  });

  it('refuses at COMMIT a model with no competencies (HB002)', async () => {
    await refusedAtCommit((trx) =>
      sql`insert into competency_models (tenant_id, job_id, version)
          values (${w.tenant.tenantId}, ${w.jobId}, (select max(version) + 1 from competency_models where job_id = ${w.jobId}))`.execute(trx),
    );
  });

  it('deletes a model only with SET LOCAL hirebridge.purge = on inside a transaction', async () => {
    const id = await t.db.transaction().execute((trx) => insertModel(trx, w, [100]));
    // Outside a transaction SET LOCAL has no effect: the delete on the same connection is still refused.
    await t.db.connection().execute(async (conn) => {
      await sql`set local hirebridge.purge = 'on'`.execute(conn);
      await expect(sql`delete from competency_models where id = ${id}`.execute(conn)).rejects.toMatchObject({ code: 'HB001' });
    });
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`set local hirebridge.purge = 'off'`.execute(trx);
        await sql`delete from competency_models where id = ${id}`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: 'HB001' });
    await t.db.transaction().execute(async (trx) => {
      await sql`set local hirebridge.purge = 'on'`.execute(trx);
      await sql`delete from competency_models where id = ${id}`.execute(trx);
    });
    const left = await sql<{ n: number }>`
      select (select count(*) from competency_models where id = ${id})::int
           + (select count(*) from competencies where model_id = ${id})::int as n`.execute(t.db);
    expect(left.rows[0]!.n).toBe(0);
    // The switch ended with its transaction.
    await expect(sql`delete from competency_models where id = ${w.modelId}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
  });
});

describe('applications', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it('refuses an application to a draft job or a closed job (HB003)', async () => {
    const draft = await draftJob(w.tenant);
    const candidateId = await newCandidate(w.tenant);
    const error = await rejection(
      t.db.insertInto('applications').values({ tenant_id: w.tenant.tenantId, candidate_id: candidateId, job_id: draft }).execute(),
    );
    expect(error).toMatchObject({ code: 'HB003' });
    expect(mapDatabaseError(error)).toMatchObject({ code: 'JOB_NOT_OPEN' });

    const closing = await world();
    await changeJobStatus(ctx, closing.tenant.employees.hr.principal, closing.jobId, 'closed');
    const other = await newCandidate(closing.tenant);
    await expect(
      t.db.insertInto('applications').values({ tenant_id: closing.tenant.tenantId, candidate_id: other, job_id: closing.jobId }).execute(),
    ).rejects.toMatchObject({ code: 'HB003' });
  });

  it('refuses a second live application for the same candidate and job, and allows one again after rejection or withdrawal', async () => {
    const values = { tenant_id: w.tenant.tenantId, candidate_id: w.candidateId, job_id: w.jobId };
    const error = await rejection(t.db.insertInto('applications').values(values).execute());
    expect(error).toMatchObject({ code: '23505', constraint: 'applications_one_live_per_job' });
    expect(mapDatabaseError(error)).toMatchObject({ code: 'APPLICATION_EXISTS' });

    await moveApplication(ctx, w.tenant.employees.hr.principal, w.applicationId, { to: 'rejected', reason: '经验不足' });
    const second = await t.db.insertInto('applications').values(values).returning('id').executeTakeFirstOrThrow();
    await expect(t.db.insertInto('applications').values(values).execute()).rejects.toMatchObject({ constraint: 'applications_one_live_per_job' });

    await moveApplication(ctx, w.tenant.employees.hr.principal, second.id, { to: 'withdrawn' });
    await t.db.insertInto('applications').values(values).execute();
  });

  it('requires decided_by for hired and rejected, not for withdrawn', async () => {
    const candidateId = await newCandidate(w.tenant);
    const app = await t.db
      .insertInto('applications')
      .values({ tenant_id: w.tenant.tenantId, candidate_id: candidateId, job_id: w.jobId })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const stage of ['hired', 'rejected']) {
      await expect(t.db.updateTable('applications').set({ stage }).where('id', '=', app.id).execute()).rejects.toMatchObject({
        code: '23514',
        table: 'applications',
      });
    }
    await t.db.updateTable('applications').set({ stage: 'hired', decided_by: w.tenant.employees.manager.id }).where('id', '=', app.id).execute();
    await expect(
      t.db.insertInto('applications').values({ tenant_id: w.tenant.tenantId, candidate_id: await newCandidate(w.tenant), job_id: w.jobId, stage: 'rejected' }).execute(),
    ).rejects.toMatchObject({ code: '23514' });
    await t.db
      .insertInto('applications')
      .values({ tenant_id: w.tenant.tenantId, candidate_id: await newCandidate(w.tenant), job_id: w.jobId, stage: 'withdrawn' })
      .execute();
  });

  it('keeps application_stage_events append-only', async () => {
    const candidateId = await newCandidate(w.tenant);
    const app = await createApplication(ctx, w.tenant.employees.hr.principal, { candidateId, jobId: w.jobId });
    await moveApplication(ctx, w.tenant.employees.hr.principal, app.id, { to: 'screening' });
    const events = await t.db.selectFrom('application_stage_events').select('id').where('application_id', '=', app.id).execute();
    expect(events.length).toBeGreaterThan(0);
    await expect(t.db.updateTable('application_stage_events').set({ reason: '改写' }).where('application_id', '=', app.id).execute()).rejects.toMatchObject({
      code: 'HB001',
    });
    await expect(t.db.deleteFrom('application_stage_events').where('application_id', '=', app.id).execute()).rejects.toMatchObject({ code: 'HB001' });
  });

  it('refuses an application racing a job being closed: the insert waits for the close and then sees it (HB003)', async () => {
    const r = await world();
    const candidateId = await newCandidate(r.tenant);
    let closed!: () => void;
    const jobUpdated = new Promise<void>((res) => (closed = res));
    let release!: () => void;
    const released = new Promise<void>((res) => (release = res));
    const closing = t.db.transaction().execute(async (trx) => {
      await sql`select id from jobs where id = ${r.jobId} for update`.execute(trx);
      await trx.updateTable('jobs').set({ status: 'closed' }).where('id', '=', r.jobId).execute();
      closed();
      await released;
    });
    await jobUpdated;
    const applying = t.db.insertInto('applications').values({ tenant_id: r.tenant.tenantId, candidate_id: candidateId, job_id: r.jobId }).execute();
    const outcome = rejection(applying);
    await someoneWaitsOnALock();
    release();
    await closing;
    expect(await outcome).toMatchObject({ code: 'HB003' });
  });
});

describe('interviews', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it('allows one live interview per application and round, and another after cancel, decline or no-show, not after completion', async () => {
    const first = await insertInterview(w);
    await expect(insertInterview(w, { status: 'draft', startsAt: null, endsAt: null })).rejects.toMatchObject({
      code: '23505',
      constraint: 'interviews_one_live_per_round',
    });
    // Another round of the same application is independent.
    const other = await insertInterview(w, { roundId: w.roundIds[1] });
    for (const ending of ['cancelled', 'declined', 'no_show']) {
      const live = ending === 'cancelled' ? first : await insertInterview(w);
      await sql`update interviews set status = ${ending} where id = ${live}`.execute(t.db);
    }
    await insertInterview(w);
    await sql`update interviews set status = 'completed' where id = ${other}`.execute(t.db);
    await expect(insertInterview(w, { roundId: w.roundIds[1] })).rejects.toMatchObject({ constraint: 'interviews_one_live_per_round' });
  });

  it('refuses an interview whose round or competency model belongs to another job', async () => {
    const app = await secondApplication(w);
    const otherJob = await draftJob(w.tenant);
    const otherRound = await sql<{ id: string }>`
      insert into interview_rounds (tenant_id, job_id, position, name, duration_minutes)
      values (${w.tenant.tenantId}, ${otherJob}, 1, ${'别的职位一面'}, 60) returning id`.execute(t.db);
    await expect(insertInterview(w, { applicationId: app, roundId: otherRound.rows[0]!.id })).rejects.toMatchObject({
      code: '23503',
      constraint: 'interviews_match_application_job',
    });
    const id = await insertInterview(w, { applicationId: app });
    await expect(sql`update interviews set round_id = ${otherRound.rows[0]!.id} where id = ${id}`.execute(t.db)).rejects.toMatchObject({
      constraint: 'interviews_match_application_job',
    });
  });

  it('requires ends_at after starts_at, and both or neither', async () => {
    const app = await secondApplication(w);
    await expect(insertInterview(w, { applicationId: app, endsAt: at('2026-12-01T02:00:00Z') })).rejects.toMatchObject({ code: '23514', table: 'interviews' });
    await expect(insertInterview(w, { applicationId: app, endsAt: at('2026-12-01T01:00:00Z') })).rejects.toMatchObject({ code: '23514', table: 'interviews' });
    await expect(insertInterview(w, { applicationId: app, status: 'draft', endsAt: null })).rejects.toMatchObject({ code: '23514', table: 'interviews' });
    await insertInterview(w, { applicationId: app, endsAt: at('2026-12-01T02:15:00Z') });
  });

  it('requires a time once scheduled, but not while draft or awaiting the candidate', async () => {
    const app = await secondApplication(w);
    for (const status of ['scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed', 'no_show']) {
      await expect(insertInterview(w, { applicationId: app, status, startsAt: null, endsAt: null })).rejects.toMatchObject({ code: '23514', table: 'interviews' });
    }
    const id = await insertInterview(w, { applicationId: app, status: 'draft', startsAt: null, endsAt: null });
    await sql`update interviews set status = 'awaiting_candidate' where id = ${id}`.execute(t.db);
    await expect(sql`update interviews set status = 'scheduled' where id = ${id}`.execute(t.db)).rejects.toMatchObject({ code: '23514' });
  });

  it('requires a meeting_url for a video interview with a fixed time, and only https', async () => {
    const app = await secondApplication(w);
    await expect(insertInterview(w, { applicationId: app, mode: 'video' })).rejects.toMatchObject({ code: '23514', table: 'interviews' });
    await expect(insertInterview(w, { applicationId: app, mode: 'video', meetingUrl: 'http://meeting.tencent.com/dm/abc' })).rejects.toMatchObject({
      code: '23514',
      table: 'interviews',
    });
    await expect(insertInterview(w, { applicationId: app, mode: 'onsite', meetingUrl: 'ftp://x' })).rejects.toMatchObject({ code: '23514' });
    // While slots are only offered the meeting does not exist yet; it must before the time is fixed.
    const id = await insertInterview(w, { applicationId: app, mode: 'video', status: 'draft', startsAt: null, endsAt: null });
    await sql`update interviews set status = 'awaiting_candidate' where id = ${id}`.execute(t.db);
    await expect(
      sql`update interviews set status = 'scheduled', starts_at = ${at('2026-12-03T02:00:00Z')}, ends_at = ${at('2026-12-03T03:00:00Z')} where id = ${id}`.execute(t.db),
    ).rejects.toMatchObject({ code: '23514' });
    await sql`update interviews set status = 'scheduled', starts_at = ${at('2026-12-03T02:00:00Z')}, ends_at = ${at('2026-12-03T03:00:00Z')},
                     meeting_url = 'https://meeting.tencent.com/dm/abc' where id = ${id}`.execute(t.db);
  });
});

/** A further live application of a new candidate to the world's job (so interview uniqueness does not interfere). */
async function secondApplication(w: World): Promise<string> {
  const candidateId = await newCandidate(w.tenant);
  const app = await createApplication(ctx, w.tenant.employees.hr.principal, { candidateId, jobId: w.jobId });
  return app.id;
}

describe('bookings', () => {
  let w: World;
  let i1: string;
  let i2: string;
  beforeAll(async () => {
    w = await world();
    i1 = await insertInterview(w, { status: 'draft', startsAt: null, endsAt: null });
    i2 = await insertInterview(w, { roundId: w.roundIds[1], status: 'draft', startsAt: null, endsAt: null });
  });

  it('refuses a second booking that overlaps for the same interviewer', async () => {
    const interviewer = w.tenant.employees.interviewer.id;
    await book(w, i1, { employeeId: interviewer }, range('2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z'));
    const error = await rejection(book(w, i2, { employeeId: interviewer }, range('2026-12-01T02:30:00Z', '2026-12-01T03:30:00Z')));
    expect(error).toMatchObject({ code: '23P01', constraint: 'bookings_no_interviewer_overlap' });
    expect(mapDatabaseError(error)).toMatchObject({ code: 'BOOKING_CONFLICT' });
    // Containment is an overlap too, and a hold blocks like a booking.
    await expect(
      book(w, i2, { employeeId: interviewer }, range('2026-12-01T02:10:00Z', '2026-12-01T02:20:00Z'), t.db, at('2026-11-30T00:00:00Z')),
    ).rejects.toMatchObject({ code: '23P01', constraint: 'bookings_no_interviewer_overlap' });
  });

  it('allows back-to-back bookings for one interviewer (one ends when the next starts)', async () => {
    const interviewer = w.tenant.employees.interviewer.id;
    await book(w, i2, { employeeId: interviewer }, range('2026-12-01T03:00:00Z', '2026-12-01T04:00:00Z'));
    await book(w, i2, { employeeId: interviewer }, range('2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z'));
  });

  it('allows different interviewers at the same time', async () => {
    await book(w, i1, { employeeId: w.tenant.employees.manager.id }, range('2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z'));
    await book(w, i1, { employeeId: w.tenant.employees.hr.id }, range('2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z'));
  });

  it('refuses a second booking that overlaps for the same room, allows it back to back', async () => {
    await book(w, i1, { roomId: w.roomId }, range('2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z'));
    await expect(book(w, i2, { roomId: w.roomId }, range('2026-12-01T02:59:00Z', '2026-12-01T04:00:00Z'))).rejects.toMatchObject({
      code: '23P01',
      constraint: 'bookings_no_room_overlap',
    });
    await book(w, i2, { roomId: w.roomId }, range('2026-12-01T03:00:00Z', '2026-12-01T04:00:00Z'));
  });

  it('books exactly one of an employee or a room, and a hold needs its expiry', async () => {
    const during = range('2026-12-05T02:00:00Z', '2026-12-05T03:00:00Z');
    await expect(book(w, i1, { employeeId: w.tenant.employees.admin.id, roomId: w.roomId }, during)).rejects.toMatchObject({ code: '23514', table: 'bookings' });
    await expect(book(w, i1, {}, during)).rejects.toMatchObject({ code: '23514', table: 'bookings' });
    await expect(
      sql`insert into bookings (tenant_id, interview_id, employee_id, during, kind)
          values (${w.tenant.tenantId}, ${i1}, ${w.tenant.employees.admin.id}, ${during}::tstzrange, 'held')`.execute(t.db),
    ).rejects.toMatchObject({ code: '23514', table: 'bookings' });
    await expect(
      sql`insert into bookings (tenant_id, interview_id, employee_id, during)
          values (${w.tenant.tenantId}, ${i1}, ${w.tenant.employees.admin.id}, ${'empty'}::tstzrange)`.execute(t.db),
    ).rejects.toMatchObject({ code: '23514', table: 'bookings' });
    await expect(
      sql`insert into bookings (tenant_id, interview_id, employee_id, during)
          values (${w.tenant.tenantId}, ${i1}, ${w.tenant.employees.admin.id}, ${'[2026-12-05 02:00Z,)'}::tstzrange)`.execute(t.db),
    ).rejects.toMatchObject({ code: '23514', table: 'bookings' });
  });

  it('lets exactly one of two concurrent transactions book the same interviewer for overlapping times (race)', async () => {
    const interviewer = w.tenant.employees.manager.id;
    const ready = barrier(2);
    const attempt = (interviewId: string, during: string) =>
      t.db.transaction().execute(async (trx) => {
        // Both transactions hold their own connection and have begun before either writes or commits.
        await sql`select txid_current()`.execute(trx);
        await ready();
        await book(w, interviewId, { employeeId: interviewer }, during, trx);
        await sleep(50);
      });
    const results = await Promise.allSettled([
      attempt(i1, range('2026-12-10T02:00:00Z', '2026-12-10T03:00:00Z')),
      attempt(i2, range('2026-12-10T02:30:00Z', '2026-12-10T03:30:00Z')),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toMatchObject({ code: '23P01', constraint: 'bookings_no_interviewer_overlap' });
    const rows = await sql<{ n: number }>`
      select count(*)::int as n from bookings where employee_id = ${interviewer} and during && ${range('2026-12-10T00:00:00Z', '2026-12-11T00:00:00Z')}::tstzrange`.execute(t.db);
    expect(rows.rows[0]!.n).toBe(1);
  });
});

describe('scorecards', () => {
  let w: World;
  let interview: string;
  beforeAll(async () => {
    w = await world();
    interview = await insertInterview(w, { status: 'completed' });
    await addPanelist(w.tenant.tenantId, interview, w.tenant.employees.interviewer.id);
    await addPanelist(w.tenant.tenantId, interview, w.tenant.employees.manager.id);
  });

  const newCard = (interviewerId: string, extra = sql``) =>
    sql<{ id: string }>`insert into scorecards (tenant_id, interview_id, interviewer_id) values (${w.tenant.tenantId}, ${interview}, ${interviewerId}) ${extra} returning id`
      .execute(t.db)
      .then((r) => r.rows[0]!.id);

  it('refuses a scorecard from someone who is not on the panel (foreign key)', async () => {
    await expect(newCard(w.tenant.employees.hr.id)).rejects.toMatchObject({ code: '23503', constraint: 'scorecards_interview_id_interviewer_id_fkey' });
  });

  it('holds one scorecard per interviewer per interview', async () => {
    await newCard(w.tenant.employees.interviewer.id);
    await expect(newCard(w.tenant.employees.interviewer.id)).rejects.toMatchObject({ code: '23505', constraint: 'scorecards_interview_id_interviewer_id_key' });
  });

  it('requires a recommendation and submitted_at to submit', async () => {
    const id = await newCard(w.tenant.employees.manager.id);
    await expect(sql`update scorecards set status = 'submitted', submitted_at = now() where id = ${id}`.execute(t.db)).rejects.toMatchObject({
      code: '23514',
      table: 'scorecards',
    });
    await expect(sql`update scorecards set status = 'submitted', recommendation = 'yes' where id = ${id}`.execute(t.db)).rejects.toMatchObject({
      code: '23514',
      table: 'scorecards',
    });
    await expect(sql`update scorecards set recommendation = 'maybe' where id = ${id}`.execute(t.db)).rejects.toMatchObject({ code: '23514' });
    await sql`update scorecards set status = 'submitted', recommendation = 'yes', submitted_at = now() where id = ${id}`.execute(t.db);
  });

  it('requires a rating level 1..4 and evidence (a note or transcript segments), against the interview’s own model', async () => {
    const card = (await sql<{ id: string }>`select id from scorecards where interview_id = ${interview} and interviewer_id = ${w.tenant.employees.interviewer.id}`.execute(t.db))
      .rows[0]!.id;
    const rate = (competencyId: string, level: number, note: string, segments: string[] = []) =>
      sql`insert into scorecard_ratings (tenant_id, scorecard_id, competency_id, level, note, evidence_segment_ids)
          values (${w.tenant.tenantId}, ${card}, ${competencyId}, ${level}, ${note}, ${segments}::uuid[])`.execute(t.db);
    const [c1, c2] = w.competencyIds;
    await expect(rate(c1!, 0, '有例子')).rejects.toMatchObject({ code: '23514', table: 'scorecard_ratings' });
    await expect(rate(c1!, 5, '有例子')).rejects.toMatchObject({ code: '23514', table: 'scorecard_ratings' });
    await expect(rate(c1!, 3, '   ')).rejects.toMatchObject({ code: '23514', table: 'scorecard_ratings' });
    await rate(c1!, 4, '讲清了取舍');
    await consentToTranscription(interview);
    const segment = await sql<{ id: string }>`
      insert into transcript_segments (tenant_id, interview_id, seq, started_ms, ended_ms, text)
      values (${w.tenant.tenantId}, ${interview}, 0, 0, 5000, '我们把延迟降了一半') returning id`.execute(t.db);
    await rate(c2!, 1, '', [segment.rows[0]!.id]);

    // A competency of a later version of the same job's model is not what this interview is scored against.
    const v2 = await publishCompetencyModel(ctx, w.tenant.employees.hr.principal, w.jobId, competencyModelInput([100]));
    await sql`delete from scorecard_ratings where scorecard_id = ${card}`.execute(t.db);
    await expect(rate(v2.competencies[0]!.id, 3, '好')).rejects.toMatchObject({ code: '23503', constraint: 'scorecard_ratings_competency_in_model' });
  });

  it('keeps scorecard_revisions append-only', async () => {
    const card = (await sql<{ id: string }>`select id from scorecards where interview_id = ${interview} and interviewer_id = ${w.tenant.employees.manager.id}`.execute(t.db))
      .rows[0]!.id;
    await sql`insert into scorecard_revisions (scorecard_id, version, snapshot) values (${card}, 1, ${JSON.stringify({ recommendation: 'yes' })}::jsonb)`.execute(t.db);
    await expect(sql`update scorecard_revisions set snapshot = '{}' where scorecard_id = ${card}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
    await expect(sql`delete from scorecard_revisions where scorecard_id = ${card}`.execute(t.db)).rejects.toMatchObject({ code: 'HB001' });
  });
});

describe('surveys and consents', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it('keeps a survey score within 0..10 and needs one to be answered', async () => {
    const survey = (interviewId: string, score: number | null, status = 'answered') =>
      sql`insert into surveys (tenant_id, interview_id, status, send_at, answered_at, score)
          values (${w.tenant.tenantId}, ${interviewId}, ${status}, now(), now(), ${score})`.execute(t.db);
    const i1 = await insertInterview(w, { status: 'completed' });
    await expect(survey(i1, -1)).rejects.toMatchObject({ code: '23514', table: 'surveys' });
    await expect(survey(i1, 11)).rejects.toMatchObject({ code: '23514', table: 'surveys' });
    await expect(survey(i1, null)).rejects.toMatchObject({ code: '23514', table: 'surveys' });
    await survey(i1, 0);
    const i2 = await insertInterview(w, { roundId: w.roundIds[1], status: 'completed' });
    await survey(i2, 10);
  });

  const consent = (purpose: string, givenAt = at('2026-11-01T00:00:00Z'), withdrawnAt: Date | null = null) =>
    sql<{ id: string }>`insert into consents (tenant_id, candidate_id, purpose, notice_version, channel, given_at, withdrawn_at)
        values (${w.tenant.tenantId}, ${w.candidateId}, ${purpose}, 'v1', 'miniapp', ${givenAt}, ${withdrawnAt}) returning id`
      .execute(t.db)
      .then((r) => r.rows[0]!.id);

  it('keeps one active consent per candidate and purpose, and accepts a new one after withdrawal', async () => {
    const first = await consent('interview_recording');
    await expect(consent('interview_recording')).rejects.toMatchObject({ code: '23505', constraint: 'consents_one_active_per_purpose' });
    await consent('transcription');
    await sql`update consents set withdrawn_at = ${at('2026-11-02T00:00:00Z')} where id = ${first}`.execute(t.db);
    await consent('interview_recording', at('2026-11-03T00:00:00Z'));
  });

  it('refuses a withdrawal before the consent was given', async () => {
    await expect(consent('talent_pool', at('2026-11-05T00:00:00Z'), at('2026-11-04T23:59:59Z'))).rejects.toMatchObject({ code: '23514', table: 'consents' });
    await consent('talent_pool', at('2026-11-05T00:00:00Z'), at('2026-11-05T00:00:00Z'));
  });
});

describe('audit events', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  const anEvent = () =>
    t.db
      .insertInto('audit_events')
      .values({ tenant_id: w.tenant.tenantId, actor: 'system:test', action: 'test.event', object_type: 'test', details: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow()
      .then((r) => r.id);

  it('refuses UPDATE, even of the tenant alone while the tenant exists', async () => {
    const id = await anEvent();
    const error = await rejection(t.db.updateTable('audit_events').set({ reason: '改写' }).where('id', '=', id).execute());
    expect(error).toMatchObject({ code: 'HB001' });
    expect(mapDatabaseError(error)).toMatchObject({ code: 'IMMUTABLE' });
    await expect(t.db.updateTable('audit_events').set({ tenant_id: null }).where('id', '=', id).execute()).rejects.toMatchObject({ code: 'HB001' });
  });

  it('refuses DELETE unless the purge switch is on in the transaction', async () => {
    const id = await anEvent();
    await expect(t.db.deleteFrom('audit_events').where('id', '=', id).execute()).rejects.toMatchObject({ code: 'HB001' });
    await t.db.transaction().execute(async (trx) => {
      await sql`set local hirebridge.purge = 'on'`.execute(trx);
      await trx.deleteFrom('audit_events').where('id', '=', id).execute();
    });
    expect(await t.db.selectFrom('audit_events').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('lets the purge delete a whole tenant, keeping its audit trail detached from it', async () => {
    const gone = await world();
    const events = await t.db.selectFrom('audit_events').select('id').where('tenant_id', '=', gone.tenant.tenantId).execute();
    expect(events.length).toBeGreaterThan(0);
    // Without the switch its immutable history stops the delete.
    await expect(t.db.deleteFrom('tenants').where('id', '=', gone.tenant.tenantId).execute()).rejects.toMatchObject({ code: 'HB001' });
    await t.db.transaction().execute(async (trx) => {
      await sql`set local hirebridge.purge = 'on'`.execute(trx);
      await trx.deleteFrom('applications').where('tenant_id', '=', gone.tenant.tenantId).execute();
      await trx.deleteFrom('tenants').where('id', '=', gone.tenant.tenantId).execute();
    });
    const kept = await t.db
      .selectFrom('audit_events')
      .select(['id', 'tenant_id'])
      .where(
        'id',
        'in',
        events.map((e) => e.id),
      )
      .execute();
    expect(kept).toHaveLength(events.length);
    expect(kept.every((e) => e.tenant_id === null)).toBe(true);
  });
});

describe('retention defaults', () => {
  it('gives a new tenant raw_audio 30, rejected_candidate_data 180, audit_events 1095 and transcripts 365 days', async () => {
    const tenant = await createTenant(t.db);
    const rows = await t.db.selectFrom('retention_policies').select(['data_class', 'retain_days']).where('tenant_id', '=', tenant.tenantId).execute();
    expect(Object.fromEntries(rows.map((r) => [r.data_class, r.retain_days]))).toEqual({
      raw_audio: 30,
      rejected_candidate_data: 180,
      audit_events: 1095,
      transcripts: 365,
    });
  });
});

describe('reminders', () => {
  let w: World;
  let interview: string;
  beforeAll(async () => {
    w = await world();
    interview = await insertInterview(w);
  });

  const remind = (kind: string, audience: string, recipient: string | null, extra: { status?: string; sentAt?: Date; skipReason?: string } = {}) =>
    sql`insert into reminders (tenant_id, interview_id, kind, audience, recipient_employee_id, due_at, status, sent_at, skip_reason)
        values (${w.tenant.tenantId}, ${interview}, ${kind}, ${audience}, ${recipient}, ${at('2026-11-30T02:00:00Z')},
                ${extra.status ?? 'pending'}, ${extra.sentAt ?? null}, ${extra.skipReason ?? null})`.execute(t.db);

  it('keeps one reminder per interview, kind and recipient (the candidate included)', async () => {
    const interviewer = w.tenant.employees.interviewer.id;
    await remind('t-24h', 'panelist', interviewer);
    await expect(remind('t-24h', 'panelist', interviewer)).rejects.toMatchObject({ code: '23505', constraint: 'reminders_once_per_recipient' });
    await remind('t-24h', 'panelist', w.tenant.employees.manager.id);
    await remind('t-1h', 'panelist', interviewer);
    await remind('t-24h', 'candidate', null);
    await expect(remind('t-24h', 'candidate', null)).rejects.toMatchObject({ code: '23505', constraint: 'reminders_once_per_recipient' });
  });

  it('requires a recipient exactly for employee audiences', async () => {
    await expect(remind('x1', 'candidate', w.tenant.employees.hr.id)).rejects.toMatchObject({ code: '23514', table: 'reminders' });
    await expect(remind('x2', 'hr', null)).rejects.toMatchObject({ code: '23514', table: 'reminders' });
  });

  it('requires a skip_reason to skip and sent_at to be sent', async () => {
    await expect(remind('s1', 'hr', w.tenant.employees.hr.id, { status: 'skipped' })).rejects.toMatchObject({ code: '23514', table: 'reminders' });
    await remind('s1', 'hr', w.tenant.employees.hr.id, { status: 'skipped', skipReason: 'interview_cancelled' });
    await expect(remind('s2', 'hr', w.tenant.employees.hr.id, { status: 'sent' })).rejects.toMatchObject({ code: '23514', table: 'reminders' });
    await remind('s2', 'hr', w.tenant.employees.hr.id, { status: 'sent', sentAt: at('2026-11-30T02:00:05Z') });
  });

  it('has the partial index on due_at of pending reminders', async () => {
    const r = await sql<{ indexdef: string }>`select indexdef from pg_indexes where tablename = 'reminders' and indexname = 'reminders_due_idx'`.execute(t.db);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.indexdef).toMatch(/\(due_at\) WHERE \(status = 'pending'::text\)/);
  });
});

describe('database errors as application errors', () => {
  it('maps a cross-tenant foreign key to NOT_FOUND, an exclusion to BOOKING_CONFLICT and HB001 to IMMUTABLE', async () => {
    const a = await world();
    const b = await world();
    const fk = await rejection(
      t.db.insertInto('jobs').values({ tenant_id: a.tenant.tenantId, department_id: b.tenant.departmentId, title: '越界' }).execute(),
    );
    const mappedFk = mapDatabaseError(fk);
    expect(mappedFk).toBeInstanceOf(AppError);
    expect(mappedFk).toMatchObject({ code: 'NOT_FOUND' });
    // The message does not reveal that the id exists in another tenant.
    expect((mappedFk as AppError).message).not.toContain(b.tenant.departmentId);

    const interview = await insertInterview(a, { status: 'draft', startsAt: null, endsAt: null });
    await book(a, interview, { roomId: a.roomId }, range('2026-12-20T02:00:00Z', '2026-12-20T03:00:00Z'));
    const exclusion = await rejection(book(a, interview, { roomId: a.roomId }, range('2026-12-20T02:00:00Z', '2026-12-20T03:00:00Z')));
    expect(mapDatabaseError(exclusion)).toMatchObject({ code: 'BOOKING_CONFLICT' });

    const immutable = await rejection(sql`update competency_models set note = 'x' where id = ${a.modelId}`.execute(t.db));
    expect(mapDatabaseError(immutable)).toMatchObject({ code: 'IMMUTABLE' });
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/src/ports/clock';
import { kfMenuClickHandler } from '../../server/src/features/interviews/chat-replies';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * Scheduling at a fixed time, on real PostgreSQL: one transaction books the panel (never twice, also under a race),
 * writes the schedule's first version, queues reminders, the calendar event, the panel's cards and the candidate's
 * invitation; the candidate confirms or declines inside the job's policy; HR cancels.
 */
const clock = fixedClock('2026-11-23T02:00:00Z');
const month = 30 * 86_400_000;

let db: TestDatabase;
let api: TestApp;
let acme: TenantFixture;
let hr: string;
let jobId: string;
let roundId: string;
let n = 0;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function application(): Promise<{ applicationId: string; candidateId: string }> {
  const candidate = await api.http.post('/api/candidates').set(auth(hr)).send({ name: `候选人${++n}`, phone: `1390000${String(n).padStart(4, '0')}` }).expect(201);
  const app = await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId }).expect(201);
  return { applicationId: app.body.id, candidateId: candidate.body.id };
}

const schedule = (applicationId: string, startsAt: string, panel = [acme.employees.interviewer.id]) =>
  api.http.post(`/api/applications/${applicationId}/interviews`).set(auth(hr)).send({ roundId, startsAt, location: '星河大厦 12 层 1205', panel: panel.map((employeeId) => ({ employeeId })) });

async function candidateToken(invitationUrl: string): Promise<string> {
  const token = new URL(invitationUrl.replace('#', '')).searchParams.get('token')!;
  return (await api.http.post('/api/auth/invitation').send({ token }).expect(200)).body.token as string;
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { clock });
  acme = await createTenant(db.db);
  hr = await signIn(db.db, acme, acme.employees.hr.id, month);
  const job = await api.http.post('/api/jobs').set(auth(hr)).send({ title: '后端工程师', departmentId: acme.departmentId, rounds: [{ name: '技术一面', durationMinutes: 60 }] }).expect(201);
  jobId = job.body.id;
  roundId = job.body.rounds[0].id;
  await api.http.put(`/api/jobs/${jobId}/competency-model`).set(auth(hr)).send(competencyModelInput()).expect(201);
  await api.http.post(`/api/jobs/${jobId}/status`).set(auth(hr)).send({ status: 'open' }).expect(200);
});
afterAll(async () => {
  await db?.drop();
});

describe('scheduling at a fixed time', () => {
  it('writes the interview, panel, bookings, first schedule version, reminders and every message in one go', async () => {
    const { applicationId, candidateId } = await application();
    const answer = await schedule(applicationId, '2026-11-25T02:00:00Z').expect(201);
    expect(answer.body).toMatchObject({ status: 'scheduled', startsAt: '2026-11-25T02:00:00.000Z', endsAt: '2026-11-25T03:00:00.000Z', scheduleVersion: 1 });
    expect(answer.body.invitationUrl).toMatch(/\/h5\/#\/pages\/invite\/index\?token=[A-Za-z0-9_-]{43}$/);
    const id = answer.body.id as string;

    const bookings = await sql<{ employee_id: string }>`select employee_id from bookings where interview_id = ${id}`.execute(db.db);
    expect(bookings.rows.map((b) => b.employee_id)).toEqual([acme.employees.interviewer.id]);
    const versions = await sql<{ version: number; changed_by: string }>`select version, changed_by from interview_schedule_versions where interview_id = ${id}`.execute(db.db);
    expect(versions.rows).toEqual([{ version: 1, changed_by: `employee:${acme.employees.hr.id}` }]);
    const reminders = await sql<{ kind: string; due_at: Date }>`select kind, due_at from reminders where interview_id = ${id} order by due_at, kind`.execute(db.db);
    expect(reminders.rows.map((r) => [r.kind, r.due_at.toISOString()])).toEqual([
      ['candidate_t24h', '2026-11-24T02:00:00.000Z'],
      ['unconfirmed_t24h', '2026-11-24T02:00:00.000Z'],
      ['candidate_t2h', '2026-11-25T00:00:00.000Z'],
      ['panel_t30m', '2026-11-25T01:30:00.000Z'],
    ]);
    const outbox = await db.db.selectFrom('outbox').select(['channel', 'recipient', 'payload']).where('tenant_id', '=', acme.tenantId).where('idempotency_key', 'like', `%${id}%`).execute();
    expect(outbox.map((o) => o.channel).sort()).toEqual(['calendar_sync', 'candidate_message', 'employee_chat']);
    const invite = outbox.find((o) => o.channel === 'candidate_message')!;
    expect(invite.recipient).toBe(candidateId);
    expect(invite.payload).toMatchObject({ message: { kind: 'choices', choices: [{ label: '确认参加' }, { label: '改个时间' }, { label: '婉拒' }] } });
    expect(JSON.stringify(invite.payload)).toContain('11月25日（周三）10:00–11:00');
    const card = outbox.find((o) => o.channel === 'employee_chat')!;
    expect(card.payload).toMatchObject({ message: { kind: 'card', title: '面试安排：后端工程师·技术一面' } });
    expect((await api.http.get(`/api/applications/${applicationId}`).set(auth(hr)).expect(200)).body.stage).toBe('interviewing');
  });

  it('never books a panelist twice: an overlapping interview is refused and leaves nothing behind, also when two race', async () => {
    const first = await application();
    await schedule(first.applicationId, '2026-11-26T02:00:00Z').expect(201);
    const second = await application();
    const refused = await schedule(second.applicationId, '2026-11-26T02:30:00Z').expect(409);
    expect(refused.body.code).toBe('BOOKING_CONFLICT');
    expect(await db.db.selectFrom('interviews').select('id').where('application_id', '=', second.applicationId).execute()).toHaveLength(0);
    expect(await db.db.selectFrom('outbox').select('id').where('payload', '@>', JSON.stringify({ message: { kind: 'choices' } }) as never).where('recipient', '=', second.candidateId).execute()).toHaveLength(0);

    const racers = await Promise.all([application(), application(), application()]);
    const answers = await Promise.all(racers.map((r) => schedule(r.applicationId, '2026-11-27T06:00:00Z')));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
  });

  it('refuses a time in the past, a round of another job and someone who left', async () => {
    const { applicationId } = await application();
    expect((await schedule(applicationId, '2026-11-22T02:00:00Z').expect(400)).body.issues[0].path).toBe('body.startsAt');
    await api.http.post(`/api/applications/${applicationId}/interviews`).set(auth(hr)).send({ roundId: acme.tenantId, startsAt: '2026-11-28T02:00:00Z', panel: [{ employeeId: acme.employees.interviewer.id }] }).expect(404);
    await db.db.updateTable('employees').set({ status: 'left' }).where('id', '=', acme.employees.manager.id).execute();
    expect((await schedule(applicationId, '2026-11-28T02:00:00Z', [acme.employees.manager.id]).expect(400)).body.issues[0].path).toBe('body.panel.0.employeeId');
    await db.db.updateTable('employees').set({ status: 'active' }).where('id', '=', acme.employees.manager.id).execute();
  });
});

describe('the candidate answers', () => {
  it('confirms through the invitation link, once; the panel is told', async () => {
    const { applicationId } = await application();
    const scheduled = await schedule(applicationId, '2026-11-29T02:00:00Z').expect(201);
    const candidate = await candidateToken(scheduled.body.invitationUrl);
    const mine = await api.http.get(`/api/candidate/interviews/${scheduled.body.id}`).set(auth(candidate)).expect(200);
    expect(mine.body).toMatchObject({ jobTitle: '后端工程师', roundName: '技术一面', status: 'scheduled', panelTitles: ['面试官'] });
    expect(JSON.stringify(mine.body)).not.toContain(acme.employees.interviewer.id);
    const confirmed = await api.http.post(`/api/candidate/interviews/${scheduled.body.id}/confirm`).set(auth(candidate)).expect(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', confirmedAt: '2026-11-23T02:00:00.000Z' });
    await api.http.post(`/api/candidate/interviews/${scheduled.body.id}/confirm`).set(auth(candidate)).expect(200);
    const told = await db.db.selectFrom('outbox').select('payload').where('idempotency_key', 'like', `chat:interview:${scheduled.body.id}:v1:confirmed:%`).execute();
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]!.payload)).toContain('已确认参加');
  });

  it('declines inside the policy (bookings, reminders and calendar released), and is sent to HR too close to the start', async () => {
    const early = await application();
    const a = await schedule(early.applicationId, '2026-11-30T02:00:00Z').expect(201);
    const candidate = await candidateToken(a.body.invitationUrl);
    await api.http.post(`/api/candidate/interviews/${a.body.id}/decline`).set(auth(candidate)).send({ reason: '已接受其他机会' }).expect(200);
    expect(await db.db.selectFrom('bookings').select('id').where('interview_id', '=', a.body.id).execute()).toHaveLength(0);
    const states = await sql<{ status: string }>`select distinct status from reminders where interview_id = ${a.body.id}`.execute(db.db);
    expect(states.rows).toEqual([{ status: 'cancelled' }]);
    // The slot is free again for the same interviewer.
    const next = await application();
    await schedule(next.applicationId, '2026-11-30T02:00:00Z').expect(201);

    const late = await application();
    const b = await schedule(late.applicationId, '2026-11-23T05:00:00Z').expect(201);
    const lateCandidate = await candidateToken(b.body.invitationUrl);
    const closed = await api.http.post(`/api/candidate/interviews/${b.body.id}/decline`).set(auth(lateCandidate)).send({ reason: '临时有事' }).expect(409);
    expect(closed.body).toMatchObject({ code: 'SELF_SERVICE_CLOSED' });
    expect(closed.body.message).toMatch(/^距离面试开始已不足 4 小时，请直接联系 HR。/);
    // HR can still cancel; the candidate is told.
    await api.http.post(`/api/interviews/${b.body.id}/cancel`).set(auth(hr)).send({ reason: '候选人临时有事' }).expect(200);
    const told = await db.db.selectFrom('outbox').select('payload').where('idempotency_key', '=', `interview:${b.body.id}:cancelled`).executeTakeFirstOrThrow();
    expect(JSON.stringify(told.payload)).toContain('已取消');
  });

  it('cannot answer for someone else’s interview', async () => {
    const mine = await application();
    const theirs = await application();
    const a = await schedule(mine.applicationId, '2026-12-01T02:00:00Z').expect(201);
    const b = await schedule(theirs.applicationId, '2026-12-01T06:00:00Z').expect(201);
    const candidate = await candidateToken(a.body.invitationUrl);
    await api.http.post(`/api/candidate/interviews/${b.body.id}/confirm`).set(auth(candidate)).expect(404);
    await api.http.post(`/api/candidate/interviews/${b.body.id}/decline`).set(auth(candidate)).send({ reason: 'x' }).expect(404);
  });
});

describe('answers by 微信客服 menu', () => {
  const tap = (tenantId: string, candidateId: string | null, menuId: string, msgid: string) =>
    kfMenuClickHandler(
      { id: msgid, tenantId, appId: tenantId, dedupeKey: `kf:${msgid}`, kind: 'kf.menu_click', payload: { candidateId, menuId, msgid, externalUserId: 'wm-x', content: '确认参加', origin: 3 }, attempts: 1, receivedAt: clock.now() },
      db.features(clock),
    );
  const replies = async (candidateId: string) =>
    (await db.db.selectFrom('outbox').select('payload').where('recipient', '=', candidateId).where('idempotency_key', 'like', 'kf-reply:%').orderBy('seq').execute()).map((o) => (o.payload as { message: { text: string } }).message.text);

  it('confirms and declines as the candidate bound to that WeChat user, and answers in the chat', async () => {
    const one = await application();
    const a = await schedule(one.applicationId, '2026-12-03T02:00:00Z').expect(201);
    await tap(acme.tenantId, one.candidateId, `interview:${a.body.id}:confirm`, 'msg-confirm-1');
    expect((await db.db.selectFrom('interviews').select('status').where('id', '=', a.body.id).executeTakeFirstOrThrow()).status).toBe('confirmed');
    await tap(acme.tenantId, one.candidateId, `interview:${a.body.id}:reschedule`, 'msg-resched-1');
    await tap(acme.tenantId, one.candidateId, `interview:${a.body.id}:decline`, 'msg-decline-1');
    expect((await db.db.selectFrom('interviews').select(['status', 'decline_reason']).where('id', '=', a.body.id).executeTakeFirstOrThrow())).toEqual({ status: 'declined', decline_reason: '候选人在微信客服中婉拒' });
    expect(await replies(one.candidateId)).toEqual([
      '已为您确认参加，期待与您见面！面试前我们会再提醒您。',
      '好的，请回复您方便的时间，例如“改到周四下午”或“下周二上午十点”，HR 会尽快为您安排。',
      '已为您取消这场面试。感谢您的时间，如方便可回复婉拒原因，帮助我们改进。',
    ]);
  });

  it('never acts for another candidate, and explains instead of acting when self-service is closed', async () => {
    const mine = await application();
    const theirs = await application();
    const b = await schedule(theirs.applicationId, '2026-12-03T06:00:00Z').expect(201);
    await tap(acme.tenantId, mine.candidateId, `interview:${b.body.id}:decline`, 'msg-foreign-1');
    expect((await db.db.selectFrom('interviews').select('status').where('id', '=', b.body.id).executeTakeFirstOrThrow()).status).toBe('scheduled');
    expect(await replies(mine.candidateId)).toEqual(['没有找到这场面试，请联系 HR。']);
    // An unbound WeChat user changes nothing and gets nothing.
    await tap(acme.tenantId, null, `interview:${b.body.id}:decline`, 'msg-unbound-1');
    expect((await db.db.selectFrom('interviews').select('status').where('id', '=', b.body.id).executeTakeFirstOrThrow()).status).toBe('scheduled');

    const soon = await application();
    const c = await schedule(soon.applicationId, '2026-11-23T04:00:00Z').expect(201);
    await tap(acme.tenantId, soon.candidateId, `interview:${c.body.id}:decline`, 'msg-late-1');
    expect(await replies(soon.candidateId)).toEqual(['距离面试开始已不足 4 小时，请直接联系 HR。']);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/src/ports/clock';
import { kfMenuClickHandler, kfTextHandler } from '../../server/src/features/interviews/chat-replies';
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
      ['survey', '2026-11-25T05:00:00.000Z'],
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

describe('rescheduling', () => {
  it('offers times when the whole panel is free (with buffers), in working hours on workdays only', async () => {
    const { applicationId } = await application();
    // 2026-12-07 is a Monday; the interviewer is busy 10:00–11:00 Beijing time with another interview.
    const other = await application();
    await schedule(other.applicationId, '2026-12-07T02:00:00Z').expect(201);
    const a = await schedule(applicationId, '2026-12-04T02:00:00Z').expect(201);
    const candidate = await candidateToken(a.body.invitationUrl);
    const slots = await api.http.get(`/api/candidate/interviews/${a.body.id}/slots`).set(auth(candidate)).query({ from: '2026-12-07T00:00:00Z' }).expect(200);
    const starts = slots.body.items.map((i: { startsAt: string }) => i.startsAt);
    // 10:00–11:00 Beijing is taken; with 15-minute buffers nothing else fits the morning (09:30–12:00), so the
    // first offer is 13:30.
    for (const taken of ['01:30', '02:00', '02:30', '03:00', '03:30']) expect(starts).not.toContain(`2026-12-07T${taken}:00.000Z`);
    expect(starts[0]).toBe('2026-12-07T05:30:00.000Z');
    // Saturday 12-12 is not a workday.
    expect(starts.some((t: string) => t.startsWith('2026-12-12'))).toBe(false);
    expect(slots.body.items[0].label).toMatch(/^12月7日（周一）13:30–14:30$/);
  });

  it('moves the interview to an offered time within the policy: bookings, version, reminders and messages follow', async () => {
    const { applicationId, candidateId } = await application();
    const a = await schedule(applicationId, '2026-12-08T02:00:00Z').expect(201);
    const candidate = await candidateToken(a.body.invitationUrl);
    const refused = await api.http.post(`/api/candidate/interviews/${a.body.id}/reschedule`).set(auth(candidate)).send({ startsAt: '2026-12-12T02:00:00Z', reason: '出差' }).expect(409);
    expect(refused.body).toMatchObject({ code: 'SLOT_UNAVAILABLE' });
    expect(refused.body.issues[0].message).toMatch(/周末|周六/);
    await api.http.post(`/api/candidate/interviews/${a.body.id}/reschedule`).set(auth(candidate)).send({ startsAt: '2026-12-09T06:00:00Z' }).expect(400);
    const moved = await api.http.post(`/api/candidate/interviews/${a.body.id}/reschedule`).set(auth(candidate)).send({ startsAt: '2026-12-09T06:00:00Z', reason: '那天要出差' }).expect(200);
    expect(moved.body).toMatchObject({ status: 'confirmed', startsAt: '2026-12-09T06:00:00.000Z', endsAt: '2026-12-09T07:00:00.000Z', scheduleVersion: 2 });
    const during = await sql<{ lo: Date; hi: Date }>`select lower(during) as lo, upper(during) as hi from bookings where interview_id = ${a.body.id}`.execute(db.db);
    expect(during.rows).toEqual([{ lo: new Date('2026-12-09T06:00:00Z'), hi: new Date('2026-12-09T07:00:00Z') }]);
    const versions = await sql<{ version: number; changed_by: string; reason: string | null }>`select version, changed_by, reason from interview_schedule_versions where interview_id = ${a.body.id} order by version`.execute(db.db);
    expect(versions.rows).toEqual([
      { version: 1, changed_by: `employee:${acme.employees.hr.id}`, reason: null },
      { version: 2, changed_by: `candidate:${candidateId}`, reason: '那天要出差' },
    ]);
    const due = await sql<{ kind: string; due_at: Date; status: string }>`select kind, due_at, status from reminders where interview_id = ${a.body.id} and kind = 'candidate_t2h'`.execute(db.db);
    expect(due.rows).toEqual([{ kind: 'candidate_t2h', due_at: new Date('2026-12-09T04:00:00Z'), status: 'pending' }]);
    const card = await db.db.selectFrom('outbox').select('payload').where('idempotency_key', 'like', `chat:interview:${a.body.id}:v2:panel:%`).executeTakeFirstOrThrow();
    expect(JSON.stringify(card.payload)).toContain('面试改期');
    // The old time is free again; the new one is taken.
    const other = await application();
    await schedule(other.applicationId, '2026-12-08T02:00:00Z').expect(201);
    expect((await schedule((await application()).applicationId, '2026-12-09T06:30:00Z').expect(409)).body.code).toBe('BOOKING_CONFLICT');
  });

  it('closes self-service at the reschedule limit and near the start; HR can still move it and the candidate confirms again', async () => {
    const { applicationId } = await application();
    const a = await schedule(applicationId, '2026-12-10T02:00:00Z').expect(201);
    const candidate = await candidateToken(a.body.invitationUrl);
    await api.http.post(`/api/candidate/interviews/${a.body.id}/reschedule`).set(auth(candidate)).send({ startsAt: '2026-12-10T06:00:00Z', reason: '冲突' }).expect(200);
    await api.http.post(`/api/candidate/interviews/${a.body.id}/reschedule`).set(auth(candidate)).send({ startsAt: '2026-12-10T07:00:00Z', reason: '又冲突' }).expect(200);
    const limit = await api.http.post(`/api/candidate/interviews/${a.body.id}/reschedule`).set(auth(candidate)).send({ startsAt: '2026-12-11T02:00:00Z', reason: '再改' }).expect(409);
    expect(limit.body).toMatchObject({ code: 'SELF_SERVICE_CLOSED' });
    expect(limit.body.message).toMatch(/^已改期 2 次，达到上限，请联系 HR。/);
    const byHr = await api.http.post(`/api/interviews/${a.body.id}/reschedule`).set(auth(hr)).send({ startsAt: '2026-12-11T02:00:00Z', reason: '候选人来电改期' }).expect(200);
    expect(byHr.body).toMatchObject({ status: 'scheduled', scheduleVersion: 4 });
    const ask = await db.db.selectFrom('outbox').select('payload').where('idempotency_key', '=', `interview:${a.body.id}:v4:candidate`).executeTakeFirstOrThrow();
    expect(ask.payload).toMatchObject({ message: { kind: 'choices' } });

    const soon = await application();
    const b = await schedule(soon.applicationId, '2026-11-23T08:00:00Z').expect(201);
    const late = await candidateToken(b.body.invitationUrl);
    expect((await api.http.post(`/api/candidate/interviews/${b.body.id}/reschedule`).set(auth(late)).send({ startsAt: '2026-12-14T02:00:00Z', reason: '有事' }).expect(409)).body.code).toBe('SELF_SERVICE_CLOSED');
  });
});

describe('calendar file', () => {
  it('gives a candidate in Berlin an .ics in their zone (TZID, VTIMEZONE), replacing the old copy after a reschedule', async () => {
    const candidate = await api.http.post('/api/candidates').set(auth(hr)).send({ name: 'Anna Müller', timeZone: 'Europe/Berlin' }).expect(201);
    const app = await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId }).expect(201);
    const a = await schedule(app.body.id, '2026-12-15T08:00:00Z').expect(201);
    const token = await candidateToken(a.body.invitationUrl);
    const view = await api.http.get(`/api/candidate/interviews/${a.body.id}`).set(auth(token)).expect(200);
    expect(view.body).toMatchObject({ timeZone: 'Europe/Berlin', timeLabel: '12月15日（周二）09:00–10:00（北京时间 16:00–17:00）', checkedInAt: null });
    expect(view.body.bring.length).toBeGreaterThan(0);
    const mine = await api.http.get('/api/candidate/interviews').set(auth(token)).expect(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([a.body.id]);
    const ics = await api.http.get(`/api/candidate/interviews/${a.body.id}/calendar.ics`).set(auth(token)).expect(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    expect(ics.headers['content-disposition']).toMatch(/attachment; filename="interview-.*\.ics"/);
    expect(ics.text).toContain('DTSTART;TZID=Europe/Berlin:20261215T090000');
    expect(ics.text).toContain('BEGIN:VTIMEZONE');
    expect(ics.text).toContain('SEQUENCE:1');
    expect(ics.text).toMatch(/SUMMARY:面试：后端工程师·技术一面/);
    await api.http.post(`/api/interviews/${a.body.id}/reschedule`).set(auth(hr)).send({ startsAt: '2026-12-16T08:00:00Z', reason: '面试官出差' }).expect(200);
    const again = await api.http.get(`/api/candidate/interviews/${a.body.id}/calendar.ics`).set(auth(token)).expect(200);
    expect(again.text).toContain('DTSTART;TZID=Europe/Berlin:20261216T090000');
    expect(again.text).toContain('SEQUENCE:2');
    expect(again.text.match(/UID:(.*)/)?.[1]).toBe(ics.text.match(/UID:(.*)/)?.[1]);
  });
});

describe('on the day', () => {
  it('checks a candidate in with the reception code of that site and day, and tells the panel', async () => {
    const room = await db.db.insertInto('rooms').values({ tenant_id: acme.tenantId, name: '1205 会议室', site: '星河大厦' }).returning('id').executeTakeFirstOrThrow();
    const { applicationId } = await application();
    const a = await api.http
      .post(`/api/applications/${applicationId}/interviews`)
      .set(auth(hr))
      .send({ roundId, startsAt: '2026-11-23T07:00:00Z', location: '星河大厦 12 层', roomId: room.id, panel: [{ employeeId: acme.employees.manager.id }] })
      .expect(201);
    const candidate = await candidateToken(a.body.invitationUrl);
    const code = await api.http.get('/api/check-in/code').set(auth(hr)).query({ site: '星河大厦', date: '2026-11-23' }).expect(200);
    expect(code.body.url).toContain(`/h5/#/pages/checkin/index?code=${code.body.code}`);
    expect((await api.http.get('/api/check-in/code').set(auth(hr)).query({ site: '星河大厦', date: '2026-11-23' }).expect(200)).body.code).toBe(code.body.code);
    const otherSite = await api.http.get('/api/check-in/code').set(auth(hr)).query({ site: '科技园分部', date: '2026-11-23' }).expect(200);
    const tomorrow = await api.http.get('/api/check-in/code').set(auth(hr)).query({ site: '星河大厦', date: '2026-11-24' }).expect(200);

    await api.http.post('/api/candidate/check-in').set(auth(candidate)).send({ code: otherSite.body.code }).expect(404);
    expect((await api.http.post('/api/candidate/check-in').set(auth(candidate)).send({ code: tomorrow.body.code }).expect(404)).body.message).toMatch(/^签到码无效或不是今天的/);
    const done = await api.http.post('/api/candidate/check-in').set(auth(candidate)).send({ code: code.body.code }).expect(200);
    expect(done.body).toEqual({ interviewId: a.body.id, status: 'checked_in' });
    await api.http.post('/api/candidate/check-in').set(auth(candidate)).send({ code: code.body.code }).expect(200);
    const told = await db.db.selectFrom('outbox').select('payload').where('idempotency_key', 'like', `chat:interview:${a.body.id}:checked_in:%`).execute();
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]!.payload)).toContain('已到达前台签到');
  });

  it('marks a no-show after the start: time released, one rebook offer, and HR decides after a second', async () => {
    const { applicationId } = await application();
    const first = await schedule(applicationId, '2026-11-23T03:00:00Z').expect(201);
    const interviewer = await signIn(db.db, acme, acme.employees.interviewer.id, month);
    expect((await api.http.post(`/api/interviews/${first.body.id}/no-show`).set(auth(interviewer)).expect(409)).body.message).toMatch(/^面试还没开始/);
    clock.set(new Date('2026-11-23T03:20:00Z'));
    await api.http.post(`/api/interviews/${first.body.id}/no-show`).set(auth(interviewer)).expect(200);
    expect(await db.db.selectFrom('bookings').select('id').where('interview_id', '=', first.body.id).execute()).toHaveLength(0);
    const offer = await db.db.selectFrom('outbox').select('payload').where('idempotency_key', '=', `interview:${first.body.id}:rebook_offer`).executeTakeFirstOrThrow();
    expect(offer.payload).toMatchObject({ message: { kind: 'choices', choices: [{ label: '重新预约' }, { label: '不再参加' }] } });
    const candidateId = (await db.db.selectFrom('applications').select('candidate_id').where('id', '=', applicationId).executeTakeFirstOrThrow()).candidate_id;
    await kfMenuClickHandler(
      { id: 'rebook-1', tenantId: acme.tenantId, appId: acme.tenantId, dedupeKey: 'kf:rebook-1', kind: 'kf.menu_click', payload: { candidateId, menuId: `interview:${first.body.id}:rebook`, msgid: 'rebook-1' }, attempts: 1, receivedAt: clock.now() },
      db.features(clock),
    );
    const ask = await db.db.selectFrom('outbox').select('payload').where('idempotency_key', '=', `chat:interview:${first.body.id}:rebook:hr`).executeTakeFirstOrThrow();
    expect(JSON.stringify(ask.payload)).toContain('希望重新预约');

    // The round is free for a second attempt; a second no-show goes to HR, with no rebook offer.
    const second = await schedule(applicationId, '2026-11-23T05:00:00Z').expect(201);
    clock.set(new Date('2026-11-23T05:20:00Z'));
    await api.http.post(`/api/interviews/${second.body.id}/no-show`).set(auth(hr)).expect(200);
    expect(await db.db.selectFrom('outbox').select('id').where('idempotency_key', '=', `interview:${second.body.id}:rebook_offer`).execute()).toHaveLength(0);
    const toHr = await db.db.selectFrom('outbox').select('payload').where('idempotency_key', '=', `chat:interview:${second.body.id}:no_show:hr`).executeTakeFirstOrThrow();
    expect(JSON.stringify(toHr.payload)).toContain('已第 2 次未到场');
    clock.set(new Date('2026-11-23T02:00:00Z'));
  });
});

describe('offered times', () => {
  const offer = (applicationId: string) =>
    api.http.post(`/api/applications/${applicationId}/interviews/offer`).set(auth(hr)).send({ roundId, location: '星河大厦 12 层', panel: [{ employeeId: acme.employees.manager.id }] });

  it('lets the candidate pick: a tapped time is held, the first to tap wins, and choosing books it as version 1', async () => {
    const one = await application();
    const two = await application();
    const a = await offer(one.applicationId).expect(201);
    const b = await offer(two.applicationId).expect(201);
    expect(a.body.status).toBe('awaiting_candidate');
    expect(await db.db.selectFrom('bookings').select('id').where('interview_id', '=', a.body.id).execute()).toHaveLength(0);
    const candA = await candidateToken(a.body.invitationUrl);
    const candB = await candidateToken(b.body.invitationUrl);
    const slots = await api.http.get(`/api/candidate/interviews/${a.body.id}/slots`).set(auth(candA)).query({ from: '2026-12-21T00:00:00Z' }).expect(200);
    const time = slots.body.items[0].startsAt as string;
    expect(time).toBe('2026-12-21T01:30:00.000Z');

    const held = await api.http.post(`/api/candidate/interviews/${a.body.id}/hold`).set(auth(candA)).send({ startsAt: time }).expect(200);
    expect(held.body.holdExpiresAt).toBe('2026-11-23T02:10:00.000Z');
    // The other candidate no longer sees that time, and cannot take it.
    const seenByB = await api.http.get(`/api/candidate/interviews/${b.body.id}/slots`).set(auth(candB)).query({ from: '2026-12-21T00:00:00Z' }).expect(200);
    expect(seenByB.body.items.map((i: { startsAt: string }) => i.startsAt)).not.toContain(time);
    expect((await api.http.post(`/api/candidate/interviews/${b.body.id}/hold`).set(auth(candB)).send({ startsAt: time }).expect(409)).body.code).toBe('SLOT_UNAVAILABLE');

    const chosen = await api.http.post(`/api/candidate/interviews/${a.body.id}/choose`).set(auth(candA)).send({ startsAt: time }).expect(200);
    expect(chosen.body).toMatchObject({ status: 'confirmed', scheduleVersion: 1, startsAt: time });
    const kinds = await sql<{ kind: string }>`select kind from bookings where interview_id = ${a.body.id}`.execute(db.db);
    expect(kinds.rows).toEqual([{ kind: 'booked' }]);
    await api.http.post(`/api/candidate/interviews/${a.body.id}/choose`).set(auth(candA)).send({ startsAt: time }).expect(409);
  });

  it('lets a hold lapse after ten minutes, and decides a race for one time by the database', async () => {
    const one = await application();
    const two = await application();
    const a = await offer(one.applicationId).expect(201);
    const b = await offer(two.applicationId).expect(201);
    const candA = await candidateToken(a.body.invitationUrl);
    const candB = await candidateToken(b.body.invitationUrl);
    await api.http.post(`/api/candidate/interviews/${a.body.id}/hold`).set(auth(candA)).send({ startsAt: '2026-12-22T01:30:00Z' }).expect(200);
    clock.advance(11 * 60_000);
    await api.http.post(`/api/candidate/interviews/${b.body.id}/hold`).set(auth(candB)).send({ startsAt: '2026-12-22T01:30:00Z' }).expect(200);
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const answers = await Promise.all([
      api.http.post(`/api/candidate/interviews/${a.body.id}/choose`).set(auth(candA)).send({ startsAt: '2026-12-22T06:00:00Z' }),
      api.http.post(`/api/candidate/interviews/${b.body.id}/choose`).set(auth(candB)).send({ startsAt: '2026-12-22T06:00:00Z' }),
    ]);
    expect(answers.map((x) => x.status).sort()).toEqual([200, 409]);
  });
});

describe('policies', () => {
  it('follows the tenant reminder policy and the job reschedule policy HR sets', async () => {
    const admin = await signIn(db.db, acme, acme.employees.admin.id, month);
    await api.http.put('/api/reminder-policy').set(auth(admin)).send({ candidateMinutes: [2880], panelMinutes: null, unconfirmedAlertMinutes: null }).expect(200);
    await api.http.put('/api/reminder-policy').set(auth(hr)).send({ candidateMinutes: [60], panelMinutes: null, unconfirmedAlertMinutes: null }).expect(403);
    expect((await api.http.put('/api/reminder-policy').set(auth(admin)).send({ candidateMinutes: [5], panelMinutes: null, unconfirmedAlertMinutes: null }).expect(400)).body.issues[0].path).toBe('body.candidateMinutes.0');
    const { applicationId } = await application();
    const a = await schedule(applicationId, '2026-12-18T02:00:00Z').expect(201);
    const kinds = await sql<{ kind: string }>`select kind from reminders where interview_id = ${a.body.id} order by kind`.execute(db.db);
    expect(kinds.rows.map((r) => r.kind)).toEqual(['candidate_t48h', 'survey']);
    await api.http.put('/api/reminder-policy').set(auth(admin)).send({ candidateMinutes: [1440, 120], panelMinutes: 30, unconfirmedAlertMinutes: 1440 }).expect(200);

    await api.http.put(`/api/jobs/${jobId}/schedule-policy`).set(auth(hr)).send({ rescheduleNoticeMinutes: 720, cancelNoticeMinutes: 240, maxReschedules: 0, reasonRequired: false }).expect(200);
    const candidate = await candidateToken(a.body.invitationUrl);
    expect((await api.http.post(`/api/candidate/interviews/${a.body.id}/reschedule`).set(auth(candidate)).send({ startsAt: '2026-12-18T06:00:00Z' }).expect(409)).body.message).toMatch(/^已改期 0 次，达到上限/);
    await api.http.put(`/api/jobs/${jobId}/schedule-policy`).set(auth(hr)).send({ rescheduleNoticeMinutes: 720, cancelNoticeMinutes: 240, maxReschedules: 2, reasonRequired: true }).expect(200);
  });
});

describe('rescheduling by writing a time in the chat', () => {
  const event = (candidateId: string, kind: string, payload: Record<string, unknown>, msgid: string) => ({
    id: msgid, tenantId: acme.tenantId, appId: acme.tenantId, dedupeKey: `kf:${msgid}`, kind, payload: { candidateId, msgid, externalUserId: 'wm-x', origin: 3, ...payload }, attempts: 1, receivedAt: clock.now(),
  });
  const replyTo = async (msgid: string) =>
    (await db.db.selectFrom('outbox').select('payload').where('idempotency_key', '=', `kf-reply:${msgid}`).executeTakeFirst())?.payload as
      | { message: { kind: string; prompt?: string; text?: string; choices?: { id: string; label: string }[] } }
      | undefined;

  it('answers "改到12月9日下午" with free afternoon times; tapping one moves the interview', async () => {
    const { applicationId, candidateId } = await application();
    const a = await schedule(applicationId, '2026-12-08T06:00:00Z', [acme.employees.manager.id]).expect(201);
    await kfTextHandler(event(candidateId, 'kf.text', { content: '不好意思，能改到12月9日下午吗' }, 'txt-1'), db.features(clock));
    const offer = (await replyTo('txt-1'))!;
    expect(offer.message.kind).toBe('choices');
    expect(offer.message.prompt).toMatch(/^12月9日（周三）下午/);
    expect(offer.message.choices!.map((c) => c.label)).toEqual(['12月9日（周三）13:30–14:30', '12月9日（周三）14:00–15:00', '12月9日（周三）14:30–15:30']);
    await kfMenuClickHandler(event(candidateId, 'kf.menu_click', { menuId: offer.message.choices![1]!.id }, 'tap-1'), db.features(clock));
    const row = await db.db.selectFrom('interviews').select(['status', 'starts_at', 'schedule_version']).where('id', '=', a.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'confirmed', starts_at: new Date('2026-12-09T06:00:00Z'), schedule_version: 2 });
  });

  it('asks back when the time is ambiguous, explains a past time, and leaves other messages to HR', async () => {
    const { applicationId, candidateId } = await application();
    await schedule(applicationId, '2026-12-10T06:00:00Z', [acme.employees.manager.id]).expect(201);
    await kfTextHandler(event(candidateId, 'kf.text', { content: '12月11日3点' }, 'txt-2'), db.features(clock));
    const asked = (await replyTo('txt-2'))!;
    expect(asked.message.kind).toBe('choices');
    expect(asked.message.choices!.map((c) => c.label).join(' ')).toMatch(/15:00/);
    expect(asked.message.choices!.map((c) => c.label).join(' ')).toMatch(/03:00/);
    await kfTextHandler(event(candidateId, 'kf.text', { content: '改到昨天下午' }, 'txt-3'), db.features(clock));
    expect((await replyTo('txt-3'))!.message.text).toBeTruthy();
    await kfTextHandler(event(candidateId, 'kf.text', { content: '好的，谢谢！' }, 'txt-4'), db.features(clock));
    expect(await replyTo('txt-4')).toBeUndefined();
  });
});

describe('no-show report', () => {
  it('gives rates by job, source and part of day, counting only interviews that took place or were missed', async () => {
    const report = await api.http.get('/api/reports/no-shows').set(auth(hr)).query({ from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z' }).expect(200);
    // Earlier in this file: two no-shows (11:00 and 13:00 Beijing) and one check-in (15:00), all on 11-23.
    expect(report.body.byJob).toEqual([{ key: jobId, label: '后端工程师', interviews: 3, noShows: 2, rate: 0.667 }]);
    expect(report.body.bySlot).toEqual([
      { key: 'afternoon', label: '下午', interviews: 1, noShows: 0, rate: 0 },
      { key: 'morning', label: '上午', interviews: 1, noShows: 1, rate: 1 },
      { key: 'noon', label: '中午', interviews: 1, noShows: 1, rate: 1 },
    ]);
    expect(report.body.bySource).toEqual([{ key: 'other', label: '其他', interviews: 3, noShows: 2, rate: 0.667 }]);
    const interviewer = await signIn(db.db, acme, acme.employees.interviewer.id, month);
    await api.http.get('/api/reports/no-shows').set(auth(interviewer)).query({ from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z' }).expect(403);
  });
});

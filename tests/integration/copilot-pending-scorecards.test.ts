import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * Over HTTP on real PostgreSQL: GET /api/interviewer/pending-scorecards lists every scorecard the signed-in
 * interviewer still owes however long ago the interview ended (own lead/member seats, not shadows; not cancelled or a
 * no-show; not submitted), with the deadline from the scorecard policy, the overdue flag and the nudges so far, most
 * overdue first, paged. Then independent scoring: a panelist — a hiring manager in scope too — sees none of the
 * others' scorecards until their own is submitted, on the list endpoint and in the debrief.
 */
const clock = fixedClock('2026-11-25T04:00:00Z'); // Wednesday 12:00 in Beijing
const month = 30 * 86_400_000;
const phone = '13912345678';

let db: TestDatabase;
let api: TestApp;
let t: TenantFixture;
const tok: Record<string, string> = {};
const iv: Record<string, string> = {};
let outsiderId: string;
const auth = (who: string) => ({ authorization: `Bearer ${tok[who]}` });

type Seat = { who: 'me' | 'manager' | 'hr' | 'outsider'; role: 'lead' | 'member' | 'shadow' };

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { clock });
  t = await createTenant(db.db);
  tok.me = await signIn(db.db, t, t.employees.interviewer.id, month);
  tok.manager = await signIn(db.db, t, t.employees.manager.id, month);
  tok.hr = await signIn(db.db, t, t.employees.hr.id, month);
  tok.admin = await signIn(db.db, t, t.employees.admin.id, month);
  const outsider = await db.db.insertInto('employees').values({ tenant_id: t.tenantId, department_id: t.departmentId, name: '旁听者', platform_user_id: `shadow-${Date.now()}`, roles: ['interviewer'] }).returning('id').executeTakeFirstOrThrow();
  outsiderId = outsider.id;
  tok.outsider = await signIn(db.db, t, outsiderId, month);

  const rounds = Array.from({ length: 10 }, (_, i) => ({ name: `第${i + 1}轮`, durationMinutes: 60 }));
  const job = await api.http.post('/api/jobs').set(auth('admin')).send({ title: '前端工程师', departmentId: t.departmentId, rounds }).expect(201);
  await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth('admin')).send(competencyModelInput()).expect((r) => expect(r.status).toBeLessThan(300));
  await api.http.post(`/api/jobs/${job.body.id}/status`).set(auth('admin')).send({ status: 'open' }).expect(200);
  const candidate = await api.http.post('/api/candidates').set(auth('hr')).send({ name: '陈思远', phone, resumeText: '联系电话 13912345678' }).expect(201);
  const application = await api.http.post('/api/applications').set(auth('hr')).send({ candidateId: candidate.body.id, jobId: job.body.id }).expect(201);
  await db.db.updateTable('applications').set({ stage: 'interviewing' }).where('id', '=', application.body.id).execute();
  const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
  const roundIds = (await db.db.selectFrom('interview_rounds').select(['id', 'position']).where('job_id', '=', job.body.id).orderBy('position').execute()).map((r) => r.id);
  const employee = { me: t.employees.interviewer.id, manager: t.employees.manager.id, hr: t.employees.hr.id, outsider: outsiderId };

  const add = async (key: string, status: string, startsAt: string, panel: Seat[]) => {
    const row = await db.db.insertInto('interviews').values({
      tenant_id: t.tenantId, application_id: application.body.id, round_id: roundIds[Object.keys(iv).length]!, competency_model_id: model.id, status,
      starts_at: new Date(startsAt), ends_at: new Date(new Date(startsAt).getTime() + 3_600_000), location: '星河大厦 12 层', schedule_version: 1,
    }).returning('id').executeTakeFirstOrThrow();
    iv[key] = row.id;
    await db.db.insertInto('interview_panelists').values(panel.map((s) => ({ tenant_id: t.tenantId, interview_id: row.id, employee_id: employee[s.who], role: s.role }))).execute();
  };
  await add('yesterday', 'completed', '2026-11-24T02:00:00Z', [{ who: 'me', role: 'lead' }, { who: 'manager', role: 'member' }]);
  await add('submitted', 'completed', '2026-11-24T05:00:00Z', [{ who: 'me', role: 'member' }]);
  await add('othersSeat', 'completed', '2026-11-24T06:00:00Z', [{ who: 'manager', role: 'lead' }]);
  await add('shadow', 'completed', '2026-11-24T07:00:00Z', [{ who: 'manager', role: 'lead' }, { who: 'me', role: 'shadow' }]);
  await add('cancelled', 'cancelled', '2026-11-24T08:00:00Z', [{ who: 'me', role: 'lead' }]);
  await add('noShow', 'no_show', '2026-11-24T09:00:00Z', [{ who: 'me', role: 'lead' }]);
  await add('lastWeek', 'completed', '2026-11-18T02:00:00Z', [{ who: 'me', role: 'member' }]);
  await add('justEnded', 'confirmed', '2026-11-25T02:00:00Z', [{ who: 'me', role: 'lead' }]);
  await add('tomorrow', 'confirmed', '2026-11-26T02:00:00Z', [{ who: 'me', role: 'lead' }]);
  // The independence case: three scoring panelists (an interviewer, a hiring manager in scope, HR) and a shadow.
  await add('panel', 'completed', '2026-11-23T02:00:00Z', [
    { who: 'me', role: 'lead' }, { who: 'manager', role: 'member' }, { who: 'hr', role: 'member' }, { who: 'outsider', role: 'shadow' },
  ]);

  const card = (interview: string, who: string, status: 'draft' | 'submitted', recommendation: string | null, summary: string) => sql`
    INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, summary, submitted_at)
    VALUES (${t.tenantId}, ${iv[interview]}, ${who}, ${status}, ${recommendation}, ${summary}, ${status === 'submitted' ? new Date('2026-11-24T07:00:00Z') : null})`.execute(db.db);
  await card('submitted', employee.me, 'submitted', 'yes', '已提交');
  await card('lastWeek', employee.me, 'draft', null, '写了一半');
  await card('panel', employee.me, 'submitted', 'strong_yes', 'SECRET-LEAD 架构能力很强');
  await card('panel', employee.manager, 'draft', 'no', 'DRAFT-MANAGER 细节不足');
  await card('panel', employee.hr, 'draft', 'yes', 'DRAFT-HR 沟通不错');
  const nudge = (kind: 'nudge' | 'escalation', n: number, recipient: string) => sql`
    INSERT INTO scorecard_nudges (tenant_id, interview_id, interviewer_id, kind, recipient_employee_id, outbox_key, sent_at)
    VALUES (${t.tenantId}, ${iv.lastWeek}, ${employee.me}, ${kind}, ${recipient}, ${`chat:test-${kind}-${n}-${iv.lastWeek}`}, ${new Date('2026-11-19T03:00:00Z')})`.execute(db.db);
  await nudge('nudge', 1, employee.me);
  await nudge('nudge', 2, employee.me);
  await nudge('escalation', 1, employee.manager);
});
afterAll(async () => {
  await db?.drop();
});

interface Pending { interviewId: string; scorecardStatus: string; dueAt: string; endsAt: string; overdue: boolean; nudgesSent: number; myRole: string; candidateName: string }
const pending = async (who: string, query = '') => (await api.http.get(`/api/interviewer/pending-scorecards${query}`).set(auth(who)).expect(200)).body as { items: Pending[]; nextCursor: string | null };

describe('GET /api/interviewer/pending-scorecards', () => {
  it('lists what I still owe, however long ago, most overdue first, and nothing else', async () => {
    const { items, nextCursor } = await pending('me');
    expect(items.map((i) => i.interviewId)).toEqual([iv.lastWeek, iv.yesterday, iv.justEnded].map(String));
    expect(nextCursor).toBeNull();
    for (const absent of ['panel', 'submitted', 'othersSeat', 'shadow', 'cancelled', 'noShow', 'tomorrow']) expect(items.map((i) => i.interviewId)).not.toContain(iv[absent]);
    expect(items.find((i) => i.interviewId === iv.yesterday)).toMatchObject({
      myRole: 'lead', scorecardStatus: 'none', candidateName: '陈思远',
      endsAt: '2026-11-24T03:00:00.000Z', dueAt: '2026-11-25T03:00:00.000Z', overdue: true, nudgesSent: 0,
    });
    // Two nudges to me; the escalation to my manager is not one of mine.
    expect(items.find((i) => i.interviewId === iv.lastWeek)).toMatchObject({ myRole: 'member', scorecardStatus: 'draft', overdue: true, nudgesSent: 2 });
    expect(items.find((i) => i.interviewId === iv.justEnded)).toMatchObject({ dueAt: '2026-11-26T03:00:00.000Z', overdue: false });
    const text = JSON.stringify(items);
    expect(text).not.toContain(phone);
    expect(text).not.toContain('5678');
  });

  it('is empty for someone without a seat, and shows the manager only their own seats', async () => {
    expect((await pending('admin')).items).toEqual([]);
    // The manager's seats: yesterday (member), othersSeat (lead), shadow (lead), panel (member, draft).
    expect((await pending('manager')).items.map((i) => i.interviewId)).toEqual([iv.panel, iv.yesterday, iv.othersSeat, iv.shadow].map(String));
    // A shadow never owes one.
    expect((await pending('outsider')).items).toEqual([]);
  });

  it('drops an interview once my scorecard is submitted', async () => {
    await sql`UPDATE scorecards SET status = 'submitted', recommendation = 'yes', submitted_at = ${clock.now()}
               WHERE interview_id = ${iv.lastWeek} AND interviewer_id = ${t.employees.interviewer.id}`.execute(db.db);
    expect((await pending('me')).items.map((i) => i.interviewId)).not.toContain(iv.lastWeek);
  });

  it('flips the overdue flag at dueAt', async () => {
    clock.set('2026-11-26T03:00:00Z');
    expect((await pending('me')).items.find((i) => i.interviewId === iv.justEnded)!.overdue).toBe(false);
    clock.set('2026-11-26T03:00:01Z');
    expect((await pending('me')).items.find((i) => i.interviewId === iv.justEnded)!.overdue).toBe(true);
    clock.set('2026-11-25T04:00:00Z');
  });

  it('takes the deadline from the tenant’s scorecard policy', async () => {
    await api.http.put('/api/scorecard-policy').set(auth('admin')).send({ dueMinutes: 120 }).expect(200);
    const item = (await pending('me')).items.find((i) => i.interviewId === iv.justEnded)!;
    expect(item).toMatchObject({ dueAt: '2026-11-25T05:00:00.000Z', overdue: false });
    clock.set('2026-11-25T05:00:01Z');
    expect((await pending('me')).items.find((i) => i.interviewId === iv.justEnded)!.overdue).toBe(true);
    clock.set('2026-11-25T04:00:00Z');
    await api.http.put('/api/scorecard-policy').set(auth('admin')).send({ dueMinutes: 1440 }).expect(200);
  });

  it('pages with an opaque cursor and refuses a bad one with a stable code', async () => {
    const first = await pending('me', '?limit=1');
    expect(first.items.map((i) => i.interviewId)).toEqual([iv.yesterday]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await pending('me', `?limit=1&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.interviewId)).toEqual([iv.justEnded]);
    expect(second.nextCursor).toBeNull();
    const bad = await api.http.get('/api/interviewer/pending-scorecards?cursor=nonsense').set(auth('me')).expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    await api.http.get('/api/interviewer/pending-scorecards?limit=0').set(auth('me')).expect(400);
  });

  it('needs a session', async () => {
    await api.http.get('/api/interviewer/pending-scorecards').expect(401);
  });
});

describe('independent scoring: others’ scorecards stay hidden until one’s own is submitted', () => {
  const list = async (who: string) => (await api.http.get(`/api/interviews/${iv.panel}/scorecards`).set(auth(who)).expect(200)).body.items as { interviewerId: string; summary: string; status: string }[];

  it('shows a hiring manager on the panel (in scope) only their own draft before submitting', async () => {
    const items = await list('manager');
    expect(items.map((c) => c.interviewerId)).toEqual([t.employees.manager.id]);
    expect(JSON.stringify(items)).not.toContain('SECRET-LEAD');
    expect(JSON.stringify(items)).not.toContain('DRAFT-HR');
    const debrief = await api.http.get(`/api/interviews/${iv.panel}/debrief`).set(auth('manager')).expect(403);
    expect(debrief.body.code).toBe('FORBIDDEN');
  });

  it('binds HR on the panel too', async () => {
    const items = await list('hr');
    expect(items.map((c) => c.interviewerId)).toEqual([t.employees.hr.id]);
    expect(JSON.stringify(items)).not.toContain('SECRET-LEAD');
    await api.http.get(`/api/interviews/${iv.panel}/debrief`).set(auth('hr')).expect(403);
  });

  it('shows a shadow out of scope nothing', async () => {
    expect(await list('outsider')).toEqual([]);
    await api.http.get(`/api/interviews/${iv.panel}/debrief`).set(auth('outsider')).expect(403);
  });

  it('shows a panelist who submitted the others’ submitted cards, never their drafts', async () => {
    const items = await list('me');
    expect(items.map((c) => c.interviewerId)).toEqual([t.employees.interviewer.id]);
    expect(JSON.stringify(items)).not.toContain('DRAFT-');
  });

  it('opens to the manager once their own is submitted', async () => {
    await sql`UPDATE scorecards SET status = 'submitted', submitted_at = ${clock.now()}
               WHERE interview_id = ${iv.panel} AND interviewer_id = ${t.employees.manager.id}`.execute(db.db);
    const items = await list('manager');
    expect(items.map((c) => c.interviewerId).sort()).toEqual([t.employees.interviewer.id, t.employees.manager.id].sort());
    expect(JSON.stringify(items)).toContain('SECRET-LEAD');
    expect(JSON.stringify(items)).not.toContain('DRAFT-HR');
    await api.http.get(`/api/interviews/${iv.panel}/debrief`).set(auth('manager')).expect(200);
  });

  it('shows everything to an admin off the panel, drafts included', async () => {
    const items = await list('admin');
    expect(items).toHaveLength(3);
    expect(JSON.stringify(items)).toContain('DRAFT-HR');
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wechatCandidateMessenger } from '../../server/src/adapters/wechat/candidate-messenger';
import { kfSender } from '../../server/src/adapters/wechat/kf';
import { subscriptionSender } from '../../server/src/adapters/wechat/subscription';
import type { FeatureContext } from '../../server/src/features/context';
import { dispatchDueReminders } from '../../server/src/features/reminders';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock, systemClock } from '../../server/src/ports/clock';
import { startReminderDispatcher } from '../../server/src/adapters/schedule/reminder-schedule';
import { listenForNotifications } from '../../server/src/adapters/postgres/notifications';
import type { CandidateMessenger } from '../../server/src/ports/candidate-messenger';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * Reminders from the database queue: decided when they fall due (not when queued), each recording its channel and
 * result; after downtime a reminder that is no longer useful is skipped with the reason, never dropped silently; two
 * dispatchers never send one twice. The candidate here has no open channel, so the real CandidateMessenger falls back
 * to a call task for the owning HR — the path the issue asks to be visible.
 */
const clock = fixedClock('2026-11-23T02:00:00Z');
const month = 30 * 86_400_000;
const log = createLogger({ level: 'silent' });

let db: TestDatabase;
let api: TestApp;
let features: FeatureContext;
let messenger: CandidateMessenger;
let acme: TenantFixture;
let hr: string;
let jobId: string;
let roundId: string;
let n = 0;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function scheduleAt(startsAt: string): Promise<{ id: string; invitationUrl: string }> {
  const candidate = await api.http.post('/api/candidates').set(auth(hr)).send({ name: `候选人${++n}`, phone: `1380000${String(n).padStart(4, '0')}` }).expect(201);
  const app = await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: candidate.body.id, jobId }).expect(201);
  const interview = await api.http
    .post(`/api/applications/${app.body.id}/interviews`)
    .set(auth(hr))
    .send({ roundId, startsAt, location: '星河大厦 12 层', panel: [{ employeeId: acme.employees.interviewer.id }] })
    .expect(201);
  return interview.body;
}

const remindersOf = async (interviewId: string) =>
  (await sql<{ kind: string; status: string; channel: string | null; skip_reason: string | null }>`
    select kind, status, channel, skip_reason from reminders where interview_id = ${interviewId} order by kind`.execute(db.db)).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  api = createTestApp(db, { clock, features });
  acme = await createTenant(db.db);
  hr = await signIn(db.db, acme, acme.employees.hr.id, month);
  const job = await api.http.post('/api/jobs').set(auth(hr)).send({ title: '后端工程师', departmentId: acme.departmentId, rounds: [{ name: '技术一面', durationMinutes: 60 }] }).expect(201);
  jobId = job.body.id;
  roundId = job.body.rounds[0].id;
  await api.http.put(`/api/jobs/${jobId}/competency-model`).set(auth(hr)).send(competencyModelInput()).expect(201);
  await api.http.post(`/api/jobs/${jobId}/status`).set(auth(hr)).send({ status: 'open' }).expect(200);
  const tokens = postgresTokenCache(db.db, clock);
  messenger = wechatCandidateMessenger({ features, senders: { kf: kfSender({ env: {}, tokens, log, features }), subscription: subscriptionSender({ env: {}, tokens, log, features }) } });
});
afterAll(async () => {
  await db?.drop();
});

describe('reminders', () => {
  it('sends each due reminder once with its channel, and tells HR at T-24h only when the candidate has not confirmed', async () => {
    const quiet = await scheduleAt('2026-11-26T02:00:00Z');
    const confirmedOne = await scheduleAt('2026-11-26T06:00:00Z');
    const token = new URL(confirmedOne.invitationUrl.replace('#', '')).searchParams.get('token')!;
    const candidate = (await api.http.post('/api/auth/invitation').send({ token }).expect(200)).body.token;
    await api.http.post(`/api/candidate/interviews/${confirmedOne.id}/confirm`).set(auth(candidate)).expect(200);

    expect(await dispatchDueReminders(features, messenger)).toMatchObject({ claimed: 0 });
    clock.set(new Date('2026-11-25T06:00:00Z'));
    const first = await dispatchDueReminders(features, messenger);
    expect(first).toMatchObject({ claimed: 4, sent: 3, skipped: 1, failed: 0 });
    expect(await remindersOf(quiet.id)).toEqual([
      { kind: 'candidate_t24h', status: 'sent', channel: 'hr_call_task', skip_reason: null },
      { kind: 'candidate_t2h', status: 'pending', channel: null, skip_reason: null },
      { kind: 'panel_t30m', status: 'pending', channel: null, skip_reason: null },
      { kind: 'survey', status: 'pending', channel: null, skip_reason: null },
      { kind: 'unconfirmed_t24h', status: 'sent', channel: 'employee_chat', skip_reason: null },
    ]);
    expect((await remindersOf(confirmedOne.id)).find((r) => r.kind === 'unconfirmed_t24h')).toMatchObject({ status: 'skipped', skip_reason: 'already_confirmed' });
    // The call task and the HR nudge went into the outbox, to the owning HR.
    const hrUser = (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', acme.employees.hr.id).executeTakeFirstOrThrow()).platform_user_id;
    const toHr = await db.db.selectFrom('outbox').select(['channel', 'payload']).where('recipient', '=', hrUser).orderBy('seq').execute();
    const texts = toHr.map((o) => JSON.stringify(o.payload)).join('\n');
    expect(texts).toContain('请电话联系候选人');
    expect(texts).toContain('【待确认】');
    // Nothing is due any more; a second pass claims nothing.
    expect(await dispatchDueReminders(features, messenger)).toMatchObject({ claimed: 0 });
  });

  it('after downtime sends what is still useful and skips, with the reason, what would come too late', async () => {
    const interview = await scheduleAt('2026-11-27T02:00:00Z');
    // The server was down from before T-24h until 5 minutes before the start.
    clock.set(new Date('2026-11-27T01:55:00Z'));
    const result = await dispatchDueReminders(features, messenger);
    expect(result.claimed).toBeGreaterThanOrEqual(4);
    expect(await remindersOf(interview.id)).toEqual([
      { kind: 'candidate_t24h', status: 'skipped', channel: null, skip_reason: 'too_late' },
      { kind: 'candidate_t2h', status: 'skipped', channel: null, skip_reason: 'too_late' },
      { kind: 'panel_t30m', status: 'skipped', channel: null, skip_reason: 'too_late' },
      { kind: 'survey', status: 'pending', channel: null, skip_reason: null },
      { kind: 'unconfirmed_t24h', status: 'sent', channel: 'employee_chat', skip_reason: null },
    ]);
  });

  it('cancels the reminders of a cancelled interview in the same transaction', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const interview = await scheduleAt('2026-11-29T02:00:00Z');
    await api.http.post(`/api/interviews/${interview.id}/cancel`).set(auth(hr)).send({ reason: '职位已关闭' }).expect(200);
    expect(new Set((await remindersOf(interview.id)).map((r) => r.status))).toEqual(new Set(['cancelled']));
  });

  it('never sends one reminder twice when several dispatchers run at once', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const interviews = await Promise.all(['2026-12-02T02:00:00Z', '2026-12-02T04:00:00Z', '2026-12-02T06:00:00Z', '2026-12-02T08:00:00Z'].map(scheduleAt));
    clock.set(new Date('2026-12-01T12:00:00Z'));
    const due = Number((await sql<{ n: string }>`select count(*) as n from reminders where status = 'pending' and due_at <= ${clock.now()}`.execute(db.db)).rows[0]!.n);
    expect(due).toBeGreaterThanOrEqual(interviews.length * 2);
    const results = await Promise.all([1, 2, 3].map(() => dispatchDueReminders(features, messenger, { batchSize: 3 })));
    const again = await dispatchDueReminders(features, messenger, { batchSize: 50 });
    const claimed = results.reduce((sum, r) => sum + r.claimed, 0) + again.claimed;
    expect(claimed).toBe(due);
    const keys = await sql<{ idempotency_key: string; copies: number }>`
      select idempotency_key, count(*)::int as copies from outbox where idempotency_key like 'chat:reminder:%' group by 1 having count(*) > 1`.execute(db.db);
    expect(keys.rows).toEqual([]);
  });

  /** These tests run on the real clock: an interview of the fixture moved to tomorrow, whatever today is. */
  const liveInterview = async () => {
    const one = await db.db.selectFrom('interviews').select('id').where('tenant_id', '=', acme.tenantId).where('status', '=', 'scheduled').executeTakeFirstOrThrow();
    const startsAt = new Date(Date.now() + 86_400_000);
    await db.db.updateTable('interviews').set({ starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 3600_000) }).where('id', '=', one.id).execute();
    return one;
  };

  it('wakes at the next due time by node-schedule; the database is the queue', async () => {
    const live = db.features(systemClock);
    const interview = await liveInterview();
    const dueAt = new Date(Date.now() + 1200);
    await sql`insert into reminders (tenant_id, interview_id, kind, audience, recipient_employee_id, due_at)
              values (${acme.tenantId}, ${interview.id}, 'panel_wakeup_check', 'panelist', ${acme.employees.interviewer.id}, ${dueAt})`.execute(db.db);
    const dispatcher = startReminderDispatcher({ features: live, messenger, log, maxSleepMs: 30_000 });
    try {
      await new Promise((r) => setTimeout(r, 300));
      // Armed for the reminder, not for the 30 s fallback.
      expect(Math.abs(dispatcher.nextWakeAt()!.getTime() - dueAt.getTime())).toBeLessThan(100);
      const deadline = Date.now() + 10_000;
      let status = 'pending';
      while (status !== 'sent' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await sql<{ status: string }>`select status from reminders where kind = 'panel_wakeup_check'`.execute(db.db)).rows[0]!.status;
      }
      expect(status).toBe('sent');
    } finally {
      await dispatcher.stop();
    }
  });

  it('wakes at once when another instance queues a reminder due before its next look (LISTEN/NOTIFY), and not without it', async () => {
    const live = db.features(systemClock);
    const interview = await liveInterview();
    const statusOf = async (kind: string) => (await sql<{ status: string }>`select status from reminders where kind = ${kind}`.execute(db.db)).rows[0]!.status;
    const queue = (kind: string) =>
      sql`insert into reminders (tenant_id, interview_id, kind, audience, recipient_employee_id, due_at)
          values (${acme.tenantId}, ${interview.id}, ${kind}, 'panelist', ${acme.employees.interviewer.id}, ${new Date(Date.now() + 300)})`.execute(db.db);
    const waitFor = async (kind: string, ms: number) => {
      const deadline = Date.now() + ms;
      let status = await statusOf(kind);
      while (status !== 'sent' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        status = await statusOf(kind);
      }
      return status;
    };
    // Nothing else is pending, so both dispatchers arm for their 10-minute look; the reminder is queued after they
    // armed (as by another instance).
    await sql`update reminders set status = 'cancelled' where status in ('pending', 'sending')`.execute(db.db);
    const armedFar = async (d: { nextWakeAt(): Date | undefined }) => {
      const deadline = Date.now() + 10_000;
      while (!(d.nextWakeAt() && d.nextWakeAt()!.getTime() > Date.now() + 300_000) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(d.nextWakeAt()!.getTime()).toBeGreaterThan(Date.now() + 300_000);
    };
    const deaf = startReminderDispatcher({ features: live, messenger, log, maxSleepMs: 600_000 });
    try {
      await armedFar(deaf);
      await queue('panel_notify_control');
      expect(await waitFor('panel_notify_control', 1500)).toBe('pending');
    } finally {
      await deaf.stop();
    }
    await sql`update reminders set status = 'cancelled' where kind = 'panel_notify_control'`.execute(db.db);
    const listening = startReminderDispatcher({
      features: live,
      messenger,
      log,
      maxSleepMs: 600_000,
      subscribe: (onChange) => listenForNotifications({ connectionString: db.url, channel: 'hb_reminders', onNotify: onChange, log }),
    });
    try {
      await armedFar(listening);
      await queue('panel_notify_check');
      expect(await waitFor('panel_notify_check', 5000)).toBe('sent');
    } finally {
      await listening.stop();
    }
  });

  it('sends the survey after an interview that took place, expires it for one that did not, and reports from five answers on', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    await api.http.put('/api/survey-settings').set(auth(await signIn(db.db, acme, acme.employees.admin.id, month))).send({ questions: [{ position: 1, text: '面试官是否准时？', kind: 'rating' }, { position: 2, text: '有什么建议？', kind: 'text' }] }).expect(200);
    const scheduled: { id: string; link: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const interview = await scheduleAt(`2026-12-03T0${i + 1}:00:00Z`);
      scheduled.push({ id: interview.id, link: new URL(interview.invitationUrl.replace('#', '')).searchParams.get('token')! });
      await db.db.updateTable('interviews').set({ status: 'checked_in' }).where('id', '=', interview.id).execute();
    }
    const missed = await scheduleAt('2026-12-03T07:00:00Z');
    clock.set(new Date('2026-12-03T12:00:00Z'));
    const held: { id: string; token: string }[] = [];
    for (const s of scheduled) held.push({ id: s.id, token: (await api.http.post('/api/auth/invitation').send({ token: s.link }).expect(200)).body.token });
    await dispatchDueReminders(features, messenger, { batchSize: 100 });
    expect((await remindersOf(held[0]!.id)).find((r) => r.kind === 'survey')).toMatchObject({ status: 'sent', channel: 'hr_call_task' });
    expect((await remindersOf(missed.id)).find((r) => r.kind === 'survey')).toMatchObject({ status: 'skipped', skip_reason: 'interview_scheduled' });
    const form = await api.http.get(`/api/candidate/interviews/${held[0]!.id}/survey`).set(auth(held[0]!.token)).expect(200);
    expect(form.body).toMatchObject({ status: 'sent', questions: [{ position: 1, kind: 'rating' }, { position: 2, kind: 'text' }] });
    await api.http.post(`/api/candidate/interviews/${held[0]!.id}/survey`).set(auth(held[0]!.token)).send({ score: 11 }).expect(400);
    await api.http.post(`/api/candidate/interviews/${held[0]!.id}/survey`).set(auth(held[0]!.token)).send({ score: 9, answers: { q1: 7 } }).expect(400);

    const report = () => api.http.get('/api/reports/satisfaction').set(auth(hr)).query({ jobId }).expect(200);
    for (const [i, h] of held.entries()) {
      expect((await report()).body).toEqual({ responses: i, shown: false });
      await api.http.post(`/api/candidate/interviews/${h.id}/survey`).set(auth(h.token)).send({ score: [10, 9, 8, 6, 10][i], answers: { q1: 5, q2: '流程清楚' }, comment: i === 0 ? '面试官很专业' : null }).expect(200);
    }
    await api.http.post(`/api/candidate/interviews/${held[0]!.id}/survey`).set(auth(held[0]!.token)).send({ score: 1 }).expect(409);
    const shown = (await report()).body;
    expect(shown).toMatchObject({ responses: 5, shown: true, averageScore: 8.6, nps: 40, questions: [{ text: '面试官是否准时？', answers: 5, average: 5 }], comments: ['面试官很专业'] });
    // An interviewer sees their own, never someone else's.
    const interviewer = await signIn(db.db, acme, acme.employees.interviewer.id, month);
    expect((await api.http.get('/api/reports/satisfaction').set(auth(interviewer)).query({ interviewerId: acme.employees.interviewer.id }).expect(200)).body.shown).toBe(true);
    await api.http.get('/api/reports/satisfaction').set(auth(interviewer)).query({ interviewerId: acme.employees.manager.id }).expect(403);
  });
});

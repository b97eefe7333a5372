import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBusinessDays, dispatchDueNudges } from '../../server/src/features/copilot/nudges';
import type { FeatureContext } from '../../server/src/features/context';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { lateScorecardsInterview } from '../support/bot-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * Scorecard nudges from the database queue: 1 h after the end, then daily, as a card with the deep link; after 2
 * business days (China calendar: weekends, holidays and make-up workdays) once to the interviewer's manager from the
 * roster; a submitted scorecard stops them; two dispatchers never send one twice; HR sees who is late.
 */
const clock = fixedClock('2026-11-27T04:30:00Z');
const publicUrl = 'https://hr.example.com';
let db: TestDatabase;
let api: TestApp;
let features: FeatureContext;
let t: TenantFixture;
let interviewId: string;
const users: Record<string, string> = {};

async function chat(recipient: string) {
  return db.db.selectFrom('outbox').selectAll().where('channel', '=', 'employee_chat').where('recipient', '=', recipient).orderBy('created_at').execute();
}
async function nudges() {
  const { rows } = await sql<{ kind: string; recipient_employee_id: string; interviewer_id: string }>`
    SELECT kind, recipient_employee_id, interviewer_id FROM scorecard_nudges WHERE interview_id = ${interviewId} ORDER BY id`.execute(db.db);
  return rows;
}

describe('business days', () => {
  it('skips weekends and national holidays and counts make-up workdays', () => {
    // Friday noon (Beijing) → Tuesday noon.
    expect(addBusinessDays(new Date('2026-11-27T04:00:00Z'), 2, 'Asia/Shanghai').toISOString()).toBe('2026-12-01T04:00:00.000Z');
    // The day before 国庆节 (Oct 1–7) → Oct 8, Oct 9.
    expect(addBusinessDays(new Date('2026-09-30T04:00:00Z'), 2, 'Asia/Shanghai').toISOString()).toBe('2026-10-09T04:00:00.000Z');
    // Friday Sep 18: Sunday Sep 20 is a make-up workday.
    expect(addBusinessDays(new Date('2026-09-18T04:00:00Z'), 2, 'Asia/Shanghai').toISOString()).toBe('2026-09-21T04:00:00.000Z');
  });
});

describe('scorecard nudges', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    features = db.features(clock);
    api = createTestApp(db, { clock });
    t = await createTenant(db.db);
    await db.db.updateTable('employees').set({ manager_id: t.employees.manager.id }).where('id', '=', t.employees.interviewer.id).execute();
    for (const [k, e] of Object.entries(t.employees)) {
      users[k] = (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', e.id).executeTakeFirstOrThrow()).platform_user_id;
    }
    interviewId = await lateScorecardsInterview(features, db, t, { startsAt: '2026-11-27T03:00:00Z', endsAt: '2026-11-27T04:00:00Z' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('plans follow-ups once the interview ended and sends nothing before the first hour', async () => {
    const result = await dispatchDueNudges(features, { publicUrl });
    expect(result).toMatchObject({ planned: 2, claimed: 0, nudged: 0 });
    const { rows } = await sql<{ due_at: Date; next_at: Date; escalate_at: Date }>`
      SELECT due_at, next_at, escalate_at FROM scorecard_followups WHERE interviewer_id = ${t.employees.interviewer.id}`.execute(db.db);
    expect(rows[0]).toEqual({ due_at: new Date('2026-11-28T04:00:00Z'), next_at: new Date('2026-11-27T05:00:00Z'), escalate_at: new Date('2026-12-01T04:00:00Z') });
    expect(await chat(users.interviewer!)).toEqual([]);
    expect((await dispatchDueNudges(features, { publicUrl })).planned).toBe(0);
  });

  it('nudges each panelist 1 h after the end with a card deep-linking to the scorecard', async () => {
    clock.set('2026-11-27T05:00:00Z');
    expect(await dispatchDueNudges(features, { publicUrl })).toMatchObject({ claimed: 2, nudged: 2, escalated: 0 });
    const [card] = await chat(users.interviewer!);
    const message = (card!.payload as { message: { kind: string; url: string; title: string } }).message;
    expect(message).toMatchObject({ kind: 'card', url: `${publicUrl}/h5/#/pages/interviewer/scorecard/index?id=${interviewId}` });
    expect(message.title).toContain('请提交评分卡');
    expect(await nudges()).toHaveLength(2);
  });

  it('stops for a submitted scorecard, nudges the other daily, and HR sees who is late', async () => {
    await sql`INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, submitted_at)
              VALUES (${t.tenantId}, ${interviewId}, ${t.employees.manager.id}, 'submitted', 'yes', ${new Date('2026-11-27T06:00:00Z')})`.execute(db.db);
    clock.set('2026-11-28T05:00:00Z'); // Saturday
    expect(await dispatchDueNudges(features, { publicUrl })).toMatchObject({ claimed: 2, nudged: 1, done: 1 });
    const sent = await chat(users.interviewer!);
    expect(sent).toHaveLength(2);
    expect((sent[1]!.payload as { message: { title: string } }).message.title).toContain('已逾期');
    expect(await chat(users.manager!)).toHaveLength(1);

    const hr = await signIn(db.db, t, t.employees.hr.id, 30 * 86_400_000);
    const late = await api.http.get('/api/scorecards/late').set('authorization', `Bearer ${hr}`).expect(200);
    expect(late.body.items).toEqual([
      expect.objectContaining({ interviewId, interviewerId: t.employees.interviewer.id, status: 'missing', hoursLate: 1, nudgesSent: 2, escalated: false }),
    ]);
    const interviewer = await signIn(db.db, t, t.employees.interviewer.id, 30 * 86_400_000);
    await api.http.get('/api/scorecards/late').set('authorization', `Bearer ${interviewer}`).expect(403);
  });

  it('escalates once to the manager after 2 business days (not over the weekend)', async () => {
    clock.set('2026-11-30T04:00:00Z'); // Monday noon: one business day only
    await dispatchDueNudges(features, { publicUrl });
    expect((await nudges()).filter((n) => n.kind === 'escalation')).toEqual([]);
    clock.set('2026-12-01T04:00:00Z'); // Tuesday noon
    const result = await dispatchDueNudges(features, { publicUrl });
    expect(result.escalated).toBe(1);
    const escalations = (await nudges()).filter((n) => n.kind === 'escalation');
    expect(escalations).toEqual([{ kind: 'escalation', recipient_employee_id: t.employees.manager.id, interviewer_id: t.employees.interviewer.id }]);
    const toManager = await chat(users.manager!);
    expect((toManager.at(-1)!.payload as { message: { description: string } }).message.description).toContain('2 个工作日');
    clock.set('2026-12-02T05:00:00Z');
    await dispatchDueNudges(features, { publicUrl });
    expect((await nudges()).filter((n) => n.kind === 'escalation')).toHaveLength(1);
  });

  it('never sends one nudge twice when two dispatchers run at once', async () => {
    const before = (await nudges()).length;
    clock.set('2026-12-03T05:00:00Z');
    const [a, b] = await Promise.all([dispatchDueNudges(features, { publicUrl }), dispatchDueNudges(features, { publicUrl })]);
    expect(a.nudged + b.nudged).toBe(1);
    expect((await nudges()).length).toBe(before + 1);
  });
});

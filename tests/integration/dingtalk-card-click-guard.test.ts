import type { Server } from 'node:http';
import type { Simulator } from '@hirebridge/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBotRuntime } from '../../server/src/adapters/bot/http-runtime';
import type { DingtalkStreamConnection } from '../../server/src/adapters/dingtalk/stream-connection';
import { botInboxHandlers } from '../../server/src/features/bot/inbound';
import type { FeatureContext } from '../../server/src/features/context';
import { dingtalkCardActionInboxHandlers } from '../../server/src/features/group-chat/dingtalk-card-actions';
import { processDueEvents } from '../../server/src/features/inbox';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import type { TestApp } from '../support/app';
import type { TestDatabase } from '../support/database';
import { applicant, company, connectDingtalkStream, dingtalkSenders, endedInterview, startBotHarness, platformUserIdOf, stopAll, waitFor } from '../support/bot-harness';
import type { TenantFixture } from '../support/fixtures';

/**
 * DingTalk card clicks, the two review findings:
 * 1. the chat a click acts in is where the server delivered the card (its sent outbox row), never the click's own
 *    `chat` param: a raw stream callback claiming another chat, or naming a card the server never sent, is dropped
 *    (nothing changes, nothing is answered);
 * 2. only cards whose buttons are alternatives (cancel confirm/decline, ask-back times) are closed after a click,
 *    and only after a click that succeeded: 面评进度's several 催办 stay clickable, a failed time leaves the others.
 * Friday 27 November 2026, 12:30 in Shanghai; an interview ended the day before, so its scorecards are late.
 */
const clock = fixedClock('2026-11-27T04:30:00Z');
const log = createLogger({ level: 'silent' });
const ding = { appKey: 'dingguard0001', appSecret: 'ding-guard-secret', group: 'cidGuardHR==', other: 'cidGuardOther==', template: 'hb-card-guard.schema', corpId: 'dingguardcorp' };
const env = { HB_TEST_DT_GUARD_SECRET: ding.appSecret };

let db: TestDatabase;
let sim: Simulator;
let api: TestApp;
let server: Server;
let baseUrl: string;
let features: FeatureContext;
let connection: DingtalkStreamConnection;
let t: TenantFixture;
let hrUserId: string;
let interviewerUserId: string;
/** The admin may command the bot (and act on any interview): a forged click by them would be acted on if believed. */
let adminUserId: string;
let candidateId: string;
let secondCandidateId: string;
let lateInterviewId: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const userIdOf = (employeeId: string) => platformUserIdOf(db, employeeId);
const runtime = () => httpBotRuntime({ baseUrl: () => baseUrl });
const handlers = () => ({ ...botInboxHandlers({ features, runtime: runtime() }), ...dingtalkCardActionInboxHandlers({ features, runtime: runtime() }) });
const senders = () => dingtalkSenders({ features, db, env, clock, log });

const inboxCount = async () => (await db.db.selectFrom('inbox').select('id').where('kind', '=', 'card.dingtalk_callback').execute()).length;
const outboxCount = async () => (await db.db.selectFrom('outbox').select('id').execute()).length;
const storedMessage = (msgId: string) => async () => (await db.db.selectFrom('inbox').select('id').where('dedupe_key', '=', `msg:${msgId}`).execute()).length === 1;
const interviewsOf = (id: string) =>
  sql<{ id: string; status: string; starts_at: Date | null; origin_chat: unknown }>`select i.id, i.status, i.starts_at, i.origin_chat from interviews i join applications a on a.id = i.application_id where a.candidate_id = ${id} order by i.created_at`.execute(db.db).then((r) => r.rows);
const groupTexts = (cid: string) => sim.dingtalk.groupMessages(cid).filter((m) => m.via === 'groupMessages').map((m) => JSON.stringify(m.msgParam));
const manualNudges = async () => (await sql<{ interviewer_id: string }>`SELECT interviewer_id FROM scorecard_nudges WHERE interview_id = ${lateInterviewId} ORDER BY id`.execute(db.db)).rows;

async function say(text: string) {
  const pushed = sim.dingtalk.groupAtBot({ appKey: ding.appKey, openConversationId: ding.group, userId: hrUserId, text, ...(text.includes('@面试官') ? { atUserIds: [interviewerUserId] } : {}) });
  await waitFor(storedMessage(pushed.msgId), `the robot message "${text}"`);
  expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
}

/** The card the last dispatch delivered to the HR group. */
async function deliveredCard(): Promise<string> {
  expect(await dispatchDueMessages(features, senders())).toMatchObject({ dead: 0 });
  const delivered = sim.dingtalk.groupMessages(ding.group).filter((m) => m.via === 'interactiveCard').at(-1)!;
  return delivered.msgParam.outTrackId as string;
}

/** A raw stream CALLBACK, as a tampered client could make DingTalk carry it (not through the simulator's pages). */
async function rawClick(outTrackId: string, params: Record<string, string>, userId = adminUserId): Promise<void> {
  const before = await inboxCount();
  const messageId = sim.dingtalk.gateway.enqueue(ding.appKey, 'CALLBACK', '/v1.0/card/instances/callback', {
    corpId: ding.corpId, outTrackId, userId, content: JSON.stringify({ cardPrivateData: { actionIds: ['hb_button'], params } }),
  });
  await waitFor(() => sim.dingtalk.acks(messageId).length === 1, 'the raw callback acknowledged');
  await waitFor(async () => (await inboxCount()) === before + 1, 'the raw callback stored');
}

async function pageClick(outTrackId: string, key: string): Promise<void> {
  const before = await inboxCount();
  const { messageId } = sim.dingtalk.clickCardButton({ outTrackId, userId: hrUserId, key });
  await waitFor(() => sim.dingtalk.acks(messageId).length === 1, 'the click acknowledged');
  await waitFor(async () => (await inboxCount()) === before + 1, 'the click stored');
  expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
}

beforeAll(async () => {
  ({ db, features, sim, api, server, baseUrl } = await startBotHarness({ clock, secretsEnv: env, simulator: { dingtalk: { stream: { pollIntervalMs: 10, disconnectGraceMs: 50 } } } }));

  const seeded = await company(db, api, 'dingtalk');
  ({ tenant: t, candidateId, hrUserId, interviewerUserId } = seeded);
  secondCandidateId = await applicant(api, seeded.hr, seeded.jobId, { name: '周明远', phone: '13812345679' });
  adminUserId = await userIdOf(t.employees.admin.id);

  // A third candidate's interview ended yesterday with two panelists and no scorecards: two late scorecards.
  const third = await api.http.post('/api/candidates').set(auth(seeded.hr)).send({ name: '陈思远', phone: '13712345670' }).expect(201);
  const application = await api.http.post('/api/applications').set(auth(seeded.hr)).send({ candidateId: third.body.id, jobId: seeded.jobId }).expect(201);
  lateInterviewId = await endedInterview(db, t, { applicationId: application.body.id as string, jobId: seeded.jobId, startsAt: '2026-11-26T03:00:00Z', endsAt: '2026-11-26T04:00:00Z' });

  sim.dingtalk.addApp({ appKey: ding.appKey, appSecret: ding.appSecret, robotCode: ding.appKey, corpId: ding.corpId });
  sim.dingtalk.addUser({ userId: hrUserId, name: '招聘专员' });
  sim.dingtalk.addUser({ userId: interviewerUserId, name: '面试官' });
  sim.dingtalk.addUser({ userId: adminUserId, name: '管理员' });
  sim.dingtalk.addGroup({ openConversationId: ding.group, title: '招聘群' });
  sim.dingtalk.addGroup({ openConversationId: ding.other, title: '别的群' });
  sim.dingtalk.addCardTemplate(ding.template);
  const app = await features.stores.platform.insertApp(t.tenantId, {
    kind: 'dingtalk_app', corpId: ding.corpId, agentId: ding.appKey, secretRef: 'env:HB_TEST_DT_GUARD_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
    cardTemplateId: ding.template,
  });
  connection = await connectDingtalkStream({ app, env, features, log, sim, appKey: ding.appKey });
});
afterAll(() => stopAll({ connection, server, sim, db }));

describe('DingTalk card clicks act only where the card was delivered', () => {
  it('a forged chat on a real card and a click on an unknown card are dropped; the real click still works', async () => {
    await say('约面 林晓雨 前端 下周二上午10点 @面试官');
    expect((await interviewsOf(candidateId))[0]).toMatchObject({ status: 'scheduled' });
    await dispatchDueMessages(features, senders());
    await say('取消 林晓雨 候选人时间冲突');
    const outTrackId = await deliveredCard();
    const [confirm, decline] = sim.dingtalk.cardButtons(outTrackId);
    expect([confirm!.label, decline!.label]).toEqual(['确认取消', '不取消']);

    // The real card, its real button, but another group claimed: stored and acked, then not acted on, not answered.
    const outboxBefore = await outboxCount();
    const otherBefore = sim.dingtalk.groupMessages(ding.other).length;
    await rawClick(outTrackId, { key: confirm!.key, chat: `group:${ding.other}` });
    // The clicker's own 1:1 chat claimed for a group card: not the card's chat either.
    await rawClick(outTrackId, { key: decline!.key, chat: `single:${adminUserId}` });
    // A card the server never delivered.
    await rawClick('hb_never_delivered_0001', { key: confirm!.key, chat: `group:${ding.group}` });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 3, retried: 0 });
    expect((await interviewsOf(candidateId))[0]).toMatchObject({ status: 'scheduled' });
    expect(await outboxCount()).toBe(outboxBefore);
    await dispatchDueMessages(features, senders());
    expect(sim.dingtalk.groupMessages(ding.other).length).toBe(otherBefore);
    expect(sim.dingtalk.card(outTrackId)!.updates).toHaveLength(0);

    // The click the card really offers: cancelled, answered in the card's group, and the card closed (confirm/decline).
    await pageClick(outTrackId, confirm!.key);
    expect((await interviewsOf(candidateId))[0]).toMatchObject({ status: 'cancelled' });
    await dispatchDueMessages(features, senders());
    expect(groupTexts(ding.group).at(-1)).toContain('已取消面试');
    expect(sim.dingtalk.card(outTrackId)!.updates).toHaveLength(1);
    expect(sim.dingtalk.cardButtons(outTrackId)).toEqual([]);
  });
});

describe('only cards of alternatives are closed, and only after a click that succeeded', () => {
  it('面评进度: after one 催办 the other button stays on the card and works', async () => {
    await say('面评进度');
    const outTrackId = await deliveredCard();
    const buttons = sim.dingtalk.cardButtons(outTrackId);
    expect(buttons.filter((b) => b.label.startsWith('催办'))).toHaveLength(2);

    await pageClick(outTrackId, buttons[0]!.key);
    expect(await manualNudges()).toHaveLength(1);
    await dispatchDueMessages(features, senders());
    expect(groupTexts(ding.group).at(-1)).toContain('已催办');
    expect(sim.dingtalk.card(outTrackId)!.updates).toHaveLength(0);
    expect(sim.dingtalk.cardButtons(outTrackId).map((b) => b.key)).toEqual(buttons.map((b) => b.key));

    await pageClick(outTrackId, buttons[1]!.key);
    expect((await manualNudges()).map((n) => n.interviewer_id).sort()).toEqual([t.employees.interviewer.id, t.employees.manager.id].sort());
    await dispatchDueMessages(features, senders());
    expect(sim.dingtalk.card(outTrackId)!.updates).toHaveLength(0);
  });

  it('ask-back times: a time that fails leaves the card open; another time then schedules and closes it', async () => {
    await say('约面 周明远 前端 下周一3点 @面试官');
    const outTrackId = await deliveredCard();
    const options = sim.dingtalk.cardButtons(outTrackId).filter((b) => b.label !== '都不是');
    expect(options.length).toBeGreaterThanOrEqual(2);
    // Monday 30 November, 08:00 in Shanghai: the 03:00 reading has passed, the 15:00 one has not.
    clock.set('2026-11-30T00:00:00Z');
    const early = options.find((b) => /\b0?3:00\b|凌晨/.test(b.label)) ?? options[0]!;
    const late = options.find((b) => b !== early)!;

    await pageClick(outTrackId, early.key);
    expect(await interviewsOf(secondCandidateId)).toEqual([]);
    await dispatchDueMessages(features, senders());
    expect(sim.dingtalk.card(outTrackId)!.updates).toHaveLength(0);
    expect(sim.dingtalk.cardButtons(outTrackId).map((b) => b.key)).toContain(late.key);

    await pageClick(outTrackId, late.key);
    const [scheduled] = await interviewsOf(secondCandidateId);
    expect(scheduled).toMatchObject({ status: 'scheduled', origin_chat: { channel: 'dingtalk_group', openConversationId: ding.group } });
    await dispatchDueMessages(features, senders());
    expect(groupTexts(ding.group).at(-1)).toContain('面试已安排');
    expect(sim.dingtalk.card(outTrackId)!.updates).toHaveLength(1);
    expect(sim.dingtalk.cardButtons(outTrackId)).toEqual([]);
  });

  it("a 1:1 card is acted on only for its recipient: someone claiming their own 1:1 chat on it is dropped", async () => {
    const pushed = sim.dingtalk.userSays({ appKey: ding.appKey, userId: hrUserId, text: '取消 周明远 候选人时间冲突' });
    await waitFor(storedMessage(pushed.msgId), 'the 1:1 取消');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect(await dispatchDueMessages(features, senders())).toMatchObject({ dead: 0 });
    const outTrackId = sim.dingtalk.received(hrUserId).filter((m) => m.via === 'interactiveCard').at(-1)!.msgParam.outTrackId as string;
    expect(sim.dingtalk.card(outTrackId)).toMatchObject({ spaces: [{ type: 'IM_ROBOT', id: hrUserId }] });
    const [confirm] = sim.dingtalk.cardButtons(outTrackId);

    // The admin's click on HR's 1:1 card, claiming the admin's own 1:1 chat (passes a check on the params alone).
    const outboxBefore = await outboxCount();
    await rawClick(outTrackId, { key: confirm!.key, chat: `single:${adminUserId}` });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect((await interviewsOf(secondCandidateId))[0]).toMatchObject({ status: 'scheduled' });
    expect(await outboxCount()).toBe(outboxBefore);

    // HR's own click on their 1:1 page works.
    await pageClick(outTrackId, confirm!.key);
    expect((await interviewsOf(secondCandidateId))[0]).toMatchObject({ status: 'cancelled' });
  });
});

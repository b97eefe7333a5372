import type { Server } from 'node:http';
import type { Simulator } from '@hirebridge/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBotRuntime } from '../../server/src/adapters/bot/http-runtime';
import type { DingtalkStreamConnection } from '../../server/src/adapters/dingtalk/stream-connection';
import { botInboxHandlers } from '../../server/src/features/bot/inbound';
import type { FeatureContext } from '../../server/src/features/context';
import { dingtalkCardActionInboxHandlers } from '../../server/src/features/group-chat/dingtalk-card-actions';
import { acceptInboundEvent, processDueEvents } from '../../server/src/features/inbox';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import type { TestApp } from '../support/app';
import type { TestDatabase } from '../support/database';
import { applicant, company, connectDingtalkStream, dingtalkSenders, startBotHarness, stopAll, waitFor } from '../support/bot-harness';

/**
 * Issue 7 on DingTalk, end to end through the simulator: a destructive command (取消) in a group answers with an
 * interactive card (the tenant's card template) → a member clicks 确认取消 on the simulator's group page → the card
 * callback reaches the server over Stream mode, is stored and acknowledged → the bot cancels the interview (database)
 * → the card is updated for everyone. The same in the robot's 1:1 chat (IM_ROBOT card, clicked on the user's 1:1 page,
 * confirmation sent 1:1; nobody else can click it). And 漏斗 → the chart is uploaded (media/upload) and sent as an
 * image message.
 * Monday 23 November 2026, 10:00 in Shanghai.
 */
const clock = fixedClock('2026-11-23T02:00:00Z');
const log = createLogger({ level: 'silent' });
const ding = { appKey: 'dingcarde2e0001', appSecret: 'ding-card-e2e-secret', group: 'cidCardE2E==', template: 'hb-card-e2e.schema' };
const env = { HB_TEST_DT_CARD_SECRET: ding.appSecret };
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let db: TestDatabase;
let sim: Simulator;
let api: TestApp;
let server: Server;
let baseUrl: string;
let features: FeatureContext;
let connection: DingtalkStreamConnection;
let hrUserId: string;
let interviewerUserId: string;
let candidateId: string;
let secondCandidateId: string;
let tenantId: string;
let appId: string;

const runtime = () => httpBotRuntime({ baseUrl: () => baseUrl });
const handlers = () => ({ ...botInboxHandlers({ features, runtime: runtime() }), ...dingtalkCardActionInboxHandlers({ features, runtime: runtime() }) });
const senders = () => dingtalkSenders({ features, db, env, clock, log });

/** Outbox rows of the DingTalk robot channels that failed for good (other channels have no sender in this test). */
const deadDingtalkRows = () => db.db.selectFrom('outbox').select(['channel', 'last_error']).where('channel', 'like', 'dingtalk_%').where('status', '=', 'dead').execute();
const inboxRows = (kind: string) => db.db.selectFrom('inbox').select(['id', 'dedupe_key']).where('kind', '=', kind).execute();
const storedMessage = (msgId: string) => async () => (await db.db.selectFrom('inbox').select('id').where('dedupe_key', '=', `msg:${msgId}`).execute()).length === 1;
const interviewsOf = (id: string) =>
  sql<{ id: string; status: string }>`select i.id, i.status from interviews i join applications a on a.id = i.application_id where a.candidate_id = ${id}`.execute(db.db).then((r) => r.rows);

async function say(text: string) {
  const pushed = sim.dingtalk.groupAtBot({ appKey: ding.appKey, openConversationId: ding.group, userId: hrUserId, text, ...(text.includes('@面试官') ? { atUserIds: [interviewerUserId] } : {}) });
  await waitFor(storedMessage(pushed.msgId), `the robot message "${text}"`);
  expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
}

beforeAll(async () => {
  ({ db, features, sim, api, server, baseUrl } = await startBotHarness({ clock, secretsEnv: env, simulator: { dingtalk: { stream: { pollIntervalMs: 10, disconnectGraceMs: 50 } } } }));

  const seeded = await company(db, api, 'dingtalk');
  const { tenant } = seeded;
  ({ candidateId, hrUserId, interviewerUserId } = seeded);
  secondCandidateId = await applicant(api, seeded.hr, seeded.jobId, { name: '周明远', phone: '13812345679' });

  sim.dingtalk.addApp({ appKey: ding.appKey, appSecret: ding.appSecret, robotCode: ding.appKey, corpId: 'dingcarde2ecorp' });
  sim.dingtalk.addUser({ userId: hrUserId, name: '招聘专员' });
  sim.dingtalk.addUser({ userId: interviewerUserId, name: '面试官' });
  sim.dingtalk.addGroup({ openConversationId: ding.group, title: '招聘群' });
  sim.dingtalk.addCardTemplate(ding.template);
  const app = await features.stores.platform.insertApp(tenant.tenantId, {
    kind: 'dingtalk_app', corpId: 'dingcarde2ecorp', agentId: ding.appKey, secretRef: 'env:HB_TEST_DT_CARD_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
    cardTemplateId: ding.template,
  });
  expect(app.cardTemplateId).toBe(ding.template);
  tenantId = tenant.tenantId;
  appId = app.id;
  connection = await connectDingtalkStream({ app, env, features, log, sim, appKey: ding.appKey });
});
afterAll(() => stopAll({ connection, server, sim, db }));

describe('DingTalk interactive cards and images from the HR bot (stream mode)', () => {
  it('取消 → interactive card with buttons → a click on the group page → interview cancelled → card updated for everyone', async () => {
    await say('约面 林晓雨 前端 周三上午10点 @面试官');
    const [interview] = await interviewsOf(candidateId);
    expect(interview).toMatchObject({ status: 'scheduled' });
    await dispatchDueMessages(features, senders());

    await say('取消 林晓雨 候选人时间冲突');
    expect((await interviewsOf(candidateId))[0]).toMatchObject({ status: 'scheduled' });
    expect(await dispatchDueMessages(features, senders())).toMatchObject({ sent: 1, dead: 0 });
    const delivered = sim.dingtalk.groupMessages(ding.group).at(-1)!;
    expect(delivered).toMatchObject({ via: 'interactiveCard', msgKey: 'interactiveCard' });
    const outTrackId = delivered.msgParam.outTrackId as string;
    const card = sim.dingtalk.card(outTrackId)!;
    expect(card).toMatchObject({ templateId: ding.template, callbackType: 'STREAM', spaces: [{ type: 'IM_GROUP', id: ding.group }] });
    expect(card.cardParamMap.title).toBe('确认取消这场面试？');
    expect(card.cardParamMap.markdown).toContain('林**');
    expect(card.cardParamMap.hbChat).toBe(`group:${ding.group}`);
    const buttons = sim.dingtalk.cardButtons(outTrackId);
    expect(buttons.map((b) => b.label)).toEqual(['确认取消', '不取消']);

    // The group page shows the card with its buttons; clicking posts the same form the page's button does.
    const page = await fetch(`${sim.url}/groups/dingtalk/${encodeURIComponent(ding.group)}`).then((r) => r.text());
    expect(page).toContain('确认取消这场面试？');
    expect(page).toContain(`data-key="${buttons[0]!.key}"`);
    const click = await fetch(`${sim.url}/groups/dingtalk/${encodeURIComponent(ding.group)}/click`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ outTrackId, userId: hrUserId, key: buttons[0]!.key }).toString(),
    });
    expect(click.status).toBe(303);
    const [clicked] = sim.dingtalk.card(outTrackId)!.clicks;
    expect(clicked).toMatchObject({ userId: hrUserId, actionId: 'hb_button' });

    // Stored before it is acknowledged; acknowledged with code 200, so DingTalk will not push it again.
    await waitFor(async () => (await inboxRows('card.dingtalk_callback')).length === 1, 'the card click in the inbox');
    await waitFor(() => sim.dingtalk.acks(clicked!.messageId).length === 1, 'the callback ack');
    expect(sim.dingtalk.acks(clicked!.messageId)[0]).toMatchObject({ code: 200 });
    expect(sim.dingtalk.pendingUnacked(ding.appKey)).toHaveLength(0);

    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect((await interviewsOf(candidateId))[0]).toMatchObject({ status: 'cancelled' });

    await dispatchDueMessages(features, senders());
    expect(await deadDingtalkRows()).toEqual([]);
    const updated = sim.dingtalk.card(outTrackId)!;
    expect(updated.updates).toHaveLength(1);
    expect(updated.cardParamMap.status).toContain('已处理');
    const hrName = (await db.db.selectFrom('employees').select('name').where('platform_user_id', '=', hrUserId).executeTakeFirstOrThrow()).name;
    expect(updated.cardParamMap.status).toContain(hrName);
    expect(sim.dingtalk.cardButtons(outTrackId)).toEqual([]);
    const texts = sim.dingtalk.groupMessages(ding.group).filter((m) => m.via === 'groupMessages').map((m) => JSON.stringify(m.msgParam));
    expect(texts.at(-1)).toContain('已取消面试');

    // A second click (someone else, later) is not acted on again, and the card is not updated twice.
    sim.dingtalk.clickCard({ outTrackId, userId: hrUserId, actionId: 'hb_button', params: { key: buttons[1]!.key, chat: `group:${ding.group}` } });
    await waitFor(async () => (await inboxRows('card.dingtalk_callback')).length === 2, 'the second click in the inbox');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    await dispatchDueMessages(features, senders());
    expect(sim.dingtalk.card(outTrackId)!.updates).toHaveLength(1);
  });

  it('a card callback re-pushed by DingTalk (same click) is stored once', async () => {
    const outTrackId = sim.dingtalk.cards().at(-1)!.outTrackId;
    sim.dingtalk.duplicateNextAck(1);
    const before = (await inboxRows('card.dingtalk_callback')).length;
    const { messageId } = sim.dingtalk.clickCard({ outTrackId, userId: interviewerUserId, actionId: 'hb_button', params: { key: 'anything', chat: `group:${ding.group}` } });
    await waitFor(() => sim.dingtalk.acks(messageId).length === 2, 'both deliveries acknowledged');
    expect((await inboxRows('card.dingtalk_callback')).length).toBe(before + 1);
    // The interviewer may not command the bot: told so, nothing changes.
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
  });

  it('漏斗 → the chart is uploaded and reaches the group as an image message', async () => {
    await say('漏斗 前端工程师');
    await dispatchDueMessages(features, senders());
    expect(await deadDingtalkRows()).toEqual([]);
    const image = sim.dingtalk.groupMessages(ding.group).find((m) => m.msgKey === 'sampleImageMsg');
    expect(image).toMatchObject({ via: 'groupMessages' });
    const mediaId = image!.msgParam.photoURL as string;
    expect(mediaId).toMatch(/^@/);
    const media = sim.dingtalk.media(mediaId)!;
    expect(media).toMatchObject({ type: 'image', contentType: 'image/png' });
    expect(media.bytes.subarray(0, 8).equals(pngSignature)).toBe(true);
    const row = await db.db.selectFrom('outbox').select(['status', 'receipt']).where('channel', '=', 'dingtalk_group').orderBy('created_at', 'desc').execute();
    expect(row.some((r) => JSON.stringify(r.receipt).includes(mediaId))).toBe(true);
    // The group page shows it.
    const page = await fetch(`${sim.url}/groups/dingtalk/${encodeURIComponent(ding.group)}`).then((r) => r.text());
    expect(page).toContain(`/media/dingtalk/${encodeURIComponent(mediaId)}`);
    const served = Buffer.from(await (await fetch(`${sim.url}/media/dingtalk/${encodeURIComponent(mediaId)}`)).arrayBuffer());
    expect(served.subarray(0, 8).equals(pngSignature)).toBe(true);


    // 1:1 with the robot: the chart comes as an image message too (oToMessages/batchSend).
    const pushed = sim.dingtalk.userSays({ appKey: ding.appKey, userId: hrUserId, text: '漏斗 前端工程师' });
    await waitFor(storedMessage(pushed.msgId), 'the 1:1 漏斗');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    await dispatchDueMessages(features, senders());
    expect(await deadDingtalkRows()).toEqual([]);
    const direct = sim.dingtalk.received(hrUserId).find((m) => m.msgKey === 'sampleImageMsg');
    expect(direct).toMatchObject({ via: 'oToMessages' });
    expect(sim.dingtalk.media(direct!.msgParam.photoURL as string)!.bytes.subarray(0, 8).equals(pngSignature)).toBe(true);
  });
  it('取消 in a 1:1 chat → interactive card in the robot chat → the user clicks on their 1:1 page → cancelled → card updated → confirmation 1:1', async () => {
    await say('约面 周明远 前端 周四上午10点 @面试官');
    expect((await interviewsOf(secondCandidateId))[0]).toMatchObject({ status: 'scheduled' });
    await dispatchDueMessages(features, senders());

    const pushed = sim.dingtalk.userSays({ appKey: ding.appKey, userId: hrUserId, text: '取消 周明远 候选人时间冲突' });
    await waitFor(storedMessage(pushed.msgId), 'the 1:1 取消');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect((await interviewsOf(secondCandidateId))[0]).toMatchObject({ status: 'scheduled' });
    expect(await dispatchDueMessages(features, senders())).toMatchObject({ sent: 1, dead: 0 });
    const delivered = sim.dingtalk.received(hrUserId).at(-1)!;
    expect(delivered).toMatchObject({ via: 'interactiveCard', msgKey: 'interactiveCard' });
    const outTrackId = delivered.msgParam.outTrackId as string;
    const card = sim.dingtalk.card(outTrackId)!;
    expect(card).toMatchObject({ templateId: ding.template, callbackType: 'STREAM', spaces: [{ type: 'IM_ROBOT', id: hrUserId }] });
    expect(card.cardParamMap.title).toBe('确认取消这场面试？');
    expect(card.cardParamMap.hbChat).toBe(`single:${hrUserId}`);
    // Not a text listing any more, and nothing went to anyone else.
    expect(sim.dingtalk.received(hrUserId).filter((m) => JSON.stringify(m.msgParam).includes('请带上所选内容重新发送命令'))).toEqual([]);
    expect(sim.dingtalk.received(interviewerUserId).filter((m) => m.via === 'interactiveCard')).toEqual([]);
    const buttons = sim.dingtalk.cardButtons(outTrackId);
    expect(buttons.map((b) => b.label)).toEqual(['确认取消', '不取消']);

    // The user's 1:1 page shows the card; its buttons click as that user (no clicker to choose).
    const userPage = `${sim.url}/people/dingtalk/${encodeURIComponent(hrUserId)}`;
    const page = await fetch(userPage).then((r) => r.text());
    expect(page).toContain('确认取消这场面试？');
    expect(page).toContain(`data-key="${buttons[0]!.key}"`);
    expect(page).toContain(`action="/people/dingtalk/${encodeURIComponent(hrUserId)}/click"`);
    expect(page).toContain(`<input type="hidden" name="userId" value="${hrUserId}">`);
    const clickAs = (userId: string) =>
      fetch(`${userPage}/click`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ outTrackId, userId, key: buttons[0]!.key }).toString(),
      });

    // Someone else cannot click it: not on the page, not in the simulator, and a forged callback is refused.
    expect((await clickAs(interviewerUserId)).status).toBe(403);
    expect(() => sim.dingtalk.clickCardButton({ outTrackId, userId: interviewerUserId, key: buttons[0]!.key })).toThrow(/not shown to/);
    expect(sim.dingtalk.card(outTrackId)!.clicks).toEqual([]);
    const clicksBefore = (await inboxRows('card.dingtalk_callback')).length;
    const forged = sim.dingtalk.gateway.enqueue(ding.appKey, 'CALLBACK', '/v1.0/card/instances/callback', {
      corpId: 'dingcarde2ecorp', outTrackId, userId: interviewerUserId,
      content: JSON.stringify({ cardPrivateData: { actionIds: ['hb_button'], params: { key: buttons[0]!.key, chat: `single:${hrUserId}` } } }),
    });
    await waitFor(() => sim.dingtalk.acks(forged).length === 1, 'the forged callback acknowledged');
    expect((await inboxRows('card.dingtalk_callback')).length).toBe(clicksBefore);
    // Even stored (a misrouted click reaching the inbox), it is not acted on and not answered.
    await acceptInboundEvent(features, {
      tenantId, appId, dedupeKey: 'card:forged-1on1', kind: 'card.dingtalk_callback',
      payload: { outTrackId, userId: interviewerUserId, corpId: 'dingcarde2ecorp', actionId: 'hb_button', key: buttons[0]!.key, chat: `single:${hrUserId}` },
    });
    const outboxBefore = (await db.db.selectFrom('outbox').select('id').execute()).length;
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect((await interviewsOf(secondCandidateId))[0]).toMatchObject({ status: 'scheduled' });
    expect((await db.db.selectFrom('outbox').select('id').execute()).length).toBe(outboxBefore);

    // The user clicks 确认取消 on their page: stream callback → stored, acked → cancelled → card updated → reply 1:1.
    expect((await clickAs(hrUserId)).status).toBe(303);
    const [clicked] = sim.dingtalk.card(outTrackId)!.clicks;
    expect(clicked).toMatchObject({ userId: hrUserId, actionId: 'hb_button', params: { key: buttons[0]!.key, chat: `single:${hrUserId}` } });
    await waitFor(async () => (await inboxRows('card.dingtalk_callback')).length === clicksBefore + 2, 'the 1:1 card click in the inbox');
    await waitFor(() => sim.dingtalk.acks(clicked!.messageId).length === 1, 'the callback ack');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect((await interviewsOf(secondCandidateId))[0]).toMatchObject({ status: 'cancelled' });

    const receivedBefore = sim.dingtalk.received(hrUserId).length;
    await dispatchDueMessages(features, senders());
    expect(await deadDingtalkRows()).toEqual([]);
    const updated = sim.dingtalk.card(outTrackId)!;
    expect(updated.updates).toHaveLength(1);
    expect(updated.cardParamMap.status).toContain('已处理');
    expect(sim.dingtalk.cardButtons(outTrackId)).toEqual([]);
    const replies = sim.dingtalk.received(hrUserId).slice(receivedBefore);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ via: 'oToMessages' });
    expect(JSON.stringify(replies[0]!.msgParam)).toContain('已取消面试');
    // The page shows the handled card without buttons.
    const after = await fetch(userPage).then((r) => r.text());
    expect(after).toContain('已处理');
    expect(after).not.toContain(`data-key="${buttons[0]!.key}"`);
  });
});

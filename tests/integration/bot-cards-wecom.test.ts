import type { Server } from 'node:http';
import type { Simulator } from '@hirebridge/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBotRuntime } from '../../server/src/adapters/bot/http-runtime';
import { startAibotLongConnection, type AibotLongConnection } from '../../server/src/adapters/wecom/aibot/long-connection';
import { wecomAibotPushSender, wecomAibotReplySender } from '../../server/src/adapters/wecom/aibot/senders';
import { botInboxHandlers } from '../../server/src/features/bot/inbound';
import type { FeatureContext } from '../../server/src/features/context';
import { cardActionInboxHandlers } from '../../server/src/features/group-chat/card-actions';
import { processDueEvents } from '../../server/src/features/inbox';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import type { PlatformApp } from '../../server/src/features/platform';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import type { TestApp } from '../support/app';
import type { TestDatabase } from '../support/database';
import { candidateConfirms as confirmsAs, company as seedCompany, startBotHarness, stopAll, waitFor } from '../support/bot-harness';

/**
 * Buttons and images in WeCom AI-bot group chats, end to end through the simulator: 取消 answers with a real
 * button card (template_card, button_interaction); a click comes back as WeCom's template_card_event, verified and
 * stored like any callback, and reaches the bot as a card click — acted on once, only for people allowed to command
 * the bot; the group is told. Over the long connection, a funnel chart goes out as an uploaded image.
 * Monday 23 November 2026, 10:00 in Shanghai.
 */
const clock = fixedClock('2026-11-23T02:00:00Z');
const log = createLogger({ level: 'silent' });
const aibot = { botId: 'aibotCardsE2E', secret: 'aibot-cards-secret', token: 'hbAibotCards', aesKey: 'kWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const lcBot = { botId: 'aibotCardsLC', secret: 'aibot-cards-lc-secret' };
const env = { HB_TEST_AIBOT_SECRET: aibot.secret, HB_TEST_AIBOT_TOKEN: aibot.token, HB_TEST_AIBOT_AES_KEY: aibot.aesKey, HB_TEST_AIBOT_LC_SECRET: lcBot.secret };

let db: TestDatabase;
let sim: Simulator;
let api: TestApp;
let server: Server;
let baseUrl: string;
let features: FeatureContext;

const company = () => seedCompany(db, api, 'wecom');
/** The candidate, signed in to the mini-program, confirms through the candidate API. */
const candidateConfirms = (tenantId: string, candidateId: string, interviewId: string) => confirmsAs(db, api, tenantId, candidateId, interviewId);

const interviewsOf = (candidateId: string) =>
  sql<{ id: string; status: string }>`select i.id, i.status from interviews i join applications a on a.id = i.application_id where a.candidate_id = ${candidateId}`.execute(db.db).then((r) => r.rows);

const handlers = () => {
  const runtime = httpBotRuntime({ baseUrl: () => baseUrl });
  return { ...botInboxHandlers({ features, runtime }), ...cardActionInboxHandlers({ features, runtime }) };
};

beforeAll(async () => {
  ({ db, features, sim, api, server, baseUrl } = await startBotHarness({ clock, secretsEnv: env, simulator: { aibot: { timing: { timeoutMs: 3000, retryIntervalMs: 5, streamRefreshIntervalMs: 5, maxStreamRefreshes: 3 } } } }));
});
afterAll(() => stopAll({ server, sim, db }));

describe('WeCom AI bot, callback mode: 取消 with a confirmation card', () => {
  let app: PlatformApp;
  let setup: Awaited<ReturnType<typeof company>>;
  const chatId = 'wrkCardsGroup';
  const reply = () => wecomAibotReplySender({ findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'wecom_aibot'), clock });
  const lastReply = () => sim.aibot.chat(chatId).filter((p) => p.via === 'response_url').at(-1)!;

  beforeAll(async () => {
    setup = await company();
    app = await features.stores.platform.insertApp(setup.tenant.tenantId, {
      kind: 'wecom_aibot', corpId: 'wwcardse2e001', agentId: aibot.botId, secretRef: 'env:HB_TEST_AIBOT_SECRET',
      callbackTokenRef: 'env:HB_TEST_AIBOT_TOKEN', encodingAesKeyRef: 'env:HB_TEST_AIBOT_AES_KEY', apiBaseUrl: sim.url,
    });
    sim.aibot.addBot({ botId: aibot.botId, secret: aibot.secret, name: '招聘助手', token: aibot.token, encodingAesKey: aibot.aesKey, callbackUrl: `${baseUrl}/callbacks/wecom-aibot/${app.id}` });
    await sim.aibot.mention({ botId: aibot.botId, chatId, userid: setup.hrUserId, text: '约面 林晓雨 前端 明天下午3点 @面试官' });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
  });

  it('shows real buttons; a click by an interviewer is refused; HR’s click cancels once and the group is told', async () => {
    const [interview] = await interviewsOf(setup.candidateId);
    expect(interview).toMatchObject({ status: 'scheduled' });
    // Scheduled from the group: the interview remembers the chat, as the proactive target that reaches it later.
    expect((await db.db.selectFrom('interviews').select('origin_chat').where('id', '=', interview!.id).executeTakeFirstOrThrow()).origin_chat).toEqual({ channel: 'wecom_aibot_push', chatId });

    await sim.aibot.mention({ botId: aibot.botId, chatId, userid: setup.hrUserId, text: '取消 林晓雨 候选人已接受其他机会' });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    const card = lastReply();
    expect(card.msgtype).toBe('template_card');
    const templateCard = card.body.template_card as { card_type: string; main_title: { title: string }; sub_title_text: string; button_list: { text: string; style: number }[]; task_id: string };
    expect(templateCard).toMatchObject({ card_type: 'button_interaction', main_title: { title: '确认取消这场面试？' } });
    expect(templateCard.button_list.map((b) => [b.text, b.style])).toEqual([['确认取消', 3], ['不取消', 2]]);
    expect(templateCard.sub_title_text).toContain('林**');
    expect(templateCard.sub_title_text).not.toContain('林晓雨');
    expect(templateCard.task_id).toMatch(/^[0-9A-Za-z_\-@]{1,128}$/);
    // Nothing happens before the click.
    expect((await interviewsOf(setup.candidateId))[0]).toMatchObject({ status: 'scheduled' });

    // An interviewer may not command the bot: the click is refused and nothing changes.
    const refused = await sim.aibot.clickButton({ chatId, userid: setup.interviewerUserId, text: '确认取消' });
    expect(refused.delivery?.ok).toBe(true);
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    expect(lastReply().content).toContain('只有 HR 和用人经理');
    expect((await interviewsOf(setup.candidateId))[0]).toMatchObject({ status: 'scheduled' });

    // HR clicks: the interview is cancelled and the group is told through the click's response_url.
    const clicked = await sim.aibot.clickButton({ chatId, userid: setup.hrUserId, text: '确认取消' });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect((await interviewsOf(setup.candidateId))[0]).toMatchObject({ status: 'cancelled' });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    expect(lastReply().content).toContain('已取消面试，已通知候选人和面试官。原因：候选人已接受其他机会');
    expect(sim.aibot.responseUrlUse(clicked.responseUrl!)).toEqual({ used: true, refusals: 0 });

    // WeCom retries the same event: stored once, nothing more happens.
    await sim.aibot.deliver(aibot.botId, { msgid: clicked.msgid, response_url: sim.aibot.state.issueResponseUrl(aibot.botId, chatId), aibotid: aibot.botId, chatid: chatId, chattype: 'group', from: { userid: setup.hrUserId }, msgtype: 'event', event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: sim.aibot.findButton(chatId, { text: '确认取消' })!.key, task_id: templateCard.task_id } } });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 0 });

    // A second click on the same button (a new event) is acted on once only: it hears so, and nothing is called again.
    await sim.aibot.clickButton({ chatId, userid: setup.hrUserId, text: '确认取消' });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    expect(lastReply().content).toContain('这个按钮已经处理过了');
    const cancels = await db.db.selectFrom('audit_events').select('action').where('tenant_id', '=', setup.tenant.tenantId).where('action', '=', 'interview.cancel').execute();
    expect(cancels).toHaveLength(1);
    const clicks = await db.db.selectFrom('audit_events').select(['actor', 'details']).where('tenant_id', '=', setup.tenant.tenantId).where('action', '=', 'bot.command').execute();
    expect(clicks.filter((c) => JSON.stringify(c.details).includes('[按钮]'))).toHaveLength(1);
  });

  it('an ambiguous time is asked back with buttons; clicking one schedules, and the interview remembers the group', async () => {
    await sim.aibot.mention({ botId: aibot.botId, chatId, userid: setup.hrUserId, text: '约面 林晓雨 前端 明天3点 @面试官' });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    const card = lastReply().body.template_card as { card_type: string; button_list: { text: string }[] };
    expect(card.card_type).toBe('button_interaction');
    expect(card.button_list.length).toBeGreaterThanOrEqual(3);
    // Each reading stays distinguishable on its button.
    expect(new Set(card.button_list.map((b) => b.text)).size).toBe(card.button_list.length);
    const before = (await interviewsOf(setup.candidateId)).length;

    const first = card.button_list[0]!.text;
    await sim.aibot.clickButton({ chatId, userid: setup.hrUserId, text: first });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    const after = await interviewsOf(setup.candidateId);
    expect(after).toHaveLength(before + 1);
    const created = after.find((i) => i.status === 'scheduled')!;
    expect((await db.db.selectFrom('interviews').select('origin_chat').where('id', '=', created.id).executeTakeFirstOrThrow()).origin_chat).toEqual({ channel: 'wecom_aibot_push', chatId });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    expect(lastReply().content).toContain('面试已安排');
  });

  it('a button the chat does not show cannot be clicked, and a key the bot did not write is refused', async () => {
    await expect(sim.aibot.clickButton({ chatId, userid: setup.hrUserId, text: '不存在的按钮' })).rejects.toThrow(/no such button/);
    const before = sim.aibot.chat(chatId).length;
    await sim.aibot.deliver(aibot.botId, {
      msgid: 'CAIQforgedkey0001', aibotid: aibot.botId, chatid: chatId, chattype: 'group', from: { userid: setup.hrUserId }, msgtype: 'event',
      response_url: sim.aibot.state.issueResponseUrl(aibot.botId, chatId), event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: 'hb1.e30', task_id: 'hb_forged' } },
    });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    expect(sim.aibot.chat(chatId)).toHaveLength(before + 1);
    expect(lastReply().content).toContain('这个按钮已失效');
  });
});

describe('WeCom AI bot, long connection: a chart arrives as an image', () => {
  let connection: AibotLongConnection;
  let setup: Awaited<ReturnType<typeof company>>;
  const chatId = 'wrkCardsLCGroup';

  beforeAll(async () => {
    setup = await company();
    const app = await features.stores.platform.insertApp(setup.tenant.tenantId, {
      kind: 'wecom_aibot', corpId: 'wwcardse2e002', agentId: lcBot.botId, secretRef: 'env:HB_TEST_AIBOT_LC_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
    });
    sim.aibot.addBot({ botId: lcBot.botId, secret: lcBot.secret, name: '招聘助手' });
    connection = startAibotLongConnection({ app, env, features, log, wsUrl: sim.aibot.wsUrl, reconnectBaseMs: 20 });
    await connection.ready();
  });
  afterAll(() => connection?.stop());

  it('漏斗 → the PNG is uploaded as temporary media and sent as an image, then the numbers as text', async () => {
    const pushed = sim.aibot.push(lcBot.botId, { userid: setup.hrUserId, chatId, text: '漏斗 前端 近30天' });
    await sim.aibot.waitFor(() => pushed.responses.length > 0);
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    const push = wecomAibotPushSender({ connectionFor: (tenantId) => (tenantId === setup.tenant.tenantId ? connection : undefined) });
    expect(await dispatchDueMessages(features, { wecom_aibot_push: push })).toMatchObject({ claimed: 2, sent: 2, dead: 0 });
    const posts = sim.aibot.chat(chatId).filter((p) => p.via === 'push');
    expect(posts.map((p) => p.msgtype)).toEqual(['image', 'markdown']);
    const mediaId = (posts[0]!.body.image as { media_id: string }).media_id;
    const media = sim.aibot.state.media.get(mediaId)!;
    expect(media.type).toBe('image');
    expect(media.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(posts[1]!.content).toContain('前端工程师 招聘漏斗（近30天）');
  });

  it('a click over the long connection reaches the bot too (不取消 → nothing changes)', async () => {
    const first = sim.aibot.push(lcBot.botId, { userid: setup.hrUserId, chatId, text: '约面 林晓雨 前端 明天下午3点 @面试官' });
    await sim.aibot.waitFor(() => first.responses.length > 0);
    await processDueEvents(features, handlers());
    const cancel = sim.aibot.push(lcBot.botId, { userid: setup.hrUserId, chatId, text: '取消 林晓雨 岗位暂停招聘' });
    await sim.aibot.waitFor(() => cancel.responses.length > 0);
    await processDueEvents(features, handlers());
    const push = wecomAibotPushSender({ connectionFor: (tenantId) => (tenantId === setup.tenant.tenantId ? connection : undefined) });
    await dispatchDueMessages(features, { wecom_aibot_push: push });
    expect(sim.aibot.chat(chatId).at(-1)!.msgtype).toBe('template_card');

    const clicked = await sim.aibot.clickButton({ chatId, userid: setup.hrUserId, text: '不取消' });
    expect(clicked.pushed).toBeDefined();
    await waitFor(async () => (await db.db.selectFrom('inbox').select('id').where('dedupe_key', '=', `msg:${clicked.msgid}`).execute()).length === 1, 'the click in the inbox');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });
    await dispatchDueMessages(features, { wecom_aibot_push: push });
    expect(sim.aibot.chat(chatId).at(-1)!.content).toContain('好的，已取消操作');
    const [interview] = await interviewsOf(setup.candidateId);
    expect(interview).toMatchObject({ status: 'scheduled' });

    // The candidate confirms in the mini-program: the group the command came from is told, once, masked.
    await candidateConfirms(setup.tenant.tenantId, setup.candidateId, interview!.id);
    await candidateConfirms(setup.tenant.tenantId, setup.candidateId, interview!.id);
    expect(await dispatchDueMessages(features, { wecom_aibot_push: push })).toMatchObject({ sent: 1 });
    const told = sim.aibot.chat(chatId).at(-1)!;
    expect(told).toMatchObject({ via: 'push', msgtype: 'markdown' });
    expect(told.content).toContain('✅ 候选人 林** 已确认参加「前端工程师」技术一面');
    expect(told.content).not.toContain('林晓雨');
  });
});

import type { Server } from 'node:http';
import type { Simulator } from '@hirebridge/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBotRuntime } from '../../server/src/adapters/bot/http-runtime';
import type { DingtalkStreamConnection } from '../../server/src/adapters/dingtalk/stream-connection';
import { wecomAibotReplySender } from '../../server/src/adapters/wecom/aibot/senders';
import { botInboxHandlers } from '../../server/src/features/bot/inbound';
import type { FeatureContext } from '../../server/src/features/context';
import { processDueEvents } from '../../server/src/features/inbox';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import type { PlatformApp } from '../../server/src/features/platform';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import type { TestApp } from '../support/app';
import type { TestDatabase } from '../support/database';
import { candidateConfirms as confirmsAs, company as seedCompany, connectDingtalkStream, dingtalkSenders, startBotHarness, stopAll, waitFor } from '../support/bot-harness';
import type { TenantFixture } from '../support/fixtures';

/**
 * End to end through the platform simulator, on both platforms: an HR person @-mentions the bot in a group → the
 * verified message is stored → the bot (over HTTP, as that person) creates the interview and the server invites the
 * candidate → the answer card appears in the group → the candidate confirms → the group sees it confirmed.
 * Monday 23 November 2026, 10:00 in Shanghai.
 */
const clock = fixedClock('2026-11-23T02:00:00Z');
const log = createLogger({ level: 'silent' });
const aibot = { botId: 'aibotHireBridgeE2E', secret: 'aibot-e2e-secret', token: 'hbAibotE2E', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const ding = { appKey: 'dingbote2e0001', appSecret: 'ding-bot-e2e-secret', group: 'cidBotE2E==' };
const env = { HB_TEST_AIBOT_SECRET: aibot.secret, HB_TEST_AIBOT_TOKEN: aibot.token, HB_TEST_AIBOT_AES_KEY: aibot.aesKey, HB_TEST_DT_SECRET: ding.appSecret };

let db: TestDatabase;
let sim: Simulator;
let api: TestApp;
let server: Server;
let baseUrl: string;
let features: FeatureContext;

/** A company with an open job, a candidate who applied, and an HR person who can talk to the bot. */
const company = (platform: 'wecom' | 'dingtalk') => seedCompany(db, api, platform);
/** The candidate, signed in to the mini-program, confirms through the candidate API. */
const candidateConfirms = (tenant: TenantFixture, candidateId: string, interviewId: string) => confirmsAs(db, api, tenant.tenantId, candidateId, interviewId);

const interviewsOf = (candidateId: string) =>
  sql<{ id: string; status: string; starts_at: Date }>`select i.id, i.status, i.starts_at from interviews i join applications a on a.id = i.application_id where a.candidate_id = ${candidateId}`.execute(db.db).then((r) => r.rows);

const handlers = () => botInboxHandlers({ features, runtime: httpBotRuntime({ baseUrl: () => baseUrl }) });

beforeAll(async () => {
  ({ db, features, sim, api, server, baseUrl } = await startBotHarness({ clock, secretsEnv: env, simulator: { aibot: { timing: { timeoutMs: 3000, retryIntervalMs: 5, streamRefreshIntervalMs: 5, maxStreamRefreshes: 3 } }, dingtalk: { stream: { pollIntervalMs: 10, disconnectGraceMs: 50 } } } }));
});
afterAll(() => stopAll({ server, sim, db }));

describe('WeCom AI bot in a group (callback mode)', () => {
  let app: PlatformApp;
  let setup: Awaited<ReturnType<typeof company>>;
  const chatId = 'wrkBotE2Egroup';
  const reply = () => wecomAibotReplySender({ findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'wecom_aibot'), clock });

  beforeAll(async () => {
    setup = await company('wecom');
    app = await features.stores.platform.insertApp(setup.tenant.tenantId, {
      kind: 'wecom_aibot', corpId: 'wwbote2e0001', agentId: aibot.botId, secretRef: 'env:HB_TEST_AIBOT_SECRET',
      callbackTokenRef: 'env:HB_TEST_AIBOT_TOKEN', encodingAesKeyRef: 'env:HB_TEST_AIBOT_AES_KEY', apiBaseUrl: sim.url,
    });
    sim.aibot.addBot({ botId: aibot.botId, secret: aibot.secret, name: '招聘助手', token: aibot.token, encodingAesKey: aibot.aesKey, callbackUrl: `${baseUrl}/callbacks/wecom-aibot/${app.id}` });
  });

  it('@-mention → interview created and candidate invited → card in the group → candidate confirms → the group sees it', async () => {
    const asked = await sim.aibot.mention({ botId: aibot.botId, chatId, userid: setup.hrUserId, text: '约面 林晓雨 前端 明天下午3点 @面试官' });
    expect(asked.stream).toMatchObject({ finished: true, content: '收到，处理中…' });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });

    const [interview] = await interviewsOf(setup.candidateId);
    expect(interview).toMatchObject({ status: 'scheduled' });
    expect(interview!.starts_at.toISOString()).toBe('2026-11-24T07:00:00.000Z');
    const invite = await db.db.selectFrom('outbox').select('payload').where('channel', '=', 'candidate_message').where('recipient', '=', setup.candidateId).execute();
    expect(invite).toHaveLength(1);
    const panel = await db.db.selectFrom('interview_panelists').select('employee_id').where('interview_id', '=', interview!.id).execute();
    expect(panel.map((p) => p.employee_id)).toEqual([setup.tenant.employees.interviewer.id]);

    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    const card = sim.aibot.chat(chatId).filter((p) => p.via === 'response_url').at(-1)!.content;
    expect(card).toContain('面试已安排，已邀请候选人');
    expect(card).toContain('林**');
    expect(card).not.toContain('林晓雨');
    expect(card).toContain('11月24日（周二）15:00');

    await candidateConfirms(setup.tenant, setup.candidateId, interview!.id);
    await sim.aibot.mention({ botId: aibot.botId, chatId, userid: setup.hrUserId, text: '本周' });
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    expect(sim.aibot.chat(chatId).filter((p) => p.via === 'response_url').at(-1)!.content).toContain('林** · 前端工程师 · 技术一面 · ✅ 已确认');

    const audit = await db.db.selectFrom('audit_events').select(['actor', 'action']).where('tenant_id', '=', setup.tenant.tenantId).where('action', '=', 'bot.command').execute();
    expect(audit).toEqual([
      { actor: `employee:${setup.tenant.employees.hr.id}`, action: 'bot.command' },
      { actor: `employee:${setup.tenant.employees.hr.id}`, action: 'bot.command' },
    ]);
  });

  it('tells an interviewer the commands are for HR and hiring managers, and creates nothing', async () => {
    const other = await db.db.selectFrom('interviews').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await sim.aibot.mention({ botId: aibot.botId, chatId, userid: setup.interviewerUserId, text: '约面 林晓雨 前端 明天下午4点 @面试官' });
    await processDueEvents(features, handlers());
    await dispatchDueMessages(features, { wecom_aibot_reply: reply() });
    expect(sim.aibot.chat(chatId).filter((p) => p.via === 'response_url').at(-1)!.content).toContain('只有 HR 和用人经理');
    expect((await db.db.selectFrom('interviews').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n).toBe(other.n);
  });
});

describe('DingTalk robot in a group (stream mode)', () => {
  let setup: Awaited<ReturnType<typeof company>>;
  let connection: DingtalkStreamConnection;
  const robot = () => dingtalkSenders({ features, db, env, clock, log }).dingtalk_group;

  beforeAll(async () => {
    setup = await company('dingtalk');
    sim.dingtalk.addApp({ appKey: ding.appKey, appSecret: ding.appSecret, robotCode: ding.appKey, corpId: 'dingbote2ecorp' });
    sim.dingtalk.addUser({ userId: setup.hrUserId, name: '招聘专员' });
    sim.dingtalk.addUser({ userId: setup.interviewerUserId, name: '面试官' });
    sim.dingtalk.addGroup({ openConversationId: ding.group, title: '招聘群' });
    const app = await features.stores.platform.insertApp(setup.tenant.tenantId, {
      kind: 'dingtalk_app', corpId: 'dingbote2ecorp', agentId: ding.appKey, secretRef: 'env:HB_TEST_DT_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
    });
    connection = await connectDingtalkStream({ app, env, features, log, sim, appKey: ding.appKey });
  });
  afterAll(async () => {
    await connection?.stop();
  });

  const stored = (msgId: string) => async () => (await db.db.selectFrom('inbox').select('id').where('dedupe_key', '=', `msg:${msgId}`).execute()).length === 1;

  it('@-mention → interview created and candidate invited → card in the group → candidate confirms → the group sees it', async () => {
    await waitFor(async () => sim.dingtalk.liveConnections(ding.appKey) > 0, 'the stream connection');
    const pushed = sim.dingtalk.groupAtBot({ appKey: ding.appKey, openConversationId: ding.group, userId: setup.hrUserId, text: '约面 林晓雨 前端 周三上午10点 @面试官', atUserIds: [setup.interviewerUserId] });
    await waitFor(stored(pushed.msgId), 'the robot message in the inbox');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0 });

    const [interview] = await interviewsOf(setup.candidateId);
    expect(interview).toMatchObject({ status: 'scheduled' });
    expect(interview!.starts_at.toISOString()).toBe('2026-11-25T02:00:00.000Z');
    expect(await db.db.selectFrom('outbox').select('id').where('channel', '=', 'candidate_message').where('recipient', '=', setup.candidateId).execute()).toHaveLength(1);

    expect(await dispatchDueMessages(features, { dingtalk_group: robot() })).toMatchObject({ sent: 1 });
    const card = sim.dingtalk.groupMessages(ding.group).at(-1)!;
    expect(card).toMatchObject({ via: 'groupMessages', msgKey: 'sampleMarkdown' });
    expect(JSON.stringify(card.msgParam)).toContain('面试已安排，已邀请候选人');
    expect(JSON.stringify(card.msgParam)).toContain('林**');

    await candidateConfirms(setup.tenant, setup.candidateId, interview!.id);
    const later = sim.dingtalk.groupAtBot({ appKey: ding.appKey, openConversationId: ding.group, userId: setup.hrUserId, text: '本周' });
    await waitFor(stored(later.msgId), 'the second robot message');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    // The confirmation told the group the command came from (issue 7), then the answer to 本周.
    expect(await dispatchDueMessages(features, { dingtalk_group: robot() })).toMatchObject({ sent: 2 });
    expect(JSON.stringify(sim.dingtalk.groupMessages(ding.group).at(-2)!.msgParam)).toContain('✅ 候选人 林** 已确认参加「前端工程师」技术一面');
    expect(JSON.stringify(sim.dingtalk.groupMessages(ding.group).at(-1)!.msgParam)).toContain('林** · 前端工程师 · 技术一面 · ✅ 已确认');
  });

  it('answers 1:1 through the robot’s one-to-one message, with the full name for the person asking', async () => {
    const pushed = sim.dingtalk.userSays({ appKey: ding.appKey, userId: setup.hrUserId, text: '候选人 5678' });
    await waitFor(stored(pushed.msgId), 'the 1:1 robot message');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    expect(await dispatchDueMessages(features, { dingtalk_oto: robot() })).toMatchObject({ sent: 1 });
    const text = JSON.stringify(sim.dingtalk.received(setup.hrUserId).at(-1)!.msgParam);
    expect(text).toContain('林晓雨');
    expect(text).toContain('139****5678');
    expect(text).not.toContain('13912345678');
  });
});

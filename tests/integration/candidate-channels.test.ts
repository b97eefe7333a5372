import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wechatCandidateMessenger } from '../../server/src/adapters/wechat/candidate-messenger';
import { createKfContactLink, kfClients, kfDoorbellHandler, kfSender } from '../../server/src/adapters/wechat/kf';
import { linkMiniProgramLogin, miniProgramClients, subscriptionSender } from '../../server/src/adapters/wechat/subscription';
import { wecomAppMessageSender } from '../../server/src/adapters/wecom/app-message-sender';
import { createApplication } from '../../server/src/features/applications';
import { recordSubscriptionResults } from '../../server/src/features/candidate-channels';
import { createCandidate } from '../../server/src/features/candidates';
import type { FeatureContext } from '../../server/src/features/context';
import { processDueEvents } from '../../server/src/features/inbox';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { candidateMessageSender } from '../../server/src/adapters/wechat/candidate-message-sender';
import { scheduleInterview } from '../../server/src/features/interviews';
import { kfMenuClickHandler, kfTextHandler } from '../../server/src/features/interviews/chat-replies';
import type { CandidateMessage } from '../../server/src/ports/candidate-messenger';
import { SendFailedError } from '../../server/src/ports/outbound-sender';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, type TenantFixture } from '../support/fixtures';

const corpId = 'wwcandidatechan01';
const agentId = 1000002;
const openKfId = 'wkHireBridgeKf01';
const mpAppId = 'wxhirebridgemp0001';
const reminderTemplate = 'tmpl-interview-reminder';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const env = {
  HB_T_APP_SECRET: 'app-secret-1',
  HB_T_KF_SECRET: 'kf-secret-1',
  HB_T_KF_TOKEN: 'kfCallbackToken',
  HB_T_KF_AES: aesKey,
  HB_T_MP_SECRET: 'mp-secret-1',
};
const log = createLogger({ level: 'silent' });
// One clock for the platform and HireBridge: windows, token lifetimes and callback timestamps agree.
const clock = fixedClock('2026-11-22T08:00:00Z');
const noSleep = async () => undefined;

let db: TestDatabase;
let sim: Simulator;
let server: Server;
let tenant: TenantFixture;
let features: FeatureContext;
let interviewId: string;
let hrUserId: string;
let journeyJob: { id: string; roundId: string };

/** One HireBridge instance: its own token cache and clients over the shared database. */
function instance(options: { pageSize?: number } = {}) {
  const tokens = postgresTokenCache(db.db, clock);
  const kf = kfClients({ env, tokens, log, sleep: noSleep });
  const mp = miniProgramClients({ env, tokens, log });
  const senders = { kf: kfSender({ env, tokens, log, features, kf }), subscription: subscriptionSender({ env, tokens, log, features, clients: mp }) };
  const messenger = wechatCandidateMessenger({
    features,
    senders,
    reminderTemplate: { templateId: reminderTemplate, keys: { title: 'thing1', time: 'time2', location: 'thing3', note: 'thing4' } },
  });
  const handlers = { 'event.kf_msg_or_event': kfDoorbellHandler(kf, options) };
  return {
    kf,
    mp,
    senders,
    messenger,
    processInbox: () => processDueEvents(features, handlers),
    wecomApp: wecomAppMessageSender({ findApp: (t) => features.stores.platform.findAppOfKind(t, 'wecom_app'), env, tokens, log, sleep: noSleep }),
  };
}

let counter = 0;
async function newCandidate(): Promise<string> {
  const c = await createCandidate(features, tenant.employees.hr.principal, {
    name: `王${++counter}`,
    phone: `1380000${String(counter).padStart(4, '0')}`,
    email: null,
    source: 'other',
    timeZone: null,
    resumeText: '',
    talentPool: false,
  });
  return c.id;
}

/** The candidate opens their own contact link in WeChat; HireBridge learns who the external user is. */
async function bindKf(one: ReturnType<typeof instance>, wechatUser: string, candidateId: string) {
  const { url } = await createKfContactLink(features, one.kf, { tenantId: tenant.tenantId, candidateId });
  const opened = await sim.wechat.openKfLink(wechatUser, url);
  expect(opened.delivery?.ok).toBe(true);
  await one.processInbox();
  return opened.externalUserId;
}

const inboxOf = (kind: string) =>
  db.db.selectFrom('inbox').select(['payload', 'dedupe_key']).where('kind', '=', kind).orderBy('id').execute() as Promise<{ payload: Record<string, unknown>; dedupe_key: string }[]>;

const channelRow = (candidateId: string) => db.db.selectFrom('candidate_channels').selectAll().where('candidate_id', '=', candidateId).executeTakeFirstOrThrow();

const text = (content: string) => ({ msgtype: 'text', text: { content } });
const sendKf = (one: ReturnType<typeof instance>, candidateId: string, payload: Record<string, unknown>) =>
  one.senders.kf.send({ id: 'x', tenantId: tenant.tenantId, channel: 'kf', recipient: candidateId, payload, idempotencyKey: 'x', attempts: 1 });
const sendSubscription = (one: ReturnType<typeof instance>, candidateId: string) =>
  one.senders.subscription.send({
    id: 'x',
    tenantId: tenant.tenantId,
    channel: 'subscription',
    recipient: candidateId,
    payload: { template_id: reminderTemplate, data: { thing1: { value: '后端二面' }, time2: { value: '2026年11月25日 14:00' }, thing3: { value: '星河大厦' }, thing4: { value: '带身份证' } } },
    idempotencyKey: 'x',
    attempts: 1,
  });

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  sim = await startSimulator({ clock, wecom: { callbackTiming: { timeoutMs: 2000, retryIntervalMs: 10 } } });
  tenant = await createTenant(db.db);
  const hr = tenant.employees.hr;
  hrUserId = (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', hr.id).executeTakeFirstOrThrow()).platform_user_id;

  const job = await createJob(features, hr.principal, {
    departmentId: tenant.departmentId,
    title: '后端工程师',
    description: '',
    location: '上海',
    headcount: 1,
    hiringManagerId: tenant.employees.manager.id,
    ownerHrId: hr.id,
    rounds: [{ name: '二面', durationMinutes: 60 }],
  });
  const model = await publishCompetencyModel(features, hr.principal, job.id, competencyModelInput([60, 40]));
  await changeJobStatus(features, hr.principal, job.id, 'open');
  journeyJob = { id: job.id, roundId: job.rounds[0]!.id };
  const application = await createApplication(features, hr.principal, { candidateId: await newCandidate(), jobId: job.id });
  interviewId = (
    await db.db
      .insertInto('interviews')
      .values({
        tenant_id: tenant.tenantId,
        application_id: application.id,
        round_id: job.rounds[0]!.id,
        competency_model_id: model.id,
        status: 'scheduled',
        starts_at: new Date('2026-11-25T06:00:00Z'),
        ends_at: new Date('2026-11-25T07:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

  const web = createTestApp(db, { features, secretsEnv: env });
  server = createServer(web.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const platform = features.stores.platform;
  await platform.insertApp(tenant.tenantId, {
    kind: 'wecom_app',
    corpId,
    agentId: String(agentId),
    secretRef: 'env:HB_T_APP_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
  const kfApp = await platform.insertApp(tenant.tenantId, {
    kind: 'wecom_kf',
    corpId,
    agentId: openKfId,
    secretRef: 'env:HB_T_KF_SECRET',
    callbackTokenRef: 'env:HB_T_KF_TOKEN',
    encodingAesKeyRef: 'env:HB_T_KF_AES',
    apiBaseUrl: sim.url,
  });
  await platform.insertApp(tenant.tenantId, {
    kind: 'wechat_miniprogram',
    corpId: mpAppId,
    agentId: null,
    secretRef: 'env:HB_T_MP_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });

  sim.wecom.addCorp({ corpId, apps: [{ agentId, secret: env.HB_T_APP_SECRET }], kfSecret: env.HB_T_KF_SECRET, callbackToken: 'appToken', encodingAesKey: aesKey });
  sim.wecom.addUser(corpId, { userid: hrUserId, name: '招聘专员', department: [1] });
  sim.wechat.addKfAccount({
    corpId,
    openKfId,
    name: '星河科技招聘',
    callbackUrl: `http://127.0.0.1:${port}/callbacks/wecom/${kfApp.id}`,
    callbackToken: env.HB_T_KF_TOKEN,
  });
  sim.wechat.addMiniProgram({ appId: mpAppId, secret: env.HB_T_MP_SECRET, templates: [{ id: reminderTemplate, keys: ['thing1', 'time2', 'thing3', 'thing4'] }] });
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  await sim.stop();
  await db.drop();
});

describe('微信客服 inbound', () => {
  it('puts the invitation id in scene_param and binds the WeChat user who enters through it', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    const { url, invitationId } = await createKfContactLink(features, one.kf, { tenantId: tenant.tenantId, candidateId });
    expect(url).toMatch(/^https:\/\/work\.weixin\.qq\.com\/kfid\/.+\?enc_scene=.+&scene_param=/);
    expect(new URL(url).searchParams.get('scene_param')).toBe(invitationId);
    const opened = await sim.wechat.openKfLink('candidate-a', url);
    expect(opened.sceneParam).toBe(invitationId);
    expect(opened.delivery?.ok).toBe(true);
    expect(await one.processInbox()).toMatchObject({ handled: 1, retried: 0 });
    expect(await channelRow(candidateId)).toMatchObject({ kf_external_userid: opened.externalUserId, kf_open_kfid: openKfId, kf_last_customer_message_at: null });
    const entered = (await inboxOf('kf.enter_session')).map((e) => e.payload);
    expect(entered).toContainEqual(expect.objectContaining({ candidateId, invitationId, externalUserId: opened.externalUserId }));
  });

  it('stores each message once although the doorbell rings twice and sync_msg pages', async () => {
    const one = instance({ pageSize: 2 });
    const candidateId = await newCandidate();
    const externalUserId = await bindKf(one, 'candidate-b', candidateId);
    const syncsBefore = sim.wechat.calls('/cgi-bin/kf/sync_msg');
    for (let i = 1; i <= 5; i++) await sim.wechat.customerSays('candidate-b', openKfId, `第${i}条`, { ring: false });
    expect((await sim.wechat.ringKf(openKfId)).ok).toBe(true);
    expect((await sim.wechat.ringKf(openKfId)).ok).toBe(true);
    expect(await one.processInbox()).toMatchObject({ handled: 2, retried: 0 });
    // First doorbell: pages of 2 until has_more is 0 (3 calls); second: one call from the saved cursor, empty.
    expect(sim.wechat.calls('/cgi-bin/kf/sync_msg') - syncsBefore).toBe(4);
    const texts = (await inboxOf('kf.text')).filter((e) => e.payload.externalUserId === externalUserId);
    expect(texts.map((e) => e.payload.content)).toEqual(['第1条', '第2条', '第3条', '第4条', '第5条']);
    expect(texts.every((e) => e.payload.candidateId === candidateId)).toBe(true);
    const row = await channelRow(candidateId);
    expect(row.kf_last_customer_message_at).toEqual(clock.now());
  });

  it('rolls a failed sync back whole, and a new instance resumes from the persisted cursor without replay', async () => {
    const candidateId = await newCandidate();
    const externalUserId = await bindKf(instance(), 'candidate-c', candidateId);
    const mine = async () => (await inboxOf('kf.text')).filter((e) => e.payload.externalUserId === externalUserId).map((e) => e.payload.content);
    const first = instance({ pageSize: 2 });
    for (let i = 1; i <= 3; i++) await sim.wechat.customerSays('candidate-c', openKfId, `A${i}`, { ring: false });
    await sim.wechat.ringKf(openKfId);
    // Page 1 succeeds, page 2 meets a busy platform (3 attempts): the page-1 messages must not stay half-stored.
    const syncs = sim.wechat.calls('/cgi-bin/kf/sync_msg');
    let calls = 0;
    const flaky = instance({ pageSize: 2 });
    const failing = kfDoorbellHandler((app) => {
      const real = flaky.kf(app);
      return {
        ...real,
        post: async <T extends Record<string, unknown>>(path: string, body: unknown) => {
          if (++calls === 2) throw new Error('connection reset');
          return real.post<T>(path, body);
        },
      } as typeof real;
    }, { pageSize: 2 });
    expect(await processDueEvents(features, { 'event.kf_msg_or_event': failing })).toMatchObject({ retried: 1 });
    expect(await mine()).toEqual([]);
    clock.advance(60_000); // the inbox retries after its backoff
    expect(await first.processInbox()).toMatchObject({ handled: 1 });
    expect(await mine()).toEqual(['A1', 'A2', 'A3']);
    expect(sim.wechat.calls('/cgi-bin/kf/sync_msg') - syncs).toBeGreaterThanOrEqual(3);

    // "Restart": a fresh instance (new token cache, new clients) picks up where the database says.
    const cursorBefore = (await db.db.selectFrom('kf_sync_cursors').select('cursor').where('open_kfid', '=', openKfId).executeTakeFirstOrThrow()).cursor;
    expect(cursorBefore).not.toBe('');
    await sim.wechat.customerSays('candidate-c', openKfId, 'A4');
    const restarted = instance({ pageSize: 2 });
    expect(await restarted.processInbox()).toMatchObject({ handled: 1 });
    expect(await mine()).toEqual(['A1', 'A2', 'A3', 'A4']);
  });

  it('turns a tap on a 微信客服 menu into a structured kf.menu_click event', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    const externalUserId = await bindKf(one, 'candidate-d', candidateId);
    await sim.wechat.customerSays('candidate-d', openKfId, '你好，我想确认面试');
    await one.processInbox();
    const choices: CandidateMessage = {
      kind: 'choices',
      prompt: '11月25日 14:00 二面，请选择：',
      choices: [
        { id: 'confirm', label: '确认参加' },
        { id: 'reschedule', label: '改个时间' },
        { id: 'decline', label: '婉拒' },
      ],
    };
    const delivery = await one.messenger.send({ tenantId: tenant.tenantId, candidateId, message: choices, idempotencyKey: `invite:${candidateId}`, interviewId });
    expect(delivery).toMatchObject({ outcome: 'sent', channel: 'kf' });
    expect(sim.wechat.kfReceived(externalUserId).at(-1)?.menu?.items.map((i) => i.content)).toEqual(['确认参加', '改个时间', '婉拒']);
    await sim.wechat.clickMenu('candidate-d', openKfId, 'reschedule');
    await one.processInbox();
    expect((await inboxOf('kf.menu_click')).map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ candidateId, externalUserId, menuId: 'reschedule', content: '改个时间' }),
    );
  });
});

describe('微信客服 replies', () => {
  it('sends 5 replies per candidate message, refuses the 6th and everything after 48 h without asking WeCom', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    const externalUserId = await bindKf(one, 'candidate-e', candidateId);
    await expect(sendKf(one, candidateId, text('没说过话'))).rejects.toMatchObject({ retryable: false, code: 'window_expired' });
    await sim.wechat.customerSays('candidate-e', openKfId, '请问面试地点？');
    await one.processInbox();
    for (let i = 1; i <= 5; i++) await expect(sendKf(one, candidateId, text(`回复${i}`))).resolves.toMatchObject({ receipt: { channel: 'kf' } });
    const calls = sim.wechat.calls('/cgi-bin/kf/send_msg');
    const sixth = await sendKf(one, candidateId, text('第六条')).catch((e: unknown) => e);
    expect(sixth).toBeInstanceOf(SendFailedError);
    expect(sixth).toMatchObject({ retryable: false, code: 'reply_limit' });
    await sim.wechat.customerSays('candidate-e', openKfId, '好的，谢谢');
    await one.processInbox();
    await expect(sendKf(one, candidateId, text('不客气'))).resolves.toBeDefined();
    clock.advance(48 * 3_600_000 + 60_000);
    await expect(sendKf(one, candidateId, text('迟到的回复'))).rejects.toMatchObject({ retryable: false, code: 'window_expired' });
    expect(sim.wechat.calls('/cgi-bin/kf/send_msg') - calls).toBe(1);
    expect(sim.wechat.kfRefusals(externalUserId)).toEqual([]);
    expect(sim.wechat.kfReceived(externalUserId).map((m) => m.content)).toEqual(['回复1', '回复2', '回复3', '回复4', '回复5', '不客气']);
  });

  it('closes the window when WeCom refuses with 95001/95002, and gives the reply back on a transient failure', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    await bindKf(one, 'candidate-f', candidateId);
    await sim.wechat.customerSays('candidate-f', openKfId, '在吗');
    await one.processInbox();
    sim.wechat.failNext('/cgi-bin/kf/send_msg', 45033, 3);
    await expect(sendKf(one, candidateId, text('忙'))).rejects.toMatchObject({ retryable: true });
    expect((await channelRow(candidateId)).kf_sent_since_customer_message).toBe(0);
    sim.wechat.failNext('/cgi-bin/kf/send_msg', 95002);
    await expect(sendKf(one, candidateId, text('窗口'))).rejects.toMatchObject({ retryable: false, code: '95002' });
    await expect(sendKf(one, candidateId, text('再试'))).rejects.toMatchObject({ code: 'reply_limit' });
  });
});

describe('subscription messages', () => {
  async function subscribedCandidate(one: ReturnType<typeof instance>, wechatUser: string, acceptances: number) {
    const candidateId = await newCandidate();
    await linkMiniProgramLogin(features, one.mp, { tenantId: tenant.tenantId, candidateId, code: sim.wechat.login(wechatUser, mpAppId) });
    const openid = sim.wechat.openidOf(wechatUser, mpAppId);
    for (let i = 0; i < acceptances; i++) {
      sim.wechat.acceptSubscription(openid, [reminderTemplate]);
      await recordSubscriptionResults(features, tenant.tenantId, candidateId, { [reminderTemplate]: 'accept', 'tmpl-other': 'reject' });
    }
    return { candidateId, openid };
  }
  const balance = async (candidateId: string) =>
    (await db.db.selectFrom('candidate_subscription_balances').select('balance').where('candidate_id', '=', candidateId).where('template_id', '=', reminderTemplate).executeTakeFirst())?.balance ?? 0;

  it('spends one acceptance per send and never asks WeChat at zero', async () => {
    const one = instance();
    const { candidateId, openid } = await subscribedCandidate(one, 'candidate-g', 1);
    expect(await balance(candidateId)).toBe(1);
    await expect(sendSubscription(one, candidateId)).resolves.toMatchObject({ receipt: { channel: 'subscription' } });
    expect(await balance(candidateId)).toBe(0);
    const calls = sim.wechat.calls('/cgi-bin/message/subscribe/send');
    await expect(sendSubscription(one, candidateId)).rejects.toMatchObject({ retryable: false, code: 'no_balance' });
    expect(sim.wechat.calls('/cgi-bin/message/subscribe/send')).toBe(calls);
    expect(sim.wechat.received(openid)).toHaveLength(1);
  });

  it('sets the balance to zero when WeChat answers 43101', async () => {
    const one = instance();
    const { candidateId, openid } = await subscribedCandidate(one, 'candidate-h', 0);
    // Our records say two acceptances; WeChat knows none (e.g. reported by a tampered client).
    await recordSubscriptionResults(features, tenant.tenantId, candidateId, { [reminderTemplate]: 'accept' });
    await recordSubscriptionResults(features, tenant.tenantId, candidateId, { [reminderTemplate]: 'accept' });
    await expect(sendSubscription(one, candidateId)).rejects.toMatchObject({ retryable: false, code: '43101' });
    expect(await balance(candidateId)).toBe(0);
    expect(sim.wechat.received(openid)).toEqual([]);
  });
});

describe('CandidateMessenger fallback: subscription → 微信客服 → call task for the owning HR', () => {
  const reminder: CandidateMessage = {
    kind: 'interview_reminder',
    interview: { title: '高级后端工程师（支付清结算方向）第二轮技术面试', startsAt: new Date('2026-11-25T06:00:00Z'), location: '星河大厦 12 楼 1203 会议室' },
    page: 'pages/interview/detail',
  };

  it('uses a subscription acceptance first, with values fitted to the template rules', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    await linkMiniProgramLogin(features, one.mp, { tenantId: tenant.tenantId, candidateId, code: sim.wechat.login('candidate-i', mpAppId) });
    const openid = sim.wechat.openidOf('candidate-i', mpAppId);
    sim.wechat.acceptSubscription(openid, [reminderTemplate]);
    await recordSubscriptionResults(features, tenant.tenantId, candidateId, { [reminderTemplate]: 'accept' });
    const key = `reminder:${candidateId}`;
    const delivery = await one.messenger.send({ tenantId: tenant.tenantId, candidateId, message: reminder, idempotencyKey: key, interviewId });
    expect(delivery).toMatchObject({ outcome: 'sent', channel: 'subscription', replayed: false });
    expect(sim.wechat.received(openid)).toEqual([
      expect.objectContaining({ templateId: reminderTemplate, data: expect.objectContaining({ thing1: '高级后端工程师（支付清结算方向）第二轮…', time2: '2026年11月25日 14:00' }) }),
    ]);
    // The same logical message again: the recorded result, nothing sent.
    expect(await one.messenger.send({ tenantId: tenant.tenantId, candidateId, message: reminder, idempotencyKey: key, interviewId })).toMatchObject({
      channel: 'subscription',
      replayed: true,
    });
    expect(sim.wechat.received(openid)).toHaveLength(1);
    const recorded = await db.db.selectFrom('candidate_deliveries').select(['channel', 'outcome']).where('idempotency_key', '=', key).execute();
    expect(recorded).toEqual([{ channel: 'subscription', outcome: 'sent' }]);
  });

  it('falls back to the 微信客服 window when no acceptance is left (43101 included)', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    const externalUserId = await bindKf(one, 'candidate-j', candidateId);
    await linkMiniProgramLogin(features, one.mp, { tenantId: tenant.tenantId, candidateId, code: sim.wechat.login('candidate-j', mpAppId) });
    await recordSubscriptionResults(features, tenant.tenantId, candidateId, { [reminderTemplate]: 'accept' }); // WeChat never granted it
    await sim.wechat.customerSays('candidate-j', openKfId, '收到邀请了');
    await one.processInbox();
    const delivery = await one.messenger.send({ tenantId: tenant.tenantId, candidateId, message: reminder, idempotencyKey: `reminder:${candidateId}`, interviewId });
    expect(delivery).toMatchObject({ outcome: 'sent', channel: 'kf', attempts: [{ channel: 'subscription', result: 'refused', reason: '43101' }] });
    expect(sim.wechat.kfReceived(externalUserId).at(-1)?.content).toContain('【面试提醒】高级后端工程师（支付清结算方向）第二轮技术面试\n时间：2026年11月25日 14:00');
  });

  it('asks the owning HR to phone when neither channel is open, once, through the outbox', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    await bindKf(one, 'candidate-k', candidateId);
    const delivery = await one.messenger.send({ tenantId: tenant.tenantId, candidateId, message: reminder, idempotencyKey: `reminder:${candidateId}`, interviewId });
    expect(delivery).toMatchObject({
      outcome: 'hr_call_task',
      channel: 'hr_call_task',
      hrEmployeeId: tenant.employees.hr.id,
      attempts: [
        { channel: 'subscription', result: 'skipped', reason: 'no_openid' },
        { channel: 'kf', result: 'skipped', reason: 'window_expired' },
      ],
    });
    const again = await one.messenger.send({ tenantId: tenant.tenantId, candidateId, message: reminder, idempotencyKey: `reminder:${candidateId}`, interviewId });
    expect(again).toMatchObject({ replayed: true, outboxId: (delivery as { outboxId: string }).outboxId });
    expect(await dispatchDueMessages(features, { wecom_app: one.wecomApp })).toMatchObject({ sent: 1 });
    const task = sim.wecom.received(hrUserId, corpId).at(-1);
    expect(task?.content).toMatch(/^【请电话联系候选人】王\d+（1380000\d{4}）/);
    expect(task?.content).toContain('【面试提醒】高级后端工程师（支付清结算方向）第二轮技术面试');
  });

  it('says why nothing could be done when there is no owning HR to ask', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    const delivery = await one.messenger.send({ tenantId: tenant.tenantId, candidateId, message: { kind: 'text', text: '您好' }, idempotencyKey: `t:${candidateId}` });
    expect(delivery).toMatchObject({
      outcome: 'undeliverable',
      channel: null,
      attempts: [
        { channel: 'subscription', result: 'skipped', reason: 'not_a_template_message' },
        { channel: 'kf', result: 'skipped', reason: 'no_kf_contact' },
        { channel: 'hr_call_task', result: 'skipped', reason: 'no_interview' },
      ],
    });
  });
});

describe('answering the invitation in 微信客服, end to end through the simulator', () => {
  it('the candidate taps 确认参加 on the invitation, then writes "改到12月2日下午" and taps an offered time', async () => {
    const one = instance();
    const candidateId = await newCandidate();
    const externalUserId = await bindKf(one, 'candidate-journey', candidateId);
    await sim.wechat.customerSays('candidate-journey', openKfId, '您好，收到面试通知了吗？');
    const handlers = { 'event.kf_msg_or_event': kfDoorbellHandler(one.kf), 'kf.menu_click': kfMenuClickHandler, 'kf.text': kfTextHandler };
    const senders = { candidate_message: candidateMessageSender(one.messenger) };
    // The doorbell's handler stores the messages as new inbox events; they are handled on the next pass.
    const roundTrip = async () => {
      while ((await processDueEvents(features, handlers)).claimed > 0);
      await dispatchDueMessages(features, senders);
    };
    await roundTrip();

    const application = await createApplication(features, tenant.employees.hr.principal, { candidateId, jobId: journeyJob.id });
    const scheduled = await scheduleInterview(
      features,
      tenant.employees.hr.principal,
      application.id,
      { roundId: journeyJob.roundId, startsAt: '2026-11-26T02:00:00Z', mode: 'onsite', location: '星河大厦 12 层', meetingUrl: null, roomId: null, panel: [{ employeeId: tenant.employees.interviewer.id, role: 'lead' }] },
      { invitationUrl: (t) => `https://hire.example.com/h5/#/pages/invite/index?token=${t}`, interviewUrl: (id) => `https://hire.example.com/kit/${id}` },
    );
    await dispatchDueMessages(features, senders);
    const invitation = sim.wechat.kfReceived(externalUserId).at(-1);
    expect(invitation?.menu?.items.map((i) => i.content)).toEqual(['确认参加', '改个时间', '婉拒']);

    await sim.wechat.clickMenu('candidate-journey', openKfId, `interview:${scheduled.id}:confirm`);
    await roundTrip();
    expect((await db.db.selectFrom('interviews').select('status').where('id', '=', scheduled.id).executeTakeFirstOrThrow()).status).toBe('confirmed');
    expect(sim.wechat.kfReceived(externalUserId).at(-1)?.content).toBe('已为您确认参加，期待与您见面！面试前我们会再提醒您。');

    await sim.wechat.customerSays('candidate-journey', openKfId, '不好意思，能改到12月2日下午吗');
    await roundTrip();
    const offered = sim.wechat.kfReceived(externalUserId).at(-1);
    expect(offered?.menu?.items.map((i) => i.content)).toEqual(['12月2日（周三）13:30–14:30', '12月2日（周三）14:00–15:00', '12月2日（周三）14:30–15:30']);
    const pick = offered!.menu!.items[0]!.id;
    await sim.wechat.clickMenu('candidate-journey', openKfId, pick);
    await roundTrip();
    const moved = await db.db.selectFrom('interviews').select(['status', 'starts_at', 'schedule_version']).where('id', '=', scheduled.id).executeTakeFirstOrThrow();
    expect(moved).toEqual({ status: 'confirmed', starts_at: new Date('2026-12-02T05:30:00Z'), schedule_version: 2 });
    expect(sim.wechat.kfReceived(externalUserId).at(-1)?.content).toMatch(/^已为您改到 12月2日（周三）13:30–14:30/);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { createDingtalkApi, DingtalkApiError } from '../../server/src/adapters/dingtalk/api-client';
import { dingtalkCredentialsOf } from '../../server/src/adapters/dingtalk/app-identity';
import { dingtalkRobotSender } from '../../server/src/adapters/dingtalk/robot-sender';
import { dingtalkWebhookRobotSender } from '../../server/src/adapters/dingtalk/webhook-robot-sender';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { dispatchDueMessages, enqueueMessage } from '../../server/src/features/outbox';
import type { PlatformApp } from '../../server/src/features/platform';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import type { OutboundSender } from '../../server/src/ports/outbound-sender';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

const appKey = 'dingsendapp0001';
const appSecret = 'send-app-secret-0001';
const group = 'cidInterviewers==';
const log = createLogger({ level: 'silent' });
const clock = fixedClock('2026-11-22T08:00:00Z');
const env = { HB_TEST_DT_SECRET: appSecret, HB_TEST_DT_HOOK: 'hook-token-0001', HB_TEST_DT_HOOK_SIGN: 'SECsignsecret' };

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let app: PlatformApp;
const noSleep = async () => undefined;

function senders(): Record<string, OutboundSender> {
  const features = db.features(clock);
  const robot = dingtalkRobotSender({
    findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'dingtalk_app'),
    env,
    tokens: postgresTokenCache(db.db, clock),
    log,
    sleep: noSleep,
  });
  const webhook = dingtalkWebhookRobotSender({
    robots: { interviewers: { accessTokenRef: 'env:HB_TEST_DT_HOOK', signSecretRef: 'env:HB_TEST_DT_HOOK_SIGN' } },
    env,
    baseUrl: sim.url,
    clock,
  });
  return { dingtalk_group: robot, dingtalk_oto: robot, dingtalk_robot: webhook };
}

const enqueue = (channel: string, recipient: string, key: string, payload: Record<string, unknown>) =>
  enqueueMessage(db.features(clock).stores, { tenantId: tenant.tenantId, channel, recipient, payload, idempotencyKey: key });

const rowOf = (key: string) => db.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId: 'dingcorpsend01' });
  for (const [userId, name] of [
    ['manager7675', '周敏'],
    ['hr0001', '刘洋'],
  ]) sim.dingtalk.addUser({ userId: userId!, name: name! });
  sim.dingtalk.addGroup({ openConversationId: group, title: '面试官群' });
  sim.dingtalk.addWebhookRobot({ accessToken: 'hook-token-0001', chatName: '面试官群', secret: 'SECsignsecret' });
  tenant = await createTenant(db.db, { platform: 'dingtalk' });
  app = await db.features().stores.platform.insertApp(tenant.tenantId, {
    kind: 'dingtalk_app',
    corpId: 'dingcorpsend01',
    agentId: appKey,
    secretRef: 'env:HB_TEST_DT_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
});

afterAll(async () => {
  await sim.stop();
  await db.drop();
});

beforeEach(async () => {
  await db.db.deleteFrom('outbox').execute();
  clock.advance(3 * 3_600_000);
});

describe('DingTalk app robot through the outbox', () => {
  it('posts to a group and 1:1, with msgParam sent as a JSON string, on one token for the cluster', async () => {
    await db.db.deleteFrom('platform_tokens').execute();
    const tokensBefore = sim.dingtalk.calls('/v1.0/oauth2/accessToken');
    await enqueue('dingtalk_group', group, 'g1', { msgKey: 'sampleMarkdown', msgParam: { title: '今日面试', text: '### 10:00 张三 · 前端' } });
    await enqueue('dingtalk_oto', 'manager7675', 'o1', { msgKey: 'sampleText', msgParam: { content: '请为张三的面试打分' } });
    const [a, b] = [senders(), senders()];
    const results = await Promise.all([dispatchDueMessages(db.features(clock), a, { batchSize: 1 }), dispatchDueMessages(db.features(clock), b, { batchSize: 1 })]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(2);
    expect(sim.dingtalk.calls('/v1.0/oauth2/accessToken') - tokensBefore).toBe(1);
    expect(sim.dingtalk.groupMessages(group).at(-1)).toMatchObject({ via: 'groupMessages', msgKey: 'sampleMarkdown', msgParam: { title: '今日面试' } });
    expect(sim.dingtalk.received('manager7675').at(-1)).toMatchObject({ via: 'oToMessages', msgParam: { content: '请为张三的面试打分' } });
    expect((await rowOf('o1')).receipt).toMatchObject({ processQueryKey: expect.any(String) });

    // The simulator, like DingTalk, refuses msgParam as an object: the sender's serialisation is what makes it pass.
    const api = createDingtalkApi({ credentials: dingtalkCredentialsOf(app, env), tokens: postgresTokenCache(db.db, clock), log });
    const refused = await api
      .post('/v1.0/robot/groupMessages/send', { robotCode: appKey, openConversationId: group, msgKey: 'sampleText', msgParam: { content: 'x' } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DingtalkApiError);
    expect(refused).toMatchObject({ status: 400, code: 'invalidParameter.msgParam.invalid', retryable: false });
  });

  it('retries a flow-controlled 1:1 message later, and dead-letters one to a user the robot cannot reach', async () => {
    sim.dingtalk.flowControlNext('hr0001');
    await enqueue('dingtalk_oto', 'hr0001', 'flow', { msgKey: 'sampleText', msgParam: { content: '面试改到明天' } });
    await enqueue('dingtalk_oto', 'nobody-here', 'ghost', { msgKey: 'sampleText', msgParam: { content: '你好' } });
    const s = senders();
    expect(await dispatchDueMessages(db.features(clock), s)).toMatchObject({ retried: 1, dead: 1 });
    expect(await rowOf('flow')).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/^flow_controlled/) });
    expect(await rowOf('ghost')).toMatchObject({ status: 'dead', last_error: expect.stringMatching(/^invalid_user/) });
    expect(sim.dingtalk.received('hr0001')).toHaveLength(0);
    clock.advance(60_000);
    expect(await dispatchDueMessages(db.features(clock), s)).toMatchObject({ sent: 1 });
    expect(sim.dingtalk.received('hr0001').map((m) => m.msgParam.content)).toEqual(['面试改到明天']);
  });

  it('fetches a new token when DingTalk no longer accepts the cached one', async () => {
    await enqueue('dingtalk_group', group, 'after-revoke', { msgKey: 'sampleText', msgParam: { content: '令牌失效后' } });
    sim.dingtalk.invalidateTokens(appKey);
    const before = sim.dingtalk.calls('/v1.0/oauth2/accessToken');
    expect(await dispatchDueMessages(db.features(clock), senders())).toMatchObject({ sent: 1 });
    expect(sim.dingtalk.calls('/v1.0/oauth2/accessToken') - before).toBe(1);
  });

  it('dead-letters rows whose payload cannot be a DingTalk template', async () => {
    await enqueue('dingtalk_group', group, 'no-key', { msgParam: { content: 'x' } });
    expect(await dispatchDueMessages(db.features(clock), senders())).toMatchObject({ dead: 1 });
  });
});

describe('DingTalk custom webhook robot', () => {
  it('delivers a burst of 30 without meeting the 20/min block, where unpaced sending is refused', async () => {
    // Unpaced, straight at the webhook: the 21st is refused and the robot is blocked for 10 minutes.
    sim.dingtalk.addWebhookRobot({ accessToken: 'hook-unpaced', chatName: '另一个群' });
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await fetch(`${sim.url}/robot/send?access_token=hook-unpaced`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'text', text: { content: `直发 ${i}` } }),
      });
      codes.push(((await response.json()) as { errcode: number }).errcode);
    }
    expect(codes.at(-1)).toBe(660026);

    for (let i = 0; i < 30; i++) await enqueue('dingtalk_robot', 'interviewers', `hook-${i}`, { msgtype: 'text', text: { content: `面试提醒 ${i}` } });
    const s = senders();
    let deferred = 0;
    for (let minute = 0; minute < 3; minute++) {
      const result = await dispatchDueMessages(db.features(clock), s, { batchSize: 100 });
      deferred += result.deferred;
      expect(result.retried + result.dead).toBe(0);
      clock.advance(61_000);
    }
    expect(deferred).toBeGreaterThan(0);
    expect(sim.dingtalk.webhookMessages('hook-token-0001').filter((m) => String(m.msgParam.content).startsWith('面试提醒'))).toHaveLength(30);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { createWecomApi, WecomApiError } from '../../server/src/adapters/wecom/api-client';
import { wecomAppMessageSender } from '../../server/src/adapters/wecom/app-message-sender';
import { dispatchDueMessages, enqueueMessage } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

const corpId = 'wwsimcorp0001';
const agentId = 1000002;
const secret = 'app-secret-0001';
const log = createLogger({ level: 'silent' });
const clock = fixedClock('2026-11-22T08:00:00Z');

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let appId: string;
const env = { HB_TEST_APP_SECRET: secret };

/** Records backoff waits instead of sleeping through them. */
const recordedSleeps: number[] = [];
const noSleep = async (ms: number) => {
  recordedSleeps.push(ms);
};

/** One HireBridge instance's view of the platform: its own token cache and sender over the shared database. */
function instance() {
  const tokens = postgresTokenCache(db.db, clock);
  const features = db.features(clock);
  const sender = wecomAppMessageSender({
    findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'wecom_app'),
    env,
    tokens,
    log,
    sleep: noSleep,
  });
  return { tokens, features, sender };
}

const enqueueText = (key: string, to: string, content = `面试提醒 ${key}`) =>
  enqueueMessage(db.features(clock).stores, {
    tenantId: tenant.tenantId,
    channel: 'wecom_app',
    recipient: to,
    payload: { msgtype: 'text', text: { content } },
    idempotencyKey: key,
  });

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  sim.wecom.addCorp({ corpId, apps: [{ agentId, secret }], callbackToken: 'cbtoken', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
  sim.wecom.addDepartment(corpId, { id: 1, name: '星河科技', parentid: 0 });
  for (const userid of ['zhoumin', 'liuyang', 'chenli']) sim.wecom.addUser(corpId, { userid, name: userid, department: [1] });
  tenant = await createTenant(db.db);
  const app = await db.features().stores.platform.insertApp(tenant.tenantId, {
    kind: 'wecom_app',
    corpId,
    agentId: String(agentId),
    secretRef: 'env:HB_TEST_APP_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
  appId = app.id;
});

afterAll(async () => {
  await sim.stop();
  await db.drop();
});

beforeEach(async () => {
  await db.db.deleteFrom('outbox').execute();
  clock.advance(3 * 3_600_000); // a fresh hour: no earlier pacing or duplicate-check window applies
  recordedSleeps.length = 0;
});

describe('WeCom tokens', () => {
  it('fetches one token for the whole cluster, however many instances ask at once', async () => {
    await db.db.deleteFrom('platform_tokens').execute();
    const before = sim.wecom.calls('/cgi-bin/gettoken');
    const instances = [instance(), instance(), instance()];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        instances[i % 3]!.sender.send({ id: `t${i}`, tenantId: tenant.tenantId, channel: 'wecom_app', recipient: 'chenli', payload: { msgtype: 'text', text: { content: `并发 ${i}` } }, idempotencyKey: `t${i}`, attempts: 1 }),
      ),
    );
    expect(sim.wecom.calls('/cgi-bin/gettoken') - before).toBe(1);
    expect(sim.wecom.received('chenli', corpId).length).toBeGreaterThanOrEqual(25);
  });

  it('replaces a token WeCom invalidated early, without the caller noticing, and refreshes before expiry', async () => {
    const one = instance();
    const send = (n: number) =>
      one.sender.send({ id: `i${n}`, tenantId: tenant.tenantId, channel: 'wecom_app', recipient: 'zhoumin', payload: { msgtype: 'text', text: { content: `失效 ${n}` } }, idempotencyKey: `i${n}`, attempts: 1 });
    await send(1);
    const before = sim.wecom.calls('/cgi-bin/gettoken');
    sim.wecom.invalidateTokens(corpId);
    await expect(send(2)).resolves.toMatchObject({ receipt: { msgid: expect.any(String) } });
    expect(sim.wecom.calls('/cgi-bin/gettoken') - before).toBe(1);
    // The platform says a token lives 7200 s; we refresh 5 minutes early instead of meeting 42001.
    clock.advance(7200_000 - 4 * 60_000);
    await send(3);
    expect(sim.wecom.calls('/cgi-bin/gettoken') - before).toBe(2);
    expect(sim.wecom.received('zhoumin', corpId).map((m) => m.content)).toEqual(expect.arrayContaining(['失效 1', '失效 2', '失效 3']));
  });

  it('refuses to guess with a wrong secret: the error is not retryable', async () => {
    const api = createWecomApi({
      credentials: { appId: '00000000-0000-4000-8000-000000000001', corpId, secret: 'wrong', baseUrl: sim.url },
      tokens: postgresTokenCache(db.db, clock),
      log,
    });
    await expect(api.post('/cgi-bin/message/send', {})).rejects.toMatchObject({ errcode: 40001, retryable: false });
  });
});

describe('WeCom app messages through the outbox', () => {
  it('backs off when WeCom is busy or throttling, then delivers', async () => {
    await enqueueText('busy-1', 'liuyang');
    sim.wecom.failNext('/cgi-bin/message/send', 45009, 1);
    sim.wecom.failNext('/cgi-bin/message/send', -1, 1);
    const result = await dispatchDueMessages(instance().features, { wecom_app: instance().sender });
    expect(result.sent).toBe(1);
    expect(recordedSleeps).toHaveLength(2);
    expect(recordedSleeps[1]!).toBeGreaterThan(recordedSleeps[0]!);
    expect(sim.wecom.received('liuyang', corpId).at(-1)?.content).toBe('面试提醒 busy-1');
  });

  it('hands a long throttle back to the outbox, which retries later instead of failing', async () => {
    await enqueueText('throttled', 'liuyang');
    sim.wecom.failNext('/cgi-bin/message/send', 45009, 3);
    const { features, sender } = instance();
    expect(await dispatchDueMessages(features, { wecom_app: sender })).toMatchObject({ retried: 1 });
    const row = await db.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', 'throttled').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/^45009/) });
    clock.advance(60_000);
    expect(await dispatchDueMessages(features, { wecom_app: sender })).toMatchObject({ sent: 1 });
  });

  it('dead-letters a message to someone who is not a member', async () => {
    await enqueueText('stranger', 'nobody-here');
    expect(await dispatchDueMessages(instance().features, { wecom_app: instance().sender })).toMatchObject({ dead: 1 });
    const row = await db.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', 'stranger').executeTakeFirstOrThrow();
    expect(row.last_error).toMatch(/^81013/);
  });

  it('delivers a burst of 40 to one member without WeCom silently dropping any, where unpaced sending loses some', async () => {
    // Unpaced, straight at the API: WeCom answers 0 to all, yet drops what exceeds 30 a minute.
    const api = createWecomApi({ credentials: { appId, corpId, secret, baseUrl: sim.url }, tokens: postgresTokenCache(db.db, clock), log });
    const droppedBefore = sim.wecom.dropped('chenli', corpId).length;
    for (let i = 0; i < 35; i++) await api.post('/cgi-bin/message/send', { touser: 'chenli', agentid: agentId, msgtype: 'text', text: { content: `直发 ${i}` } });
    expect(sim.wecom.dropped('chenli', corpId).length - droppedBefore).toBe(5);

    const receivedBefore = sim.wecom.received('zhoumin', corpId).length;
    const droppedZhou = sim.wecom.dropped('zhoumin', corpId).length;
    for (let i = 0; i < 40; i++) await enqueueText(`burst-${i}`, 'zhoumin');
    const { features, sender } = instance();
    for (let minute = 0; minute < 3; minute++) {
      await dispatchDueMessages(features, { wecom_app: sender }, { batchSize: 100 });
      clock.advance(61_000);
    }
    expect(sim.wecom.received('zhoumin', corpId).length - receivedBefore).toBe(40);
    expect(sim.wecom.dropped('zhoumin', corpId).length - droppedZhou).toBe(0);
  });

  it('reaches the reader once when a dispatcher dies after WeCom accepted the message', async () => {
    await enqueueText('crash-window', 'liuyang', '只应收到一次');
    const { features, sender } = instance();
    // A dispatcher claims and sends, then dies before recording the result.
    const [claimed] = await features.stores.outbox.claimDue(1, clock.now(), new Date(clock.now().getTime() + 60_000));
    await sender.send(claimed!);
    clock.advance(61_000);
    expect(await dispatchDueMessages(features, { wecom_app: sender })).toMatchObject({ sent: 1 });
    const copies = sim.wecom.received('liuyang', corpId).filter((m) => m.content === '只应收到一次');
    expect(copies).toHaveLength(1);
    expect(sim.wecom.dropped('liuyang', corpId).filter((m) => m.content === '只应收到一次' && m.reason === 'duplicate')).toHaveLength(1);
  });

  it('sends each row once with two instances dispatching together', async () => {
    for (let i = 0; i < 20; i++) await enqueueText(`pair-${i}`, i % 2 ? 'zhoumin' : 'liuyang', `双实例 ${i}`);
    const a = instance();
    const b = instance();
    await Promise.all([
      dispatchDueMessages(a.features, { wecom_app: a.sender }, { batchSize: 5 }),
      dispatchDueMessages(b.features, { wecom_app: b.sender }, { batchSize: 5 }),
      dispatchDueMessages(a.features, { wecom_app: a.sender }, { batchSize: 5 }),
      dispatchDueMessages(b.features, { wecom_app: b.sender }, { batchSize: 5 }),
    ]);
    const delivered = [...sim.wecom.received('zhoumin', corpId), ...sim.wecom.received('liuyang', corpId)]
      .map((m) => m.content)
      .filter((c) => c?.startsWith('双实例'));
    expect(delivered).toHaveLength(20);
    expect(new Set(delivered).size).toBe(20);
  });
});

it('reports the gettoken rejection as an error with the errcode', () => {
  expect(new WecomApiError('/x', 40001, 'invalid credential', false).message).toBe('WeCom /x failed: errcode 40001 invalid credential');
});

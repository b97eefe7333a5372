import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from '@wecom/crypto';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAibotLongConnection, type AibotLongConnection } from '../../server/src/adapters/wecom/aibot/long-connection';
import { wecomAibotPushSender, wecomAibotReplySender } from '../../server/src/adapters/wecom/aibot/senders';
import { wecomRobotSender, type GroupRobot } from '../../server/src/adapters/wecom/robot-sender';
import type { FeatureContext } from '../../server/src/features/context';
import { outboxGroupNotifier, type BotMessage } from '../../server/src/features/group-chat';
import type { InboundEvent } from '../../server/src/features/inbox';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import type { PlatformApp } from '../../server/src/features/platform';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { SendFailedError } from '../../server/src/ports/outbound-sender';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

const botId = 'aibotHireBridge01';
const botSecret = 'aibot-long-connection-secret';
const token = 'hbAibotToken';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const env = { HB_TEST_AIBOT_SECRET: botSecret, HB_TEST_AIBOT_TOKEN: token, HB_TEST_AIBOT_AES_KEY: aesKey, HB_TEST_ROBOT_KEY: 'robot-key-hr', HB_TEST_RAW_ROBOT_KEY: 'robot-key-raw' };
const log = createLogger({ level: 'silent' });
// Ahead of the database's now(), so rows the outbox enqueues are due on this clock.
const clock = fixedClock(new Date(Date.now() + 3_600_000));

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let app: PlatformApp;
let api: TestApp;
let server: Server;

const inboxRows = () => db.db.selectFrom('inbox').selectAll().where('app_id', '=', app.id).execute();

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock, aibot: { timing: { timeoutMs: 3000, retryIntervalMs: 5, streamRefreshIntervalMs: 5, maxStreamRefreshes: 3 } } });
  tenant = await createTenant(db.db);
  app = await db.features().stores.platform.insertApp(tenant.tenantId, {
    kind: 'wecom_aibot',
    corpId: 'wwaibotcorp0001',
    agentId: botId,
    secretRef: 'env:HB_TEST_AIBOT_SECRET',
    callbackTokenRef: 'env:HB_TEST_AIBOT_TOKEN',
    encodingAesKeyRef: 'env:HB_TEST_AIBOT_AES_KEY',
    apiBaseUrl: sim.url,
  });
  api = createTestApp(db, { clock, secretsEnv: env });
  server = createServer(api.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  sim.aibot.addBot({ botId, secret: botSecret, name: '招聘助手', token, encodingAesKey: aesKey, callbackUrl: `http://127.0.0.1:${port}/callbacks/wecom-aibot/${app.id}` });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await sim.stop();
  await db.drop();
});

beforeEach(async () => {
  await db.db.deleteFrom('outbox').execute();
  clock.advance(3 * 3_600_000);
});

/** Decrypts a passive reply the server gave (envelope keys per the AI-bot JSON sample; see envelope.ts). */
function replyJson(body: string | undefined) {
  const envelope = JSON.parse(body ?? '') as { encrypt: string; msgsignature: string; timestamp: string; nonce: string };
  const opened = decrypt(aesKey, envelope.encrypt);
  expect(opened.id).toBe('');
  return JSON.parse(opened.message) as { msgtype: string; stream: { id: string; finish: boolean; content: string } };
}

describe('AI bot, callback mode', () => {
  it('verifies an @-mention, stores it once however often it is retried or replayed, and acknowledges at once', async () => {
    expect((await sim.aibot.verifyCallbackUrl(botId)).ok).toBe(true);
    const conversation = await sim.aibot.mention({ botId, chatId: 'wrkHRgroup001', userid: 'zhoumin', text: '今天有哪些面试' });
    expect(conversation.delivery.attempts).toHaveLength(1);
    expect(conversation.delivery.attempts[0]!.latencyMs).toBeLessThan(1000);
    expect(conversation.stream).toMatchObject({ finished: true, content: '收到，处理中…' });
    expect(conversation.refreshes).toBe(0);

    // WeCom's retries, a replay and two concurrent copies of the same message.
    for (let i = 0; i < 3; i++) expect((await sim.aibot.deliver(botId, conversation.payload)).ok).toBe(true);
    const copies = await Promise.all([sim.aibot.deliver(botId, conversation.payload), sim.aibot.deliver(botId, conversation.payload)]);
    // Every copy gets the same stream id, so the user sees one acknowledgement.
    for (const copy of copies) expect(replyJson(copy.reply).stream.id).toBe(conversation.stream?.id);

    const rows = (await inboxRows()).filter((r) => r.dedupe_key === `msg:${conversation.msgid}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'bot.message', status: 'pending', duplicates: 5, tenant_id: tenant.tenantId });
    const message = rows[0]!.payload as unknown as BotMessage;
    expect(message).toMatchObject({
      platform: 'wecom',
      botId,
      chatType: 'group',
      chatId: 'wrkHRgroup001',
      senderUserId: 'zhoumin',
      text: '今天有哪些面试',
      via: 'callback',
      reply: { channel: 'wecom_aibot_reply', responseUrl: conversation.responseUrl },
      push: { channel: 'wecom_aibot_push', chatId: 'wrkHRgroup001' },
    });

    const direct = await sim.aibot.mention({ botId, userid: 'liuyang', text: ' 帮助 ' });
    const row = (await inboxRows()).find((r) => r.dedupe_key === `msg:${direct.msgid}`);
    expect(row?.payload).toMatchObject({ chatType: 'single', chatId: 'liuyang', text: '帮助' });
  });

  it('closes a stream refresh with a finished stream and stores nothing for it', async () => {
    const before = (await inboxRows()).length;
    const refresh = await sim.aibot.deliver(botId, { msgid: 'refresh-1', aibotid: botId, chatid: 'wrkHRgroup001', chattype: 'group', from: { userid: 'zhoumin' }, msgtype: 'stream', stream: { id: 'hb-abc' } });
    expect(replyJson(refresh.reply)).toEqual({ msgtype: 'stream', stream: { id: 'hb-abc', finish: true, content: '收到，处理中…' } });
    const event = await sim.aibot.deliver(botId, { msgid: 'event-1', create_time: 1, aibotid: botId, chattype: 'single', from: { userid: 'zhoumin' }, msgtype: 'event', event: { eventtype: 'enter_chat' } });
    expect(event.reply).toBe('');
    const rows = await inboxRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.find((r) => r.dedupe_key === 'msg:event-1')?.kind).toBe('bot.event.enter_chat');
  });

  it('refuses forged, stale, foreign and malformed callbacks before any write', async () => {
    const before = (await inboxRows()).length;
    const valid = { msgid: 'm-bad', aibotid: botId, chatid: 'wrkHRgroup001', chattype: 'group', from: { userid: 'zhoumin' }, msgtype: 'text', text: { content: '@招聘助手 x' } };
    const attempts = [
      sim.aibot.deliver(botId, valid, { signature: '0'.repeat(40) }),
      sim.aibot.deliver(botId, valid, { timestampSkewMs: -301_000 }),
      sim.aibot.deliver(botId, valid, { timestampSkewMs: 301_000 }),
      sim.aibot.deliver(botId, valid, { receiveId: 'wwaibotcorp0001' }),
      sim.aibot.deliver(botId, '{"msgid": "m-bad", '),
      sim.aibot.deliver(botId, { ...valid, from: {} }),
      sim.aibot.deliver(botId, { ...valid, aibotid: 'someone-else' }),
      sim.aibot.deliver(botId, { ...valid, text: { content: 'nul \u0000 byte' } }),
    ];
    for (const report of await Promise.all(attempts)) {
      expect(report.ok).toBe(false);
      expect(report.attempts.every((a) => a.status === 403)).toBe(true);
    }
    const path = `/callbacks/wecom-aibot/${app.id}?msg_signature=${'0'.repeat(40)}&timestamp=1&nonce=1`;
    for (const body of ['not json', '{"encrypt": 1}', '[]', '<xml><Encrypt>x</Encrypt></xml>']) {
      expect((await api.http.post(path).set('content-type', 'application/json').send(body)).status).toBe(403);
    }
    expect((await api.http.post(path).send('x'.repeat(70_000))).status).toBe(413);
    expect((await api.http.post('/callbacks/wecom-aibot/00000000-0000-4000-8000-000000000000').send('{}')).status).toBe(404);
    expect((await inboxRows()).length).toBe(before);
  });
});

describe('AI bot reply through the response_url', () => {
  const replySender = () => wecomAibotReplySender({ findApp: (tenantId) => db.features(clock).stores.platform.findAppOfKind(tenantId, 'wecom_aibot'), clock });

  it('uses a response_url once: the answer arrives, a second answer on the same URL is dead, not retried', async () => {
    const conversation = await sim.aibot.mention({ botId, chatId: 'wrkHRgroup002', userid: 'zhoumin', text: '今天' });
    const row = (await inboxRows()).find((r) => r.dedupe_key === `msg:${conversation.msgid}`)!;
    const message = row.payload as unknown as BotMessage;
    const notifier = outboxGroupNotifier(db.features(clock).stores);
    expect(await notifier.notify({ tenantId: tenant.tenantId, target: message.reply, message: { kind: 'markdown', content: '**今天 2 场面试**' }, idempotencyKey: 'answer-1' })).toEqual({ queued: true });
    expect(await notifier.notify({ tenantId: tenant.tenantId, target: message.reply, message: { kind: 'markdown', content: '重复' }, idempotencyKey: 'answer-1' })).toEqual({ queued: false });
    expect(await dispatchDueMessages(db.features(clock), { wecom_aibot_reply: replySender() })).toMatchObject({ sent: 1 });
    expect(sim.aibot.chat('wrkHRgroup002').filter((p) => p.via === 'response_url').map((p) => p.content)).toEqual(['**今天 2 场面试**']);

    await notifier.notify({ tenantId: tenant.tenantId, target: message.reply, message: { kind: 'text', content: '第二次', mentionUserIds: ['zhoumin'] }, idempotencyKey: 'answer-2' });
    expect(await dispatchDueMessages(db.features(clock), { wecom_aibot_reply: replySender() })).toMatchObject({ dead: 1, retried: 0 });
    const second = await db.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', 'answer-2').executeTakeFirstOrThrow();
    expect(second.last_error).toMatch(/^40058/);
    expect(sim.aibot.responseUrlUse(conversation.responseUrl)).toEqual({ used: true, refusals: 1 });
  });

  it('gives up on an expired handle without a request, and never POSTs off the WeCom host', async () => {
    const conversation = await sim.aibot.mention({ botId, chatId: 'wrkHRgroup002', userid: 'zhoumin', text: '晚' });
    const message = (await inboxRows()).find((r) => r.dedupe_key === `msg:${conversation.msgid}`)!.payload as unknown as BotMessage;
    const notifier = outboxGroupNotifier(db.features(clock).stores);
    await notifier.notify({ tenantId: tenant.tenantId, target: message.reply, message: { kind: 'markdown', content: '太晚' }, idempotencyKey: 'late' });
    await notifier.notify({ tenantId: tenant.tenantId, target: { channel: 'wecom_aibot_reply', responseUrl: 'http://127.0.0.1:9/steal', expiresAt: '2999-01-01T00:00:00Z' }, message: { kind: 'markdown', content: 'x' }, idempotencyKey: 'foreign' });
    clock.advance(3_600_001);
    expect(await dispatchDueMessages(db.features(clock), { wecom_aibot_reply: replySender() })).toMatchObject({ dead: 2 });
    expect(sim.aibot.responseUrlUse(conversation.responseUrl)).toEqual({ used: false, refusals: 0 });
    const errors = await db.db.selectFrom('outbox').select(['idempotency_key', 'last_error']).where('idempotency_key', 'in', ['late', 'foreign']).execute();
    expect(Object.fromEntries(errors.map((e) => [e.idempotency_key, e.last_error?.split(':')[0]]))).toEqual({ late: 'expired', foreign: 'foreign_url' });
  });
});

describe('AI bot, long connection', () => {
  let connection: AibotLongConnection | undefined;
  const acceptedAt = new Map<string, number>();
  let failAccepts = 0;

  /** The database, with a way to see when each message was stored and to make storing fail. */
  function observedFeatures(): FeatureContext {
    const base = db.features(clock);
    const inbox = base.stores.inbox;
    return {
      ...base,
      stores: {
        ...base.stores,
        inbox: {
          ...inbox,
          accept: async (event: InboundEvent) => {
            if (failAccepts > 0) {
              failAccepts--;
              throw new Error('database unavailable');
            }
            const result = await inbox.accept(event);
            if (!acceptedAt.has(event.dedupeKey)) acceptedAt.set(event.dedupeKey, performance.now());
            return result;
          },
        },
      },
    };
  }

  beforeAll(async () => {
    connection = startAibotLongConnection({ app, env, features: observedFeatures(), log, wsUrl: sim.aibot.wsUrl, reconnectBaseMs: 20 });
    await connection.ready();
  });
  afterAll(() => connection?.stop());

  const answered = (reqId: string) => sim.aibot.waitFor(() => sim.aibot.callback(reqId)?.responses[0]);

  it('stores each message before acknowledging it, and once when WeCom pushes it again', async () => {
    const pushed = sim.aibot.push(botId, { chatId: 'wrkHRgroup003', userid: 'zhoumin', text: '约面 张三 周三下午' });
    const ack = await answered(pushed.reqId);
    expect(ack).toMatchObject({ cmd: 'aibot_respond_msg', errcode: 0, body: { msgtype: 'stream', stream: { finish: true, content: '收到，处理中…' } } });
    expect(acceptedAt.get(`msg:${pushed.msgid}`)).toBeLessThan(ack.atPerfMs);

    const again = sim.aibot.push(botId, { chatId: 'wrkHRgroup003', userid: 'zhoumin', text: '约面 张三 周三下午', msgid: pushed.msgid });
    await answered(again.reqId);
    const rows = (await inboxRows()).filter((r) => r.dedupe_key === `msg:${pushed.msgid}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'bot.message', duplicates: 1 });
    expect(rows[0]!.payload).toMatchObject({ text: '约面 张三 周三下午', chatId: 'wrkHRgroup003', via: 'long_connection', reply: { channel: 'wecom_aibot_push', chatId: 'wrkHRgroup003' } });
  });

  it('does not acknowledge what it could not store, and ignores malformed frames', async () => {
    failAccepts = 1;
    const lost = sim.aibot.push(botId, { userid: 'zhoumin', text: '存不下' });
    const malformed = sim.aibot.push(botId, { userid: 'zhoumin', rawBody: { msgtype: 'text', text: { content: 'no ids' } } });
    const later = sim.aibot.push(botId, { userid: 'zhoumin', text: '之后' });
    await answered(later.reqId);
    expect(sim.aibot.callback(lost.reqId)?.responses).toEqual([]);
    expect(sim.aibot.callback(malformed.reqId)?.responses).toEqual([]);
    const keys = (await inboxRows()).map((r) => r.dedupe_key);
    expect(keys).not.toContain(`msg:${lost.msgid}`);
    expect(keys).toContain(`msg:${later.msgid}`);
  });

  it('reconnects after a dropped socket and carries on', async () => {
    const before = sim.aibot.authentications(botId);
    expect(sim.aibot.dropConnection(botId)).toBe(true);
    await sim.aibot.waitFor(() => sim.aibot.authentications(botId) > before && sim.aibot.isConnected(botId));
    const pushed = sim.aibot.push(botId, { chatId: 'wrkHRgroup003', userid: 'liuyang', text: '重连后' });
    await answered(pushed.reqId);
    expect((await inboxRows()).some((r) => r.dedupe_key === `msg:${pushed.msgid}`)).toBe(true);

    const event = sim.aibot.pushEvent(botId, { userid: 'liuyang', event: { eventtype: 'enter_chat' } });
    await sim.aibot.waitFor(() => acceptedAt.has(`msg:${event.msgid}`));
    expect((await inboxRows()).find((r) => r.dedupe_key === `msg:${event.msgid}`)?.kind).toBe('bot.event.enter_chat');
  });

  it('sends proactive pushes from the outbox over the connection', async () => {
    sim.aibot.addGroup('wrkHRgroup004');
    const notifier = outboxGroupNotifier(db.features(clock).stores);
    await notifier.notify({ tenantId: tenant.tenantId, target: { channel: 'wecom_aibot_push', chatId: 'wrkHRgroup004' }, message: { kind: 'notice_card', title: '明天 2 场面试', description: '10:00 张三 · 14:00 李四' }, idempotencyKey: 'push-1' });
    await notifier.notify({ tenantId: tenant.tenantId, target: { channel: 'wecom_aibot_push', chatId: 'zhoumin' }, message: { kind: 'markdown', content: '请提交评分表' }, idempotencyKey: 'push-2' });
    const sender = wecomAibotPushSender({ connectionFor: (tenantId) => (tenantId === tenant.tenantId ? connection : undefined) });
    expect(await dispatchDueMessages(db.features(clock), { wecom_aibot_push: sender })).toMatchObject({ sent: 2 });
    expect(sim.aibot.chat('wrkHRgroup004').map((p) => p.msgtype)).toEqual(['template_card']);
    expect(sim.aibot.chat('single:zhoumin').filter((p) => p.via === 'push').map((p) => p.content)).toEqual(['请提交评分表']);
  });
});

describe('group webhook robot', () => {
  const robots: Record<string, GroupRobot> = {
    'hr-robot': { id: 'hr-robot', keyRef: 'env:HB_TEST_ROBOT_KEY', apiBaseUrl: '', tenantIsDemo: false },
    'raw-robot': { id: 'raw-robot', keyRef: 'env:HB_TEST_RAW_ROBOT_KEY', apiBaseUrl: '', tenantIsDemo: false },
  };
  const sender = () => wecomRobotSender({ findRobot: async (_tenantId, robotId) => (robots[robotId] ? { ...robots[robotId], apiBaseUrl: sim.url } : undefined), env, log });

  it('sends 30 queued messages paced under 20 a minute without one 45009, where unpaced sending gets 45009', async () => {
    sim.wecom.addRobot({ key: 'robot-key-hr', chatName: '招聘群' });
    sim.wecom.addRobot({ key: 'robot-key-raw', chatName: '另一个群' });

    const refused: string[] = [];
    for (let i = 0; i < 30; i++) {
      const message = { id: `raw-${i}`, tenantId: tenant.tenantId, channel: 'wecom_robot', recipient: 'raw-robot', payload: { message: { kind: 'text', content: `直发 ${i}` } }, idempotencyKey: `raw-${i}`, attempts: 1 };
      await sender().send(message).catch((error: unknown) => refused.push(error instanceof SendFailedError && error.retryable ? String(error.code) : 'other'));
    }
    expect(refused).toEqual(Array.from({ length: 10 }, () => '45009'));

    const notifier = outboxGroupNotifier(db.features(clock).stores);
    for (let i = 0; i < 30; i++) {
      await notifier.notify({ tenantId: tenant.tenantId, target: { channel: 'wecom_robot', robotId: 'hr-robot' }, message: { kind: 'text', content: `面试安排 ${i}`, mentionUserIds: ['zhoumin'] }, idempotencyKey: `robot-${i}` });
    }
    const callsBefore = sim.wecom.calls('/cgi-bin/webhook/send');
    const rounds = [];
    for (let minute = 0; minute < 3; minute++) {
      rounds.push(await dispatchDueMessages(db.features(clock), { wecom_robot: sender() }, { batchSize: 100 }));
      clock.advance(61_000);
    }
    expect(rounds.map((r) => r.sent)).toEqual([18, 12, 0]);
    const delivered = sim.wecom.robotMessages('robot-key-hr');
    expect(delivered).toHaveLength(30);
    expect(delivered[0]).toMatchObject({ content: '面试安排 0', mentionedList: ['zhoumin'] });
    // Every call reached the group: none was refused with 45009.
    expect(sim.wecom.calls('/cgi-bin/webhook/send') - callsBefore).toBe(30);
  });

  it('dead-letters a robot it does not know or a key WeCom does not know', async () => {
    robots['gone'] = { id: 'gone', keyRef: 'env:HB_TEST_MISSING_KEY', apiBaseUrl: '', tenantIsDemo: false };
    const notifier = outboxGroupNotifier(db.features(clock).stores);
    await notifier.notify({ tenantId: tenant.tenantId, target: { channel: 'wecom_robot', robotId: 'nobody' }, message: { kind: 'markdown', content: 'x' }, idempotencyKey: 'robot-unknown' });
    await notifier.notify({ tenantId: tenant.tenantId, target: { channel: 'wecom_robot', robotId: 'gone' }, message: { kind: 'markdown', content: 'x' }, idempotencyKey: 'robot-no-secret' });
    expect(await dispatchDueMessages(db.features(clock), { wecom_robot: sender() })).toMatchObject({ dead: 2 });
  });
});

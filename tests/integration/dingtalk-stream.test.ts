import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { connectDatabase } from '../../server/src/adapters/postgres/database';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import { DingtalkStreamConnection, type StreamConnectionOptions } from '../../server/src/adapters/dingtalk/stream-connection';
import type { FeatureContext } from '../../server/src/features/context';
import { acceptInboundEvent, type InboundEvent } from '../../server/src/features/inbox';
import type { PlatformApp } from '../../server/src/features/platform';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

const appKey = 'dingstreamhb0001';
const appSecret = 'stream-app-secret-0001';
const env = { HB_TEST_DT_SECRET: appSecret };
const log = createLogger({ level: 'silent' });
const clock = fixedClock('2026-11-22T08:00:00Z');

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let app: PlatformApp;
let features: FeatureContext;
const connections: DingtalkStreamConnection[] = [];

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const inboxRows = (dedupeKey: string) => db.db.selectFrom('inbox').selectAll().where('dedupe_key', '=', dedupeKey).execute();

function connect(overrides: Partial<StreamConnectionOptions> = {}) {
  const connection = new DingtalkStreamConnection({
    app,
    env,
    accept: (event) => acceptInboundEvent(features, event),
    log,
    keepAlive: false,
    backoff: { baseMs: 20, maxMs: 2_000, stableMs: 60_000 },
    ...overrides,
  });
  connections.push(connection);
  connection.start();
  return connection;
}

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  sim = await startSimulator({ clock, dingtalk: { stream: { pollIntervalMs: 10, disconnectGraceMs: 50 } } });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId: 'dingcorphb01' });
  sim.dingtalk.addUser({ userId: 'manager7675', name: '周敏' });
  sim.dingtalk.addGroup({ openConversationId: 'cidRecruit==', title: '招聘群' });
  tenant = await createTenant(db.db, { platform: 'dingtalk' });
  app = await features.stores.platform.insertApp(tenant.tenantId, {
    kind: 'dingtalk_app',
    corpId: 'dingcorphb01',
    agentId: appKey,
    secretRef: 'env:HB_TEST_DT_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
});

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.stop()));
  sim.dingtalk.dropConnections();
});

afterAll(async () => {
  await sim.stop();
  await db.drop();
});

describe('DingTalk stream: robot messages into the inbox', () => {
  it('stores a group @-message once and acknowledges it only after the insert committed', async () => {
    const acksSeenAtStore: number[] = [];
    let pushedId = '';
    connect({
      accept: async (event: InboundEvent) => {
        const result = await acceptInboundEvent(features, event);
        acksSeenAtStore.push(sim.dingtalk.acks(pushedId).length);
        return result;
      },
    });
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a connection');
    const pushed = sim.dingtalk.groupAtBot({ appKey, openConversationId: 'cidRecruit==', userId: 'manager7675', text: '安排张三面试' });
    pushedId = pushed.messageId;
    await waitFor(() => sim.dingtalk.acks(pushed.messageId).length === 1, 'the ack');
    expect(acksSeenAtStore).toEqual([0]);
    const rows = await inboxRows(`msg:${pushed.msgId}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'message.robot_text', tenant_id: tenant.tenantId, app_id: app.id, status: 'pending' });
    expect(rows[0]!.payload).toMatchObject({ conversationType: '2', senderStaffId: 'manager7675', text: { content: ' 安排张三面试' }, isInAtList: true });
    expect(sim.dingtalk.acks(pushed.messageId)[0]).toMatchObject({ code: 200 });
    expect(sim.dingtalk.pendingUnacked(appKey)).toHaveLength(0);
  });

  it('does not ack what it could not store; DingTalk pushes it again after 60 s and it is stored once', async () => {
    const unreachable = connectDatabase({ url: 'postgres://nobody:x@127.0.0.1:1/none', poolMax: 1, log });
    try {
      let target: FeatureContext = { stores: postgresStores(unreachable.db), transact: postgresTransact(unreachable.db), clock };
      const attempts: string[] = [];
      connect({
        accept: async (event) => {
          attempts.push(event.dedupeKey);
          return acceptInboundEvent(target, event);
        },
      });
      await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a connection');
      const pushed = sim.dingtalk.userSays({ appKey, userId: 'manager7675', text: '我想改面试时间' });
      await waitFor(() => attempts.length === 1, 'the first store attempt');
      await new Promise((r) => setTimeout(r, 100));
      expect(sim.dingtalk.acks(pushed.messageId)).toHaveLength(0);
      expect(sim.dingtalk.pendingUnacked(appKey).map((f) => f.headers.messageId)).toEqual([pushed.messageId]);
      expect(await inboxRows(`msg:${pushed.msgId}`)).toHaveLength(0);

      // The database is back; 59 s later nothing happens yet, at 60 s DingTalk pushes again.
      target = features;
      clock.advance(59_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(attempts).toHaveLength(1);
      clock.advance(1_000);
      await waitFor(() => sim.dingtalk.acks(pushed.messageId).length === 1, 'the ack after redelivery');
      expect(attempts).toEqual([`msg:${pushed.msgId}`, `msg:${pushed.msgId}`]);
      const rows = await inboxRows(`msg:${pushed.msgId}`);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.payload).toMatchObject({ conversationType: '1', text: { content: '我想改面试时间' } });
    } finally {
      await unreachable.close();
    }
  });

  it('keeps one inbox row when DingTalk pushes an acked message again', async () => {
    connect();
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a connection');
    sim.dingtalk.duplicateNextAck();
    const pushed = sim.dingtalk.userSays({ appKey, userId: 'manager7675', text: '收到' });
    await waitFor(() => sim.dingtalk.acks(pushed.messageId).length === 2, 'both acks');
    const rows = await inboxRows(`msg:${pushed.msgId}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.duplicates).toBe(1);
  });

  it('stores EVENT frames before answering SUCCESS, and answers LATER when it cannot store', async () => {
    let failing = true;
    connect({
      accept: async (event) => {
        if (failing) throw new Error('database unavailable');
        return acceptInboundEvent(features, event);
      },
    });
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a connection');
    const event = sim.dingtalk.pushEvent({ appKey, eventType: 'user_leave_org', data: { userId: ['u-left'] } });
    await waitFor(() => sim.dingtalk.acks(event.messageId).length === 1, 'the LATER answer');
    expect(sim.dingtalk.acks(event.messageId)[0]!.data).toMatchObject({ status: 'LATER' });
    failing = false;
    clock.advance(60_000);
    await waitFor(() => sim.dingtalk.acks(event.messageId).length === 2, 'the SUCCESS answer');
    expect(sim.dingtalk.acks(event.messageId)[1]!.data).toMatchObject({ status: 'SUCCESS' });
    const rows = await inboxRows(`event:${event.eventId}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'event.user_leave_org' });
    expect(sim.dingtalk.pendingUnacked(appKey)).toHaveLength(0);
  });

  it('answers ping frames', async () => {
    connect();
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a connection');
    const [pingId] = sim.dingtalk.ping(appKey);
    await waitFor(() => sim.dingtalk.pongs().includes(pingId!), 'the pong');
  });
});

describe('DingTalk stream: reconnecting', () => {
  it('reconnects a dropped connection with growing backoff and never holds two connections', async () => {
    const peakBefore = sim.dingtalk.peakConnections(appKey);
    const opensBefore = sim.dingtalk.gatewayOpens(appKey);
    const connection = connect({ random: () => 1 });
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a connection');
    for (let i = 0; i < 4; i++) {
      expect(sim.dingtalk.dropConnections(appKey)).toBe(1);
      await waitFor(() => connection.state === 'open' && sim.dingtalk.liveConnections(appKey) === 1, `reconnect ${i + 1}`);
    }
    // Short-lived connections count as failures: 20, 40, 80, 160 ms (random() = 1 takes the full ceiling).
    expect(connection.reconnectDelays).toEqual([20, 40, 80, 160]);
    expect(sim.dingtalk.gatewayOpens(appKey) - opensBefore).toBe(5);
    expect(connection.gatewayOpens).toBe(5);
    expect(Math.max(peakBefore, sim.dingtalk.peakConnections(appKey))).toBe(1);
  });

  it('makes exactly one new attempt per failed handshake or refused gateway (no doubled reconnects)', async () => {
    const opensBefore = sim.dingtalk.gatewayOpens(appKey);
    sim.dingtalk.rejectNextHandshakes(3);
    sim.dingtalk.failNextOpens(1);
    const connection = connect({ random: () => 0 });
    await waitFor(() => connection.state === 'open' && sim.dingtalk.liveConnections(appKey) === 1, 'the connection');
    // 1 refused open + 3 refused handshakes + 1 success; equal jitter with random() = 0 takes half the ceiling.
    expect(sim.dingtalk.gatewayOpens(appKey) - opensBefore).toBe(5);
    expect(connection.reconnectDelays).toEqual([10, 20, 40, 80]);
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.dingtalk.gatewayOpens(appKey) - opensBefore).toBe(5);
    expect(sim.dingtalk.liveConnections(appKey)).toBe(1);
    expect(sim.dingtalk.peakConnections(appKey)).toBe(1);
  });

  it('closes and reconnects on a disconnect frame, and a message pushed meanwhile still arrives', async () => {
    const connection = connect();
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a connection');
    const opensBefore = sim.dingtalk.gatewayOpens(appKey);
    sim.dingtalk.sendDisconnect(appKey);
    await waitFor(() => sim.dingtalk.gatewayOpens(appKey) === opensBefore + 1 && connection.state === 'open', 'the reconnect');
    const pushed = sim.dingtalk.userSays({ appKey, userId: 'manager7675', text: '重连后' });
    await waitFor(() => sim.dingtalk.acks(pushed.messageId).length === 1, 'the ack');
    expect(await inboxRows(`msg:${pushed.msgId}`)).toHaveLength(1);
    expect(sim.dingtalk.peakConnections(appKey)).toBe(1);
  });

  it('stops cleanly with the keepAlive watchdog on: no reconnect after stop()', async () => {
    const connection = connect({ keepAlive: true });
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a connection');
    const opens = sim.dingtalk.gatewayOpens(appKey);
    await connection.stop();
    await new Promise((r) => setTimeout(r, 150));
    expect(sim.dingtalk.liveConnections(appKey)).toBe(0);
    expect(sim.dingtalk.gatewayOpens(appKey)).toBe(opens);
    expect(connection.state).toBe('stopped');
  });
});

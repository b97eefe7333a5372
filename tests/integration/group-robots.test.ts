import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { groupRobotSenders } from '../../server/src/adapters/platform/group-robot-senders';
import type { FeatureContext } from '../../server/src/features/context';
import { outboxGroupNotifier } from '../../server/src/features/group-chat';
import { listGroupRobots, registerGroupRobot, type GroupRobotRecord } from '../../server/src/features/group-robots';
import { dispatchDueMessages, enqueueMessage } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

// After the wall clock: outbox rows are due from the database's now().
const clock = fixedClock(new Date(Date.now() + 60_000));
const log = createLogger({ level: 'silent' });
const env = { HB_T_ROBOT_A: 'robot-key-a', HB_T_ROBOT_B: 'robot-key-b', HB_T_DT_TOKEN: 'dt-robot-token', HB_T_DT_SIGN: 'SECdtsign' };

let db: TestDatabase;
let sim: Simulator;
let features: FeatureContext;
let tenantA: TenantFixture;
let tenantB: TenantFixture;
let robotA: GroupRobotRecord;
let robotB: GroupRobotRecord;
let dingtalkRobot: GroupRobotRecord;
let senders: ReturnType<typeof groupRobotSenders>;

const text = (tenantId: string, robotId: string, content: string, key: string) =>
  outboxGroupNotifier(features.stores).notify({ tenantId, target: { channel: 'wecom_robot', robotId }, message: { kind: 'text', content }, idempotencyKey: key });
const rowsOf = (robotId: string) => db.db.selectFrom('outbox').selectAll().where('recipient', '=', robotId).execute();

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  features = db.features(clock);
  tenantA = await createTenant(db.db, { name: '甲公司' });
  tenantB = await createTenant(db.db, { name: '乙公司' });
  sim.wecom.addRobot({ key: env.HB_T_ROBOT_A, chatName: '甲·招聘群' });
  sim.wecom.addRobot({ key: env.HB_T_ROBOT_B, chatName: '乙·招聘群' });
  sim.dingtalk.addWebhookRobot({ accessToken: env.HB_T_DT_TOKEN, chatName: '甲·钉钉群', secret: env.HB_T_DT_SIGN });
  // Both tenants call their robot 招聘群: names are unique per tenant only.
  robotA = await registerGroupRobot(features, tenantA.tenantId, { platform: 'wecom', name: '招聘群', chatName: '甲·招聘群', keyRef: 'env:HB_T_ROBOT_A', apiBaseUrl: sim.url });
  robotB = await registerGroupRobot(features, tenantB.tenantId, { platform: 'wecom', name: '招聘群', keyRef: 'env:HB_T_ROBOT_B', apiBaseUrl: sim.url });
  dingtalkRobot = await registerGroupRobot(features, tenantA.tenantId, {
    platform: 'dingtalk',
    name: '钉钉群',
    keyRef: 'env:HB_T_DT_TOKEN',
    signSecretRef: 'env:HB_T_DT_SIGN',
    apiBaseUrl: sim.url,
  });
  senders = groupRobotSenders({ findRobot: (t, r) => features.stores.groupRobots.findRobot(t, r), env, log, clock });
});

afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

describe('group robot registry', () => {
  it('keeps names unique per tenant and refuses bad references', async () => {
    await expect(registerGroupRobot(features, tenantA.tenantId, { platform: 'wecom', name: '招聘群', keyRef: 'env:X', apiBaseUrl: sim.url })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(registerGroupRobot(features, tenantA.tenantId, { platform: 'wecom', name: '坏', keyRef: 'robot-key-a', apiBaseUrl: sim.url })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      registerGroupRobot(features, tenantA.tenantId, { platform: 'wecom', name: '坏2', keyRef: 'env:X', signSecretRef: 'env:Y', apiBaseUrl: sim.url }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await listGroupRobots(features, tenantA.tenantId)).map((r) => r.name)).toEqual(['招聘群', '钉钉群']);
    expect(await features.stores.groupRobots.findRobot(tenantB.tenantId, robotA.id)).toBeUndefined();
    expect(await features.stores.groupRobots.findRobot(tenantA.tenantId, 'not-a-uuid')).toBeUndefined();
  });

  it('delivers a tenant’s message through its own WeCom webhook robot', async () => {
    await text(tenantA.tenantId, robotA.id, '甲：明天 10:00 面试', 'a-1');
    expect(await dispatchDueMessages(features, senders)).toMatchObject({ sent: 1, dead: 0 });
    expect(sim.wecom.robotMessages(env.HB_T_ROBOT_A).map((m) => m.content)).toEqual(['甲：明天 10:00 面试']);
    expect(sim.wecom.robotMessages(env.HB_T_ROBOT_B)).toEqual([]);
  });

  it('does not reach another tenant’s robot, even by its id', async () => {
    await text(tenantB.tenantId, robotA.id, '乙冒用甲的机器人', 'b-steal');
    expect(await dispatchDueMessages(features, senders)).toMatchObject({ dead: 1, sent: 0 });
    const [row] = await db.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', 'b-steal').execute();
    expect(row?.last_error).toContain('no_robot');
    expect(sim.wecom.robotMessages(env.HB_T_ROBOT_A)).toHaveLength(1);
  });

  it('delivers through a tenant’s DingTalk robot with 加签, and not over the WeCom channel', async () => {
    await enqueueMessage(features.stores, {
      tenantId: tenantA.tenantId,
      channel: 'dingtalk_robot',
      recipient: dingtalkRobot.id,
      payload: { msgtype: 'text', text: { content: '钉钉：今天有 3 场面试' } },
      idempotencyKey: 'dt-1',
    });
    await text(tenantA.tenantId, dingtalkRobot.id, '走错渠道', 'dt-wrong');
    expect(await dispatchDueMessages(features, senders)).toMatchObject({ sent: 1, dead: 1 });
    const inbox = sim.dingtalk.state.webhookInboxes.get(env.HB_T_DT_TOKEN) ?? [];
    expect(inbox.map((m) => m.msgParam)).toEqual([expect.objectContaining({ content: '钉钉：今天有 3 场面试' })]);
  });

  it('paces 30 queued messages to one robot under 20 a minute, with no 45009, each tenant in its own bucket', async () => {
    for (let i = 1; i <= 30; i++) await text(tenantA.tenantId, robotA.id, `甲批量 ${i}`, `a-burst-${i}`);
    for (let i = 1; i <= 18; i++) await text(tenantB.tenantId, robotB.id, `乙批量 ${i}`, `b-burst-${i}`);
    const start = clock.now().getTime();
    // Advance past the first message's minute so robot A starts the burst with a fresh window.
    clock.advance(61_000);
    await dispatchDueMessages(features, senders, { batchSize: 100 });
    // In the first minute robot B gets all 18 although robot A used its 18: buckets are per robot id.
    expect(sim.wecom.robotMessages(env.HB_T_ROBOT_B)).toHaveLength(18);
    expect(sim.wecom.robotMessages(env.HB_T_ROBOT_A)).toHaveLength(1 + 18);
    for (let step = 0; step < 20; step++) {
      clock.advance(10_000);
      await dispatchDueMessages(features, senders, { batchSize: 100 });
    }
    const a = await rowsOf(robotA.id);
    const burst = a.filter((r) => r.idempotency_key.startsWith('a-burst-'));
    expect(burst.every((r) => r.status === 'sent')).toBe(true);
    expect(burst.every((r) => r.last_error === null)).toBe(true);
    const received = sim.wecom.robotMessages(env.HB_T_ROBOT_A).filter((m) => m.content?.startsWith('甲批量'));
    expect(received).toHaveLength(30);
    // Never more than 20 in any minute at the robot: the simulator would have answered 45009.
    const times = received.map((m) => m.receivedAt.getTime());
    for (const t of times) expect(times.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(20);
    expect(Math.max(...times) - start).toBeGreaterThan(60_000);
  });
});

describe('GroupNotifier on DingTalk', () => {
  it('renders a neutral message for the custom webhook robot, with the @ that DingTalk needs in the text too', async () => {
    await outboxGroupNotifier(features.stores).notify({
      tenantId: tenantA.tenantId,
      target: { channel: 'dingtalk_robot', robotId: dingtalkRobot.id },
      message: { kind: 'text', content: '面评待提交', mentionUserIds: ['dtuser01'] },
      idempotencyKey: 'dt-neutral-1',
    });
    await outboxGroupNotifier(features.stores).notify({
      tenantId: tenantA.tenantId,
      target: { channel: 'dingtalk_robot', robotId: dingtalkRobot.id },
      message: { kind: 'notice_card', title: '今日面试 3 场', description: '2 场待确认', url: 'https://hire.example.com/today' },
      idempotencyKey: 'dt-neutral-2',
    });
    const before = sim.dingtalk.webhookMessages(env.HB_T_DT_TOKEN).length;
    clock.advance(61_000);
    expect(await dispatchDueMessages(features, senders)).toMatchObject({ dead: 0 });
    const got = sim.dingtalk.webhookMessages(env.HB_T_DT_TOKEN).slice(before);
    expect(got).toHaveLength(2);
    expect(JSON.stringify(got[0])).toContain('面评待提交 @dtuser01');
    expect(JSON.stringify(got[0])).toContain('"atUserIds":["dtuser01"]');
    expect(JSON.stringify(got[1])).toContain('actionCard');
    expect(JSON.stringify(got[1])).toContain('https://hire.example.com/today');
  });
});

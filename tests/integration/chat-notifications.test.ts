import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wecomSenders } from '../../server/src/adapters/wecom/app-message-sender';
import { notifyEmployee, outboxChatNotifier, updateEmployeeCard } from '../../server/src/features/notifications';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';
import { waitUntil } from '../support/spawn-server';

const corpId = 'wwchatnotify';
const agentId = 1000002;
const secret = 'chat-secret';
const token = 'chattoken';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
// Ahead of the database's now(), which stamps when queued rows become due.
const clock = fixedClock(new Date(Date.now() + 60_000));
const env = { HB_CHAT_SECRET: secret, HB_CHAT_TOKEN: token, HB_CHAT_AES: aesKey };

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let server: Server;

const dispatch = () => {
  const features = db.features(clock);
  const senders = wecomSenders({
    findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'wecom_app'),
    env,
    tokens: postgresTokenCache(db.db, clock),
    log: createLogger({ level: 'silent' }),
  });
  return dispatchDueMessages(features, senders);
};

beforeAll(async () => {
  db = await createTestDatabase();
  tenant = await createTenant(db.db);
  sim = await startSimulator({ clock });
  const app = await db.features().stores.platform.insertApp(tenant.tenantId, {
    kind: 'wecom_app',
    corpId,
    agentId: String(agentId),
    secretRef: 'env:HB_CHAT_SECRET',
    callbackTokenRef: 'env:HB_CHAT_TOKEN',
    encodingAesKeyRef: 'env:HB_CHAT_AES',
    apiBaseUrl: sim.url,
  });
  // The simulator delivers card clicks to our callback route, so the app listens on a real port here.
  const api = createTestApp(db, { clock, secretsEnv: env });
  server = createServer(api.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  sim.wecom.addCorp({ corpId, apps: [{ agentId, secret }], callbackToken: token, encodingAesKey: aesKey, callbackUrl: `http://127.0.0.1:${port}/callbacks/wecom/${app.id}` });
  sim.wecom.addDepartment(corpId, { id: 1, name: '通知测试', parentid: 0 });
  for (const userid of ['liuyang', 'zhaochen']) sim.wecom.addUser(corpId, { userid, name: userid, department: [1] });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await sim.stop();
  await db.drop();
});

describe('employee chat through WeCom', () => {
  it('delivers text, markdown and a card with buttons, each once even when notified twice', async () => {
    await db.features(clock).transact(async (stores) => {
      // Through the ChatNotifier port, as features use it: the second notify with the same key queues nothing.
      const notifier = outboxChatNotifier(stores);
      expect(await notifier.notify({ tenantId: tenant.tenantId, platformUserId: 'liuyang', key: 'n1', message: { kind: 'text', text: '明天 10:00 有一场面试' } })).toEqual({ queued: true });
      expect(await notifier.notify({ tenantId: tenant.tenantId, platformUserId: 'liuyang', key: 'n1', message: { kind: 'text', text: '明天 10:00 有一场面试' } })).toEqual({ queued: false });
      await notifyEmployee(stores, {
        tenantId: tenant.tenantId, platformUserId: 'liuyang', key: 'n2',
        message: { kind: 'markdown', title: '面评待提交', markdown: '林晓雨 · 技术一面\n请在 24 小时内提交' },
      });
      await notifyEmployee(stores, {
        tenantId: tenant.tenantId, platformUserId: 'liuyang', key: 'n3',
        message: {
          kind: 'card', cardId: 'panel-invite-1', title: '面试邀请：高级后端工程师', description: '11月25日 周三 10:00–11:00',
          fields: [{ label: '候选人', value: '林**' }, { label: '地点', value: '长江 会议室' }],
          buttons: [{ key: 'accept', text: '参加', style: 'primary' }, { key: 'decline', text: '无法参加' }],
        },
      });
    });
    expect(await dispatch()).toMatchObject({ sent: 3 });
    const got = sim.wecom.received('liuyang', corpId);
    expect(got.map((m) => m.msgtype)).toEqual(['text', 'markdown', 'template_card']);
    expect(got[0]!.content).toBe('明天 10:00 有一场面试');
    expect(got[1]!.content).toContain('**面评待提交**');
    expect(got[2]!.card).toMatchObject({ title: '面试邀请：高级后端工程师', buttons: [{ key: 'accept', text: '参加' }, { key: 'decline', text: '无法参加' }] });
  });

  it('turns a click into an inbox event, and greys the button out once with its single-use code', async () => {
    await db.features(clock).transact((stores) =>
      notifyEmployee(stores, {
        tenantId: tenant.tenantId, platformUserId: 'zhaochen', key: 'card-2',
        message: { kind: 'card', cardId: 'panel-invite-2', title: '面试邀请', buttons: [{ key: 'accept', text: '参加' }] },
      }),
    );
    await dispatch();
    await sim.wecom.clickCard('zhaochen', 'panel-invite-2', 'accept', corpId);
    const click = await waitUntil(() =>
      db.db.selectFrom('inbox').selectAll().where('kind', '=', 'event.template_card_event').executeTakeFirst(),
    );
    const payload = click!.payload as { EventKey: string; TaskId: string; ResponseCode: string; FromUserName: string };
    expect(payload).toMatchObject({ EventKey: 'accept', TaskId: 'panel-invite-2', FromUserName: 'zhaochen' });

    const update = { responseCode: payload.ResponseCode, recipients: ['zhaochen'], replaceButtonText: '已确认' };
    await db.features(clock).transact((stores) => updateEmployeeCard(stores, { tenantId: tenant.tenantId, update, key: 'u1' }));
    expect(await dispatch()).toMatchObject({ sent: 1 });
    const card = sim.wecom.received('zhaochen', corpId).find((m) => m.card?.taskId === 'panel-invite-2')!.card!;
    expect(card.replaceName).toBe('已确认');
    // The code is single-use: a second update with it is refused and kept as dead, not retried forever.
    await db.features(clock).transact((stores) => updateEmployeeCard(stores, { tenantId: tenant.tenantId, update, key: 'u2' }));
    expect(await dispatch()).toMatchObject({ dead: 1 });
  });
});

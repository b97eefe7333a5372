import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { dingtalkEmployeeChatSenders } from '../../server/src/adapters/dingtalk/employee-chat-sender';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import type { ChatMessage } from '../../server/src/domain/chat-message';
import { notifyEmployee, updateEmployeeCard } from '../../server/src/features/notifications';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

const appKey = 'dingchatapp0001';
const appSecret = 'chat-app-secret-0001';
const env = { HB_TEST_DT_CHAT_SECRET: appSecret };
const publicUrl = 'https://hire.example.com';
const log = createLogger({ level: 'silent' });
const clock = fixedClock('2026-11-22T08:00:00Z');

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;

function senders() {
  const features = db.features(clock);
  return dingtalkEmployeeChatSenders({
    findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'dingtalk_app'),
    env,
    tokens: postgresTokenCache(db.db, clock),
    log,
    publicUrl,
    sleep: async () => undefined,
  });
}

const notify = (userId: string, key: string, message: ChatMessage) =>
  db.features(clock).transact((stores) => notifyEmployee(stores, { tenantId: tenant.tenantId, platformUserId: userId, message, key }));
const rowOf = (key: string) => db.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();

/** The https page behind a `dingtalk://dingtalkclient/page/link?url=…` link. */
function pageOf(link: unknown): URL {
  const outer = new URL(String(link));
  expect(`${outer.protocol}//${outer.host}${outer.pathname}`).toBe('dingtalk://dingtalkclient/page/link');
  return new URL(outer.searchParams.get('url')!);
}

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId: 'dingcorpchat01' });
  sim.dingtalk.addUser({ userId: 'manager7675', name: '周敏' });
  tenant = await createTenant(db.db, { platform: 'dingtalk' });
  await db.features().stores.platform.insertApp(tenant.tenantId, {
    kind: 'dingtalk_app',
    corpId: 'dingcorpchat01',
    agentId: appKey,
    secretRef: 'env:HB_TEST_DT_CHAT_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
});

afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

beforeEach(async () => {
  await db.db.deleteFrom('outbox').execute();
});

describe('employee chat on DingTalk', () => {
  it('sends text and markdown 1:1 through the app robot as sampleText / sampleMarkdown', async () => {
    const before = sim.dingtalk.received('manager7675').length;
    await notify('manager7675', 'text-1', { kind: 'text', text: '您有一场面试将在 30 分钟后开始。' });
    await notify('manager7675', 'md-1', { kind: 'markdown', title: '面试提醒', markdown: '> 候选人：王小明\n> 时间：今天 14:00' });
    expect(await dispatchDueMessages(db.features(clock), senders())).toMatchObject({ sent: 2 });

    const got = sim.dingtalk.received('manager7675').slice(before);
    expect(got.map((m) => m.msgKey)).toEqual(['sampleText', 'sampleMarkdown']);
    expect(got[0]).toMatchObject({ via: 'oToMessages', robotCode: appKey, msgParam: { content: '您有一场面试将在 30 分钟后开始。' } });
    expect(got[1]!.msgParam).toEqual({ title: '面试提醒', text: '#### 面试提醒\n\n> 候选人：王小明\n> 时间：今天 14:00' });
    expect(await rowOf('chat:text-1')).toMatchObject({ status: 'sent' });
  });

  it('sends a card as an action card whose buttons open HireBridge pages naming the card and the button', async () => {
    const before = sim.dingtalk.received('manager7675').length;
    await notify('manager7675', 'card-2', {
      kind: 'card',
      cardId: 'invite:iv-123',
      title: '面试邀请 Interview invitation',
      description: '请确认是否参加',
      fields: [
        { label: '候选人', value: '王小明' },
        { label: '时间', value: '11月25日 14:00' },
      ],
      buttons: [
        { key: 'accept', text: '接受', style: 'primary' },
        { key: 'decline', text: '拒绝', style: 'danger' },
      ],
    });
    await notify('manager7675', 'card-1', { kind: 'card', cardId: 'score:iv-9', title: '请填写面评', buttons: [{ key: 'open', text: '去填写' }] });
    expect(await dispatchDueMessages(db.features(clock), senders())).toMatchObject({ sent: 2 });

    const [two, one] = sim.dingtalk.received('manager7675').slice(before);
    expect(two!.msgKey).toBe('sampleActionCard2');
    expect(two!.msgParam).toMatchObject({ title: '面试邀请 Interview invitation', actionTitle1: '接受', actionTitle2: '⚠️ 拒绝' });
    expect(two!.msgParam.text).toContain('- **候选人**：王小明');
    const accept = pageOf(two!.msgParam.actionURL1);
    expect(accept.origin + accept.pathname).toBe(`${publicUrl}/chat/card-action`);
    expect(Object.fromEntries(accept.searchParams)).toEqual({ card: 'invite:iv-123', action: 'accept' });
    expect(pageOf(two!.msgParam.actionURL2).searchParams.get('action')).toBe('decline');

    expect(one!.msgKey).toBe('sampleActionCard');
    expect(one!.msgParam).toMatchObject({ title: '请填写面评', singleTitle: '去填写' });
    expect(Object.fromEntries(pageOf(one!.msgParam.singleURL).searchParams)).toEqual({ card: 'score:iv-9', action: 'open' });
  });

  it('retries a flow-controlled send and gives up on a user the robot cannot reach', async () => {
    sim.dingtalk.flowControlNext('manager7675');
    await notify('manager7675', 'flow-1', { kind: 'text', text: '提醒' });
    await notify('nobody-here', 'gone-1', { kind: 'text', text: '提醒' });
    await dispatchDueMessages(db.features(clock), senders());
    expect(await rowOf('chat:flow-1')).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/^flow_controlled/) });
    expect(await rowOf('chat:gone-1')).toMatchObject({ status: 'dead', last_error: expect.stringMatching(/^invalid_user/) });
  });

  it('refuses a card update as not retryable: a robot 1:1 message cannot be updated', async () => {
    await db.features(clock).transact((stores) =>
      updateEmployeeCard(stores, { tenantId: tenant.tenantId, update: { responseCode: 'n/a', recipients: ['manager7675'], replaceButtonText: '已确认' }, key: 'upd-1' }),
    );
    const calls = sim.dingtalk.calls('/v1.0/robot/oToMessages/batchSend');
    await dispatchDueMessages(db.features(clock), senders());
    const row = await rowOf('card-update:upd-1');
    expect(row).toMatchObject({ status: 'dead', last_error: expect.stringMatching(/^unsupported_on_dingtalk/) });
    expect(sim.dingtalk.calls('/v1.0/robot/oToMessages/batchSend')).toBe(calls);
  });
});

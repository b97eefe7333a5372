import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkRobotSender } from '../../server/src/adapters/dingtalk/robot-sender';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { outboxGroupNotifier } from '../../server/src/features/group-chat';
import { dispatchDueMessages, enqueueMessage } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import type { GroupMessage } from '../../server/src/ports/group-notifier';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

/**
 * Button cards in the DingTalk robot's 1:1 chat, through the outbox and the robot sender against the simulator:
 * with the tenant's card template an interactive card (createAndDeliver, openSpaceId dtv1.card//IM_ROBOT.<userId>),
 * without one the text listing through oToMessages/batchSend. Both row shapes: the neutral target (`dingtalk_oto`
 * GroupTarget: `{message}`) and the bot's 1:1 rows (`{msgKey, msgParam, message}`, features/bot/inbound.ts).
 */
const clock = fixedClock('2026-11-22T08:00:00Z');
const log = createLogger({ level: 'silent' });
const env = { HB_TEST_DT_OTO_CARD: 'oto-card-secret', HB_TEST_DT_OTO_PLAIN: 'oto-plain-secret' };
const withTemplate = { appKey: 'dingotocard0001', template: 'hb-oto.schema' };
const plain = { appKey: 'dingotoplain001' };

let db: TestDatabase;
let sim: Simulator;
let carded: TenantFixture;
let textOnly: TenantFixture;

const card = (cardId: string): Extract<GroupMessage, { kind: 'button_card' }> => ({
  kind: 'button_card', cardId, title: '确认取消这场面试？', description: '林** · 前端工程师 · 11月25日 10:00',
  buttons: [{ label: '确认取消', key: 'cancel:yes', style: 'danger' }, { label: '不取消', key: 'cancel:no' }],
});

function senders() {
  const features = db.features(clock);
  const robot = dingtalkRobotSender({ findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'dingtalk_app'), env, tokens: postgresTokenCache(db.db, clock), log, sleep: async () => undefined });
  return { dingtalk_group: robot, dingtalk_oto: robot, dingtalk_card_update: robot };
}
const rowOf = (key: string) => db.db.selectFrom('outbox').select(['status', 'channel', 'recipient', 'receipt', 'last_error']).where('idempotency_key', '=', key).executeTakeFirstOrThrow();

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  sim.dingtalk.addApp({ appKey: withTemplate.appKey, appSecret: env.HB_TEST_DT_OTO_CARD, robotCode: withTemplate.appKey, corpId: 'dingotocorp1' });
  sim.dingtalk.addApp({ appKey: plain.appKey, appSecret: env.HB_TEST_DT_OTO_PLAIN, robotCode: plain.appKey, corpId: 'dingotocorp2' });
  sim.dingtalk.addUser({ userId: 'hr0001', name: '刘洋' });
  sim.dingtalk.addCardTemplate(withTemplate.template);
  carded = await createTenant(db.db, { platform: 'dingtalk' });
  textOnly = await createTenant(db.db, { platform: 'dingtalk' });
  const stores = db.features(clock).stores;
  await stores.platform.insertApp(carded.tenantId, {
    kind: 'dingtalk_app', corpId: 'dingotocorp1', agentId: withTemplate.appKey, secretRef: 'env:HB_TEST_DT_OTO_CARD', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
    cardTemplateId: withTemplate.template,
  });
  await stores.platform.insertApp(textOnly.tenantId, {
    kind: 'dingtalk_app', corpId: 'dingotocorp2', agentId: plain.appKey, secretRef: 'env:HB_TEST_DT_OTO_PLAIN', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
  });
});
afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

describe('DingTalk 1:1 button cards', () => {
  it('with a card template: an interactive card in the robot chat, from either row shape; an unreachable user is dead-lettered', async () => {
    const stores = db.features(clock).stores;
    await outboxGroupNotifier(stores).notify({ tenantId: carded.tenantId, target: { channel: 'dingtalk_oto', userId: 'hr0001' }, message: card('hb_oto_neutral_1'), idempotencyKey: 'oto-card-1' });
    await enqueueMessage(stores, {
      tenantId: carded.tenantId, channel: 'dingtalk_oto', recipient: 'hr0001', idempotencyKey: 'oto-card-2',
      payload: { msgKey: 'sampleMarkdown', msgParam: { title: '招聘助手 HR bot', text: '可选：确认取消 ／ 不取消' }, message: card('hb_oto_bot_2') },
    });
    await outboxGroupNotifier(stores).notify({ tenantId: carded.tenantId, target: { channel: 'dingtalk_oto', userId: 'nobody' }, message: card('hb_oto_nobody'), idempotencyKey: 'oto-card-3' });
    expect(await dispatchDueMessages(db.features(clock), senders())).toMatchObject({ sent: 2, dead: 1 });

    expect(await rowOf('oto-card-1')).toMatchObject({ status: 'sent', channel: 'dingtalk_oto', recipient: 'hr0001', receipt: { outTrackId: 'hb_oto_neutral_1' } });
    expect(await rowOf('oto-card-3')).toMatchObject({ status: 'dead' });
    expect((await rowOf('oto-card-3')).last_error).toContain('nobody');
    const received = sim.dingtalk.received('hr0001');
    expect(received.map((m) => m.via)).toEqual(['interactiveCard', 'interactiveCard']);
    expect(received.some((m) => m.via === 'oToMessages')).toBe(false);
    for (const outTrackId of ['hb_oto_neutral_1', 'hb_oto_bot_2']) {
      expect(sim.dingtalk.card(outTrackId)).toMatchObject({ templateId: withTemplate.template, callbackType: 'STREAM', spaces: [{ type: 'IM_ROBOT', id: 'hr0001' }] });
      expect(sim.dingtalk.card(outTrackId)!.cardParamMap).toMatchObject({ title: '确认取消这场面试？', hbChat: 'single:hr0001', status: '' });
      expect(sim.dingtalk.cardButtons(outTrackId).map((b) => b.key)).toEqual(['cancel:yes', 'cancel:no']);
    }
  });

  it('without a card template: the text listing through oToMessages/batchSend, the bot row keeping its own text', async () => {
    const stores = db.features(clock).stores;
    const before = sim.dingtalk.received('hr0001').length;
    await outboxGroupNotifier(stores).notify({ tenantId: textOnly.tenantId, target: { channel: 'dingtalk_oto', userId: 'hr0001' }, message: card('hb_oto_plain_1'), idempotencyKey: 'oto-plain-1' });
    await enqueueMessage(stores, {
      tenantId: textOnly.tenantId, channel: 'dingtalk_oto', recipient: 'hr0001', idempotencyKey: 'oto-plain-2',
      payload: { msgKey: 'sampleMarkdown', msgParam: { title: '招聘助手 HR bot', text: 'bot 自己的文字' }, message: card('hb_oto_plain_2') },
    });
    expect(await dispatchDueMessages(db.features(clock), senders())).toMatchObject({ sent: 2, dead: 0 });
    const received = sim.dingtalk.received('hr0001').slice(before);
    expect(received.map((m) => m.via)).toEqual(['oToMessages', 'oToMessages']);
    expect(JSON.stringify(received[0]!.msgParam)).toContain('确认取消 ／ 不取消');
    expect(received[1]!.msgParam).toMatchObject({ title: '招聘助手 HR bot', text: 'bot 自己的文字' });
    expect(sim.dingtalk.card('hb_oto_plain_1')).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { notifyEmployee } from '../../server/src/features/notifications';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { systemClock } from '../../server/src/ports/clock';
import { createPlatformLayer } from '../../server/src/platform-layer';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant } from '../support/fixtures';
import { waitUntil } from '../support/spawn-server';

let db: TestDatabase;
let sim: Simulator;
const appKey = 'dinglayer0001';

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  sim.dingtalk.addApp({ appKey, appSecret: 'layer-secret', robotCode: appKey, corpId: 'dinglayercorp' });
});
afterAll(async () => {
  await sim.stop();
  await db.drop();
});

describe('platform layer', () => {
  it('serves every outbox channel the adapters offer and handles the inbound kinds it knows', () => {
    const layer = createPlatformLayer({
      features: db.features(), db: db.db, tokens: postgresTokenCache(db.db, db.features().clock), env: {}, log: createLogger({ level: 'silent' }),
      rosterReconcileCron: undefined, timeZone: 'Asia/Shanghai', publicUrl: 'https://hire.example.com',
    });
    for (const channel of ['wecom_app', 'employee_chat', 'employee_card_update', 'kf', 'subscription', 'dingtalk_group', 'dingtalk_oto', 'wecom_aibot_reply', 'wecom_aibot_push', 'calendar_sync', 'wecom_robot', 'dingtalk_robot', 'ehr_update']) {
      expect(layer.senders[channel], channel).toBeDefined();
    }
    expect(Object.keys(layer.inboxHandlers)).toEqual(expect.arrayContaining(['event.change_contact', 'event.kf_msg_or_event', 'event.user_leave_org']));
  });

  it('opens a DingTalk stream for an app connected while it runs, once, and routes its employee chat to DingTalk', async () => {
    // Real time: queued rows are due by the database's now().
    const features = db.features(systemClock);
    const layer = createPlatformLayer({
      features, db: db.db, tokens: postgresTokenCache(db.db, features.clock), env: { HB_LAYER_SECRET: 'layer-secret' },
      log: createLogger({ level: 'silent' }), rosterReconcileCron: undefined, timeZone: 'Asia/Shanghai', publicUrl: 'https://hire.example.com', rescanMs: 100,
    });
    await layer.start();
    try {
      expect(sim.dingtalk.gatewayOpens(appKey)).toBe(0);
      const tenant = await createTenant(db.db, { platform: 'dingtalk' });
      await features.stores.platform.insertApp(tenant.tenantId, {
        kind: 'dingtalk_app', corpId: 'dinglayercorp', agentId: appKey, secretRef: 'env:HB_LAYER_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
      });
      await waitUntil(() => sim.dingtalk.gatewayOpens(appKey) === 1, 10_000);
      await new Promise((r) => setTimeout(r, 400));
      expect(sim.dingtalk.gatewayOpens(appKey)).toBe(1);

      // The neutral employee chat of a DingTalk tenant goes to DingTalk, rendered as a DingTalk message.
      sim.dingtalk.addUser({ userId: 'dinguser01', name: '钉钉用户' });
      await features.transact((stores) =>
        notifyEmployee(stores, { tenantId: tenant.tenantId, platformUserId: 'dinguser01', key: 'layer-1', message: { kind: 'markdown', title: '面评待提交', markdown: '请在 24 小时内提交' } }),
      );
      await dispatchDueMessages(features, layer.senders);
      const row = await db.db.selectFrom('outbox').select(['status', 'last_error', 'channel']).where('idempotency_key', '=', 'chat:layer-1').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'sent' });
      const got = sim.dingtalk.received('dinguser01');
      expect(got).toHaveLength(1);
      expect(JSON.stringify(got[0])).toContain('sampleMarkdown');
    } finally {
      await layer.stop();
    }
  });
});

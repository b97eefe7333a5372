import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { createLogger } from '../../server/src/observability/logger';
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
      rosterReconcileCron: undefined, timeZone: 'Asia/Shanghai',
    });
    for (const channel of ['wecom_app', 'employee_chat', 'employee_card_update', 'kf', 'subscription', 'dingtalk_group', 'dingtalk_oto', 'wecom_aibot_reply', 'wecom_aibot_push']) {
      expect(layer.senders[channel], channel).toBeDefined();
    }
    expect(Object.keys(layer.inboxHandlers)).toEqual(expect.arrayContaining(['event.change_contact', 'event.kf_msg_or_event']));
  });

  it('opens a DingTalk stream for an app connected while it runs, once', async () => {
    const features = db.features();
    const layer = createPlatformLayer({
      features, db: db.db, tokens: postgresTokenCache(db.db, features.clock), env: { HB_LAYER_SECRET: 'layer-secret' },
      log: createLogger({ level: 'silent' }), rosterReconcileCron: undefined, timeZone: 'Asia/Shanghai', rescanMs: 100,
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
    } finally {
      await layer.stop();
    }
  });
});

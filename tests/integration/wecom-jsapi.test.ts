import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { createWecomApi } from '../../server/src/adapters/wecom/api-client';
import { createJsapiSigner } from '../../server/src/adapters/wecom/jsapi';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, signIn, type TenantFixture } from '../support/fixtures';

const corpId = 'wwjsapi';
const agentId = 1000003;
const secret = 'jsapi-secret';
const clock = fixedClock('2026-11-22T08:00:00Z');
let db: TestDatabase;
let sim: Simulator;
let appId: string;
let tenant: TenantFixture;

const signer = () => {
  const tokens = postgresTokenCache(db.db, clock);
  const api = createWecomApi({ credentials: { appId, corpId, secret, baseUrl: sim.url }, tokens, log: createLogger({ level: 'silent' }) });
  return createJsapiSigner({ api, tokens, app: { id: appId, corpId, agentId: String(agentId) }, clock });
};

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  sim.wecom.addCorp({ corpId, apps: [{ agentId, secret }], callbackToken: 't', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
  tenant = await createTenant(db.db);
  appId = (
    await db.features().stores.platform.insertApp(tenant.tenantId, {
      kind: 'wecom_app', corpId, agentId: String(agentId), secretRef: 'env:X', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
    })
  ).id;
});
afterAll(async () => {
  await sim.stop();
  await db.drop();
});

describe('WeCom JS-SDK signatures', () => {
  it('signs wx.config with the corp ticket and wx.agentConfig with the app ticket, as the client checks them', async () => {
    const page = 'https://hire.example.com/m/interviews/today?from=card#kit';
    const { config, agentConfig } = await signer().sign(page);
    const url = 'https://hire.example.com/m/interviews/today?from=card';
    expect(config.appId).toBe(corpId);
    expect(agentConfig).toMatchObject({ corpid: corpId, agentid: String(agentId) });
    expect(sim.wecom.verifyJsSignature({ corpId, url, ...config })).toBe(true);
    expect(sim.wecom.verifyJsSignature({ corpId, agentId, url, ...agentConfig })).toBe(true);
    // Swapped, they fail — which is why the two tickets are cached under separate keys.
    expect(sim.wecom.verifyJsSignature({ corpId, agentId, url, ...config })).toBe(false);
    expect(sim.wecom.verifyJsSignature({ corpId, url, ...agentConfig })).toBe(false);
    expect(sim.wecom.verifyJsSignature({ corpId, url: `${url}&x=1`, ...config })).toBe(false);
  });

  it('fetches each ticket once for the cluster while it is valid, and again before it expires', async () => {
    const corpBefore = sim.wecom.calls('/cgi-bin/get_jsapi_ticket');
    const appBefore = sim.wecom.calls('/cgi-bin/ticket/get');
    await Promise.all([signer(), signer(), signer()].flatMap((s) => [s.sign('https://a.example/1'), s.sign('https://a.example/2')]));
    expect(sim.wecom.calls('/cgi-bin/get_jsapi_ticket') - corpBefore).toBe(0);
    expect(sim.wecom.calls('/cgi-bin/ticket/get') - appBefore).toBe(0);
    clock.advance(7200_000 - 4 * 60_000);
    const fresh = await signer().sign('https://a.example/3');
    expect(sim.wecom.calls('/cgi-bin/get_jsapi_ticket') - corpBefore).toBe(1);
    expect(sim.wecom.calls('/cgi-bin/ticket/get') - appBefore).toBe(1);
    expect(sim.wecom.verifyJsSignature({ corpId, url: 'https://a.example/3', ...fresh.config })).toBe(true);
  });
});

describe('POST /api/platform/jsapi-signature', () => {
  it('signs our own pages for a signed-in employee, and nothing else', async () => {
    const api = createTestApp(db, {
      clock,
      jsapiSignerFor: async (tenantId) => (tenantId === tenant.tenantId ? signer() : undefined),
      publicUrl: 'https://hire.example.com',
    });
    // The clock of this file runs ahead of real time; sessions must outlive it.
    const token = await signIn(db.db, tenant, tenant.employees.interviewer.id, 24 * 3_600_000);
    const url = 'https://hire.example.com/m/kit?interview=1';
    const answer = await api.http.post('/api/platform/jsapi-signature').set({ authorization: `Bearer ${token}` }).send({ url }).expect(200);
    expect(sim.wecom.verifyJsSignature({ corpId, url, ...answer.body.config })).toBe(true);
    expect(sim.wecom.verifyJsSignature({ corpId, agentId, url, ...answer.body.agentConfig })).toBe(true);

    const foreign = await api.http.post('/api/platform/jsapi-signature').set({ authorization: `Bearer ${token}` }).send({ url: 'https://evil.example/x' }).expect(400);
    expect(foreign.body.issues).toEqual([{ path: 'body.url', message: 'must be under HB_PUBLIC_URL' }]);
    await api.http.post('/api/platform/jsapi-signature').send({ url }).expect(401);

    const other = await createTenant(db.db);
    const otherToken = await signIn(db.db, other, other.employees.hr.id, 24 * 3_600_000);
    const none = await api.http.post('/api/platform/jsapi-signature').set({ authorization: `Bearer ${otherToken}` }).send({ url }).expect(404);
    expect(none.body.code).toBe('NOT_FOUND');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { dingtalkDirectoryFor } from '../../server/src/adapters/dingtalk/employee-directory';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { startRosterSchedule } from '../../server/src/adapters/schedule/roster-schedule';
import type { FeatureContext } from '../../server/src/features/context';
import { reconcileAllTenants, syncRoster, type DirectoryFor } from '../../server/src/features/roster';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

const appKey = 'dingnightly01';
const appSecret = 'nightly-secret-01';
const corpId = 'dingcorpnightly01';
const env = { HB_TEST_DT_NIGHTLY_SECRET: appSecret };
const clock = fixedClock('2026-11-22T08:00:00Z');
const log = createLogger({ level: 'silent' });

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let features: FeatureContext;
let directoryFor: DirectoryFor;

const employee = (platformUserId: string) =>
  db.db.selectFrom('employees').selectAll().where('tenant_id', '=', tenant.tenantId).where('platform_user_id', '=', platformUserId).executeTakeFirstOrThrow();

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  sim = await startSimulator({ clock });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId });
  tenant = await createTenant(db.db, { name: '钉钉夜间对账', platform: 'dingtalk' });
  await features.stores.platform.insertApp(tenant.tenantId, {
    kind: 'dingtalk_app',
    corpId,
    agentId: appKey,
    secretRef: 'env:HB_TEST_DT_NIGHTLY_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
  const rows = await db.db.selectFrom('employees').select(['platform_user_id', 'name']).where('tenant_id', '=', tenant.tenantId).execute();
  sim.dingtalk.addDepartment({ id: 10, name: '技术部' });
  for (const row of rows) sim.dingtalk.addMember({ userId: row.platform_user_id, name: row.name, deptIds: [10] });
  sim.dingtalk.addMember({ userId: 'dn01', name: '周航', title: '工程师', deptIds: [10] });
  sim.dingtalk.addMember({ userId: 'dn02', name: '吴婷', title: '设计师', deptIds: [10] });
  directoryFor = dingtalkDirectoryFor({
    findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'dingtalk_app'),
    env,
    tokens: postgresTokenCache(db.db, clock),
    log,
  });
  await syncRoster(features, await directoryFor(tenant.tenantId), tenant.tenantId);
});

afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

describe('nightly roster reconciliation of a DingTalk tenant', () => {
  it('leaves DingTalk tenants out when given only a (WeCom) resolver, as before', async () => {
    expect(await reconcileAllTenants(features, directoryFor)).toEqual([]);
  });

  it('fixes changes whose 通讯录 events were missed, with the dingtalk_app resolver', async () => {
    // Both happen on DingTalk with no event reaching HireBridge (stream down, say).
    sim.dingtalk.updateMember('dn01', { title: '高级工程师' });
    sim.dingtalk.removeMember('dn02');

    const lines: string[] = [];
    const captured = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const nightly = startRosterSchedule({ cron: '30 2 * * *', timeZone: 'Asia/Shanghai', features, directoryFor: { dingtalk_app: directoryFor }, log: captured });
    try {
      await nightly.runNow();
    } finally {
      await nightly.stop();
    }

    expect(await employee('dn01')).toMatchObject({ title: '高级工程师', status: 'active' });
    expect(await employee('dn02')).toMatchObject({ status: 'left' });
    const run = await db.db.selectFrom('roster_sync_runs').selectAll().where('tenant_id', '=', tenant.tenantId).where('mode', '=', 'reconcile').executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: 'succeeded', report: { mode: 'reconcile', employees: { updated: 1, left: 1 } } });
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((l) => l.level === 'warn')).toMatchObject({ tenantId: tenant.tenantId, updated: 1, left: 1 });
    expect(lines.join('\n')).not.toContain('周航');

    // A second night finds nothing left to fix.
    const [again] = await reconcileAllTenants(features, { wecom_contacts: () => Promise.reject(new Error('no WeCom tenant here')), dingtalk_app: directoryFor });
    expect(again).toMatchObject({ tenantId: tenant.tenantId, report: { changes: [] } });
  });
});

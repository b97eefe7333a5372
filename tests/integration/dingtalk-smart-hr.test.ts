import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSmartHrOf, startSimulator, type DingtalkSmartHrStore, type Simulator } from '@hirebridge/simulator';
import { dingtalkHrRosterFor, type DingtalkSmartHr } from '../../server/src/adapters/dingtalk/smart-hr';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import type { FeatureContext } from '../../server/src/features/context';
import type { PlatformApp } from '../../server/src/features/platform';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { HrRosterError } from '../../server/src/ports/employee-directory';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

const appKey = 'dingsmarthr01';
const appSecret = 'smart-hr-secret-01';
const corpId = 'dingcorpsmarthr01';
// The numeric AgentId smart HR's v2/list needs; platform_apps holds the AppKey in agent_id for DingTalk.
const agentId = '3100001';
const env = { HB_TEST_DT_SMART_HR_SECRET: appSecret };
const clock = fixedClock('2026-11-22T08:00:00Z');
const log = createLogger({ level: 'silent' });

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let features: FeatureContext;
let app: PlatformApp;
let hr: DingtalkSmartHrStore;
let roster: DingtalkSmartHr;

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  sim = await startSimulator({ clock });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId });
  tenant = await createTenant(db.db, { name: '钉钉智能人事', platform: 'dingtalk' });
  app = await features.stores.platform.insertApp(tenant.tenantId, {
    kind: 'dingtalk_app',
    corpId,
    agentId: appKey,
    secretRef: 'env:HB_TEST_DT_SMART_HR_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
  hr = dingtalkSmartHrOf(sim.dingtalk.state);
  // 123 people across the four on-job statuses: three pages of 50.
  const statuses = [2, 3, 5, -1] as const;
  for (let i = 0; i < 123; i++) hr.addEmployee({ userId: `emp${String(i).padStart(3, '0')}`, status: statuses[i % 4]! });
  hr.addEmployee({
    userId: 'hr-lin',
    status: 3,
    values: {
      'sys00-name': '林晓',
      'sys00-position': '招聘经理',
      'sys00-confirmJoinTime': '2024-03-01',
      'sys01-employeeType': '1',
      'sys04-school': [{ value: '浙江大学' }, { value: '复旦大学' }],
    },
  });
  roster = await dingtalkHrRosterFor({
    findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'dingtalk_app'),
    agentIdFor: (found) => (found.id === app.id ? agentId : undefined),
    env,
    tokens: postgresTokenCache(db.db, clock),
    log,
  })(tenant.tenantId);
});

afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

async function oapi(path: string, body: unknown): Promise<Record<string, unknown>> {
  const token = (await (
    await fetch(`${sim.url}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey, appSecret }) })
  ).json()) as { accessToken: string };
  const response = await fetch(`${sim.url}${path}?access_token=${token.accessToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.json()) as Record<string, unknown>;
}

describe('DingTalk smart HR (智能人事) as the HrRoster port', () => {
  it('lists every on-job employee exactly once, following next_cursor page by page', async () => {
    const before = sim.dingtalk.calls('/topapi/smartwork/hrm/employee/queryonjob');
    const all = await roster.listOnJob();
    expect(all).toHaveLength(124);
    expect(new Set(all).size).toBe(124);
    expect([...all].sort()).toEqual([...hr.employees.keys()].sort());
    // 124 ids at 50 a page: three calls, the last without next_cursor.
    expect(sim.dingtalk.calls('/topapi/smartwork/hrm/employee/queryonjob') - before).toBe(3);

    const leaving = await roster.listOnJob(['5']);
    expect(leaving).toHaveLength(31);
    expect(leaving.every((id) => hr.employees.get(id)!.status === 5)).toBe(true);
  });

  it("reads the roster's fields and an employee's record, repeatable entries by index", async () => {
    const fields = await roster.hrFields();
    expect(fields.find((f) => f.id === 'sys00-confirmJoinTime')).toMatchObject({ name: '入职时间', type: 'time', required: true, groupId: 'sys00', groupName: '基本信息' });
    expect(fields.find((f) => f.id === 'sys01-employeeType')).toMatchObject({ type: 'option', options: [{ id: 1, text: '全职' }, { id: 2, text: '兼职' }] });

    const record = await roster.hrRecord('hr-lin');
    expect(record).toEqual(
      expect.arrayContaining([
        { fieldId: 'sys00-name', subIndex: 0, value: { kind: 'text', text: '林晓' } },
        // A calendar date, read as midnight in China.
        { fieldId: 'sys00-confirmJoinTime', subIndex: 0, value: { kind: 'time', epochSeconds: Date.parse('2024-03-01T00:00:00+08:00') / 1000 } },
        { fieldId: 'sys01-employeeType', subIndex: 0, value: { kind: 'option', optionId: 1 } },
        { fieldId: 'sys04-school', subIndex: 0, value: { kind: 'text', text: '浙江大学' } },
        { fieldId: 'sys04-school', subIndex: 1, value: { kind: 'text', text: '复旦大学' } },
      ]),
    );

    const picked = await roster.hrRecord('hr-lin', [{ fieldId: 'sys00-position' }, { fieldId: 'sys04-school', subIndex: 1 }, { fieldId: 'sys04-school', subIndex: 5 }]);
    expect(picked).toEqual([
      { fieldId: 'sys00-position', subIndex: 0, value: { kind: 'text', text: '招聘经理' } },
      { fieldId: 'sys04-school', subIndex: 1, value: { kind: 'text', text: '复旦大学' } },
      { fieldId: 'sys04-school', subIndex: 5, value: null },
    ]);

    // Someone who joined before 智能人事 was enabled (or never was on it) is not on this roster.
    await expect(roster.hrRecord('not-on-smart-hr')).rejects.toMatchObject({ name: 'HrRosterError', code: 'unknown_user' });
  });

  it('refuses userid_list given as an array, and more than 100 ids, as DingTalk does', async () => {
    const asArray = await oapi('/topapi/smartwork/hrm/employee/v2/list', { userid_list: ['hr-lin'], agentid: Number(agentId) });
    expect(asArray).toMatchObject({ errcode: 40035 });
    expect(asArray.result).toBeUndefined();

    const tooMany = Array.from({ length: 101 }, (_, i) => `emp${String(i).padStart(3, '0')}`).join(',');
    expect(await oapi('/topapi/smartwork/hrm/employee/v2/list', { userid_list: tooMany, agentid: Number(agentId) })).toMatchObject({ errcode: 40035 });
    expect(await oapi('/topapi/smartwork/hrm/employee/v2/list', { userid_list: 'hr-lin' })).toMatchObject({ errcode: 40035 });
    expect(await oapi('/topapi/smartwork/hrm/employee/queryonjob', { status_list: '3', offset: 0, size: 51 })).toMatchObject({ errcode: 40035 });

    const asString = await oapi('/topapi/smartwork/hrm/employee/v2/list', { userid_list: 'hr-lin,emp000', agentid: Number(agentId), field_filter_list: 'sys00-name' });
    expect(asString).toMatchObject({ errcode: 0, result: [{ userid: 'hr-lin', field_data_list: [{ field_code: 'sys00-name', field_value_list: [{ value: '林晓' }] }] }, { userid: 'emp000', field_data_list: [{ field_code: 'sys00-name', field_value_list: [] }] }] });
  });

  it('does not write: updateHrRecord is refused as not configured, without calling DingTalk', async () => {
    const callsBefore = sim.dingtalk.calls('/topapi/smartwork/hrm/employee/v2/update');
    const attempt = roster.updateHrRecord('hr-lin', [{ fieldId: 'sys00-position', value: { kind: 'text', text: '招聘总监' } }]);
    await expect(attempt).rejects.toBeInstanceOf(HrRosterError);
    await expect(attempt).rejects.toMatchObject({ code: 'not_configured', retryable: false, fieldIds: ['sys00-position'], message: expect.stringContaining('employee/v2/update') });
    expect(sim.dingtalk.calls('/topapi/smartwork/hrm/employee/v2/update')).toBe(callsBefore);
    await expect(roster.updateHrRecord('hr-lin', [])).resolves.toBeUndefined();
  });

  it('says a tenant without a numeric AgentId or without a DingTalk app is not configured', async () => {
    const base = { env, tokens: postgresTokenCache(db.db, clock), log };
    await expect(dingtalkHrRosterFor({ ...base, findApp: () => Promise.resolve(app), agentIdFor: () => undefined })(tenant.tenantId)).rejects.toMatchObject({ code: 'not_configured' });
    await expect(dingtalkHrRosterFor({ ...base, findApp: () => Promise.resolve(undefined), agentIdFor: () => agentId })(tenant.tenantId)).rejects.toMatchObject({ code: 'not_configured' });
  });
});

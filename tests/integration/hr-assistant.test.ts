import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, wecomHrOf, type Simulator, type WecomHrStore } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wecomHrRosterFor } from '../../server/src/adapters/wecom/hr-assistant';
import { createApplication, moveApplication } from '../../server/src/features/applications';
import { createCandidate } from '../../server/src/features/candidates';
import type { FeatureContext } from '../../server/src/features/context';
import { ehrUpdateSender, recordHireInRoster } from '../../server/src/features/hires';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { HrRosterError, type HrRoster } from '../../server/src/ports/employee-directory';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, type TenantFixture } from '../support/fixtures';

const corpId = 'wwhrassist01';
const appAgent = 1000002;
const hrAgent = 1000003;
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const env = { HB_T_HR_APP_SECRET: 'hr-test-app-secret', HB_T_HR_SECRET: 'hr-test-hr-secret' };
// After the wall clock: outbox rows are due from the database's now().
const clock = fixedClock(new Date(Date.now() + 60_000));
const log = createLogger({ level: 'silent' });

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let features: FeatureContext;
let hr: WecomHrStore;
let roster: HrRoster;
let appSecretRoster: HrRoster;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  tenant = await createTenant(db.db, { name: '人事助手测试' });
  features = db.features(clock);
  const insert = (kind: 'wecom_app' | 'wecom_hr', agentId: number, secretRef: string) =>
    features.stores.platform.insertApp(tenant.tenantId, {
      kind,
      corpId,
      agentId: String(agentId),
      secretRef,
      callbackTokenRef: null,
      encodingAesKeyRef: null,
      apiBaseUrl: sim.url,
    });
  const wecomApp = await insert('wecom_app', appAgent, 'env:HB_T_HR_APP_SECRET');
  await insert('wecom_hr', hrAgent, 'env:HB_T_HR_SECRET');

  sim.wecom.addCorp({
    corpId,
    apps: [
      { agentId: appAgent, secret: env.HB_T_HR_APP_SECRET },
      { agentId: hrAgent, secret: env.HB_T_HR_SECRET },
    ],
    callbackToken: 'hrCallbackToken',
    encodingAesKey: aesKey,
  });
  sim.wecom.addUser(corpId, { userid: 'zhangsan', name: '张三', department: [1] });
  sim.wecom.addUser(corpId, { userid: 'lisi', name: '李四', department: [1] });
  hr = wecomHrOf(sim.wecom.state);
  // Only the HR app is added to 人事助手 → 可调用接口的应用.
  hr.enable(corpId, { agentIds: [hrAgent] });
  hr.setStaff(corpId, 'zhangsan', { 11001: '张三', 12024: 'E001' });
  hr.addEntry(corpId, 'zhangsan', 1, { 14001: '清华大学', 14002: 1 });
  hr.addEntry(corpId, 'zhangsan', 1, { 14001: '北京大学', 14002: 2 });

  const tokens = postgresTokenCache(db.db, clock);
  const rosterFor = wecomHrRosterFor({ findApp: (id) => features.stores.platform.findAppOfKind(id, 'wecom_hr'), env, tokens, log });
  roster = await rosterFor(tenant.tenantId);
  // The same adapter over the ordinary app's secret, as a misconfigured tenant would have it.
  appSecretRoster = await wecomHrRosterFor({ findApp: async () => wecomApp, env, tokens, log })(tenant.tenantId);
});

afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

describe('人事助手 花名册 through the HrRoster port', () => {
  it('reads the field list and a staff record, repeatable groups by sub_idx, with the HR app token', async () => {
    const fields = await roster.hrFields();
    expect(fields.find((f) => f.id === '12018')).toMatchObject({ name: '入职日期', type: 'time', groupName: '在职信息' });
    expect(fields.find((f) => f.id === '12010')?.options).toContainEqual({ id: 3, text: '后端工程师' });
    expect(fields.find((f) => f.id === '11001')).toMatchObject({ type: 'text', required: true });

    const all = await roster.hrRecord('zhangsan');
    expect(all).toContainEqual({ fieldId: '12024', subIndex: 0, value: { kind: 'text', text: 'E001' } });
    expect(all).toContainEqual({ fieldId: '14001', subIndex: 1, value: { kind: 'text', text: '北京大学' } });

    const some = await roster.hrRecord('zhangsan', [{ fieldId: '14002', subIndex: 0 }, { fieldId: '14001', subIndex: 5 }]);
    expect(some).toEqual([
      { fieldId: '14002', subIndex: 0, value: { kind: 'option', optionId: 1 } },
      // No sixth education entry: WeCom answers a result other than success, so no value.
      { fieldId: '14001', subIndex: 5, value: null },
    ]);
  });

  it('refuses the ordinary app secret’s token (48002), as 人事助手 does for an app not added to it', async () => {
    const before = sim.wecom.calls('/cgi-bin/hr/get_fields');
    const error = await appSecretRoster.hrFields().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HrRosterError);
    expect(error).toMatchObject({ code: 'forbidden', retryable: false });
    expect((error as Error).message).toContain('48002');
    expect(sim.wecom.calls('/cgi-bin/hr/get_fields')).toBe(before + 1);
    await expect(appSecretRoster.hrRecord('zhangsan')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('an update writes the record, and reads back', async () => {
    await roster.updateHrRecord('lisi', [
      { fieldId: '12018', value: { kind: 'time', epochSeconds: 1_798_732_800 } },
      { fieldId: '12010', value: { kind: 'option', optionId: 4 } },
      { fieldId: '12001', value: { kind: 'text', text: '技术部' } },
    ]);
    expect(hr.staffRecord(corpId, 'lisi').plain).toMatchObject({
      12018: { value_type: 2, value_uint64: 1_798_732_800 },
      12010: { value_type: 3, value_uint32: 4 },
      12001: { value_type: 1, value_string: '技术部' },
    });
    const back = await roster.hrRecord('lisi', [{ fieldId: '12018' }]);
    expect(back[0]?.value).toEqual({ kind: 'time', epochSeconds: 1_798_732_800 });
  });

  it('refuses a non-updatable field clearly, names the field not the value, and changes nothing', async () => {
    const before = hr.staffRecord(corpId, 'zhangsan');
    const error = await roster
      .updateHrRecord('zhangsan', [
        { fieldId: '12024', value: { kind: 'text', text: 'E999' } },
        { fieldId: '11001', value: { kind: 'text', text: '秘密名字' } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HrRosterError);
    expect(error).toMatchObject({ code: 'not_updatable', retryable: false, fieldIds: ['12024', '11001'] });
    expect((error as Error).message).toContain('11001');
    expect((error as Error).message).not.toContain('秘密名字');
    expect(hr.staffRecord(corpId, 'zhangsan')).toEqual(before);
  });

  it('an unknown member is reported as such', async () => {
    await expect(roster.hrRecord('nobody')).rejects.toMatchObject({ code: 'unknown_user' });
  });
});

describe('recordHireInRoster: a hire goes out to the roster once', () => {
  async function hiredApplication() {
    const principal = tenant.employees.hr.principal;
    const job = await createJob(features, principal, {
      departmentId: tenant.departmentId,
      title: '后端工程师',
      description: '',
      location: '上海',
      headcount: 1,
      hiringManagerId: tenant.employees.manager.id,
      ownerHrId: tenant.employees.hr.id,
      rounds: [{ name: '技术面', durationMinutes: 60 }],
    });
    await publishCompetencyModel(features, principal, job.id, competencyModelInput([60, 40]));
    await changeJobStatus(features, principal, job.id, 'open');
    const candidate = await createCandidate(features, principal, {
      name: '王小明',
      phone: null,
      email: null,
      source: 'referral',
      timeZone: null,
      resumeText: '',
      talentPool: false,
    });
    const application = await createApplication(features, principal, { candidateId: candidate.id, jobId: job.id });
    return { application, principal };
  }

  it('refuses an application that is not hired', async () => {
    const { application } = await hiredApplication();
    await expect(
      recordHireInRoster(features, roster, { tenantId: tenant.tenantId, applicationId: application.id, platformUserId: 'lisi', startDate: '2027-01-04' }),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('queues one ehr_update per application; the sender writes start date, position and department once', async () => {
    const { application, principal } = await hiredApplication();
    for (const to of ['screening', 'interviewing', 'offer', 'hired'] as const) await moveApplication(features, principal, application.id, { to });
    sim.wecom.addUser(corpId, { userid: 'wangxm', name: '王小明', department: [1] });
    const input = {
      tenantId: tenant.tenantId,
      applicationId: application.id,
      platformUserId: 'wangxm',
      startDate: '2027-01-04',
      position: '后端工程师',
      department: '技术部',
    };
    const first = await recordHireInRoster(features, roster, input);
    expect(first).toEqual({ queued: true, written: ['startDate', 'position', 'department'], skipped: [] });
    const second = await recordHireInRoster(features, roster, input);
    expect(second.queued).toBe(false);

    const rows = await db.db.selectFrom('outbox').selectAll().where('channel', '=', 'ehr_update').where('tenant_id', '=', tenant.tenantId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ recipient: 'wangxm', idempotency_key: `ehr_update:${application.id}` });

    const updatesBefore = hr.updatesApplied;
    const senders = { ehr_update: ehrUpdateSender({ rosterFor: async () => roster }) };
    const result = await dispatchDueMessages(features, senders);
    expect(result).toMatchObject({ sent: 1, dead: 0 });
    expect(await dispatchDueMessages(features, senders)).toMatchObject({ claimed: 0 });
    expect(hr.updatesApplied).toBe(updatesBefore + 1);
    // 2027-01-04 00:00 China Standard Time.
    expect(hr.staffRecord(corpId, 'wangxm').plain).toEqual({
      12018: { value_type: 2, value_uint64: Date.UTC(2027, 0, 3, 16) / 1000 },
      12010: { value_type: 3, value_uint32: 3 },
      12001: { value_type: 1, value_string: '技术部' },
    });
    const sent = await db.db.selectFrom('outbox').select(['status', 'receipt']).where('idempotency_key', '=', `ehr_update:${application.id}`).executeTakeFirstOrThrow();
    expect(sent.status).toBe('sent');
    // The receipt names fields, never values.
    expect(JSON.stringify(sent.receipt)).not.toContain('技术部');
  });

  it('skips what the roster cannot take (no such option) and dead-letters a refused write without retrying', async () => {
    const { application, principal } = await hiredApplication();
    for (const to of ['screening', 'interviewing', 'offer', 'hired'] as const) await moveApplication(features, principal, application.id, { to });
    const result = await recordHireInRoster(features, roster, {
      tenantId: tenant.tenantId,
      applicationId: application.id,
      platformUserId: 'lisi',
      position: '宇航员',
      // Pointed at the name field, which WeCom does not let apps write.
      department: '研发中心',
      fieldIds: { department: '11001' },
    });
    expect(result).toEqual({ queued: true, written: ['department'], skipped: [{ item: 'position', reason: 'no_option' }] });
    const dispatched = await dispatchDueMessages(features, { ehr_update: ehrUpdateSender({ rosterFor: async () => roster }) });
    expect(dispatched).toMatchObject({ dead: 1, retried: 0 });
    const row = await db.db.selectFrom('outbox').select(['status', 'last_error']).where('idempotency_key', '=', `ehr_update:${application.id}`).executeTakeFirstOrThrow();
    expect(row.status).toBe('dead');
    expect(row.last_error).toContain('not_updatable');
    expect(row.last_error).not.toContain('研发中心');
  });
});

import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { dingtalkDirectoryFor } from '../../server/src/adapters/dingtalk/employee-directory';
import { DingtalkStreamConnection } from '../../server/src/adapters/dingtalk/stream-connection';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { createApplication } from '../../server/src/features/applications';
import { createCandidate } from '../../server/src/features/candidates';
import type { FeatureContext } from '../../server/src/features/context';
import { acceptInboundEvent, processDueEvents } from '../../server/src/features/inbox';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import type { PlatformApp } from '../../server/src/features/platform';
import { dingtalkRosterInboxHandlers, syncRoster, type DirectoryFor } from '../../server/src/features/roster';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

const appKey = 'dingrosterapp01';
const appSecret = 'roster-app-secret-01';
const corpId = 'dingcorproster01';
const env = { HB_TEST_DT_ROSTER_SECRET: appSecret };
const clock = fixedClock('2026-11-22T08:00:00Z');
const log = createLogger({ level: 'silent' });
const day = 24 * 3_600_000;

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let features: FeatureContext;
let app: PlatformApp;
let directoryFor: DirectoryFor;
let users: Record<'admin' | 'hr' | 'manager' | 'interviewer', string>;
const connections: DingtalkStreamConnection[] = [];

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const employee = (platformUserId: string) =>
  db.db.selectFrom('employees').selectAll().where('tenant_id', '=', tenant.tenantId).where('platform_user_id', '=', platformUserId).executeTakeFirstOrThrow();
const departmentOf = (platformId: string) =>
  db.db.selectFrom('departments').selectAll().where('tenant_id', '=', tenant.tenantId).where('platform_department_id', '=', platformId).executeTakeFirstOrThrow();

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  sim = await startSimulator({ clock, dingtalk: { stream: { pollIntervalMs: 10, disconnectGraceMs: 50 } } });
  sim.dingtalk.addApp({ appKey, appSecret, robotCode: appKey, corpId });
  tenant = await createTenant(db.db, { name: '钉钉测试', platform: 'dingtalk' });
  app = await features.stores.platform.insertApp(tenant.tenantId, {
    kind: 'dingtalk_app',
    corpId,
    agentId: appKey,
    secretRef: 'env:HB_TEST_DT_ROSTER_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
  const rows = await db.db.selectFrom('employees').select(['id', 'platform_user_id', 'name']).where('tenant_id', '=', tenant.tenantId).execute();
  const userOf = (id: string) => rows.find((r) => r.id === id)!.platform_user_id;
  users = { admin: userOf(tenant.employees.admin.id), hr: userOf(tenant.employees.hr.id), manager: userOf(tenant.employees.manager.id), interviewer: userOf(tenant.employees.interviewer.id) };

  sim.dingtalk.addDepartment({ id: 10, name: '技术部' });
  sim.dingtalk.addDepartment({ id: 11, name: '后端组', parentId: 10 });
  sim.dingtalk.addDepartment({ id: 20, name: '人力资源部' });
  for (const row of rows) sim.dingtalk.addMember({ userId: row.platform_user_id, name: row.name, deptIds: [20] });
  sim.dingtalk.updateMember(users.interviewer, { deptIds: [11], managerUserId: users.manager, title: '高级工程师' });
  sim.dingtalk.addMember({ userId: 'dt01', name: '赵磊', unionId: 'unionDt01', title: '后端组长', deptIds: [11, 10], managerUserId: users.manager });
  sim.dingtalk.addMember({ userId: 'dt02', name: '钱芳', title: '', deptIds: [11], managerUserId: 'dt01' });
  sim.dingtalk.addMember({ userId: 'dt03', name: '孙悦', deptIds: [10], active: false });

  directoryFor = dingtalkDirectoryFor({
    findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'dingtalk_app'),
    env,
    tokens: postgresTokenCache(db.db, clock),
    log,
  });
});

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.stop()));
  sim.dingtalk.dropConnections();
});

afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

describe('roster sync from DingTalk contacts', () => {
  it('imports departments, members with their unionIds and managers on the first run', async () => {
    const report = await syncRoster(features, await directoryFor(tenant.tenantId), tenant.tenantId);

    expect(report.employees).toMatchObject({ listed: 7, created: 3, left: 0, disabled: 0 });
    // The root and three departments are new; the fixture's own two departments (platform ids 2, 3) are not in DingTalk.
    expect(report.departments).toMatchObject({ created: 4, notOnPlatform: ['2', '3'] });
    const root = await departmentOf('1');
    expect(root).toMatchObject({ name: '钉钉测试', parent_id: null });
    expect(await departmentOf('10')).toMatchObject({ name: '技术部', parent_id: root.id });
    expect(await departmentOf('11')).toMatchObject({ name: '后端组', parent_id: (await departmentOf('10')).id });

    const manager = await employee(users.manager);
    const lead = await employee('dt01');
    // DingTalk has no main department: the first of dept_id_list is taken.
    expect(lead).toMatchObject({ name: '赵磊', title: '后端组长', department_id: (await departmentOf('11')).id, manager_id: manager.id, platform_union_id: 'unionDt01', status: 'active' });
    expect(await employee('dt02')).toMatchObject({ title: null, manager_id: lead.id, platform_union_id: 'union-dt02' });
    // Invited, not activated: on the roster and plannable.
    expect(await employee('dt03')).toMatchObject({ status: 'active', manager_id: null });
    // Existing employees gain their unionId and what DingTalk says about them.
    expect(await employee(users.interviewer)).toMatchObject({ title: '高级工程师', manager_id: manager.id, platform_union_id: `union-${users.interviewer}` });
    expect(sim.dingtalk.calls('/topapi/v2/user/get')).toBe(7);

    const again = await syncRoster(features, await directoryFor(tenant.tenantId), tenant.tenantId);
    expect(again.employees).toMatchObject({ created: 0, updated: 0, unchanged: 7 });
    expect(again.changes).toEqual([]);
  });

  it('applies user_modify_org and user_add_org events from the stream to the members named', async () => {
    const connection = new DingtalkStreamConnection({ app, env, accept: (event) => acceptInboundEvent(features, event), log, keepAlive: false });
    connections.push(connection);
    connection.start();
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a stream connection');

    sim.dingtalk.updateMember('dt02', { title: '工程师' });
    sim.dingtalk.addDepartment({ id: 30, name: '产品部' });
    sim.dingtalk.addMember({ userId: 'dt04', name: '李娜', deptIds: [30], managerUserId: 'dt01' });
    const modified = sim.dingtalk.orgChanged({ appKey, eventType: 'user_modify_org', userIds: ['dt02'] });
    const added = sim.dingtalk.orgChanged({ appKey, eventType: 'user_add_org', userIds: ['dt04'] });
    await waitFor(() => sim.dingtalk.acks(modified.messageId).length === 1 && sim.dingtalk.acks(added.messageId).length === 1, 'both acks');

    expect(await processDueEvents(features, dingtalkRosterInboxHandlers(directoryFor))).toMatchObject({ handled: 2, retried: 0, dead: 0 });
    expect(await employee('dt02')).toMatchObject({ title: '工程师' });
    // A department first seen with the member is imported on the way.
    expect(await employee('dt04')).toMatchObject({ name: '李娜', department_id: (await departmentOf('30')).id, manager_id: (await employee('dt01')).id, platform_union_id: 'union-dt04' });
  });

  it('releases a member on user_leave_org: sessions revoked, upcoming seats removed, owning HR told once on DingTalk', async () => {
    const leaver = await employee('dt01');
    const hr = tenant.employees.hr;
    // The roster events above may have moved HR out of the job's department; the admin sets the scene.
    const admin = tenant.employees.admin.principal;
    const job = await createJob(features, admin, {
      departmentId: tenant.departmentId,
      title: '后端工程师',
      description: '',
      location: '杭州',
      headcount: 1,
      hiringManagerId: tenant.employees.manager.id,
      ownerHrId: hr.id,
      rounds: [{ name: '技术一面', durationMinutes: 60 }],
    });
    const model = await publishCompetencyModel(features, admin, job.id, competencyModelInput([60, 40]));
    await changeJobStatus(features, admin, job.id, 'open');
    const candidate = await createCandidate(features, admin, { name: '王小明', phone: null, email: null, source: 'referral', timeZone: null, resumeText: '', talentPool: false });
    const application = await createApplication(features, admin, { candidateId: candidate.id, jobId: job.id });
    const startsAt = new Date(clock.now().getTime() + 2 * day);
    const { rows } = await sql<{ id: string }>`
      insert into interviews (tenant_id, application_id, round_id, competency_model_id, status, starts_at, ends_at, owner_hr_id)
      values (${tenant.tenantId}, ${application.id}, ${job.rounds[0]!.id}, ${model.id}, 'scheduled', ${startsAt}, ${new Date(startsAt.getTime() + 3_600_000)}, ${hr.id})
      returning id`.execute(db.db);
    const interviewId = rows[0]!.id;
    await sql`insert into interview_panelists (tenant_id, interview_id, employee_id) values (${tenant.tenantId}, ${interviewId}, ${leaver.id})`.execute(db.db);
    await signIn(db.db, tenant, leaver.id, 30 * day);

    const connection = new DingtalkStreamConnection({ app, env, accept: (event) => acceptInboundEvent(features, event), log, keepAlive: false });
    connections.push(connection);
    connection.start();
    await waitFor(() => sim.dingtalk.liveConnections(appKey) === 1, 'a stream connection');
    sim.dingtalk.removeMember('dt01');
    const left = sim.dingtalk.orgChanged({ appKey, eventType: 'user_leave_org', userIds: ['dt01'] });
    await waitFor(() => sim.dingtalk.acks(left.messageId).length === 1, 'the ack');

    const handlers = dingtalkRosterInboxHandlers(directoryFor);
    expect(await processDueEvents(features, handlers)).toMatchObject({ handled: 1, dead: 0 });
    expect(await employee('dt01')).toMatchObject({ status: 'left' });
    const session = await db.db.selectFrom('sessions').select('revoked_at').where('employee_id', '=', leaver.id).executeTakeFirstOrThrow();
    expect(session.revoked_at).toEqual(clock.now());
    expect(await db.db.selectFrom('interview_panelists').select('employee_id').where('interview_id', '=', interviewId).execute()).toEqual([]);

    const notices = await db.db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenant.tenantId).where('recipient', '=', users.hr).execute();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ channel: 'dingtalk_oto', idempotency_key: `roster.panelist-gone:${leaver.id}:${interviewId}` });
    expect(notices[0]!.payload).toMatchObject({ msgKey: 'sampleMarkdown', msgParam: { title: expect.stringContaining('面试需要更换面试官'), text: expect.stringContaining('赵磊 已离职') } });

    // The same event delivered again (at-least-once) changes nothing and tells HR nothing new.
    sim.dingtalk.orgChanged({ appKey, eventType: 'user_leave_org', userIds: ['dt01'] });
    await waitFor(async () => (await db.db.selectFrom('inbox').select('id').where('kind', '=', 'event.user_leave_org').execute()).length === 2, 'the second event');
    expect(await processDueEvents(features, handlers)).toMatchObject({ handled: 1, dead: 0 });
    expect(await db.db.selectFrom('outbox').select('id').where('tenant_id', '=', tenant.tenantId).where('recipient', '=', users.hr).execute()).toHaveLength(1);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type UserInput } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wecomDirectoryFor } from '../../server/src/adapters/wecom/employee-directory';
import { createApplication } from '../../server/src/features/applications';
import { createCandidate } from '../../server/src/features/candidates';
import type { FeatureContext } from '../../server/src/features/context';
import { processDueEvents } from '../../server/src/features/inbox';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { rosterInboxHandlers, syncRoster, type RosterProgress } from '../../server/src/features/roster';
import { startRosterSchedule } from '../../server/src/adapters/schedule/roster-schedule';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import type { EmployeeDirectory } from '../../server/src/ports/employee-directory';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';
import { spawnNode } from '../support/spawn-server';

const corpId = 'wwrostersync01';
const agentId = 1000002;
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const env = {
  HB_T_ROSTER_APP_SECRET: 'roster-app-secret',
  HB_T_ROSTER_CONTACTS_SECRET: 'roster-contacts-secret',
  HB_T_ROSTER_CB_TOKEN: 'rosterCallbackToken',
  HB_T_ROSTER_AES_KEY: aesKey,
};
const clock = fixedClock('2026-11-22T08:00:00Z');
const log = createLogger({ level: 'silent' });
const day = 24 * 3_600_000;

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let features: FeatureContext;
let api: TestApp;
let server: Server;
let directory: EmployeeDirectory;
let directoryFor: (tenantId: string) => Promise<EmployeeDirectory>;
/** The fixture's own employees, who exist in the simulated directory under the same userids. */
let fixtureUsers: Record<'admin' | 'hr' | 'manager' | 'interviewer', string>;

/** 46 generated members over three sub-departments, each led by the first member of their department. */
function generatedMembers(): UserInput[] {
  const departments = [4, 5, 6];
  const leaders = ['u01', 'u02', 'u03'];
  return Array.from({ length: 46 }, (_, i) => {
    const userid = `u${String(i + 1).padStart(2, '0')}`;
    const department = departments[i % 3]!;
    const isLeader = i < 3;
    return {
      userid,
      name: `成员${i + 1}`,
      position: i % 5 === 0 ? '' : isLeader ? '组长' : '工程师',
      department: userid === 'u04' ? [4, 6] : [department],
      ...(userid === 'u04' && { mainDepartment: 6 }),
      directLeader: isLeader ? [fixtureUsers.manager] : [leaders[i % 3]!],
      ...(userid === 'u45' && { status: 4 as const }),
      ...(userid === 'u46' && { status: 2 as const }),
    };
  });
}

const employee = (platformUserId: string) =>
  db.db.selectFrom('employees').selectAll().where('tenant_id', '=', tenant.tenantId).where('platform_user_id', '=', platformUserId).executeTakeFirstOrThrow();
const departmentOf = (platformId: string) =>
  db.db.selectFrom('departments').selectAll().where('tenant_id', '=', tenant.tenantId).where('platform_department_id', '=', platformId).executeTakeFirstOrThrow();
const outboxFor = (recipient: string) =>
  db.db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenant.tenantId).where('recipient', '=', recipient).orderBy('created_at').execute();
const handlers = () => rosterInboxHandlers(directoryFor);

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock, wecom: { callbackTiming: { retryIntervalMs: 10 } } });
  tenant = await createTenant(db.db, { name: '星河测试' });
  features = db.features(clock);
  const wecomApp = await features.stores.platform.insertApp(tenant.tenantId, {
    kind: 'wecom_app',
    corpId,
    agentId: String(agentId),
    secretRef: 'env:HB_T_ROSTER_APP_SECRET',
    callbackTokenRef: 'env:HB_T_ROSTER_CB_TOKEN',
    encodingAesKeyRef: 'env:HB_T_ROSTER_AES_KEY',
    apiBaseUrl: sim.url,
  });
  await features.stores.platform.insertApp(tenant.tenantId, {
    kind: 'wecom_contacts',
    corpId,
    agentId: null,
    secretRef: 'env:HB_T_ROSTER_CONTACTS_SECRET',
    callbackTokenRef: null,
    encodingAesKeyRef: null,
    apiBaseUrl: sim.url,
  });
  api = createTestApp(db, { features, secretsEnv: env });
  server = createServer(api.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  sim.wecom.addCorp({
    corpId,
    name: '星河测试',
    apps: [{ agentId, secret: env.HB_T_ROSTER_APP_SECRET }],
    contactsSecret: env.HB_T_ROSTER_CONTACTS_SECRET,
    callbackToken: env.HB_T_ROSTER_CB_TOKEN,
    encodingAesKey: aesKey,
    callbackUrl: `http://127.0.0.1:${port}/callbacks/wecom/${wecomApp.id}`,
  });
  sim.wecom.addDepartment(corpId, { id: 2, name: '技术部' });
  sim.wecom.addDepartment(corpId, { id: 3, name: '销售部' });
  sim.wecom.addDepartment(corpId, { id: 4, name: '后端组', parentid: 2 });
  sim.wecom.addDepartment(corpId, { id: 5, name: '前端组', parentid: 2 });
  sim.wecom.addDepartment(corpId, { id: 6, name: '华东销售', parentid: 3 });
  const ids = await db.db.selectFrom('employees').select(['id', 'platform_user_id', 'name']).where('tenant_id', '=', tenant.tenantId).execute();
  const userOf = (id: string) => ids.find((r) => r.id === id)!;
  fixtureUsers = {
    admin: userOf(tenant.employees.admin.id).platform_user_id,
    hr: userOf(tenant.employees.hr.id).platform_user_id,
    manager: userOf(tenant.employees.manager.id).platform_user_id,
    interviewer: userOf(tenant.employees.interviewer.id).platform_user_id,
  };
  for (const row of ids) sim.wecom.addUser(corpId, { userid: row.platform_user_id, name: row.name, department: [2] });
  for (const member of generatedMembers()) sim.wecom.addUser(corpId, member);

  // A small page size, so the member list takes several list_id pages and their cursors.
  directoryFor = wecomDirectoryFor({
    findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'wecom_contacts'),
    env,
    tokens: postgresTokenCache(db.db, clock),
    log,
    pageSize: 20,
  });
  directory = await directoryFor(tenant.tenantId);
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await sim?.stop();
  await db?.drop();
});

/** An open job owned by the fixture's HR, with one candidate's application, for interviews to hang on. */
async function interviewWorld() {
  const hr = tenant.employees.hr.principal;
  const job = await createJob(features, hr, {
    departmentId: tenant.departmentId,
    title: '后端工程师',
    description: '',
    location: '上海',
    headcount: 1,
    hiringManagerId: tenant.employees.manager.id,
    ownerHrId: tenant.employees.hr.id,
    rounds: [
      { name: '技术一面', durationMinutes: 60 },
      { name: '技术二面', durationMinutes: 60 },
      { name: '终面', durationMinutes: 60 },
    ],
  });
  const model = await publishCompetencyModel(features, hr, job.id, competencyModelInput([60, 40]));
  await changeJobStatus(features, hr, job.id, 'open');
  const candidate = await createCandidate(features, hr, {
    name: '王小明',
    phone: null,
    email: null,
    source: 'referral',
    timeZone: null,
    resumeText: '',
    talentPool: false,
  });
  const application = await createApplication(features, hr, { candidateId: candidate.id, jobId: job.id });
  const rounds = [...job.rounds].sort((a, b) => a.position - b.position).map((r) => r.id);
  const interview = async (round: string, status: string, startsAt: Date, ownerHr: string | null, panel: string[]) => {
    const endsAt = new Date(startsAt.getTime() + 3_600_000);
    const { rows } = await sql<{ id: string }>`
      insert into interviews (tenant_id, application_id, round_id, competency_model_id, status, starts_at, ends_at, owner_hr_id)
      values (${tenant.tenantId}, ${application.id}, ${round}, ${model.id}, ${status}, ${startsAt}, ${endsAt}, ${ownerHr})
      returning id`.execute(db.db);
    const id = rows[0]!.id;
    for (const employeeId of panel) {
      await sql`insert into interview_panelists (tenant_id, interview_id, employee_id) values (${tenant.tenantId}, ${id}, ${employeeId})`.execute(db.db);
    }
    return id;
  };
  return { rounds, interview };
}

describe('roster sync from WeCom contacts', () => {
  it('imports departments with their parents, every member and their managers on the first run', async () => {
    const seen: RosterProgress[] = [];
    const listCallsBefore = sim.wecom.calls('/cgi-bin/user/list_id');
    const report = await syncRoster(features, directory, tenant.tenantId, { onProgress: (p) => seen.push(p) });

    expect(sim.wecom.calls('/cgi-bin/user/list_id') - listCallsBefore).toBeGreaterThanOrEqual(3);
    expect(report.employees).toEqual({ listed: 50, created: 46, updated: 0, left: 0, disabled: 0, unchanged: 4 });
    // The root and three sub-departments are new; the two the tenant had gain the root as their parent.
    expect(report.departments).toEqual({ created: 4, updated: 2, unchanged: 0, notOnPlatform: [] });
    expect(seen.filter((p) => p.phase === 'members').at(-1)).toEqual({ phase: 'members', done: 50, total: 50 });

    const [root, tech, backend, eastSales] = await Promise.all(['1', '2', '4', '6'].map(departmentOf));
    expect(root).toMatchObject({ name: '星河测试', parent_id: null });
    expect(tech).toMatchObject({ name: '技术部', parent_id: root!.id });
    // WeCom's contacts-sync id list carries no names: new departments get a placeholder HR can rename.
    expect(backend).toMatchObject({ name: '部门 #4', parent_id: tech!.id });

    const manager = await employee(fixtureUsers.manager);
    const u01 = await employee('u01');
    expect(u01).toMatchObject({ name: '成员1', title: null, department_id: backend!.id, manager_id: manager.id, roles: ['interviewer'], status: 'active' });
    expect(await employee('u07')).toMatchObject({ title: '工程师', department_id: backend!.id, manager_id: u01.id });
    expect(await employee('u04')).toMatchObject({ department_id: eastSales!.id }); // the main department wins
    expect(await employee('u45')).toMatchObject({ status: 'active' }); // invited, not activated yet: still plannable
    expect(await employee('u46')).toMatchObject({ status: 'disabled' });
    expect(report.changes.find((c) => c.userId === 'u07')).toEqual({
      userId: 'u07',
      name: '成员7',
      kind: 'created',
      fields: {
        name: { from: null, to: '成员7' },
        title: { from: null, to: '工程师' },
        department: { from: null, to: '部门 #4' },
        status: { from: null, to: 'active' },
        manager: { from: null, to: 'u01' },
      },
    });
  });

  it('reports a second run as a no-op and records both runs', async () => {
    const report = await syncRoster(features, directory, tenant.tenantId);
    expect(report.changes).toEqual([]);
    expect(report.employees).toEqual({ listed: 50, created: 0, updated: 0, left: 0, disabled: 0, unchanged: 50 });
    expect(report.departments).toMatchObject({ created: 0, updated: 0, unchanged: 6 });
    expect(report.released).toEqual({ sessionsRevoked: 0, seatsRemoved: 0, hrNotices: 0, interviewsWithoutHr: [] });
    const runs = await db.db.selectFrom('roster_sync_runs').selectAll().where('tenant_id', '=', tenant.tenantId).execute();
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(runs[1]!.report).toMatchObject({ employees: { unchanged: 50 } });
  });

  it('lets only one run per tenant proceed at a time', async () => {
    const results = await Promise.allSettled([syncRoster(features, directory, tenant.tenantId), syncRoster(features, directory, tenant.tenantId)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
  });

  it('updates a changed title, department and leader, and keeps the roles HR assigned', async () => {
    const before = await employee('u07');
    await db.db.updateTable('employees').set({ roles: ['hr', 'interviewer'] }).where('id', '=', before.id).execute();
    sim.wecom.addUser(corpId, { userid: 'u07', name: '成员7', position: '高级工程师', department: [5], directLeader: ['u02'] });

    const report = await syncRoster(features, directory, tenant.tenantId);
    expect(report.employees).toMatchObject({ created: 0, updated: 1, unchanged: 49 });
    expect(report.changes).toEqual([
      {
        userId: 'u07',
        name: '成员7',
        kind: 'updated',
        fields: {
          title: { from: '工程师', to: '高级工程师' },
          department: { from: '部门 #4', to: '部门 #5' },
          manager: { from: 'u01', to: 'u02' },
        },
      },
    ]);
    const after = await employee('u07');
    expect(after).toMatchObject({ title: '高级工程师', department_id: (await departmentOf('5')).id, manager_id: (await employee('u02')).id });
    expect(after.roles).toEqual(['hr', 'interviewer']);
  });

  it('marks a member removed from WeCom as left: sessions revoked, upcoming seats freed, owning HR told once per interview', async () => {
    const leaver = await employee('u10');
    const colleague = tenant.employees.interviewer.id;
    const { rounds, interview } = await interviewWorld();
    const now = clock.now().getTime();
    // Upcoming, owned by the HR directly; upcoming, owner taken from the job; already held; cancelled.
    const soon = await interview(rounds[0]!, 'scheduled', new Date(now + 2 * day), tenant.employees.hr.id, [leaver.id, colleague]);
    const later = await interview(rounds[1]!, 'confirmed', new Date(now + 3 * day), null, [leaver.id]);
    const held = await interview(rounds[2]!, 'completed', new Date(now - 2 * day), tenant.employees.hr.id, [leaver.id]);
    await sql`insert into bookings (tenant_id, interview_id, employee_id, during)
              values (${tenant.tenantId}, ${soon}, ${leaver.id}, tstzrange(${new Date(now + 2 * day)}, ${new Date(now + 2 * day + 3_600_000)}))`.execute(db.db);
    const token = await signIn(db.db, tenant, leaver.id, 30 * day);
    await api.http.get('/api/me').set('authorization', `Bearer ${token}`).expect(200);

    sim.wecom.removeUser(corpId, 'u10');
    const report = await syncRoster(features, directory, tenant.tenantId);
    expect(report.employees).toMatchObject({ listed: 49, left: 1, updated: 0, created: 0 });
    expect(report.changes).toEqual([{ userId: 'u10', name: '成员10', kind: 'left', fields: { status: { from: 'active', to: 'left' } } }]);
    expect(report.released).toEqual({ sessionsRevoked: 1, seatsRemoved: 2, hrNotices: 2, interviewsWithoutHr: [] });

    expect(await employee('u10')).toMatchObject({ status: 'left' });
    await api.http.get('/api/me').set('authorization', `Bearer ${token}`).expect(401);
    const session = await db.db.selectFrom('sessions').select('revoked_at').where('employee_id', '=', leaver.id).executeTakeFirstOrThrow();
    expect(session.revoked_at).toEqual(clock.now());
    const seats = await db.db.selectFrom('interview_panelists').select(['interview_id', 'employee_id']).where('interview_id', 'in', [soon, later, held]).execute();
    expect(seats).toEqual(
      expect.arrayContaining([
        { interview_id: soon, employee_id: colleague },
        { interview_id: held, employee_id: leaver.id },
      ]),
    );
    expect(seats).toHaveLength(2);
    expect(await db.db.selectFrom('bookings').select('id').where('employee_id', '=', leaver.id).execute()).toEqual([]);

    const notices = await outboxFor(fixtureUsers.hr);
    expect(notices).toHaveLength(2);
    expect(notices.map((n) => n.idempotency_key).sort()).toEqual([`roster.panelist-gone:${leaver.id}:${later}`, `roster.panelist-gone:${leaver.id}:${soon}`].sort());
    const notice = notices.find((n) => n.idempotency_key.endsWith(soon))!;
    const content = (notice.payload as { markdown: { content: string } }).markdown.content;
    expect(notice).toMatchObject({ channel: 'wecom_app', payload: { msgtype: 'markdown' } });
    expect(content).toContain('面试需要更换面试官');
    expect(content).toContain('成员10 已离职');
    expect(content).toContain('后端工程师');
    expect(content).toContain('技术一面');
    expect(content).toContain('2026-11-24 16:00'); // 08:00 UTC two days on, in Asia/Shanghai
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThan(2048);

    // The same departure again: a second sync, and WeCom's delete_user event delivered (twice) and processed.
    await syncRoster(features, directory, tenant.tenantId);
    await sim.wecom.contactChanged(corpId, agentId, 'delete_user', 'u10');
    await sim.wecom.contactChanged(corpId, agentId, 'delete_user', 'u10');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1, retried: 0, dead: 0 });
    expect(await outboxFor(fixtureUsers.hr)).toHaveLength(2);
    expect(await employee('u10')).toMatchObject({ status: 'left' });
  });

  it('applies a change_contact event delivered through the callback route to that one member', async () => {
    sim.wecom.addUser(corpId, { userid: 'u12', name: '成员12', position: '架构师', department: [6], directLeader: ['u03'] });
    const getsBefore = sim.wecom.calls('/cgi-bin/user/get');
    const delivery = await sim.wecom.contactChanged(corpId, agentId, 'update_user', 'u12');
    expect(delivery.ok).toBe(true);
    expect(await employee('u12')).toMatchObject({ title: '工程师' }); // stored, not yet handled

    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    expect(sim.wecom.calls('/cgi-bin/user/get') - getsBefore).toBe(1);
    expect(await employee('u12')).toMatchObject({ title: '架构师', department_id: (await departmentOf('6')).id, manager_id: (await employee('u03')).id });
    expect(await employee('u13')).toMatchObject({ title: '工程师' });
  });

  it('creates a member who joined a new department from a create_user event', async () => {
    sim.wecom.addDepartment(corpId, { id: 7, name: '数据组', parentid: 2 });
    sim.wecom.addUser(corpId, { userid: 'newhire', name: '新同事', position: '数据工程师', department: [7], directLeader: ['u02'] });
    await sim.wecom.contactChanged(corpId, agentId, 'create_user', 'newhire');
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    const data = await departmentOf('7');
    expect(data).toMatchObject({ name: '部门 #7', parent_id: (await departmentOf('2')).id });
    expect(await employee('newhire')).toMatchObject({ name: '新同事', department_id: data.id, manager_id: (await employee('u02')).id, roles: ['interviewer'] });
  });

  it('ends the sessions of a member disabled in WeCom as soon as the event is handled', async () => {
    const member = await employee('u11');
    const token = await signIn(db.db, tenant, member.id, 30 * day);
    await api.http.get('/api/me').set('authorization', `Bearer ${token}`).expect(200);
    sim.wecom.addUser(corpId, { userid: 'u11', name: '成员11', position: '', department: [5], directLeader: ['u02'], status: 2 });
    await sim.wecom.contactChanged(corpId, agentId, 'update_user', 'u11');
    await processDueEvents(features, handlers());
    expect(await employee('u11')).toMatchObject({ status: 'disabled' });
    await api.http.get('/api/me').set('authorization', `Bearer ${token}`).expect(401);
  });

  it('reconciles every connected tenant on the nightly schedule, fixing what events missed and logging counts only', async () => {
    sim.wecom.addUser(corpId, { userid: 'u15', name: '成员15', position: '资深工程师', department: [6], directLeader: ['u03'] });
    const lines: string[] = [];
    const captured = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const nightly = startRosterSchedule({ cron: '30 2 * * *', timeZone: 'Asia/Shanghai', features, directoryFor, log: captured });
    try {
      expect(nightly.nextRunAt()).toBeInstanceOf(Date);
      await nightly.runNow();
    } finally {
      await nightly.stop();
    }
    const run = await db.db.selectFrom('roster_sync_runs').selectAll().where('mode', '=', 'reconcile').executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: 'succeeded', report: { mode: 'reconcile', changes: [{ userId: 'u15', kind: 'updated', fields: { title: { from: '工程师', to: '资深工程师' } } }] } });
    expect(await employee('u15')).toMatchObject({ title: '资深工程师' });
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((l) => l.level === 'warn')).toMatchObject({ updated: 1, created: 0 });
    expect(lines.join('\n')).not.toContain('成员15');
    expect(() => startRosterSchedule({ cron: 'every night', features, directoryFor, log })).toThrow(/not a valid cron expression/);
  });

  it('runs from the command line against a database and prints the report', async () => {
    sim.wecom.addUser(corpId, { userid: 'u14', name: '成员14', position: '测试工程师', department: [6], directLeader: ['u03'] });
    const run = spawnNode(['server/src/cli/sync-roster.ts', '--tenant', tenant.tenantId], {
      DATABASE_URL: db.url,
      HB_LOG_LEVEL: 'warn',
      HB_T_ROSTER_CONTACTS_SECRET: env.HB_T_ROSTER_CONTACTS_SECRET,
    });
    const { code } = await run.waitForExit(60_000);
    expect(run.stderr()).toMatch(/同步通讯录 Syncing roster \[##########\] 50\/50\n/);
    // Not a terminal: one progress line per tenth, never a carriage return.
    expect(run.stderr()).not.toContain('\r');
    expect(code).toBe(0);
    expect(run.stdout()).toContain('通讯录同步完成 Roster sync finished');
    expect(run.stdout()).toMatch(/~ u14 \(updated\) title "工程师" → "测试工程师"; department "部门 #5" → "部门 #6"; manager "u02" → "u03"/);
    expect(await employee('u14')).toMatchObject({ title: '测试工程师' });

    const missing = spawnNode(['server/src/cli/sync-roster.ts', '--tenant', '00000000-0000-4000-8000-000000000000'], { DATABASE_URL: db.url });
    expect((await missing.waitForExit(60_000)).code).not.toBe(0);
    expect(missing.stderr()).toContain('通讯录同步失败 Roster sync failed');
    expect(missing.stderr()).toContain('wecom_contacts');

    const usage = spawnNode(['server/src/cli/sync-roster.ts'], { DATABASE_URL: db.url });
    expect((await usage.waitForExit(30_000)).code).toBe(2);
    expect(usage.stderr()).toContain('--tenant');
  });
});

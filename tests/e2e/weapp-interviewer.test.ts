import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wecomEmployeeSignInFor } from '../../server/src/adapters/wecom/sign-in';
import type { FeatureContext } from '../../server/src/features/context';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';
import { closeServer, listenLocally } from './page-helpers';
import { buildWeapp, forwardRequests, jsonApi, noWxLogin, untilShown as until, weappApiUrl as apiUrl } from './weapp-helpers';
import { WeappVm } from './weapp-vm';

/**
 * The interviewer subpackage of the compiled weapp bundle in a Node vm: inside WeCom the sign-in page asks
 * wx.qy.login for a code (issued by the WeCom simulator for a member of the corp), the server exchanges it through
 * jscode2session for an employee session, kept apart from a candidate's; then today's list and the kit render.
 */
const corpId = 'wwweappinterview01';
const env = { HB_WI_WECOM: 'wecom-app-secret-weapp-interviewer' };
const clock = fixedClock('2026-11-24T01:00:00Z'); // 09:00 Beijing, an hour before the interview

let db: TestDatabase;
let sim: Simulator;
let server: Server;
let baseUrl: string;
let tenant: TenantFixture;
let features: FeatureContext;
let root: string;
let interviewId: string;

describe('weapp interviewer pages in a Node vm', () => {
  beforeAll(async () => {
    root = buildWeapp();
    db = await createTestDatabase();
    sim = await startSimulator({ clock });
    sim.wecom.addCorp({ corpId, name: '星河科技', apps: [{ agentId: 1000002, secret: env.HB_WI_WECOM, name: '招聘桥' }], callbackToken: 't', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
    sim.wecom.addUser(corpId, { userid: 'lilei', name: '李雷', department: [1] });
    tenant = await createTenant(db.db, { corpId });
    const base = db.features(clock);
    await base.stores.platform.insertApp(tenant.tenantId, { kind: 'wecom_app', corpId, agentId: '1000002', secretRef: 'env:HB_WI_WECOM', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url });
    await db.db.updateTable('employees').set({ platform_user_id: 'lilei' }).where('id', '=', tenant.employees.interviewer.id).execute();
    const signIns = wecomEmployeeSignInFor({ findApp: (id) => base.stores.platform.findAppOfKind(id, 'wecom_app'), env, tokens: postgresTokenCache(db.db, clock), log: createLogger({ level: 'silent' }), sleep: async () => undefined });
    features = { ...base, signIn: { employee: signIns, candidate: async () => undefined } };
    ({ server, baseUrl } = await listenLocally(createTestApp(db, { features, secretsEnv: env }).app.callback()));

    const post = jsonApi(baseUrl, `Bearer ${await signIn(db.db, tenant, tenant.employees.admin.id, 86_400_000)}`);
    const job = await post('/api/jobs', { title: '数据分析师', departmentId: tenant.departmentId, rounds: [{ name: '业务面', durationMinutes: 60 }] });
    await post(`/api/jobs/${job.id}/competency-model`, competencyModelInput([50, 50]), 'PUT');
    await post(`/api/jobs/${job.id}/status`, { status: 'open' });
    const candidate = await post('/api/candidates', { name: '周子涵', phone: '13900001111', resumeText: '' });
    const application = await post('/api/applications', { candidateId: candidate.id, jobId: job.id });
    const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow();
    const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow();
    interviewId = (await db.db.insertInto('interviews').values({
      tenant_id: tenant.tenantId, application_id: application.id, round_id: round.id, competency_model_id: model.id, status: 'confirmed',
      starts_at: new Date('2026-11-24T02:00:00Z'), ends_at: new Date('2026-11-24T03:00:00Z'), location: '星河大厦 12 层', schedule_version: 1,
    }).returning('id').executeTakeFirstOrThrow()).id;
    await db.db.insertInto('interview_panelists').values({ tenant_id: tenant.tenantId, interview_id: interviewId, employee_id: tenant.employees.interviewer.id, role: 'lead', focus_competency_ids: [] }).execute();
  }, 240_000);

  afterAll(async () => {
    await closeServer(server);
    await sim?.stop();
    await db?.drop();
  });

  it('signs in with wx.qy.login, then shows today’s interview and the kit', async () => {
    const requests: string[] = [];
    const weapp = new WeappVm(root, {
      appId: 'wx5eb0a7bd0c1e2f30',
      login: noWxLogin,
      request: forwardRequests(apiUrl, baseUrl, requests),
    });
    // What WeCom's client adds to wx: qy.login with a code for the signed-in member, and the company's ext config.
    const wx = (weapp as unknown as { context: { wx: Record<string, unknown> } }).context.wx;
    wx.qy = {
      login: (options: { success(r: { code: string }): void }) => {
        weapp.calls.push({ api: 'qy.login', args: {} });
        const code = sim.wecom.issueLoginCode({ corpId, userId: 'lilei', kind: 'miniapp' });
        queueMicrotask(() => options.success({ code }));
      },
    };
    wx.getExtConfigSync = () => ({ corpId });
    weapp.launch();

    weapp.open('pages/interviewer/signin/index', {});
    const started = Date.now();
    while (!weapp.calls.some((c) => c.api === 'redirectTo') && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 25));
    expect(weapp.calls.find((c) => c.api === 'redirectTo')?.args).toMatchObject({ url: '/pages/interviewer/today/index' });
    expect(requests[0]).toBe('POST /api/auth/employee/code');
    expect(weapp.calls.some((c) => c.api === 'qy.login')).toBe(true);
    expect(weapp.calls.some((c) => c.api === 'login')).toBe(false);
    // The employee's session is stored under its own key, never as a candidate's.
    expect(typeof weapp.storage.get('hb.employee.session')).toBe('string');
    expect(weapp.storage.has('hb.candidate.session')).toBe(false);

    const today = weapp.open('pages/interviewer/today/index', {});
    expect(await until(today, '周子涵 · 数据分析师')).toContain('11月24日 10:00（北京时间）');
    const kit = weapp.open('pages/interviewer/kit/index', { id: interviewId });
    const shown = await until(kit, '候选人简介（已脱敏）');
    expect(shown).toContain('业务面');
    expect(shown).not.toContain('13900001111');
    const notes = weapp.open('pages/interviewer/notes/index', { id: interviewId });
    expect(await until(notes, '仅文字笔记')).not.toContain('开始录音');
  }, 60_000);
});

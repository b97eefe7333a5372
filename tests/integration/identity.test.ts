import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { dingtalkEmployeeSignInFor } from '../../server/src/adapters/dingtalk/sign-in';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wechatCandidateSignInFor } from '../../server/src/adapters/wechat/sign-in';
import { wecomEmployeeSignInFor } from '../../server/src/adapters/wecom/sign-in';
import type { FeatureContext } from '../../server/src/features/context';
import type { PlatformAppKind } from '../../server/src/features/platform';
import { signInLimits } from '../../server/src/features/identity';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * The four identity kinds end to end over HTTP, against the simulator: employees in the WeCom and DingTalk
 * mini-apps, employees by web login (QR), candidates by the WeChat mini-program and by an invitation link. Then the
 * session rules: per-role idle and absolute timeouts, sign-out, people who leave, and rate limits with Retry-After.
 */
const clock = fixedClock('2026-11-23T01:00:00Z');
const log = createLogger({ level: 'silent' });
const env = { ID_WECOM: 'id-wecom-secret', ID_DT: 'id-dt-secret', ID_WX: 'id-wx-secret' };
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const corp = 'wwidentity01';
const dtCorp = 'dingidentitycorp';
const appKey = 'dingidentityapp';
const mpAppId = 'wx0123456789abcdef';

let db: TestDatabase;
let sim: Simulator;
let features: FeatureContext;
let api: TestApp;
let wecom: TenantFixture;
let dingtalk: TenantFixture;
let applicationId: string;
let candidateId: string;
let ip = 0;
/** Each test's requests come from their own address, so the per-IP limit only bites where a test means it to. */
const fromNewIp = () => `10.0.${Math.floor(++ip / 250)}.${ip % 250}`;

const findApp = (kind: PlatformAppKind) => (tenantId: string) => features.stores.platform.findAppOfKind(tenantId, kind);

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  sim.wecom.addCorp({ corpId: corp, name: '星河科技', apps: [{ agentId: 1000002, secret: env.ID_WECOM, name: '招聘桥' }], callbackToken: 't', encodingAesKey: aesKey });
  sim.wecom.addUser(corp, { userid: 'zhoumin', name: '周敏', department: [1] });
  sim.wecom.addUser(corp, { userid: 'lilei', name: '李雷', department: [1] });
  sim.dingtalk.addApp({ appKey, appSecret: env.ID_DT, robotCode: appKey, corpId: dtCorp, name: '招聘桥' });
  sim.dingtalk.addMember({ userId: 'dtmanager', name: '王芳', unionId: 'unionDtManager' });
  sim.wechat.addMiniProgram({ appId: mpAppId, secret: env.ID_WX, openPlatform: true });

  wecom = await createTenant(db.db, { corpId: corp });
  dingtalk = await createTenant(db.db, { platform: 'dingtalk', corpId: dtCorp });
  const base = db.features(clock);
  const insert = (tenant: TenantFixture, kind: PlatformAppKind, corpId: string, secretRef: string, agentId: string | null) =>
    base.stores.platform.insertApp(tenant.tenantId, { kind, corpId, agentId, secretRef, callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url });
  await insert(wecom, 'wecom_app', corp, 'env:ID_WECOM', '1000002');
  await insert(wecom, 'wechat_miniprogram', mpAppId, 'env:ID_WX', null);
  await insert(dingtalk, 'dingtalk_app', dtCorp, 'env:ID_DT', appKey);
  await db.db.updateTable('employees').set({ platform_user_id: 'zhoumin' }).where('id', '=', wecom.employees.hr.id).execute();
  await db.db.updateTable('employees').set({ platform_user_id: 'lilei' }).where('id', '=', wecom.employees.interviewer.id).execute();
  await db.db.updateTable('employees').set({ platform_user_id: 'dtmanager', platform_union_id: 'unionDtManager' }).where('id', '=', dingtalk.employees.manager.id).execute();

  const tokens = postgresTokenCache(db.db, clock);
  const wecomSignIns = wecomEmployeeSignInFor({ findApp: findApp('wecom_app'), env, tokens, log, sleep: async () => {} });
  const dingtalkSignIns = dingtalkEmployeeSignInFor({ findApp: findApp('dingtalk_app'), env, tokens, log, sleep: async () => {} });
  features = {
    ...base,
    signIn: {
      employee: async (tenantId) => (tenantId === dingtalk.tenantId ? dingtalkSignIns(tenantId) : wecomSignIns(tenantId)),
      candidate: wechatCandidateSignInFor({ findApp: findApp('wechat_miniprogram'), env, tokens, log }),
    },
  };
  api = createTestApp(db, { features, clock, trustProxy: true });

  // A candidate with an application, through the API as HR would.
  const hr = await signIn(db.db, wecom, wecom.employees.admin.id, 10 * 86_400_000);
  const auth = { authorization: `Bearer ${hr}` };
  const job = await api.http.post('/api/jobs').set(auth).send({ title: '后端工程师', departmentId: wecom.departmentId }).expect(201);
  await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth).send(competencyModelInput()).expect(201);
  await api.http.post(`/api/jobs/${job.body.id}/status`).set(auth).send({ status: 'open' }).expect(200);
  const candidate = await api.http.post('/api/candidates').set(auth).send({ name: '林晓雨', phone: '13812345678' }).expect(201);
  candidateId = candidate.body.id;
  applicationId = (await api.http.post('/api/applications').set(auth).send({ candidateId, jobId: job.body.id }).expect(201)).body.id;
});
afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

const post = (path: string, body: object, ipAddress = fromNewIp()) => api.http.post(path).set('X-Forwarded-For', ipAddress).send(body);
const me = (token: string) => api.http.get('/api/me').set('authorization', `Bearer ${token}`);

describe('employee sign-in', () => {
  it('WeCom mini-app: wx.qy.login code → a session for that employee; the code works once', async () => {
    const code = sim.wecom.issueLoginCode({ corpId: corp, userId: 'zhoumin', kind: 'miniapp' });
    const signedIn = await post('/api/auth/employee/code', { platform: 'wecom', corpId: corp, code }).expect(200);
    expect(signedIn.body).toMatchObject({ idleTimeoutSeconds: 1800 });
    expect(signedIn.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await me(signedIn.body.token).expect(200)).body.employee.id).toBe(wecom.employees.hr.id);
    const again = await post('/api/auth/employee/code', { platform: 'wecom', corpId: corp, code }).expect(401);
    expect(again.body).toMatchObject({ code: 'SIGN_IN_FAILED' });
    // Right code, wrong company named by the client: refused the same way.
    const other = sim.wecom.issueLoginCode({ corpId: corp, userId: 'zhoumin', kind: 'miniapp' });
    expect((await post('/api/auth/employee/code', { platform: 'wecom', corpId: dtCorp, code: other }).expect(401)).body.code).toBe('SIGN_IN_FAILED');
  });

  it('DingTalk mini-app: authCode → a session', async () => {
    const code = sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dtmanager' });
    const signedIn = await post('/api/auth/employee/code', { platform: 'dingtalk', corpId: dtCorp, code }).expect(200);
    expect((await me(signedIn.body.token).expect(200)).body.employee.id).toBe(dingtalk.employees.manager.id);
    expect(signedIn.body.idleTimeoutSeconds).toBe(4 * 3600);
  });

  it('web login (QR) on WeCom: start → scan on the login page → our callback → the console with the token in the fragment', async () => {
    const start = await api.http.get('/api/auth/web/start').query({ platform: 'wecom', corpId: corp, returnTo: '/console/candidates' }).expect(302);
    const loginPage = new URL(start.headers.location!);
    const state = loginPage.searchParams.get('state')!;
    expect(loginPage.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:3000/api/auth/web/callback');
    const code = sim.wecom.issueLoginCode({ corpId: corp, userId: 'zhoumin', kind: 'web' });
    const back = await api.http.get('/api/auth/web/callback').query({ code, state }).expect(302);
    const landing = new URL(back.headers.location!);
    expect(landing.pathname).toBe('/console/candidates');
    const token = new URLSearchParams(landing.hash.slice(1)).get('token')!;
    expect((await me(token).expect(200)).body.employee.id).toBe(wecom.employees.hr.id);
    // The state is single use.
    const code2 = sim.wecom.issueLoginCode({ corpId: corp, userId: 'zhoumin', kind: 'web' });
    expect((await api.http.get('/api/auth/web/callback').query({ code: code2, state }).expect(401)).body.code).toBe('SIGN_IN_FAILED');
  });

  it('web login on DingTalk takes authCode and maps the unionId to the employee', async () => {
    const start = await api.http.get('/api/auth/web/start').query({ platform: 'dingtalk', corpId: dtCorp }).expect(302);
    const state = new URL(start.headers.location!).searchParams.get('state')!;
    const authCode = sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dtmanager', kind: 'web', appKey });
    const back = await api.http.get('/api/auth/web/callback').query({ authCode, state }).expect(302);
    const token = new URLSearchParams(new URL(back.headers.location!).hash.slice(1)).get('token')!;
    expect((await me(token).expect(200)).body.employee.id).toBe(dingtalk.employees.manager.id);
  });
});

describe('sessions', () => {
  const employeeSession = async (userId: 'zhoumin' | 'lilei') =>
    (await post('/api/auth/employee/code', { platform: 'wecom', corpId: corp, code: sim.wecom.issueLoginCode({ corpId: corp, userId, kind: 'miniapp' }) }).expect(200)).body.token as string;

  it('ends an HR session after 30 idle minutes, an interviewer’s only after 4 hours, and every session after 12 hours', async () => {
    const hr = await employeeSession('zhoumin');
    const interviewer = await employeeSession('lilei');
    clock.advance(29 * 60_000);
    await me(hr).expect(200);
    await me(interviewer).expect(200);
    clock.advance(31 * 60_000);
    await me(interviewer).expect(200);
    const idle = await me(hr).expect(401);
    expect(idle.body.code).toBe('UNAUTHENTICATED');
    for (let hours = 0; hours < 10; hours++) {
      clock.advance(3600_000);
      await me(interviewer).expect(200);
    }
    clock.advance(3600_000 - 1000);
    await me(interviewer).expect(200);
    clock.advance(1000);
    await me(interviewer).expect(401);
  });

  it('signs out, and a forged, signed-out or expired token gets one and the same answer', async () => {
    const token = await employeeSession('zhoumin');
    await api.http.post('/api/auth/sign-out').set('authorization', `Bearer ${token}`).expect(200);
    const signedOut = await me(token).expect(401);
    const forged = await me('A'.repeat(43)).expect(401);
    const garbage = await api.http.get('/api/me').set('authorization', 'Bearer !!').expect(401);
    for (const answer of [signedOut, forged, garbage]) {
      expect(answer.body.code).toBe('UNAUTHENTICATED');
      expect(answer.body.message).toBe(forged.body.message);
    }
  });

  it('ends every session of an employee who leaves', async () => {
    const token = await employeeSession('lilei');
    await me(token).expect(200);
    await db.db.updateTable('employees').set({ status: 'left' }).where('id', '=', wecom.employees.interviewer.id).execute();
    await me(token).expect(401);
    expect((await post('/api/auth/employee/code', { platform: 'wecom', corpId: corp, code: sim.wecom.issueLoginCode({ corpId: corp, userId: 'lilei', kind: 'miniapp' }) }).expect(401)).body.code).toBe('SIGN_IN_FAILED');
    await db.db.updateTable('employees').set({ status: 'active' }).where('id', '=', wecom.employees.interviewer.id).execute();
  });

  it('limits sign-in attempts per client address with 429 and Retry-After, and leaves other addresses alone', async () => {
    const address = fromNewIp();
    let limited;
    for (let i = 0; i < signInLimits.perIpPerMinute + 1; i++) {
      const answer = await post('/api/auth/invitation', { token: 'x'.repeat(43) }, address);
      if (answer.status === 429) limited = answer;
    }
    expect(limited?.body.code).toBe('RATE_LIMITED');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited?.headers['retry-after'])).toBeLessThanOrEqual(60);
    await post('/api/auth/invitation', { token: 'x'.repeat(43) }).expect(401);
  });

  it('limits sign-ins per identity too, whatever the address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < signInLimits.perIdentityPerMinute + 1; i++) {
      const code = sim.wecom.issueLoginCode({ corpId: corp, userId: 'zhoumin', kind: 'miniapp' });
      statuses.push((await post('/api/auth/employee/code', { platform: 'wecom', corpId: corp, code })).status);
    }
    expect(statuses.at(-1)).toBe(429);
    clock.advance(61_000);
  });
});

describe('candidate sign-in', () => {
  let hrToken: string;
  beforeAll(async () => {
    hrToken = await signIn(db.db, wecom, wecom.employees.hr.id, 30 * 86_400_000);
  });
  const issue = async () =>
    (await api.http.post(`/api/applications/${applicationId}/invitations`).set('authorization', `Bearer ${hrToken}`).send({ validDays: 3 }).expect(201)).body as { token: string; url: string; expiresAt: string };

  it('an invitation link gives a session limited to that invitation; a new link retires the old one', async () => {
    const first = await issue();
    expect(first.url).toContain(`token=${first.token}`);
    const session = await post('/api/auth/invitation', { token: first.token }).expect(200);
    const auth = { authorization: `Bearer ${session.body.token}` };
    expect((await api.http.get('/api/candidate/me').set(auth).expect(200)).body).toMatchObject({ id: candidateId, name: '林晓雨', phoneMasked: '138****5678', invitationOnly: true });
    // Opening the link again works.
    await post('/api/auth/invitation', { token: first.token }).expect(200);
    // A candidate is not an employee.
    expect((await api.http.get('/api/jobs').set(auth).expect(403)).body.code).toBe('FORBIDDEN');
    await issue();
    await api.http.get('/api/candidate/me').set(auth).expect(401);
    expect((await post('/api/auth/invitation', { token: first.token }).expect(401)).body.code).toBe('UNAUTHENTICATED');
  });

  it('an invitation expires, and its session with it', async () => {
    const link = await issue();
    const session = await post('/api/auth/invitation', { token: link.token }).expect(200);
    expect(Date.parse(session.body.expiresAt)).toBeLessThanOrEqual(Date.parse(link.expiresAt));
    clock.advance(3 * 86_400_000 + 1000);
    await api.http.get('/api/candidate/me').set('authorization', `Bearer ${session.body.token}`).expect(401);
    await post('/api/auth/invitation', { token: link.token }).expect(401);
  });

  it('WeChat mini-program: the first wx.login comes with the invitation and binds the openid; later ones need nothing else', async () => {
    const link = await issue();
    const first = await post('/api/auth/candidate/code', { appId: mpAppId, code: sim.wechat.login('xiaoyu', mpAppId), invitationToken: link.token }).expect(200);
    expect((await api.http.get('/api/candidate/me').set('authorization', `Bearer ${first.body.token}`).expect(200)).body).toMatchObject({ id: candidateId, invitationOnly: false });
    // At the confirm tap the mini-app asks for the reminder, change and survey templates at once; accepts are balances.
    const recorded = await api.http
      .post('/api/candidate/subscriptions')
      .set('authorization', `Bearer ${first.body.token}`)
      .send({ results: { 'tmpl-reminder': 'accept', 'tmpl-change': 'accept', 'tmpl-survey': 'reject' } })
      .expect(200);
    expect(recorded.body.accepted.sort()).toEqual(['tmpl-change', 'tmpl-reminder']);
    const balances = await db.db.selectFrom('candidate_subscription_balances').select(['template_id', 'balance']).where('candidate_id', '=', candidateId).orderBy('template_id').execute();
    expect(balances).toEqual([{ template_id: 'tmpl-change', balance: 1 }, { template_id: 'tmpl-reminder', balance: 1 }]);
    const later = await post('/api/auth/candidate/code', { appId: mpAppId, code: sim.wechat.login('xiaoyu', mpAppId) }).expect(200);
    expect((await api.http.get('/api/candidate/me').set('authorization', `Bearer ${later.body.token}`).expect(200)).body.id).toBe(candidateId);
    // A stranger's openid names nobody; a used code is refused.
    expect((await post('/api/auth/candidate/code', { appId: mpAppId, code: sim.wechat.login('stranger', mpAppId) }).expect(401)).body.code).toBe('SIGN_IN_FAILED');
    const code = sim.wechat.login('xiaoyu', mpAppId);
    await post('/api/auth/candidate/code', { appId: mpAppId, code }).expect(200);
    await post('/api/auth/candidate/code', { appId: mpAppId, code }).expect(401);
  });

  it('audits every sign-in', async () => {
    const rows = await db.db.selectFrom('audit_events').select(['action', 'actor', 'details']).where('tenant_id', '=', wecom.tenantId).where('action', '=', 'session.sign_in').execute();
    const methods = new Set(rows.map((r) => (r.details as { method: string }).method));
    expect([...methods].sort()).toEqual(['invitation', 'wechat_miniapp', 'wecom_miniapp', 'wecom_web']);
  });
});

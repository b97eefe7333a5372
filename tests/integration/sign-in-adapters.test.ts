import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { DingtalkApiError } from '../../server/src/adapters/dingtalk/api-client';
import { dingtalkEmployeeSignInFor, dingtalkHostsOf } from '../../server/src/adapters/dingtalk/sign-in';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { WechatApiError } from '../../server/src/adapters/wechat/wechat-api';
import { wechatCandidateSignInFor } from '../../server/src/adapters/wechat/sign-in';
import { WecomApiError } from '../../server/src/adapters/wecom/api-client';
import { wecomEmployeeSignInFor, wecomLoginBaseUrl } from '../../server/src/adapters/wecom/sign-in';
import type { FeatureContext } from '../../server/src/features/context';
import type { PlatformAppKind } from '../../server/src/features/platform';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { SignInCodeRejected, type CandidateSignIn, type EmployeeSignIn } from '../../server/src/ports/sign-in';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

/**
 * The three sign-in adapters against the simulator, through the factories the platform layer uses (apps read from
 * platform_apps, tokens from the PostgreSQL cache): codes are single use, live 5 minutes, belong to one corp/app,
 * and a token revoked mid-run is refetched. The web login pages are driven like a browser would.
 */
const clock = fixedClock('2026-11-23T01:00:00Z');
const log = createLogger({ level: 'silent' });
const env = { SIGNIN_WECOM_A: 'wecom-a-secret', SIGNIN_WECOM_B: 'wecom-b-secret', SIGNIN_DT: 'dt-secret', SIGNIN_WX: 'wx-secret', SIGNIN_WX_PLAIN: 'wx-plain-secret' };
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const corpA = 'wwsigninA';
const corpB = 'wwsigninB';
const dtCorp = 'dingsignincorp';
const dtOtherCorp = 'dingothercorp';
const appKey = 'dingsigninapp';
const redirectUri = 'https://hire.example.com/auth/callback?from=qr';

let db: TestDatabase;
let sim: Simulator;
let features: FeatureContext;
const tenants: Record<'wecomA' | 'wecomB' | 'dingtalk' | 'wechat' | 'wechatPlain' | 'none', TenantFixture> = {} as never;

async function expectRejected(promise: Promise<unknown>, platform: string, errcode: number) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignInCodeRejected);
  expect(error).toMatchObject({ platform, errcode });
}

const findApp = (kind: PlatformAppKind) => (tenantId: string) => features.stores.platform.findAppOfKind(tenantId, kind);
const tokens = () => postgresTokenCache(db.db, clock);
const wecomFor = () => wecomEmployeeSignInFor({ findApp: findApp('wecom_app'), env, tokens: tokens(), log, sleep: async () => {} });
const dingtalkFor = (fetchImpl?: typeof fetch) => dingtalkEmployeeSignInFor({ findApp: findApp('dingtalk_app'), env, tokens: tokens(), log, sleep: async () => {}, ...(fetchImpl && { fetch: fetchImpl }) });
const wechatFor = () => wechatCandidateSignInFor({ findApp: findApp('wechat_miniprogram'), env, tokens: tokens(), log });

/** What a browser does on a login page: open it, press the person's button, follow nothing (the 302 is ours). */
async function scanAs(pageUrl: string, label: string): Promise<{ page: string; location: URL }> {
  const page = await fetch(pageUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const form = [...html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) => m[2]!.includes(label));
  if (!form) throw new Error(`no button "${label}" on ${pageUrl}`);
  const fields = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(input[1]!, unescape(input[2]!));
  const answer = await fetch(new URL(unescape(form[1]!), pageUrl), { method: 'POST', body: fields, redirect: 'manual' });
  expect(answer.status).toBe(302);
  return { page: html, location: new URL(answer.headers.get('location') ?? '') };
}
const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  sim = await startSimulator({ clock });

  sim.wecom.addCorp({ corpId: corpA, name: '星河科技', apps: [{ agentId: 1000002, secret: env.SIGNIN_WECOM_A, name: '招聘桥' }], contactsSecret: 'contacts', callbackToken: 't', encodingAesKey: aesKey });
  sim.wecom.addCorp({ corpId: corpB, name: '别家公司', apps: [{ agentId: 1000009, secret: env.SIGNIN_WECOM_B }], callbackToken: 't', encodingAesKey: aesKey });
  sim.wecom.addUser(corpA, { userid: 'zhoumin', name: '周敏', department: [1] });
  sim.wecom.addUser(corpA, { userid: 'lilei', name: '李雷', department: [1] });
  sim.wecom.addUser(corpA, { userid: 'gone', name: '停用成员', department: [1], status: 2 });
  sim.wecom.addUser(corpB, { userid: 'outsider', name: '外人', department: [1] });

  sim.dingtalk.addApp({ appKey, appSecret: env.SIGNIN_DT, robotCode: appKey, corpId: dtCorp, name: '招聘桥' });
  sim.dingtalk.addApp({ appKey: 'dingotherapp', appSecret: 'other', robotCode: 'dingotherapp', corpId: dtOtherCorp });
  sim.dingtalk.addMember({ userId: 'manager01', name: '王芳' });
  sim.dingtalk.addMember({ userId: 'dev02', name: '赵磊', unionId: 'unionDev02' });

  sim.wechat.addMiniProgram({ appId: 'wxsignin', secret: env.SIGNIN_WX, openPlatform: true });
  sim.wechat.addMiniProgram({ appId: 'wxplain', secret: env.SIGNIN_WX_PLAIN });

  const insert = async (tenant: TenantFixture, kind: PlatformAppKind, corpId: string, secretRef: string, agentId: string | null) =>
    features.stores.platform.insertApp(tenant.tenantId, { kind, corpId, agentId, secretRef, callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url });
  tenants.wecomA = await createTenant(db.db);
  await insert(tenants.wecomA, 'wecom_app', corpA, 'env:SIGNIN_WECOM_A', '1000002');
  tenants.wecomB = await createTenant(db.db);
  await insert(tenants.wecomB, 'wecom_app', corpB, 'env:SIGNIN_WECOM_B', '1000009');
  tenants.dingtalk = await createTenant(db.db, { platform: 'dingtalk' });
  await insert(tenants.dingtalk, 'dingtalk_app', dtCorp, 'env:SIGNIN_DT', appKey);
  tenants.wechat = await createTenant(db.db);
  await insert(tenants.wechat, 'wechat_miniprogram', 'wxsignin', 'env:SIGNIN_WX', null);
  tenants.wechatPlain = await createTenant(db.db);
  await insert(tenants.wechatPlain, 'wechat_miniprogram', 'wxplain', 'env:SIGNIN_WX_PLAIN', null);
  tenants.none = await createTenant(db.db);
});
afterAll(async () => {
  await sim?.stop();
  await db?.drop();
});

describe('WeCom employee sign-in', () => {
  let signIn: EmployeeSignIn;
  let signInB: EmployeeSignIn;
  beforeAll(async () => {
    const factory = wecomFor();
    signIn = (await factory(tenants.wecomA.tenantId))!;
    signInB = (await factory(tenants.wecomB.tenantId))!;
    expect(await factory(tenants.wecomA.tenantId)).toBe(signIn);
    expect(await factory(tenants.none.tenantId)).toBeUndefined();
  });

  it('exchanges a wx.qy.login code for corp and userid, never the session key, and only once', async () => {
    const code = sim.wecom.issueLoginCode({ corpId: corpA, userId: 'zhoumin', kind: 'miniapp' });
    expect(await signIn.exchangeMiniAppCode(code)).toEqual({ corpId: corpA, userId: 'zhoumin' });
    await expectRejected(signIn.exchangeMiniAppCode(code), 'wecom', 40029);
    await expectRejected(signIn.exchangeMiniAppCode(''), 'wecom', 40029);
  });

  it('refuses a code after 5 minutes, and takes it until then', async () => {
    const early = sim.wecom.issueLoginCode({ corpId: corpA, userId: 'lilei', kind: 'miniapp' });
    const late = sim.wecom.issueLoginCode({ corpId: corpA, userId: 'lilei', kind: 'miniapp' });
    clock.advance(5 * 60_000 - 1000);
    expect(await signIn.exchangeMiniAppCode(early)).toEqual({ corpId: corpA, userId: 'lilei' });
    clock.advance(1000);
    await expectRejected(signIn.exchangeMiniAppCode(late), 'wecom', 40029);
  });

  it("refuses another corp's code and a code of the other kind, without spending them", async () => {
    const ofB = sim.wecom.issueLoginCode({ corpId: corpB, userId: 'outsider', kind: 'miniapp' });
    await expectRejected(signIn.exchangeMiniAppCode(ofB), 'wecom', 40029);
    expect(await signInB.exchangeMiniAppCode(ofB)).toEqual({ corpId: corpB, userId: 'outsider' });
    const web = sim.wecom.issueLoginCode({ corpId: corpA, userId: 'zhoumin', kind: 'web' });
    await expectRejected(signIn.exchangeMiniAppCode(web), 'wecom', 40029);
    expect(await signIn.exchangeWebCode(web)).toEqual({ corpId: corpA, userId: 'zhoumin' });
  });

  it('keeps working when WeCom revokes the token mid-run (one refetch)', async () => {
    await signIn.exchangeMiniAppCode(sim.wecom.issueLoginCode({ corpId: corpA, userId: 'zhoumin', kind: 'miniapp' }));
    const gettokens = sim.wecom.calls('/cgi-bin/gettoken');
    expect(sim.wecom.invalidateTokens(corpA)).toBeGreaterThan(0);
    const code = sim.wecom.issueLoginCode({ corpId: corpA, userId: 'zhoumin', kind: 'miniapp' });
    expect(await signIn.exchangeMiniAppCode(code)).toEqual({ corpId: corpA, userId: 'zhoumin' });
    expect(sim.wecom.calls('/cgi-bin/gettoken') - gettokens).toBe(1);
  });

  it('leaves other errcodes to the api client: busy is retried, a forbidden API stays a typed error', async () => {
    sim.wecom.failNext('/cgi-bin/auth/getuserinfo', -1);
    const code = sim.wecom.issueLoginCode({ corpId: corpA, userId: 'lilei', kind: 'web' });
    expect(await signIn.exchangeWebCode(code)).toEqual({ corpId: corpA, userId: 'lilei' });
    sim.wecom.failNext('/cgi-bin/auth/getuserinfo', 48002);
    const error = await signIn.exchangeWebCode(sim.wecom.issueLoginCode({ corpId: corpA, userId: 'lilei', kind: 'web' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WecomApiError);
    expect(error).toMatchObject({ errcode: 48002, retryable: false });
  });

  it('web login: the page lists active members, the scan redirects with code and state, the code exchanges once', async () => {
    const url = new URL(signIn.webLoginUrl({ redirectUri, state: 's-1&x' }));
    expect(`${url.origin}${url.pathname}`).toBe(`${sim.url}/wwlogin/sso/login`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ login_type: 'CorpApp', appid: corpA, agentid: '1000002', redirect_uri: redirectUri, state: 's-1&x' });

    const { page, location } = await scanAs(url.toString(), '扫码登录为 周敏');
    expect(page).toContain('扫码登录为 李雷（lilei）');
    expect(page).not.toContain('停用成员');
    expect(page).toContain('招聘桥');
    expect(`${location.origin}${location.pathname}`).toBe('https://hire.example.com/auth/callback');
    expect(location.searchParams.get('from')).toBe('qr');
    expect(location.searchParams.get('state')).toBe('s-1&x');
    const code = location.searchParams.get('code') ?? '';
    expect(await signIn.exchangeWebCode(code)).toEqual({ corpId: corpA, userId: 'zhoumin' });
    await expectRejected(signIn.exchangeWebCode(code), 'wecom', 40029);
    // The same page, used by another company's app: the code is that corp's, not ours.
    const other = await scanAs(signInB.webLoginUrl({ redirectUri, state: 'b' }), '扫码登录为 外人');
    await expectRejected(signIn.exchangeWebCode(other.location.searchParams.get('code') ?? ''), 'wecom', 40029);
  });

  it('web login of someone who is not a member is refused (WeCom answers an openid, not a userid)', async () => {
    const { location } = await scanAs(signIn.webLoginUrl({ redirectUri, state: 'n' }), '非本企业成员');
    await expectRejected(signIn.exchangeWebCode(location.searchParams.get('code') ?? ''), 'wecom', 0);
  });

  it('the login page refuses unknown apps and missing redirect_uri; the real login host is used for the real API', async () => {
    const base = `${sim.url}/wwlogin/sso/login?login_type=CorpApp&state=x`;
    expect((await fetch(`${base}&appid=wwnobody&agentid=1000002&redirect_uri=${encodeURIComponent(redirectUri)}`)).status).toBe(400);
    expect((await fetch(`${base}&appid=${corpA}&agentid=1000009&redirect_uri=${encodeURIComponent(redirectUri)}`)).status).toBe(400);
    const missing = await fetch(`${base}&appid=${corpA}&agentid=1000002`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('redirect_uri');
    expect((await fetch(`${base}&appid=${corpA}&agentid=1000002&redirect_uri=javascript:alert(1)`)).status).toBe(400);
    expect(wecomLoginBaseUrl('https://qyapi.weixin.qq.com')).toBe('https://login.work.weixin.qq.com');
    expect(wecomLoginBaseUrl(`${sim.url}/`)).toBe(sim.url);
  });
});

describe('DingTalk employee sign-in', () => {
  let signIn: EmployeeSignIn;
  beforeAll(async () => {
    signIn = (await dingtalkFor()(tenants.dingtalk.tenantId))!;
    expect(await dingtalkFor()(tenants.none.tenantId)).toBeUndefined();
  });

  it('exchanges a dd.getAuthCode code for userid and unionid, once, within 5 minutes', async () => {
    const code = sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'manager01' });
    expect(await signIn.exchangeMiniAppCode(code)).toEqual({ corpId: dtCorp, userId: 'manager01', unionId: 'union-manager01' });
    await expectRejected(signIn.exchangeMiniAppCode(code), 'dingtalk', 40078);
    const stale = sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dev02' });
    clock.advance(5 * 60_000);
    await expectRejected(signIn.exchangeMiniAppCode(stale), 'dingtalk', 40078);
  });

  it("refuses another organisation's code and a browser code", async () => {
    await expectRejected(signIn.exchangeMiniAppCode(sim.dingtalk.issueAuthCode({ corpId: dtOtherCorp, userId: 'dev02' })), 'dingtalk', 40078);
    const web = sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dev02', kind: 'web' });
    await expectRejected(signIn.exchangeMiniAppCode(web), 'dingtalk', 40078);
    expect(await signIn.exchangeWebCode(web)).toEqual({ corpId: dtCorp, unionId: 'unionDev02' });
  });

  it('keeps working when the app token is revoked mid-run', async () => {
    await signIn.exchangeMiniAppCode(sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dev02' }));
    const fetches = sim.dingtalk.calls('/v1.0/oauth2/accessToken');
    expect(sim.dingtalk.invalidateTokens(appKey)).toBeGreaterThan(0);
    expect(await signIn.exchangeMiniAppCode(sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dev02' }))).toEqual({ corpId: dtCorp, userId: 'dev02', unionId: 'unionDev02' });
    expect(sim.dingtalk.calls('/v1.0/oauth2/accessToken') - fetches).toBe(1);
  });

  it('web login: the page lists the people, the consent redirects with authCode and state, the code exchanges once', async () => {
    const url = new URL(signIn.webLoginUrl({ redirectUri, state: 'dt-state' }));
    expect(`${url.origin}${url.pathname}`).toBe(`${sim.url}/oauth2/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ redirect_uri: redirectUri, response_type: 'code', client_id: appKey, scope: 'openid', state: 'dt-state', prompt: 'consent' });
    const { page, location } = await scanAs(url.toString(), '扫码登录为 王芳');
    expect(page).toContain('扫码登录为 赵磊（dev02）');
    expect(location.searchParams.get('state')).toBe('dt-state');
    expect(location.searchParams.get('from')).toBe('qr');
    const code = location.searchParams.get('authCode') ?? '';
    expect(await signIn.exchangeWebCode(code)).toEqual({ corpId: dtCorp, unionId: 'union-manager01' });
    await expectRejected(signIn.exchangeWebCode(code), 'dingtalk', 400);
    // A code of another app (its own login page) is not ours.
    const other = await scanAs(`${sim.url}/oauth2/auth?redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&client_id=dingotherapp&scope=openid&state=o`, '扫码登录为 赵磊');
    await expectRejected(signIn.exchangeWebCode(other.location.searchParams.get('authCode') ?? ''), 'dingtalk', 400);
    expect((await fetch(`${sim.url}/oauth2/auth?response_type=code&client_id=nobody&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}`)).status).toBe(400);
    expect((await fetch(`${sim.url}/oauth2/auth?response_type=code&client_id=${appKey}&scope=openid`)).status).toBe(400);
  });

  it('a wrong client secret is a configuration error, not a refused code', async () => {
    const app = (await features.stores.platform.findAppOfKind(tenants.dingtalk.tenantId, 'dingtalk_app'))!;
    const wrong = (await dingtalkEmployeeSignInFor({ findApp: async () => app, env: { SIGNIN_DT: 'not-the-secret' }, tokens: tokens(), log })(tenants.dingtalk.tenantId))!;
    const error = await wrong.exchangeWebCode(sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dev02', kind: 'web' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DingtalkApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalidClientIdOrSecret' });
  });

  it('on the real hosts, topapi goes to oapi.dingtalk.com and the login page is login.dingtalk.com', async () => {
    expect(dingtalkHostsOf('https://api.dingtalk.com')).toEqual({ api: 'https://api.dingtalk.com', oapi: 'https://oapi.dingtalk.com', login: 'https://login.dingtalk.com' });
    const tenant = await createTenant(db.db, { platform: 'dingtalk' });
    await features.stores.platform.insertApp(tenant.tenantId, {
      kind: 'dingtalk_app', corpId: dtCorp, agentId: appKey, secretRef: 'env:SIGNIN_DT', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: 'https://api.dingtalk.com',
    });
    const hosts: string[] = [];
    // Stands in for the network: records the host asked for, answers from the simulator.
    const viaSimulator: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      hosts.push(`${url.host}${url.pathname}`);
      return fetch(new URL(`${url.pathname}${url.search}`, sim.url), init);
    };
    const real = (await dingtalkFor(viaSimulator)(tenant.tenantId))!;
    expect(real.webLoginUrl({ redirectUri, state: 's' })).toMatch(/^https:\/\/login\.dingtalk\.com\/oauth2\/auth\?/);
    expect(await real.exchangeMiniAppCode(sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dev02' }))).toMatchObject({ userId: 'dev02' });
    expect(await real.exchangeWebCode(sim.dingtalk.issueAuthCode({ corpId: dtCorp, userId: 'dev02', kind: 'web' }))).toMatchObject({ unionId: 'unionDev02' });
    expect(hosts).toEqual([
      'api.dingtalk.com/v1.0/oauth2/accessToken',
      'oapi.dingtalk.com/topapi/v2/user/getuserinfo',
      'api.dingtalk.com/v1.0/oauth2/userAccessToken',
      'api.dingtalk.com/v1.0/contact/users/me',
    ]);
  });
});

describe('WeChat candidate sign-in', () => {
  let signIn: CandidateSignIn;
  beforeAll(async () => {
    signIn = (await wechatFor()(tenants.wechat.tenantId))!;
    expect(await wechatFor()(tenants.none.tenantId)).toBeUndefined();
  });

  it('exchanges a wx.login code for openid and unionid, once; a second use is 40163', async () => {
    const code = sim.wechat.login('wang', 'wxsignin');
    const person = await signIn.exchangeCode(code);
    expect(person).toEqual({ appId: 'wxsignin', openId: sim.wechat.openidOf('wang', 'wxsignin'), unionId: expect.any(String) });
    await expectRejected(signIn.exchangeCode(code), 'wechat', 40163);
    const plain = (await wechatFor()(tenants.wechatPlain.tenantId))!;
    expect(await plain.exchangeCode(sim.wechat.login('wang', 'wxplain'))).toEqual({ appId: 'wxplain', openId: sim.wechat.openidOf('wang', 'wxplain'), unionId: null });
  });

  it('refuses expired codes and codes of another mini-program with 40029', async () => {
    const stale = sim.wechat.login('li', 'wxsignin');
    clock.advance(5 * 60_000 + 1);
    await expectRejected(signIn.exchangeCode(stale), 'wechat', 40029);
    await expectRejected(signIn.exchangeCode(sim.wechat.login('li', 'wxplain')), 'wechat', 40029);
  });

  it('40226 (blocked user) is a refused code; 45011 (minute quota) stays a retryable API error', async () => {
    sim.wechat.failNext('/sns/jscode2session', 40226);
    await expectRejected(signIn.exchangeCode(sim.wechat.login('zhao', 'wxsignin')), 'wechat', 40226);
    sim.wechat.failNext('/sns/jscode2session', 45011);
    const error = await signIn.exchangeCode(sim.wechat.login('zhao', 'wxsignin')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect(error).toMatchObject({ errcode: 45011, retryable: true });
  });
});

import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SignInCodeRejected, type EmployeeSignIn, type EmployeeSignInFor, type PlatformEmployee } from '../../ports/sign-in';
import { resolveSecretRef } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { createWecomApi, WecomApiError, type WecomApi } from './api-client';

/**
 * WeCom employee sign-in, with the token of the tenant's self-built app (`wecom_app`):
 * - in the WeCom mini-program, `wx.qy.login()` → code → `GET /cgi-bin/miniprogram/jscode2session`
 *   https://developer.work.weixin.qq.com/document/path/96959 , 92423 (platform.md §6.4);
 * - in a browser, the WeCom login page (扫码登录) → `redirect_uri?code=&state=` → `GET /cgi-bin/auth/getuserinfo`
 *   https://developer.work.weixin.qq.com/document/path/98171 (构造企业微信登录链接), 98177 / 96442 (获取用户登录身份).
 * Codes are single use and live 5 minutes; an unknown, expired or already used code is errcode 40029 on both
 * endpoints (the support answer on a consumed code: "一个code只能消费一次,消费过后就会删除"). The session_key of
 * jscode2session never leaves this file. Token errors (40014/42001) and busy answers are the api client's business.
 */

/** The real hosts. An app whose API base URL is anything else (the simulator, a test) has its login page there too. */
export const wecomApiHost = 'https://qyapi.weixin.qq.com';
export const wecomLoginHost = 'https://login.work.weixin.qq.com';

/** 40029 invalid code (unknown, expired or used). */
export const wecomInvalidCode = 40029;

/**
 * Where the browser login page lives for an app: the real login host when the app talks to the real API host,
 * otherwise the app's own base URL (the simulator serves `/wwlogin/sso/login` beside the API). A proxy for the API
 * does not move the login page, which the browser — not the server — opens.
 */
export function wecomLoginBaseUrl(apiBaseUrl: string): string {
  const base = new URL(apiBaseUrl);
  if (base.origin === wecomApiHost) return wecomLoginHost;
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
}

/** WeCom codes are at most 512 bytes (getuserinfo doc); anything else cannot be a code, so no call is spent on it. */
function checkCodeShape(code: string): void {
  if (code === '' || Buffer.byteLength(code) > 512) throw new SignInCodeRejected('wecom', wecomInvalidCode);
}

async function exchange<T extends Record<string, unknown>>(api: WecomApi, path: string, query: Record<string, string>): Promise<T> {
  try {
    return await api.get<T>(path, query);
  } catch (error) {
    if (error instanceof WecomApiError && error.errcode === wecomInvalidCode) throw new SignInCodeRejected('wecom', error.errcode);
    throw error;
  }
}

/** A userid we can map to one of the corp's members; 互联企业/上下游 answer "CorpId/userid", which is not ours. */
const ownMember = (userid: unknown): userid is string => typeof userid === 'string' && userid !== '' && !userid.includes('/');

export function createWecomEmployeeSignIn(deps: {
  api: WecomApi;
  app: { readonly corpId: string; readonly agentId: string };
  /** Base of the login page, see wecomLoginBaseUrl. */
  loginBaseUrl: string;
}): EmployeeSignIn {
  const { api, app } = deps;
  return {
    async exchangeMiniAppCode(code: string): Promise<PlatformEmployee> {
      checkCodeShape(code);
      const answer = await exchange<{ corpid?: unknown; userid?: unknown }>(api, '/cgi-bin/miniprogram/jscode2session', {
        js_code: code,
        grant_type: 'authorization_code',
      });
      // The answer also carries session_key; it is dropped here on purpose.
      if (answer.corpid !== app.corpId || !ownMember(answer.userid)) throw new SignInCodeRejected('wecom', 0);
      return { corpId: app.corpId, userId: answer.userid };
    },

    webLoginUrl({ redirectUri, state }) {
      const url = new URL('/wwlogin/sso/login', `${deps.loginBaseUrl}/`);
      url.search = new URLSearchParams({
        login_type: 'CorpApp',
        appid: app.corpId,
        agentid: app.agentId,
        redirect_uri: redirectUri,
        state,
      }).toString();
      return url.toString();
    },

    async exchangeWebCode(code: string): Promise<PlatformEmployee> {
      checkCodeShape(code);
      const answer = await exchange<{ userid?: unknown; openid?: unknown }>(api, '/cgi-bin/auth/getuserinfo', { code });
      // A person who is not a member gets {openid, external_userid?} with errcode 0: a valid code, but no employee.
      if (!ownMember(answer.userid)) throw new SignInCodeRejected('wecom', 0);
      return { corpId: app.corpId, userId: answer.userid };
    },
  };
}

/**
 * Employee sign-in for a tenant on WeCom, from its `wecom_app` platform app (the app the mini-program is linked to
 * and whose trusted domain receives the web login). One client per app, rebuilt when its secret, base URL or
 * AgentId changes; undefined when the tenant has no such app or it has no AgentId.
 */
export function wecomEmployeeSignInFor(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): EmployeeSignInFor {
  const known = new Map<string, { key: string; signIn: EmployeeSignIn }>();
  return async (tenantId) => {
    const app = await deps.findApp(tenantId);
    if (!app?.agentId) return undefined;
    const key = `${app.secretRef}\0${app.apiBaseUrl}\0${app.agentId}\0${app.corpId}`;
    const cached = known.get(app.id);
    if (cached?.key === key) return cached.signIn;
    const api = createWecomApi({
      credentials: { appId: app.id, corpId: app.corpId, secret: resolveSecretRef(app.secretRef, { env: deps.env, demoAllowed: app.tenantIsDemo }), baseUrl: app.apiBaseUrl },
      tokens: deps.tokens,
      log: deps.log,
      ...(deps.fetch && { fetch: deps.fetch }),
      ...(deps.sleep && { sleep: deps.sleep }),
    });
    const signIn = createWecomEmployeeSignIn({ api, app: { corpId: app.corpId, agentId: app.agentId }, loginBaseUrl: wecomLoginBaseUrl(app.apiBaseUrl) });
    known.set(app.id, { key, signIn });
    return signIn;
  };
}

import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SignInCodeRejected, type EmployeeSignIn, type EmployeeSignInFor, type PlatformEmployee } from '../../ports/sign-in';
import type { TokenCache } from '../postgres/token-cache';
import { DingtalkApiError } from './api-client';
import { dingtalkCredentialsOf, type DingtalkCredentials } from './app-identity';
import { dingtalkApiHost, dingtalkHostsOf } from './hosts';
import { createDingtalkOapi, DingtalkOapiError, type DingtalkOapi } from './oapi-client';

export { dingtalkApiHost, dingtalkHostsOf };

/**
 * DingTalk employee sign-in for an internal app (`dingtalk_app`):
 * - in the DingTalk mini-app / H5, `dd.getAuthCode({corpId})` → authCode (5 min, single use) →
 *   `POST oapi /topapi/v2/user/getuserinfo?access_token= {code}` → `result{userid, unionid, …}` (platform.md §7.4);
 *   an unknown, expired or used code is errcode 40078 "不存在的临时授权码" (global code table
 *   https://open.dingtalk.com/document/orgapp/server-api-error-codes-1 ; widely reported for reused codes);
 * - in a browser, `https://login.dingtalk.com/oauth2/auth?…` → `redirect_uri?authCode=&state=` →
 *   `POST /v1.0/oauth2/userAccessToken {clientId, clientSecret, code, grantType}` → the *user's* accessToken →
 *   `GET /v1.0/contact/users/me` (header `x-acs-dingtalk-access-token`) → `{unionId, nick, openId, …}`.
 *   https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information
 *   The web flow names people by unionId only; the server maps it to an employee of the tenant. The two kinds of
 *   code are not interchangeable (a browser code is refused by getuserinfo with 40078).
 * The new API refuses a bad authCode with HTTP 400 `{code, message}`; the exact `code` string is not confirmed in
 * any stored doc, so every 4xx of userAccessToken except a wrong client id/secret and throttling counts as a
 * refused code (SignInCodeRejected with the HTTP status as errcode).
 */

/** 40078 不存在的临时授权码: unknown, expired or already used authCode on the old API. */
export const dingtalkInvalidAuthCode = 40078;

const isThrottled = (code: string) => /^Forbidden\.AccessDenied\.Qp[sm]Limit/.test(code) || ['qps.exceed.limit', 'request.overlimit', 'ServiceUnavailable', 'unknownError', 'SystemBusy'].includes(code);

export function createDingtalkEmployeeSignIn(deps: {
  credentials: DingtalkCredentials;
  /** The old-API client of the app (token from the shared cache, refetched once on 40014/42001). */
  oapi: DingtalkOapi;
  hosts: { readonly api: string; readonly login: string };
  fetch?: typeof fetch;
  timeoutMs?: number;
}): EmployeeSignIn {
  const { credentials, oapi, hosts } = deps;
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 10_000;

  /** One new-API call that needs no app token; errors as the api client types them. */
  async function newApi(method: 'GET' | 'POST', path: string, init: { body?: unknown; userToken?: string }): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await doFetch(new URL(path, `${hosts.api}/`), {
        method,
        headers: {
          accept: 'application/json',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(init.userToken === undefined ? {} : { 'x-acs-dingtalk-access-token': init.userToken }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DingtalkApiError(path, 0, 'network', (error as Error).message, true);
    }
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(await response.text()) as Record<string, unknown>;
    } catch {
      throw new DingtalkApiError(path, response.status, 'not_json', 'answer is not JSON', true);
    }
    if (response.ok) return answer;
    const code = typeof answer.code === 'string' ? answer.code : `HTTP${response.status}`;
    throw new DingtalkApiError(path, response.status, code, typeof answer.message === 'string' ? answer.message : '', response.status >= 500 || isThrottled(code));
  }

  return {
    async exchangeMiniAppCode(code: string): Promise<PlatformEmployee> {
      if (code === '') throw new SignInCodeRejected('dingtalk', dingtalkInvalidAuthCode);
      let result: { userid?: unknown; unionid?: unknown } | undefined;
      try {
        result = (await oapi.post<{ result?: { userid?: unknown; unionid?: unknown } }>('/topapi/v2/user/getuserinfo', { code })).result;
      } catch (error) {
        if (error instanceof DingtalkOapiError && error.errcode === dingtalkInvalidAuthCode) throw new SignInCodeRejected('dingtalk', error.errcode);
        throw error;
      }
      if (typeof result?.userid !== 'string' || result.userid === '') throw new SignInCodeRejected('dingtalk', 0);
      return {
        corpId: credentials.corpId,
        userId: result.userid,
        ...(typeof result.unionid === 'string' && result.unionid !== '' ? { unionId: result.unionid } : {}),
      };
    },

    webLoginUrl({ redirectUri, state }) {
      const url = new URL('/oauth2/auth', `${hosts.login}/`);
      url.search = new URLSearchParams({
        redirect_uri: redirectUri,
        response_type: 'code',
        client_id: credentials.appKey,
        scope: 'openid',
        state,
        prompt: 'consent',
      }).toString();
      return url.toString();
    },

    async exchangeWebCode(code: string): Promise<PlatformEmployee> {
      if (code === '') throw new SignInCodeRejected('dingtalk', 400);
      let token: Record<string, unknown>;
      try {
        token = await newApi('POST', '/v1.0/oauth2/userAccessToken', {
          body: { clientId: credentials.appKey, clientSecret: credentials.appSecret, code, grantType: 'authorization_code' },
        });
      } catch (error) {
        const refusedCode = error instanceof DingtalkApiError && error.status >= 400 && error.status < 500 && !error.retryable && error.code !== 'invalidClientIdOrSecret';
        if (refusedCode) throw new SignInCodeRejected('dingtalk', error.status);
        throw error;
      }
      if (typeof token.accessToken !== 'string') throw new DingtalkApiError('/v1.0/oauth2/userAccessToken', 200, 'no_token', 'no accessToken in the answer', true);
      // With scope `corpid` DingTalk says which organisation the person chose; it must be this app's.
      if (typeof token.corpId === 'string' && token.corpId !== '' && token.corpId !== credentials.corpId) throw new SignInCodeRejected('dingtalk', 0);
      const me = await newApi('GET', '/v1.0/contact/users/me', { userToken: token.accessToken });
      if (typeof me.unionId !== 'string' || me.unionId === '') throw new DingtalkApiError('/v1.0/contact/users/me', 200, 'no_union_id', 'no unionId in the answer', false);
      return { corpId: credentials.corpId, unionId: me.unionId };
    },
  };
}

/**
 * Employee sign-in for a tenant on DingTalk, from its `dingtalk_app` platform app. One client per app, rebuilt
 * when its secret or base URL changes; undefined when the tenant has no such app.
 */
export function dingtalkEmployeeSignInFor(deps: {
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
    if (!app) return undefined;
    const key = `${app.secretRef}\0${app.apiBaseUrl}\0${app.agentId ?? ''}\0${app.corpId}`;
    const cached = known.get(app.id);
    if (cached?.key === key) return cached.signIn;
    // Throws when the AppKey or the secret is missing: a misconfigured app is an operator's error, not "no app".
    const credentials = dingtalkCredentialsOf(app, deps.env);
    const hosts = dingtalkHostsOf(app.apiBaseUrl);
    const doFetch = deps.fetch ?? fetch;
    const oapi = createDingtalkOapi({
      credentials: { ...credentials, baseUrl: hosts.api },
      tokens: deps.tokens,
      log: deps.log,
      // The oapi client itself sends /topapi/ to the old API's host (hosts.ts).
      fetch: doFetch,
      ...(deps.sleep && { sleep: deps.sleep }),
    });
    const signIn = createDingtalkEmployeeSignIn({ credentials, oapi, hosts, fetch: doFetch });
    known.set(app.id, { key, signIn });
    return signIn;
  };
}

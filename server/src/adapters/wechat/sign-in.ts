import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SignInCodeRejected, type CandidateSignIn, type CandidateSignInFor, type WechatPerson } from '../../ports/sign-in';
import type { TokenCache } from '../postgres/token-cache';
import { createWechatApi, WechatApiError, type WechatApi } from './wechat-api';

/**
 * Candidate sign-in in the WeChat mini-program: `wx.login()` → code (5 min, single use) →
 * `GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code` → `{openid, session_key, unionid?}`.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
 * Refused codes: 40029 invalid code (unknown or expired), 40163 code been used (not in the doc's table, answered in
 * practice and explained by WeChat staff in the developer community), 40226 code blocked (high-risk user, in the
 * doc's table). 45011 (minute quota) and -1 (busy) stay WechatApiError with retryable = true.
 * session_key is dropped inside wechat-api.ts and never stored nor sent to the client.
 */
export const wechatRefusedCodes = new Set([40029, 40163, 40226]);

export function createWechatCandidateSignIn(deps: { api: WechatApi; wxAppId: string }): CandidateSignIn {
  return {
    async exchangeCode(code: string): Promise<WechatPerson> {
      if (code === '') throw new SignInCodeRejected('wechat', 40029);
      try {
        const session = await deps.api.codeToSession(code);
        return { appId: deps.wxAppId, openId: session.openid, unionId: session.unionid };
      } catch (error) {
        if (error instanceof WechatApiError && wechatRefusedCodes.has(error.errcode)) throw new SignInCodeRejected('wechat', error.errcode);
        throw error;
      }
    },
  };
}

/**
 * The candidate mini-program of a tenant, from its `wechat_miniprogram` platform app (corp_id holds the AppID).
 * One client per app, rebuilt when its secret, base URL or AppID changes; undefined when there is none.
 * Throws SecretUnavailableError when the secret cannot be read.
 */
export function wechatCandidateSignInFor(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
}): CandidateSignInFor {
  const known = new Map<string, { key: string; signIn: CandidateSignIn }>();
  return async (tenantId) => {
    const app = await deps.findApp(tenantId);
    if (!app) return undefined;
    const key = `${app.secretRef}\0${app.apiBaseUrl}\0${app.corpId}`;
    const cached = known.get(app.id);
    if (cached?.key === key) return cached.signIn;
    const api = createWechatApi({ app, env: deps.env, tokens: deps.tokens, log: deps.log, ...(deps.fetch && { fetch: deps.fetch }) });
    const signIn = createWechatCandidateSignIn({ api, wxAppId: app.corpId });
    known.set(app.id, { key, signIn });
    return signIn;
  };
}

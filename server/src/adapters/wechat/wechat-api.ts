import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { resolveSecretRef } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { createWecomApi, type WecomApi } from '../wecom/api-client';

/**
 * WeChat mini-program server API (api.weixin.qq.com). Not WeCom: the token comes from `GET /cgi-bin/token` with
 * appid + secret, every fetch replaces the previous token (the old one lives 5 more minutes), so the token must be
 * shared by the whole cluster — the same TokenCache as WeCom tokens, keyed by the platform app.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getAccessToken.html
 */
export class WechatApiError extends Error {
  constructor(
    readonly path: string,
    readonly errcode: number,
    readonly errmsg: string,
    readonly retryable: boolean,
  ) {
    super(`WeChat ${path} failed: errcode ${errcode} ${errmsg}`);
    this.name = 'WechatApiError';
  }
}

/** On api.weixin.qq.com an invalid or superseded token is 40001 (not only 40014); 42001 expired; 41001 missing. */
const tokenErrors = new Set([40001, 40014, 42001, 41001]);
/** -1 system busy, 45009 frequency limit: retry later. */
const busyErrors = new Set([-1, 45009, 45011]);

interface Answer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

export interface WechatApiOptions {
  readonly app: PlatformApp;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly tokens: TokenCache;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export function createWechatApi(options: WechatApiOptions) {
  const { app, tokens, log } = options;
  if (app.kind !== 'wechat_miniprogram') throw new Error(`platform app ${app.id} is not a mini-program`);
  // corp_id of a wechat_miniprogram platform app holds the mini-program's AppID.
  const wxAppId = app.corpId;
  const secret = resolveSecretRef(app.secretRef, { env: options.env, demoAllowed: app.tenantIsDemo });
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function exchange(path: string, init: { method: 'GET' | 'POST'; query: Record<string, string>; body?: unknown }): Promise<Answer> {
    const url = new URL(path, app.apiBaseUrl);
    for (const [k, v] of Object.entries(init.query)) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: init.method,
        headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new WechatApiError(path, -1, `network: ${(error as Error).message}`, true);
    }
    if (!response.ok) throw new WechatApiError(path, -1, `HTTP ${response.status}`, true);
    try {
      return (await response.json()) as Answer;
    } catch {
      throw new WechatApiError(path, -1, 'answer is not JSON', true);
    }
  }

  const failure = (path: string, answer: Answer) => {
    const errcode = answer.errcode ?? -1;
    return new WechatApiError(path, errcode, answer.errmsg ?? '', busyErrors.has(errcode));
  };

  const fetchToken = async () => {
    const answer = await exchange('/cgi-bin/token', { method: 'GET', query: { grant_type: 'client_credential', appid: wxAppId, secret } });
    // Success carries no errcode at all.
    if ((answer.errcode ?? 0) !== 0 || typeof answer.access_token !== 'string') throw failure('/cgi-bin/token', answer);
    return { accessToken: answer.access_token, expiresInSeconds: Number(answer.expires_in ?? 7200) };
  };

  return {
    /** POST with the mini-program token; one refetch when WeChat says the token is invalid or expired. */
    async post<T extends Answer>(path: string, body: unknown): Promise<T> {
      let token = await tokens.current(app.id, fetchToken);
      for (let refreshed = false; ; refreshed = true) {
        const answer = await exchange(path, { method: 'POST', query: { access_token: token }, body });
        const errcode = answer.errcode ?? 0;
        if (errcode === 0) return answer as T;
        if (tokenErrors.has(errcode) && !refreshed) {
          log.info({ path, errcode, appId: app.id }, 'WeChat token rejected; fetching a new one');
          token = await tokens.replace(app.id, token, fetchToken);
          continue;
        }
        throw failure(path, answer);
      }
    },
    /**
     * Login: the code from wx.login() for openid (+ unionid when the app is bound to an Open Platform account).
     * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
     */
    async codeToSession(code: string): Promise<{ openid: string; unionid: string | null }> {
      const answer = await exchange('/sns/jscode2session', {
        method: 'GET',
        query: { appid: wxAppId, secret, js_code: code, grant_type: 'authorization_code' },
      });
      if ((answer.errcode ?? 0) !== 0 || typeof answer.openid !== 'string') throw failure('/sns/jscode2session', answer);
      // session_key stays here: it is never stored nor sent to the client.
      return { openid: answer.openid, unionid: typeof answer.unionid === 'string' ? answer.unionid : null };
    },
  };
}

export type WechatApi = ReturnType<typeof createWechatApi>;

/** The 微信客服 API is WeCom's API with the kf secret's own token (platform app of kind `wecom_kf`). */
export function createKfApi(options: WechatApiOptions & { readonly sleep?: (ms: number) => Promise<void> }): WecomApi {
  const { app } = options;
  if (app.kind !== 'wecom_kf') throw new Error(`platform app ${app.id} is not a 微信客服 app`);
  return createWecomApi({
    credentials: {
      appId: app.id,
      corpId: app.corpId,
      secret: resolveSecretRef(app.secretRef, { env: options.env, demoAllowed: app.tenantIsDemo }),
      baseUrl: app.apiBaseUrl,
    },
    tokens: options.tokens,
    log: options.log,
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.sleep && { sleep: options.sleep }),
  });
}

/** Caches one client per platform app (clients hold no state worth losing; this saves resolving secrets). */
export function clientCache<T>(make: (app: PlatformApp) => T): (app: PlatformApp) => T {
  const clients = new Map<string, T>();
  return (app) => {
    let client = clients.get(app.id);
    if (!client) {
      client = make(app);
      clients.set(app.id, client);
    }
    return client;
  };
}

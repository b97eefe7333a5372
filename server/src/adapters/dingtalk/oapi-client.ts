import { dingtalkHostsOf } from './hosts';
import type { Logger } from '../../observability/logger';
import type { TokenCache } from '../postgres/token-cache';
import type { DingtalkCredentials } from './app-identity';

/**
 * DingTalk old-API client (https://oapi.dingtalk.com/topapi/…), still the only family with the full contacts API
 * (departments, user ids per department, user details with unionid). Unlike the new API it answers HTTP 200 with
 * `{errcode, errmsg}` and takes the token as `?access_token=`.
 * The token is the internal app's new-API accessToken, cached under the same app id as createDingtalkApi's: DingTalk
 * issues one token per app that both families accept (the new token doc says it is the same as the old gettoken's;
 * platform.md §7.1 marks this as common practice), so the app keeps a single token instead of two racing ones.
 * Error codes: https://open.dingtalk.com/document/orgapp/server-api-error-codes-1
 */
export class DingtalkOapiError extends Error {
  constructor(
    readonly path: string,
    readonly errcode: number,
    readonly errmsg: string,
    /** True when trying again later may succeed (busy, throttled, network). */
    readonly retryable: boolean,
  ) {
    super(`DingTalk ${path} failed: errcode ${errcode} ${errmsg}`);
    this.name = 'DingtalkOapiError';
  }
}

/** 40014 invalid access_token, 42001 expired, 40001 also seen for a stale token. */
const tokenErrcodes = new Set([40001, 40014, 42001]);
/** -1 系统繁忙; 88 / 90002 / 90018 / 90006 are the QPS/QPM limits of the rate-limit doc (invocation-frequency-limit). */
const busyErrcodes = new Set([-1, 88, 90002, 90006, 90018]);

export interface DingtalkOapiOptions {
  readonly credentials: DingtalkCredentials;
  readonly tokens: TokenCache;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly timeoutMs?: number;
}

export function createDingtalkOapi(options: DingtalkOapiOptions) {
  const { credentials, tokens, log } = options;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffBaseMs = options.backoffBaseMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 10_000;

  // The old API (/topapi) lives on oapi.dingtalk.com, not on the new API's host an app's api_base_url names.
  const oapiBase = dingtalkHostsOf(credentials.baseUrl).oapi;

  async function call(path: string, body: unknown, query: Record<string, string>): Promise<Record<string, unknown>> {
    const url = new URL(path, oapiBase);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DingtalkOapiError(path, 0, `network: ${(error as Error).message}`, true);
    }
    let answer: Record<string, unknown>;
    try {
      answer = (await response.json()) as Record<string, unknown>;
    } catch {
      throw new DingtalkOapiError(path, response.status, 'answer is not JSON', true);
    }
    if (!response.ok && answer.errcode === undefined) {
      // A new-API style refusal (e.g. the token endpoint): HTTP 4xx/5xx with {code, message}.
      throw new DingtalkOapiError(path, response.status, String(answer.code ?? answer.message ?? 'http error'), response.status >= 500);
    }
    const errcode = Number(answer.errcode ?? 0);
    if (errcode !== 0) throw new DingtalkOapiError(path, errcode, String(answer.errmsg ?? ''), busyErrcodes.has(errcode));
    return answer;
  }

  // https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
  const fetchToken = async () => {
    const url = new URL('/v1.0/oauth2/accessToken', credentials.baseUrl);
    let answer: Record<string, unknown>;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ appKey: credentials.appKey, appSecret: credentials.appSecret }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      answer = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new DingtalkOapiError(url.pathname, response.status, String(answer.code ?? 'token refused'), response.status >= 500);
    } catch (error) {
      if (error instanceof DingtalkOapiError) throw error;
      throw new DingtalkOapiError(url.pathname, 0, `network: ${(error as Error).message}`, true);
    }
    if (typeof answer.accessToken !== 'string') throw new DingtalkOapiError(url.pathname, 0, 'no accessToken in the answer', true);
    return { accessToken: answer.accessToken, expiresInSeconds: Number(answer.expireIn ?? 7200) };
  };

  async function post<T>(path: string, body: unknown): Promise<T> {
    let token = await tokens.current(credentials.appId, fetchToken);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await call(path, body, { access_token: token })) as T;
      } catch (error) {
        if (!(error instanceof DingtalkOapiError)) throw error;
        if (tokenErrcodes.has(error.errcode) && !refreshed) {
          refreshed = true;
          log.info({ path, errcode: error.errcode, appId: credentials.appId }, 'DingTalk token rejected by oapi; fetching a new one');
          token = await tokens.replace(credentials.appId, token, fetchToken);
          attempt--;
          continue;
        }
        if (error.retryable && attempt < maxAttempts) {
          const delay = backoffBaseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
          log.warn({ path, errcode: error.errcode, attempt, delayMs: Math.round(delay) }, 'DingTalk oapi busy or throttling; backing off');
          await sleep(delay);
          continue;
        }
        throw error;
      }
    }
  }

  return { post };
}

export type DingtalkOapi = ReturnType<typeof createDingtalkOapi>;

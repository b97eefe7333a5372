import type { Logger } from '../../observability/logger';
import type { TokenCache } from '../postgres/token-cache';
import type { DingtalkCredentials } from './app-identity';

/**
 * DingTalk new-API client (https://api.dingtalk.com/v1.0/…). Unlike WeCom and DingTalk's own old API, failures come
 * as HTTP 4xx/5xx with `{code, message, requestid}` and success bodies carry no errcode; the token travels in the
 * `x-acs-dingtalk-access-token` header, never in the query. Tokens come from the cluster cache; one refetch when
 * DingTalk says the token is invalid; backoff with jitter when it says busy or throttled.
 * Error codes: https://open.dingtalk.com/document/orgapp/server-api-error-codes-1
 */
export class DingtalkApiError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** True when trying again later may succeed (throttled, 5xx, network); false when the request itself is wrong. */
    readonly retryable: boolean,
  ) {
    super(`DingTalk ${path} failed: HTTP ${status} ${code} ${detail}`);
    this.name = 'DingtalkApiError';
  }
}

const tokenCodes = new Set(['InvalidAuthentication', 'accesstoken.expired']);
/** Throttling codes from the rate-limit doc (https://open.dingtalk.com/document/orgapp/invocation-frequency-limit). */
const isThrottled = (code: string) => /^Forbidden\.AccessDenied\.Qp[sm]Limit/.test(code) || ['qps.exceed.limit', 'request.overlimit', 'ServiceUnavailable', 'unknownError', 'SystemBusy'].includes(code);

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface DingtalkApiOptions {
  readonly credentials: DingtalkCredentials;
  readonly tokens: TokenCache;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly timeoutMs?: number;
}

export function createDingtalkApi(options: DingtalkApiOptions) {
  const { credentials, tokens, log } = options;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffBaseMs = options.backoffBaseMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let tokenCalls = 0;

  async function exchange(path: string, body: unknown, token?: string, method: HttpMethod = 'POST'): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await doFetch(new URL(path, credentials.baseUrl), {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token === undefined ? {} : { 'x-acs-dingtalk-access-token': token }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DingtalkApiError(path, 0, 'network', (error as Error).message, true);
    }
    let answer: Record<string, unknown>;
    try {
      // A successful DELETE may answer with an empty body.
      const text = await response.text();
      answer = text === '' && response.ok ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      // An IP-level block answers HTML instead of JSON (rate-limit doc): worth retrying later.
      throw new DingtalkApiError(path, response.status, 'not_json', 'answer is not JSON', true);
    }
    if (response.ok) return answer;
    const code = typeof answer.code === 'string' ? answer.code : `HTTP${response.status}`;
    const message = typeof answer.message === 'string' ? answer.message : '';
    throw new DingtalkApiError(path, response.status, code, message, response.status >= 500 || isThrottled(code));
  }

  // https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
  const fetchToken = async () => {
    tokenCalls++;
    const answer = await exchange('/v1.0/oauth2/accessToken', { appKey: credentials.appKey, appSecret: credentials.appSecret });
    if (typeof answer.accessToken !== 'string') throw new DingtalkApiError('/v1.0/oauth2/accessToken', 200, 'no_token', 'no accessToken in the answer', true);
    return { accessToken: answer.accessToken, expiresInSeconds: Number(answer.expireIn ?? 7200) };
  };

  async function request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    let token = await tokens.current(credentials.appId, fetchToken);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await exchange(path, body, token, method)) as T;
      } catch (error) {
        if (!(error instanceof DingtalkApiError)) throw error;
        if (tokenCodes.has(error.code) && !refreshed) {
          refreshed = true;
          log.info({ path, code: error.code, appId: credentials.appId }, 'DingTalk token rejected; fetching a new one');
          token = await tokens.replace(credentials.appId, token, fetchToken);
          attempt--;
          continue;
        }
        if (error.retryable && attempt < maxAttempts) {
          const delay = backoffBaseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
          log.warn({ path, code: error.code, attempt, delayMs: Math.round(delay) }, 'DingTalk busy or throttling; backing off');
          await sleep(delay);
          continue;
        }
        throw error;
      }
    }
  }

  return {
    post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
    /** PUT/DELETE/GET for REST-style APIs such as the calendar (https://open.dingtalk.com/document/orgapp/calendar-overview). */
    request,
    /**
     * The app's current token, for old-API calls (oapi.dingtalk.com takes the same token as `?access_token=`), and a
     * way to replace one the old API refused (errcode 40014/42001).
     */
    accessToken: () => tokens.current(credentials.appId, fetchToken),
    replaceToken: (stale: string) => tokens.replace(credentials.appId, stale, fetchToken),
    /** How many token fetches this client made (for tests and metrics). */
    get tokenCalls() {
      return tokenCalls;
    },
  };
}

export type DingtalkApi = ReturnType<typeof createDingtalkApi>;

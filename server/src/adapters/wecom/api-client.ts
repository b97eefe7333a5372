import type { Logger } from '../../observability/logger';
import type { TokenCache } from '../postgres/token-cache';

/**
 * WeCom server API client: tokens from the shared cache, errcodes turned into typed errors, a token refetched once
 * when WeCom says it is invalid or expired, and backoff when WeCom says it is busy or throttling.
 * Global error codes: https://developer.work.weixin.qq.com/document/path/90455
 */
export class WecomApiError extends Error {
  constructor(
    readonly path: string,
    readonly errcode: number,
    readonly errmsg: string,
    /** True when trying again later may succeed (busy, throttled, network); false when the request itself is wrong. */
    readonly retryable: boolean,
  ) {
    super(`WeCom ${path} failed: errcode ${errcode} ${errmsg}`);
    this.name = 'WecomApiError';
  }
}

/** Token invalid (40014), expired (42001) or missing (41001): fetch a new one and try once more. */
const tokenErrors = new Set([40014, 42001, 41001]);
/** System busy (-1), API frequency (45009) and concurrency (45033) limits: back off and retry. */
const backoffErrors = new Set([-1, 45009, 45033]);

export interface WecomAppCredentials {
  readonly appId: string;
  readonly corpId: string;
  readonly secret: string;
  readonly baseUrl: string;
}

export interface WecomApiOptions {
  readonly credentials: WecomAppCredentials;
  readonly tokens: TokenCache;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts for busy/throttled answers before giving the error back (the outbox retries later). */
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly timeoutMs?: number;
}

interface WecomAnswer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

export function createWecomApi(options: WecomApiOptions) {
  const { credentials, tokens, log } = options;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffBaseMs = options.backoffBaseMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let gettokenCalls = 0;

  async function exchange(path: string, init: { method: 'GET' | 'POST'; query: Record<string, string>; body?: unknown }): Promise<WecomAnswer> {
    const url = new URL(path, credentials.baseUrl);
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
      throw new WecomApiError(path, -1, `network: ${(error as Error).message}`, true);
    }
    if (!response.ok) throw new WecomApiError(path, -1, `HTTP ${response.status}`, true);
    try {
      return (await response.json()) as WecomAnswer;
    } catch {
      throw new WecomApiError(path, -1, 'answer is not JSON', true);
    }
  }

  // https://developer.work.weixin.qq.com/document/path/91039
  const fetchToken = async () => {
    gettokenCalls++;
    const answer = await exchange('/cgi-bin/gettoken', { method: 'GET', query: { corpid: credentials.corpId, corpsecret: credentials.secret } });
    if (answer.errcode !== 0 || typeof answer.access_token !== 'string') {
      const errcode = answer.errcode ?? -1;
      throw new WecomApiError('/cgi-bin/gettoken', errcode, answer.errmsg ?? 'no token', backoffErrors.has(errcode));
    }
    return { accessToken: answer.access_token, expiresInSeconds: Number(answer.expires_in ?? 7200) };
  };

  async function call<T extends WecomAnswer>(method: 'GET' | 'POST', path: string, request: { query?: Record<string, string>; body?: unknown } = {}): Promise<T> {
    let token = await tokens.current(credentials.appId, fetchToken);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const answer = await exchange(path, { method, query: { ...request.query, access_token: token }, body: request.body });
      const errcode = answer.errcode ?? 0;
      if (errcode === 0) return answer as T;
      if (tokenErrors.has(errcode) && !refreshed) {
        refreshed = true;
        log.info({ path, errcode, appId: credentials.appId }, 'WeCom token rejected; fetching a new one');
        token = await tokens.replace(credentials.appId, token, fetchToken);
        attempt--;
        continue;
      }
      const retryable = backoffErrors.has(errcode);
      if (retryable && attempt < maxAttempts) {
        const delay = backoffBaseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
        log.warn({ path, errcode, attempt, delayMs: Math.round(delay) }, 'WeCom busy or throttling; backing off');
        await sleep(delay);
        continue;
      }
      throw new WecomApiError(path, errcode, answer.errmsg ?? '', retryable);
    }
  }

  return {
    get: <T extends WecomAnswer>(path: string, query: Record<string, string> = {}) => call<T>('GET', path, { query }),
    post: <T extends WecomAnswer>(path: string, body: unknown) => call<T>('POST', path, { body }),
    /** How many gettoken calls this client made (for tests and metrics). */
    get gettokenCalls() {
      return gettokenCalls;
    },
  };
}

export type WecomApi = ReturnType<typeof createWecomApi>;

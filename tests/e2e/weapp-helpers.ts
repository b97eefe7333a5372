import { expect } from 'vitest';
import { ensureBuilt } from './browser';
import { findSid, renderedText, type PageInstance, type WxHost } from './weapp-vm';

/** The build settings of every weapp test: one build serves them all. */
export const weappApiUrl = 'https://hire.example.com';
export const weappTemplate = 'tmpl-interview-reminder';
export const buildWeapp = (): string => ensureBuilt('weapp', { HB_MINIAPP_API_URL: weappApiUrl, HB_MINIAPP_SUBSCRIBE_TEMPLATES: weappTemplate });

/** Polls what the page renders until it contains `text`; throws with what it shows after `timeoutMs`. */
export async function untilShown(page: PageInstance, text: string, timeoutMs = 10_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const shown = renderedText(page.data);
    if (shown.includes(text)) return shown;
    if (Date.now() - started > timeoutMs) throw new Error(`page never showed "${text}"; it shows: ${shown}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Taps the element with our `id` as the WeChat client would: a tap event carrying its Taro sid. */
export function tap(page: PageInstance, id: string): void {
  const sid = findSid(page.data, id);
  if (!sid) throw new Error(`no element #${id} on ${page.route}: ${renderedText(page.data)}`);
  const target = { id: sid, dataset: { sid } };
  (page.eh as (e: unknown) => void).call(page, { type: 'tap', timeStamp: Date.now(), target, currentTarget: target, detail: {}, mpEvent: {} });
}

/**
 * wx.request for the stand-in: only to the build's `apiUrl`, sent on to the real server at `baseUrl`. Each request
 * is noted as `METHOD /path` in `requests`, when given.
 */
export function forwardRequests(apiUrl: string, baseUrl: string, requests?: string[]): WxHost['request'] {
  return async ({ url, method, data, header }) => {
    expect(url.startsWith(apiUrl)).toBe(true);
    requests?.push(`${method ?? 'GET'} ${url.slice(apiUrl.length)}`);
    const response = await fetch(baseUrl + url.slice(apiUrl.length), { method: method ?? 'GET', headers: header, ...(data !== undefined && { body: typeof data === 'string' ? data : JSON.stringify(data) }) });
    return { statusCode: response.status, data: await response.json() };
  };
}

/** An employee of the interviewer pages never uses wx.login (they sign in with wx.qy.login or a stored session). */
export const noWxLogin = (): string => {
  throw new Error('an employee never signs in with wx.login');
};

/** JSON calls to the server as `authorization` (`Bearer …`); each must succeed, and answers with the created id. */
export function jsonApi(baseUrl: string, authorization: string) {
  const headers = { authorization, 'content-type': 'application/json' };
  return async (path: string, body: unknown, method = 'POST') => {
    const r = await fetch(baseUrl + path, { method, headers, body: JSON.stringify(body) });
    expect(r.status).toBeLessThan(300);
    return (await r.json()) as { id: string };
  };
}

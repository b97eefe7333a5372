import { randomBytes, randomInt } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import type { Clock } from '../clock';
import type { Corp } from './corp';
import { envelopeXml, xmlField } from './callback-xml';

export interface CallbackTiming {
  /**
   * WeCom gives up on an answer after 5 s (https://developer.work.weixin.qq.com/document/path/90930); tests lower it.
   */
  readonly timeoutMs: number;
  /** Retries after a failed attempt: WeCom's "总共重试三次". */
  readonly retries: number;
  readonly retryIntervalMs: number;
  /** URL verification must be answered within 1 s. */
  readonly verifyTimeoutMs: number;
}

export const defaultCallbackTiming: CallbackTiming = {
  timeoutMs: 5000,
  retries: 3,
  retryIntervalMs: 3000,
  verifyTimeoutMs: 1000,
};

export interface DeliveryAttempt {
  readonly attempt: number;
  /** HTTP status, absent when no answer came (timeout or connection error). */
  readonly status?: number;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface DeliveryReport {
  readonly ok: boolean;
  readonly attempts: DeliveryAttempt[];
  /** Body of the accepted (200) answer: empty, "success" or an encrypted passive reply. */
  readonly reply?: string;
}

interface SignedQuery {
  readonly msg_signature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

function sign(corp: Corp, clock: Clock, cipherText: string): SignedQuery {
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  return { msg_signature: getSignature(corp.config.callbackToken, timestamp, nonce, cipherText), timestamp, nonce };
}

function withQuery(url: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function callbackUrl(corp: Corp): string {
  if (!corp.config.callbackUrl) throw new Error(`corp ${corp.config.corpId} has no callbackUrl`);
  return corp.config.callbackUrl;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function attemptOnce(url: string, init: RequestInit, timeoutMs: number) {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { status: response.status, body, latencyMs: performance.now() - started };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : String(error);
    return { error: message, latencyMs: performance.now() - started };
  }
}

/**
 * POSTs one encrypted callback as WeCom does: the ciphertext of the inner XML (receive id = corpId), signed over
 * sorted [token, timestamp, nonce, Encrypt]; a non-200 or no answer within the timeout is retried.
 * https://developer.work.weixin.qq.com/document/path/90930 and 91144
 */
export async function deliverCallback(
  corp: Corp,
  clock: Clock,
  timing: CallbackTiming,
  agentId: number,
  innerXml: string,
): Promise<DeliveryReport> {
  const url = callbackUrl(corp);
  const cipherText = encrypt(corp.config.encodingAesKey, innerXml, corp.config.corpId);
  const query = sign(corp, clock, cipherText);
  const body = envelopeXml(corp.config.corpId, agentId, cipherText);
  const attempts: DeliveryAttempt[] = [];
  for (let attempt = 1; attempt <= timing.retries + 1; attempt += 1) {
    if (attempt > 1) await sleep(timing.retryIntervalMs);
    const result = await attemptOnce(
      withQuery(url, { ...query }),
      { method: 'POST', headers: { 'content-type': 'text/xml' }, body },
      timing.timeoutMs,
    );
    attempts.push({
      attempt,
      latencyMs: Math.round(result.latencyMs),
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.error === undefined ? {} : { error: result.error }),
    });
    if (result.status === 200) return { ok: true, attempts, reply: result.body };
  }
  return { ok: false, attempts };
}

export interface UrlVerification {
  /** True only when the answer came in time, with status 200 and exactly the plaintext as body. */
  readonly ok: boolean;
  readonly expected: string;
  readonly status?: number;
  readonly body?: string;
  readonly latencyMs: number;
  readonly error?: string;
}

/**
 * The GET WeCom sends when an admin saves the callback URL: the app must answer the decrypted echostr, bare.
 * https://developer.work.weixin.qq.com/document/path/90930 (回调配置 → 验证URL有效性)
 */
export async function verifyCallbackUrl(corp: Corp, clock: Clock, timing: CallbackTiming): Promise<UrlVerification> {
  const url = callbackUrl(corp);
  const plaintext = String(randomInt(1, 2 ** 47)) + String(randomInt(100000, 999999));
  const echostr = encrypt(corp.config.encodingAesKey, plaintext, corp.config.corpId);
  const query = sign(corp, clock, echostr);
  const result = await attemptOnce(withQuery(url, { ...query, echostr }), { method: 'GET' }, timing.verifyTimeoutMs);
  return {
    ok: result.status === 200 && result.body === plaintext,
    expected: plaintext,
    latencyMs: Math.round(result.latencyMs),
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.body === undefined ? {} : { body: result.body }),
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}

export type PassiveReply = { readonly ok: true; readonly xml: string } | { readonly ok: false; readonly reason: string };

/**
 * Reads an encrypted passive reply (`<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`) the way WeCom does:
 * signature first, then decryption, then the receive id. An empty body or "success" is no reply at all.
 * https://developer.work.weixin.qq.com/document/path/96469 (被动回复消息格式)
 */
export function readPassiveReply(corp: Corp, body: string): PassiveReply | undefined {
  const trimmed = body.trim();
  if (trimmed === '' || trimmed === 'success') return undefined;
  const cipherText = xmlField(trimmed, 'Encrypt');
  const signature = xmlField(trimmed, 'MsgSignature');
  const timestamp = xmlField(trimmed, 'TimeStamp');
  const nonce = xmlField(trimmed, 'Nonce');
  if (!cipherText || !signature || !timestamp || !nonce) return { ok: false, reason: 'not an encrypted reply' };
  if (getSignature(corp.config.callbackToken, timestamp, nonce, cipherText) !== signature) {
    return { ok: false, reason: 'signature mismatch' };
  }
  try {
    const { message, id } = decrypt(corp.config.encodingAesKey, cipherText);
    if (id !== corp.config.corpId) return { ok: false, reason: 'receive id mismatch' };
    return { ok: true, xml: message };
  } catch (error) {
    return { ok: false, reason: `cannot decrypt: ${String(error)}` };
  }
}

export function randomMsgId(): string {
  // WeCom MsgIds are 64-bit integers.
  return BigInt(`0x${randomBytes(8).toString('hex')}`).toString().slice(0, 19);
}

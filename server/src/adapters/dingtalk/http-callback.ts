import { createHash } from 'node:crypto';
import type { InboundEvent } from '../../features/inbox';
import type { PlatformApp } from '../../features/platform';
import type { Clock } from '../../ports/clock';
import { resolveSecretRef } from '../platform/secret-ref';
import { CallbackRejectedError, createCallbackCrypto, type CallbackCrypto, type SignedQuery } from '../wecom/callback-crypto';
import { dingtalkAppKeyOf } from './app-identity';

/**
 * DingTalk HTTP event push (事件订阅 → HTTP 推送), the alternative to Stream mode. DingTalk POSTs
 * `{"encrypt": "…"}` with `?signature=&timestamp=(ms)&nonce=`; the crypto is WeCom's construction (AES-256-CBC,
 * PKCS#7 to 32, sha1 over sorted [token, timestamp, nonce, encrypt]) with the AppKey as receive id for an internal
 * app. The answer must be the encrypted "success" as `{msg_signature, timeStamp, nonce, encrypt}`, or DingTalk
 * counts the push as failed and retries. The URL check is itself such a POST, with `EventType: check_url`.
 * https://open.dingtalk.com/document/orgapp/configure-event-subcription
 * https://github.com/open-dingtalk/DingTalk-Callback-Crypto (reference implementations)
 */
export function dingtalkCallbackCryptoFor(app: PlatformApp, secrets: { env: Readonly<Record<string, string | undefined>>; clock: Clock }): CallbackCrypto {
  if (!app.callbackTokenRef || !app.encodingAesKeyRef) throw new CallbackRejectedError('signature', 'app has no HTTP event subscription configured');
  const options = { env: secrets.env, demoAllowed: app.tenantIsDemo };
  return createCallbackCrypto({
    token: resolveSecretRef(app.callbackTokenRef, options),
    encodingAesKey: resolveSecretRef(app.encodingAesKeyRef, options),
    receiveId: dingtalkAppKeyOf(app),
    clock: secrets.clock,
    timestampUnit: 'milliseconds',
  });
}

/** DingTalk names them signature/timestamp; some docs and SDKs say msg_signature/timeStamp: accept either. */
export function dingtalkSignedQueryOf(query: Record<string, string>): SignedQuery {
  return {
    signature: query.signature ?? query.msg_signature ?? '',
    timestamp: query.timestamp ?? query.timeStamp ?? '',
    nonce: query.nonce ?? '',
  };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export type OpenedDingtalkCallback = { readonly type: 'check_url' } | { readonly type: 'event'; readonly event: InboundEvent };

/**
 * Verifies and decrypts one push; throws CallbackRejectedError before anything is written. A retry of the same
 * event carries the same content, so events without an id are keyed by type and a hash of their canonical JSON.
 */
export function openDingtalkCallback(app: PlatformApp, crypto: CallbackCrypto, query: SignedQuery, body: string): OpenedDingtalkCallback {
  let encrypted: unknown;
  try {
    encrypted = (JSON.parse(body) as { encrypt?: unknown }).encrypt;
  } catch {
    throw new CallbackRejectedError('malformed', 'body is not JSON');
  }
  if (typeof encrypted !== 'string') throw new CallbackRejectedError('malformed', 'no encrypt field');
  const plaintext = crypto.open(query, encrypted);
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(plaintext);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    payload = parsed as Record<string, unknown>;
  } catch {
    throw new CallbackRejectedError('malformed', 'decrypted event is not a JSON object');
  }
  const eventType = typeof payload.EventType === 'string' ? payload.EventType : 'unknown';
  if (eventType === 'check_url') return { type: 'check_url' };
  const id = payload.EventId ?? payload.eventId;
  const dedupeKey =
    typeof id === 'string' && id.length > 0
      ? `event:${id}`
      : `http:${eventType}:${createHash('sha256').update(canonical(payload)).digest('hex')}`;
  return { type: 'event', event: { tenantId: app.tenantId, appId: app.id, kind: `event.${eventType}`, dedupeKey, payload } };
}

/** The answer DingTalk requires: "success", encrypted and signed afresh. */
export function sealedSuccess(crypto: CallbackCrypto) {
  const sealed = crypto.seal('success');
  return { msg_signature: sealed.signature, timeStamp: sealed.timestamp, nonce: sealed.nonce, encrypt: sealed.encrypt };
}

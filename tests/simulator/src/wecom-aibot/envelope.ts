import { randomInt } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/**
 * The AI bot's (智能机器人) encrypted JSON envelopes, platform side. The algorithm is the one of every WeCom callback
 * (https://developer.work.weixin.qq.com/document/path/91144) with receive id "" (AI bot webhook mode); only the
 * envelope is JSON instead of XML.
 *
 * UNCONFIRMED key names, kept here and nowhere else so that one edit corrects them: the official doc page
 * "回调和回复的加解密方案" (https://developer.work.weixin.qq.com/document/path/101033) could not be read. The keys below
 * are those of Tencent's JSON sample library `WXBizJsonMsgCrypt` as redistributed in several public repositories:
 * the request body is `{"encrypt": "…"}` with `msg_signature`, `timestamp` and `nonce` in the query string (as for
 * app callbacks), and the passive reply is `{"encrypt", "msgsignature", "timestamp", "nonce"}` (all strings).
 */
export const aibotEnvelopeKeys = {
  request: { encrypt: 'encrypt' },
  reply: { encrypt: 'encrypt', signature: 'msgsignature', timestamp: 'timestamp', nonce: 'nonce' },
} as const;

/** The AI bot's receive id: empty, unlike the corpId of a self-built app (doc 91144, 附注). */
export const aibotReceiveId = '';

export interface BotKeys {
  readonly token: string;
  readonly encodingAesKey: string;
}

export interface SealedRequest {
  readonly query: { msg_signature: string; timestamp: string; nonce: string };
  readonly body: string;
}

/** Encrypts and signs a callback payload the way WeCom POSTs it to the bot's URL. */
export function sealCallback(keys: BotKeys, payload: string, nowMs: number, receiveId = aibotReceiveId): SealedRequest {
  const cipherText = encrypt(keys.encodingAesKey, payload, receiveId);
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  return {
    query: { msg_signature: getSignature(keys.token, timestamp, nonce, cipherText), timestamp, nonce },
    body: JSON.stringify({ [aibotEnvelopeKeys.request.encrypt]: cipherText }),
  };
}

/** The GET check of the callback URL: an encrypted, signed echostr. */
export function sealEchostr(keys: BotKeys, plaintext: string, nowMs: number) {
  const echostr = encrypt(keys.encodingAesKey, plaintext, aibotReceiveId);
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  return { msg_signature: getSignature(keys.token, timestamp, nonce, echostr), timestamp, nonce, echostr };
}

export type OpenedReply = { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Reads a passive reply as WeCom does: JSON envelope → signature over (token, timestamp, nonce, encrypt) → decrypt →
 * receive id "" → inner JSON. An empty body is no reply (undefined).
 */
export function openReply(keys: BotKeys, body: string): OpenedReply | undefined {
  if (body.trim() === '') return undefined;
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'reply is not JSON' };
  }
  if (typeof envelope !== 'object' || envelope === null) return { ok: false, reason: 'reply is not a JSON object' };
  const fields = envelope as Record<string, unknown>;
  const k = aibotEnvelopeKeys.reply;
  const cipherText = fields[k.encrypt];
  const signature = fields[k.signature];
  const timestamp = fields[k.timestamp];
  const nonce = fields[k.nonce];
  if (typeof cipherText !== 'string' || typeof signature !== 'string' || timestamp === undefined || typeof nonce !== 'string') {
    return { ok: false, reason: `reply lacks ${Object.values(k).join('/')}` };
  }
  if (getSignature(keys.token, String(timestamp), nonce, cipherText) !== signature) return { ok: false, reason: 'signature mismatch' };
  let opened: { message: string; id: string };
  try {
    opened = decrypt(keys.encodingAesKey, cipherText);
  } catch (error) {
    return { ok: false, reason: `cannot decrypt: ${String(error)}` };
  }
  if (opened.id !== aibotReceiveId) return { ok: false, reason: 'receive id is not empty' };
  try {
    return { ok: true, json: JSON.parse(opened.message) };
  } catch {
    return { ok: false, reason: 'decrypted reply is not JSON' };
  }
}

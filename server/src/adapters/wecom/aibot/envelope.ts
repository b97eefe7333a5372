import type { CallbackCrypto } from '../callback-crypto';
import { CallbackRejectedError } from '../callback-crypto';

/**
 * The encrypted JSON envelopes of the WeCom AI bot (智能机器人) in callback (API) mode. Crypto is the scheme of every
 * WeCom callback (https://developer.work.weixin.qq.com/document/path/91144) with receive id "".
 *
 * UNCONFIRMED key names — this object is the one place to correct them. The official page "回调和回复的加解密方案"
 * (https://developer.work.weixin.qq.com/document/path/101033) could not be read; the keys are those of Tencent's JSON
 * sample library `WXBizJsonMsgCrypt` as redistributed in public repositories: the POST body is `{"encrypt": "…"}`
 * with `msg_signature`, `timestamp`, `nonce` in the query string (as for app callbacks), and the passive reply is
 * `{"encrypt", "msgsignature", "timestamp", "nonce"}` with string values.
 */
export const aibotEnvelopeKeys = {
  request: { encrypt: 'encrypt' },
  reply: { encrypt: 'encrypt', signature: 'msgsignature', timestamp: 'timestamp', nonce: 'nonce' },
} as const;

/** The ciphertext of a POSTed AI-bot callback body; throws CallbackRejectedError('malformed') for anything else. */
export function encryptedFieldOf(body: string): string {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    throw new CallbackRejectedError('malformed', 'body is not JSON');
  }
  const value = typeof envelope === 'object' && envelope !== null && !Array.isArray(envelope)
    ? (envelope as Record<string, unknown>)[aibotEnvelopeKeys.request.encrypt]
    : undefined;
  if (typeof value !== 'string' || value.length === 0) throw new CallbackRejectedError('malformed', `no "${aibotEnvelopeKeys.request.encrypt}" string`);
  return value;
}

/** Encrypts and signs a passive reply (a JSON document) into the reply envelope, as a JSON string. */
export function sealedReply(crypto: CallbackCrypto, reply: unknown): string {
  const sealed = crypto.seal(JSON.stringify(reply));
  const k = aibotEnvelopeKeys.reply;
  return JSON.stringify({ [k.encrypt]: sealed.encrypt, [k.signature]: sealed.signature, [k.timestamp]: sealed.timestamp, [k.nonce]: sealed.nonce });
}

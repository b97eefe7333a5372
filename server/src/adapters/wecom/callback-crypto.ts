import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import type { Clock } from '../../ports/clock';

/**
 * WeCom (and DingTalk HTTP) callback crypto that verifies. `@wecom/crypto` only computes: it compares no signature,
 * checks no timestamp and no receive id, and with a wrong key returns garbage instead of throwing. This wrapper does
 * all three, in the order that matters: signature (timing-safe) → timestamp window → decrypt → receive id.
 * Scheme: https://developer.work.weixin.qq.com/document/path/91144 (加解密方案说明)
 */
export type CallbackRejection = 'signature' | 'timestamp' | 'malformed' | 'receive_id';

export class CallbackRejectedError extends Error {
  constructor(readonly reason: CallbackRejection, detail: string) {
    super(`callback rejected (${reason}): ${detail}`);
    this.name = 'CallbackRejectedError';
  }
}

export interface CallbackCryptoOptions {
  readonly token: string;
  readonly encodingAesKey: string;
  /** CorpID for a self-built app; "" for the AI bot (智能机器人) and personal-subject third-party apps. */
  readonly receiveId: string;
  readonly clock: Clock;
  /** WeCom signs with seconds; DingTalk with milliseconds. */
  readonly timestampUnit?: 'seconds' | 'milliseconds';
  readonly maxSkewSeconds?: number;
}

export interface SignedQuery {
  readonly signature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

const sha1Length = 40;

export function isValidEncodingAesKey(key: string): boolean {
  return /^[A-Za-z0-9]{43}$/.test(key) && Buffer.from(`${key}=`, 'base64').length === 32;
}

export function createCallbackCrypto(options: CallbackCryptoOptions) {
  if (!isValidEncodingAesKey(options.encodingAesKey)) throw new Error('EncodingAESKey must be 43 letters and digits');
  if (options.token.length === 0) throw new Error('callback token must not be empty');
  const maxSkewMs = (options.maxSkewSeconds ?? 300) * 1000;
  const unitMs = options.timestampUnit === 'milliseconds' ? 1 : 1000;

  function verifySignature(query: SignedQuery, cipherText: string): void {
    const expected = Buffer.from(getSignature(options.token, query.timestamp, query.nonce, cipherText), 'utf8');
    const given = Buffer.from(query.signature.toLowerCase(), 'utf8');
    if (given.length !== sha1Length || !timingSafeEqual(expected, given)) {
      throw new CallbackRejectedError('signature', 'msg_signature does not match');
    }
  }

  function verifyTimestamp(timestamp: string): void {
    if (!/^\d{1,16}$/.test(timestamp)) throw new CallbackRejectedError('timestamp', 'not a number');
    const skew = Math.abs(options.clock.now().getTime() - Number(timestamp) * unitMs);
    if (skew > maxSkewMs) throw new CallbackRejectedError('timestamp', `outside the ±${maxSkewMs / 1000} s window`);
  }

  function openVerified(cipherText: string): string {
    let opened: { message: string; id: string };
    try {
      opened = decrypt(options.encodingAesKey, cipherText);
    } catch {
      throw new CallbackRejectedError('malformed', 'cannot decrypt');
    }
    if (opened.id !== options.receiveId) throw new CallbackRejectedError('receive_id', 'decrypted receive id does not match');
    return opened.message;
  }

  return {
    /** GET URL check: returns the plaintext echo to answer with, bare. */
    verifyUrl(query: SignedQuery & { echostr: string }): string {
      verifySignature(query, query.echostr);
      verifyTimestamp(query.timestamp);
      return openVerified(query.echostr);
    },
    /** A POSTed message: returns the decrypted inner payload (XML for WeCom apps, JSON for the AI bot). */
    open(query: SignedQuery, cipherText: string): string {
      if (cipherText.length === 0 || cipherText.length > 1_000_000) throw new CallbackRejectedError('malformed', 'empty or oversized Encrypt');
      verifySignature(query, cipherText);
      verifyTimestamp(query.timestamp);
      return openVerified(cipherText);
    },
    /** Encrypts and signs a message: passive replies, and the simulator's side of the protocol. */
    seal(message: string, at: { timestamp?: string; nonce?: string } = {}) {
      const timestamp = at.timestamp ?? String(Math.floor(options.clock.now().getTime() / unitMs));
      const nonce = at.nonce ?? createHash('sha1').update(randomBytes(16)).digest('hex').slice(0, 10);
      const cipherText = encrypt(options.encodingAesKey, message, options.receiveId);
      return { encrypt: cipherText, signature: getSignature(options.token, timestamp, nonce, cipherText), timestamp, nonce };
    },
  };
}

export type CallbackCrypto = ReturnType<typeof createCallbackCrypto>;

/**
 * Decodes a raw query string the way WeCom encodes it: percent-decoding only. URLSearchParams and Node's querystring
 * turn '+' into a space, which corrupts a base64 `echostr` sent with a literal '+'.
 */
export function parseRawQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(value);
    } catch {
      // a malformed escape: leave the parameter out; the signature check will then fail
    }
  }
  return out;
}

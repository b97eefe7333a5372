import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../ports/clock';
import { CallbackRejectedError, createCallbackCrypto, parseRawQuery } from './callback-crypto';

// The official sample from the WeCom docs (加解密方案说明, URL verification).
const sample = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'wx5823bf96d3bd56c7',
  signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  echo: '1616140317555161061',
};
const atSampleTime = fixedClock(new Date(Number(sample.timestamp) * 1000 + 30_000));
const sampleCrypto = (overrides: Partial<Parameters<typeof createCallbackCrypto>[0]> = {}) =>
  createCallbackCrypto({ token: sample.token, encodingAesKey: sample.encodingAesKey, receiveId: sample.receiveId, clock: atSampleTime, ...overrides });

const rejection = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallbackRejectedError) return error.reason;
    throw error;
  }
  return 'accepted';
};

describe('WeCom callback crypto', () => {
  it('answers the official URL-verification sample with the bare echo', () => {
    expect(sampleCrypto().verifyUrl(sample)).toBe(sample.echo);
  });

  it('keeps a literal "+" in echostr, which form decoding would turn into a space', () => {
    const raw = `msg_signature=${sample.signature}&timestamp=${sample.timestamp}&nonce=${sample.nonce}&echostr=${sample.echostr}`;
    expect(parseRawQuery(raw).echostr).toBe(sample.echostr);
    expect(new URLSearchParams(raw).get('echostr')).not.toBe(sample.echostr);
    expect(parseRawQuery(`echostr=${encodeURIComponent(sample.echostr)}&a=%E4%B8%AD&bad=%E4`)).toEqual({ echostr: sample.echostr, a: '中' });
  });

  it('refuses a wrong signature, a stale or future timestamp, a wrong receive id and a wrong key', () => {
    expect(rejection(() => sampleCrypto().verifyUrl({ ...sample, signature: sample.signature.replace('5c', '5d') }))).toBe('signature');
    expect(rejection(() => sampleCrypto().verifyUrl({ ...sample, signature: 'short' }))).toBe('signature');
    expect(rejection(() => sampleCrypto({ clock: fixedClock(new Date(Number(sample.timestamp) * 1000 + 301_000)) }).verifyUrl(sample))).toBe('timestamp');
    expect(rejection(() => sampleCrypto({ clock: fixedClock(new Date(Number(sample.timestamp) * 1000 - 301_000)) }).verifyUrl(sample))).toBe('timestamp');
    expect(rejection(() => sampleCrypto({ receiveId: 'ww-other-corp' }).verifyUrl(sample))).toBe('receive_id');
    // A wrong key decrypts to garbage rather than failing; the receive-id check is what catches it.
    expect(rejection(() => sampleCrypto({ encodingAesKey: 'a'.repeat(43) }).verifyUrl(sample))).not.toBe('accepted');
    expect(() => sampleCrypto({ encodingAesKey: 'too-short' })).toThrow(/43/);
  });

  it('round-trips any message it seals, and refuses any tampering with the ciphertext', () => {
    const clock = fixedClock('2026-11-22T08:00:00Z');
    const crypto = createCallbackCrypto({ token: 'tok', encodingAesKey: sample.encodingAesKey, receiveId: 'ww123', clock });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.nat({ max: 200 }), (message, flip) => {
        const sealed = crypto.seal(message);
        const query = { signature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce };
        expect(crypto.open(query, sealed.encrypt)).toBe(message);
        const at = flip % sealed.encrypt.length;
        const tampered = sealed.encrypt.slice(0, at) + (sealed.encrypt[at] === 'A' ? 'B' : 'A') + sealed.encrypt.slice(at + 1);
        expect(rejection(() => crypto.open(query, tampered))).toBe('signature');
      }),
      { numRuns: 300 },
    );
  });

  it('uses millisecond timestamps for DingTalk', () => {
    const clock = fixedClock('2026-11-22T08:00:00Z');
    const ding = createCallbackCrypto({ token: 't', encodingAesKey: sample.encodingAesKey, receiveId: 'dingkey', clock, timestampUnit: 'milliseconds' });
    const sealed = ding.seal('{"EventType":"check_url"}');
    expect(sealed.timestamp).toBe(String(clock.now().getTime()));
    expect(ding.open({ signature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce }, sealed.encrypt)).toBe('{"EventType":"check_url"}');
  });
});

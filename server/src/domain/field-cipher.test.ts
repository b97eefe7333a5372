import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FieldCipher, demoFieldCipher, normalizePhone } from './field-cipher';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const lookupKey = randomBytes(32);

describe('field cipher', () => {
  it('round-trips, stores the key id, and never repeats a ciphertext', () => {
    const cipher = new FieldCipher([k1], lookupKey);
    const a = cipher.encrypt('13812345678', 't:c:phone');
    const b = cipher.encrypt('13812345678', 't:c:phone');
    expect(a).toMatch(/^v1\.k1\./);
    expect(a).not.toBe(b);
    expect(a).not.toContain('13812345678');
    expect(cipher.decrypt(a, 't:c:phone')).toBe('13812345678');
  });

  it('rotates: a new first key encrypts, the old one still decrypts, and old values are found for re-encryption', () => {
    const old = new FieldCipher([k1], lookupKey).encrypt('张三@example.com', 'ctx');
    const rotated = new FieldCipher([k2, k1], lookupKey);
    expect(rotated.decrypt(old, 'ctx')).toBe('张三@example.com');
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('x', 'ctx'))).toBe(false);
    expect(() => new FieldCipher([k2], lookupKey).decrypt(old, 'ctx')).toThrow(/no key with id k1/);
  });

  it('refuses a value moved to another row or field, or tampered with', () => {
    const cipher = new FieldCipher([k1], lookupKey);
    const value = cipher.encrypt('110101199003074514', 'tenant-a:cand-1:id_number');
    expect(() => cipher.decrypt(value, 'tenant-a:cand-2:id_number')).toThrow(/failed authentication/);
    expect(() => cipher.decrypt(value, 'tenant-b:cand-1:id_number')).toThrow(/failed authentication/);
    const raw = Buffer.from(value.split('.')[2]!, 'base64url');
    raw[14]! ^= 1;
    expect(() => cipher.decrypt(`v1.k1.${raw.toString('base64url')}`, 'tenant-a:cand-1:id_number')).toThrow(/failed authentication/);
    expect(() => cipher.decrypt('plain', 'x')).toThrow(/not an encrypted value/);
  });

  it('gives a stable lookup per tenant that does not reveal the number', () => {
    const cipher = new FieldCipher([k1], lookupKey);
    expect(cipher.lookup(normalizePhone('+86 138-1234-5678'), 't1')).toEqual(cipher.lookup('13812345678', 't1'));
    expect(cipher.lookup('13812345678', 't1')).not.toEqual(cipher.lookup('13812345678', 't2'));
    expect(new FieldCipher([k2], randomBytes(32)).lookup('13812345678', 't1')).not.toEqual(cipher.lookup('13812345678', 't1'));
  });

  it('has a demo cipher that works without configuration', () => {
    const demo = demoFieldCipher();
    expect(demo.decrypt(demo.encrypt('hi', 'c'), 'c')).toBe('hi');
    expect(demo.currentKeyId).toBe('demo');
  });
});

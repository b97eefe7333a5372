import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Field encryption for personal data (PIPL): AES-256-GCM with a fresh 96-bit IV per value. A stored value reads
 * `v1.<key id>.<base64url iv|ciphertext|tag>`, so keys rotate row by row: the first key encrypts, every listed key
 * decrypts, and `needsRotation` finds values under an old key. The additional data binds a value to its tenant,
 * row and field, so a ciphertext copied into another row or column does not decrypt.
 */
export interface DataKey {
  readonly id: string;
  readonly key: Buffer;
}

export class FieldCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldCipherError';
  }
}

const ivBytes = 12;
const tagBytes = 16;
const format = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)$/;

export class FieldCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: DataKey;

  constructor(
    keys: readonly DataKey[],
    private readonly lookupKey: Buffer,
  ) {
    const first = keys[0];
    if (!first) throw new FieldCipherError('at least one data key is required');
    for (const k of keys) if (k.key.length !== 32) throw new FieldCipherError(`data key ${k.id} is not 32 bytes`);
    if (lookupKey.length !== 32) throw new FieldCipherError('the lookup key is not 32 bytes');
    this.current = first;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${this.current.id}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  decrypt(value: string, context: string): string {
    const match = format.exec(value);
    if (!match) throw new FieldCipherError('not an encrypted value');
    const key = this.keys.get(match[1]!);
    if (!key) throw new FieldCipherError(`no key with id ${match[1]} is configured (HB_DATA_KEYS)`);
    const raw = Buffer.from(match[2]!, 'base64url');
    if (raw.length < ivBytes + tagBytes) throw new FieldCipherError('encrypted value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, ivBytes));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - tagBytes));
    try {
      return Buffer.concat([decipher.update(raw.subarray(ivBytes, raw.length - tagBytes)), decipher.final()]).toString('utf8');
    } catch {
      throw new FieldCipherError('encrypted value failed authentication (wrong key, row or field)');
    }
  }

  needsRotation(value: string): boolean {
    return format.exec(value)?.[1] !== this.current.id;
  }

  /** A keyed HMAC for exact-match search (e.g. a full phone number) without the plaintext in the database. */
  lookup(normalized: string, tenantId: string): Buffer {
    return createHmac('sha256', this.lookupKey).update(`${tenantId}\u0000${normalized}`).digest();
  }
}

/**
 * The demo key: public by construction (derived from a fixed label), so the out-of-the-box run works without
 * setup. Configuration refuses to start production without real keys (HB_DATA_KEYS, HB_LOOKUP_KEY).
 */
let demoCipher: FieldCipher | undefined;
export function demoFieldCipher(): FieldCipher {
  const derive = (label: string) => createHmac('sha256', 'hirebridge-demo-only-not-secret').update(label).digest();
  demoCipher ??= new FieldCipher([{ id: 'demo', key: derive('data') }], derive('lookup'));
  return demoCipher;
}

/** Normalises a phone for lookup: digits only, without the +86 country code. */
export const normalizePhone = (phone: string) => phone.replace(/[^\d]/g, '').replace(/^86(?=1\d{10}$)/, '');

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey, maxKeyLength, type CardAction } from './card-keys';
import { maskName } from './format';
import { readPeriod } from './handlers/funnel';

const uuid = fc.uuid();
const action: fc.Arbitrary<CardAction> = fc.oneof(
  fc.record({ a: fc.constant('schedule' as const), app: uuid, round: uuid, at: fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }).map((d) => d.toISOString()), panel: fc.array(uuid, { minLength: 1, maxLength: 8 }) }),
  fc.record({ a: fc.constant('reschedule' as const), iv: uuid, at: fc.constant('2026-11-24T07:00:00.000Z') }),
  fc.record({ a: fc.constant('cancel' as const), iv: uuid, reason: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }) }),
  fc.constant({ a: 'dismiss' as const }),
);

describe('card button keys', () => {
  it('round-trip every action the bot writes, within the platforms’ key length', () => {
    fc.assert(
      fc.property(action, (a) => {
        const key = encodeKey(a);
        expect(key.length).toBeLessThanOrEqual(maxKeyLength);
        expect(decodeKey(key)).toEqual(a);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('refuse anything the bot did not write, without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `hb1.${s}`), fc.jsonValue().map((v) => `hb1.${Buffer.from(JSON.stringify(v)).toString('base64url')}`)), (key) => {
        const decoded = decodeKey(key);
        if (decoded !== undefined) expect(['schedule', 'reschedule', 'cancel', 'dismiss']).toContain(decoded.a);
      }),
      { seed: 7, numRuns: 500 },
    );
    expect(decodeKey(`hb1.${Buffer.from(JSON.stringify({ a: 'cancel', iv: 'x' })).toString('base64url')}`)).toBeUndefined();
    expect(decodeKey(`hb1.${Buffer.from(JSON.stringify({ a: 'drop_tables' })).toString('base64url')}`)).toBeUndefined();
  });
});

describe('wording', () => {
  it('masks names for groups', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('李')).toBe('*');
    expect(maskName('')).toBe('');
  });

  it('reads funnel periods and refuses others', () => {
    expect(readPeriod('近30天')).toEqual({ period: '30d', label: '近30天' });
    expect(readPeriod('本月')).toEqual({ period: 'month', label: '本月' });
    expect(readPeriod('近 7 天')).toEqual({ period: '7d', label: '近7天' });
    expect(readPeriod('今年')).toEqual({ period: 'year', label: '今年' });
    expect(readPeriod('上辈子')).toBeUndefined();
  });
});

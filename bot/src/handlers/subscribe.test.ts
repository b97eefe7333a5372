import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKey } from '../card-keys';
import { decodeNudgeKey, encodeNudgeKey } from './reviews';
import type { ServerApi } from '../api';
import { parseDailyTime, unsubscribe } from './subscribe';

describe('订阅 times', () => {
  it('reads the daily times people write, in 24 h', () => {
    const cases: [string, string | undefined][] = [
      ['每天 9:00', '9:00'], ['每天9点', '9:00'], ['09:30', '9:30'], ['每天 早上九点半', '9:30'], ['下午5点30', '17:30'], ['晚上8点', '20:00'],
      ['十二点', '12:00'], ['18：15', '18:15'], ['每日 23:59', '23:59'],
      ['24:00', undefined], ['9:60', undefined], ['明天9点', undefined], ['', undefined], ['随便', undefined], ['下午13点', '13:00'],
    ];
    for (const [text, want] of cases) expect(parseDailyTime(text), text).toBe(want);
  });

  it('never crashes and only ever answers a valid H:MM', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (text) => {
      const t = parseDailyTime(text);
      if (t !== undefined) expect(t).toMatch(/^([0-9]|1[0-9]|2[0-3]):[0-5][0-9]$/);
    }));
  });
});

describe('催办 keys', () => {
  it('round-trip, are not mistaken for other card keys, and refuse tampering', () => {
    const key = encodeNudgeKey('3f0c2b8e-1111-4222-8333-944455556666', '7a0c2b8e-1111-4222-8333-944455556666');
    expect(decodeNudgeKey(key)).toEqual({ a: 'nudge', iv: '3f0c2b8e-1111-4222-8333-944455556666', who: '7a0c2b8e-1111-4222-8333-944455556666' });
    expect(decodeKey(key)).toBeUndefined();
    expect(decodeNudgeKey(`hb1.${Buffer.from(JSON.stringify({ a: 'nudge', iv: '../x', who: 'y' })).toString('base64url')}`)).toBeUndefined();
    expect(decodeNudgeKey(`hb1.${Buffer.from(JSON.stringify({ a: 'cancel', iv: 'a', reason: 'b' })).toString('base64url')}`)).toBeUndefined();
    expect(decodeNudgeKey('hb1.%%%')).toBeUndefined();
  });
});

describe('取消订阅', () => {
  it('in a 1:1 chat says digests belong to groups, and asks the server nothing', async () => {
    const api = new Proxy({}, { get: () => () => { throw new Error('the server must not be asked'); } }) as ServerApi;
    const result = await unsubscribe({ message: { platform: 'wecom', chatType: 'single', chatId: 'zhangsan', senderId: 'zhangsan', mentions: [] }, api, timeZone: 'Asia/Shanghai', requestId: 'r1' });
    expect(result.replies).toEqual([{ kind: 'markdown', content: expect.stringMatching(/^群日报只能在群里取消/) }]);
  });
});

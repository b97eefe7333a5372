import { describe, expect, it } from 'vitest';
import { digestMarkdown, nextOccurrence, normaliseLocalTime } from './digest';

describe('digest times', () => {
  it('normalises local times and refuses others', () => {
    expect(['9:00', '09:30', '9：05', '23:59'].map(normaliseLocalTime)).toEqual(['09:00', '09:30', '09:05', '23:59']);
    expect(['24:00', '9:5', '9点', ''].map(normaliseLocalTime)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('finds the next local time strictly after now, in the zone', () => {
    // Monday 10:00 in Shanghai: 9:00 is tomorrow, 10:30 is today, exactly 10:00 is tomorrow.
    const now = new Date('2026-11-23T02:00:00Z');
    expect(nextOccurrence(now, '09:00', 'Asia/Shanghai').toISOString()).toBe('2026-11-24T01:00:00.000Z');
    expect(nextOccurrence(now, '10:30', 'Asia/Shanghai').toISOString()).toBe('2026-11-23T02:30:00.000Z');
    expect(nextOccurrence(now, '10:00', 'Asia/Shanghai').toISOString()).toBe('2026-11-24T02:00:00.000Z');
    // Across the end of daylight saving time in New York (1 November 2026): 9:00 EDT is 13:00Z, 9:00 EST is 14:00Z.
    expect(nextOccurrence(new Date('2026-10-31T15:00:00Z'), '09:00', 'America/New_York').toISOString()).toBe('2026-11-01T14:00:00.000Z');
    expect(nextOccurrence(new Date('2026-10-30T12:00:00Z'), '09:00', 'America/New_York').toISOString()).toBe('2026-10-30T13:00:00.000Z');
  });

  it('renders the agenda like 今日 in a group, names masked', () => {
    const text = digestMarkdown({
      range: 'today', from: '2026-11-23T16:00:00.000Z', to: '2026-11-24T16:00:00.000Z', timeZone: 'Asia/Shanghai',
      items: [{ interviewId: 'a', status: 'confirmed', startsAt: '2026-11-24T06:00:00.000Z', endsAt: '2026-11-24T07:00:00.000Z', jobTitle: '后端', roundName: '一面', candidateName: '欧阳娜娜', panel: ['李雷'], mark: 'confirmed' }],
    });
    expect(text).toBe('**早安！今日面试**（共 1 场：未确认 0，已签到 0，未到场 0）\n- 14:00–15:00 欧*** · 后端 · 一面 · ✅ 已确认（李雷）');
  });
});

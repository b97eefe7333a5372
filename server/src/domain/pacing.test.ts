import { describe, expect, it } from 'vitest';
import { nextAllowedAt, pacingByChannel, retryDelayMs } from './pacing';

const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 8, 0, s));

describe('pacing', () => {
  it('lets the 25th message of a minute go and holds the 26th until the oldest leaves the window', () => {
    const windows = pacingByChannel.wecom_app!;
    const sends = Array.from({ length: 24 }, (_, i) => at(i));
    expect(nextAllowedAt(windows, sends, at(30))).toBeUndefined();
    const full = [...sends, at(25)];
    expect(nextAllowedAt(windows, full, at(30))).toEqual(at(60));
    expect(nextAllowedAt(windows, full, at(61))).toBeUndefined();
  });

  it('also holds at 900 an hour though no minute is full', () => {
    const windows = pacingByChannel.wecom_app!;
    const sends = Array.from({ length: 900 }, (_, i) => new Date(at(0).getTime() + i * 3000));
    const now = new Date(at(0).getTime() + 2700 * 1000);
    expect(nextAllowedAt(windows, sends, now)).toEqual(new Date(at(0).getTime() + 3_600_000));
  });

  it('backs off exponentially with jitter, capped at an hour', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(3, () => 0.5)).toBe(120_000);
    expect(retryDelayMs(30, () => 0.5)).toBe(3_600_000);
    expect(retryDelayMs(1, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, () => 1)).toBe(36_000);
  });
});

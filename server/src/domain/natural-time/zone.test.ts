import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, instantOf, isRealDate, isValidTimeZone, localParts, offsetMinutes, weekdayOf } from './zone';

describe('zone helper', () => {
  it('reads local parts in Asia/Shanghai whatever the machine zone', () => {
    const p = localParts(Date.UTC(2026, 5, 2, 16, 30), 'Asia/Shanghai');
    expect(p).toMatchObject({ date: '2026-06-03', hour: 0, minute: 30, weekday: 3, minutes: 30 });
    expect(offsetMinutes(Date.UTC(2026, 0, 1), 'Asia/Shanghai')).toBe(480);
  });

  it('maps local date + minutes to instants, including 24:00 and beyond', () => {
    expect(new Date(instantOf('2026-06-03', 15 * 60, 'Asia/Shanghai')).toISOString()).toBe('2026-06-03T07:00:00.000Z');
    expect(new Date(instantOf('2026-06-03', 24 * 60, 'Asia/Shanghai')).toISOString()).toBe('2026-06-03T16:00:00.000Z');
  });

  it('handles Europe/Berlin across the October 2026 change (25 Oct, 03:00 CEST → 02:00 CET)', () => {
    expect(new Date(instantOf('2026-10-24', 10 * 60, 'Europe/Berlin')).toISOString()).toBe('2026-10-24T08:00:00.000Z');
    expect(new Date(instantOf('2026-10-25', 10 * 60, 'Europe/Berlin')).toISOString()).toBe('2026-10-25T09:00:00.000Z');
    // 02:30 happens twice: the first (CEST) is taken
    expect(new Date(instantOf('2026-10-25', 150, 'Europe/Berlin')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // spring gap: 02:30 on 29 March does not exist → 03:30 CEST
    expect(new Date(instantOf('2026-03-29', 150, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('does calendar arithmetic and validation', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekdayOf('2026-06-07')).toBe(7);
    expect(daysBetween('2026-06-01', '2026-07-01')).toBe(30);
    expect(isRealDate(2026, 2, 29)).toBe(false);
    expect(isRealDate(2028, 2, 29)).toBe(true);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

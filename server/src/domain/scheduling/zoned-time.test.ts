import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  fromZoned,
  InvalidTimeZoneError,
  isoWeekOf,
  localDateMinutesToInstant,
  NonexistentLocalTimeError,
  offsetMinutesAt,
  parseLocalDate,
  parseLocalTime,
  toEpochMs,
  toZoned,
  weekdayOf,
} from './zoned-time';

const iso = (ms: number) => new Date(ms).toISOString();
const wall = (year: number, month: number, day: number, hour: number, minute = 0) => ({ year, month, day, hour, minute, second: 0 });

describe('zoned time', () => {
  it('reads offsets: Beijing is always +8, Berlin +1/+2, New York −5/−4', () => {
    expect(offsetMinutesAt(Date.parse('2026-01-15T00:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(offsetMinutesAt(Date.parse('2026-07-15T00:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(offsetMinutesAt(Date.parse('2026-01-15T00:00:00Z'), 'Europe/Berlin')).toBe(60);
    expect(offsetMinutesAt(Date.parse('2026-07-15T00:00:00Z'), 'Europe/Berlin')).toBe(120);
    expect(offsetMinutesAt(Date.parse('2026-01-15T00:00:00Z'), 'America/New_York')).toBe(-300);
    expect(offsetMinutesAt(Date.parse('2026-07-15T00:00:00Z'), 'America/New_York')).toBe(-240);
  });

  it('converts Beijing wall time both ways', () => {
    const t = fromZoned(wall(2026, 11, 24, 10), 'Asia/Shanghai');
    expect(iso(t)).toBe('2026-11-24T02:00:00.000Z');
    const z = toZoned(t, 'Asia/Shanghai');
    expect([z.date, z.time, z.weekday, z.offsetMinutes]).toEqual(['2026-11-24', '10:00', 2, 480]);
    expect(toZoned(Date.parse('2026-11-24T16:00:00Z'), 'Asia/Shanghai').date).toBe('2026-11-25');
  });

  it('resolves the Berlin spring-forward gap (2026-03-29 02:30) deterministically', () => {
    const local = wall(2026, 3, 29, 2, 30);
    expect(iso(fromZoned(local, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(iso(fromZoned(local, 'Europe/Berlin', 'later'))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(fromZoned(local, 'Europe/Berlin', 'earlier'))).toBe('2026-03-29T00:30:00.000Z'); // 01:30 CET
    expect(() => fromZoned(local, 'Europe/Berlin', 'reject')).toThrow(NonexistentLocalTimeError);
  });

  it('resolves the Berlin fall-back overlap (2026-10-25 02:30) deterministically', () => {
    const local = wall(2026, 10, 25, 2, 30);
    expect(iso(fromZoned(local, 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z'); // first, CEST
    expect(iso(fromZoned(local, 'Europe/Berlin', 'earlier'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(fromZoned(local, 'Europe/Berlin', 'later'))).toBe('2026-10-25T01:30:00.000Z'); // second, CET
    expect(() => fromZoned(local, 'Europe/Berlin', 'reject')).toThrow(/ambiguous/);
    // Just outside the transition nothing is ambiguous.
    expect(iso(fromZoned(wall(2026, 10, 25, 1, 59), 'Europe/Berlin', 'reject'))).toBe('2026-10-24T23:59:00.000Z');
    expect(iso(fromZoned(wall(2026, 10, 25, 3, 0), 'Europe/Berlin', 'reject'))).toBe('2026-10-25T02:00:00.000Z');
  });

  it('handles the New York gap and overlap, and midnight as 24:00', () => {
    expect(iso(fromZoned(wall(2026, 3, 8, 2, 30), 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(iso(fromZoned(wall(2026, 11, 1, 1, 30), 'America/New_York', 'later'))).toBe('2026-11-01T06:30:00.000Z'); // 01:30 EST
    expect(iso(localDateMinutesToInstant('2026-11-24', 1440, 'Asia/Shanghai'))).toBe('2026-11-24T16:00:00.000Z');
  });

  it('round-trips every whole-second instant (overlaps: one of the two readings)', () => {
    const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2024-01-01T00:00:00Z') / 1000, max: Date.parse('2028-12-31T00:00:00Z') / 1000 }), fc.constantFrom(...zones), (sec, zone) => {
        const t = sec * 1000;
        const z = toZoned(t, zone);
        const earlier = fromZoned(z, zone, 'earlier');
        const later = fromZoned(z, zone, 'later');
        expect(t === earlier || t === later).toBe(true);
        expect(fromZoned(z, zone)).toBe(earlier);
      }),
      { seed: 20261124, numRuns: 400 },
    );
  });

  it('round-trips instants right at the 2026 transitions', () => {
    for (const at of ['2026-03-29T01:00:00Z', '2026-03-29T00:59:59Z', '2026-10-25T01:00:00Z', '2026-10-25T00:59:59Z', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z']) {
      const t = Date.parse(at);
      const z = toZoned(t, 'Europe/Berlin');
      expect([fromZoned(z, 'Europe/Berlin', 'earlier'), fromZoned(z, 'Europe/Berlin', 'later')]).toContain(t);
    }
  });

  it('does local-date arithmetic and ISO weeks', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(weekdayOf('2026-11-24')).toBe(2);
    expect(weekdayOf('2026-11-29')).toBe(7);
    expect(isoWeekOf('2026-11-23')).toBe('2026-W48');
    expect(isoWeekOf('2026-11-29')).toBe('2026-W48');
    expect(isoWeekOf('2026-11-30')).toBe('2026-W49');
    expect(isoWeekOf('2026-01-01')).toBe('2026-W01'); // Thursday
    expect(isoWeekOf('2025-12-29')).toBe('2026-W01');
    expect(isoWeekOf('2026-12-31')).toBe('2026-W53');
    expect(isoWeekOf('2027-01-03')).toBe('2026-W53');
    expect(isoWeekOf('2027-01-04')).toBe('2027-W01');
  });

  it('refuses bad input clearly', () => {
    expect(() => toZoned(0, 'Mars/Olympus')).toThrow(InvalidTimeZoneError);
    expect(() => parseLocalDate('2026-02-30')).toThrow(/no such date/);
    expect(() => parseLocalDate('2026-2-3')).toThrow(/YYYY-MM-DD/);
    expect(() => parseLocalTime('24:30')).toThrow();
    expect(parseLocalTime('24:00')).toBe(1440);
    expect(() => toEpochMs('2026-11-24T10:00:00')).toThrow(/offset/);
    expect(toEpochMs('2026-11-24T10:00:00+08:00')).toBe(Date.parse('2026-11-24T02:00:00Z'));
  });
});

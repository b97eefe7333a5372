import { describe, expect, it } from 'vitest';
import { chinaNationalCalendar, chinaWorkCalendar, createWorkCalendar, dayKind, isWorkday, WorkCalendarYearMissingError } from './work-calendar';
import { addDays, weekdayOf } from './zoned-time';

const cal = chinaWorkCalendar;

describe('work calendar: China 2025 and 2026', () => {
  it('treats 调休 Saturdays and Sundays as make-up workdays', () => {
    expect(dayKind('2026-02-14', cal)).toEqual({ date: '2026-02-14', kind: 'makeup_workday', name: '春节', source: 'national' });
    expect(dayKind('2026-02-28', cal)).toMatchObject({ kind: 'makeup_workday', name: '春节' });
    expect(dayKind('2026-09-20', cal)).toMatchObject({ kind: 'makeup_workday', name: '国庆节' }); // a Sunday
    expect(dayKind('2026-10-10', cal)).toMatchObject({ kind: 'makeup_workday', name: '国庆节' });
    expect(dayKind('2026-01-04', cal)).toMatchObject({ kind: 'makeup_workday', name: '元旦' });
    expect(dayKind('2026-05-09', cal)).toMatchObject({ kind: 'makeup_workday', name: '劳动节' });
    expect(dayKind('2025-02-08', cal)).toMatchObject({ kind: 'makeup_workday', name: '春节' });
    expect(dayKind('2025-10-11', cal)).toMatchObject({ kind: 'makeup_workday', name: '国庆节、中秋节' });
    for (const d of ['2026-02-14', '2026-02-28', '2026-10-10', '2025-04-27']) expect(isWorkday(d, cal)).toBe(true);
  });

  it('names holidays, including those falling on a weekend', () => {
    expect(dayKind('2026-10-01', cal)).toEqual({ date: '2026-10-01', kind: 'holiday', name: '国庆节', source: 'national' });
    expect(dayKind('2026-10-07', cal)).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(dayKind('2026-02-16', cal)).toMatchObject({ kind: 'holiday', name: '春节' }); // 除夕
    expect(dayKind('2026-02-23', cal)).toMatchObject({ kind: 'holiday', name: '春节' }); // a Monday
    expect(dayKind('2026-04-04', cal)).toMatchObject({ kind: 'holiday', name: '清明节' }); // a Saturday
    expect(dayKind('2026-09-25', cal)).toMatchObject({ kind: 'holiday', name: '中秋节' });
    expect(dayKind('2025-10-06', cal)).toMatchObject({ kind: 'holiday', name: '国庆节、中秋节' });
    expect(dayKind('2025-01-01', cal)).toMatchObject({ kind: 'holiday', name: '元旦' });
    expect(isWorkday('2026-10-01', cal)).toBe(false);
  });

  it('has ordinary weekdays and weekends around them', () => {
    expect(dayKind('2026-10-08', cal)).toMatchObject({ kind: 'workday' });
    expect(dayKind('2026-10-11', cal)).toMatchObject({ kind: 'weekend' });
    expect(dayKind('2026-03-07', cal)).toMatchObject({ kind: 'weekend' });
    expect(dayKind('2026-03-09', cal)).toMatchObject({ kind: 'workday' });
    expect(dayKind('2025-01-02', cal)).toMatchObject({ kind: 'workday' }); // 2025 元旦 is one day, no 调休
  });

  it('matches the notices: day counts, weekdays as printed, make-up days on weekends', () => {
    const y2025 = chinaNationalCalendar.find((y) => y.year === 2025)!;
    const y2026 = chinaNationalCalendar.find((y) => y.year === 2026)!;
    const days = (from: string, to: string) => {
      let n = 1;
      for (let d = from; d !== to; d = addDays(d, 1)) n++;
      return n;
    };
    // 共N天 as printed in each notice.
    expect(y2025.holidays.map((h) => days(h.from, h.to))).toEqual([1, 8, 3, 5, 3, 8]);
    expect(y2026.holidays.map((h) => days(h.from, h.to))).toEqual([3, 9, 3, 5, 3, 3, 7]);
    // (周X) as printed in the notices: first and last day off of each holiday.
    const printed: [string, number][] = [
      ['2025-01-01', 3], ['2025-01-28', 2], ['2025-02-04', 2], ['2025-04-04', 5], ['2025-04-06', 7], ['2025-05-01', 4], ['2025-05-05', 1],
      ['2025-05-31', 6], ['2025-06-02', 1], ['2025-10-01', 3], ['2025-10-08', 3],
      ['2026-01-01', 4], ['2026-01-03', 6], ['2026-02-15', 7], ['2026-02-23', 1], ['2026-04-04', 6], ['2026-04-06', 1], ['2026-05-01', 5],
      ['2026-05-05', 2], ['2026-06-19', 5], ['2026-06-21', 7], ['2026-09-25', 5], ['2026-09-27', 7], ['2026-10-01', 4], ['2026-10-07', 3],
    ];
    for (const [date, weekday] of printed) expect([date, weekdayOf(date)]).toEqual([date, weekday]);
    for (const y of [y2025, y2026]) {
      for (const h of y.holidays) {
        expect(h.from.startsWith(String(y.year))).toBe(true);
        for (const m of h.makeupWorkdays) expect(weekdayOf(m)).toBeGreaterThanOrEqual(6);
      }
      expect(y.notice.url).toMatch(/^https:\/\/www\.gov\.cn\//);
    }
  });

  it('refuses a year without data, naming it, unless weekends-only is chosen explicitly', () => {
    expect(() => dayKind('2027-02-08', cal)).toThrow(WorkCalendarYearMissingError);
    expect(() => isWorkday('2027-02-08', cal)).toThrow(/2027/);
    try {
      dayKind('2024-10-01', cal);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WorkCalendarYearMissingError);
      expect((error as WorkCalendarYearMissingError).year).toBe(2024);
      expect((error as Error).message).toContain('2025、2026');
    }
    const lenient = createWorkCalendar({ missingYear: 'weekends_only' });
    expect(dayKind('2027-02-08', lenient)).toEqual({ date: '2027-02-08', kind: 'workday', source: 'weekends_only_fallback' });
    expect(dayKind('2027-02-06', lenient)).toMatchObject({ kind: 'weekend', source: 'weekends_only_fallback' });
    expect(dayKind('2026-10-01', lenient)).toMatchObject({ kind: 'holiday', source: 'national' });
  });

  it('merges tenant overrides over the national data', () => {
    const tenant = createWorkCalendar({
      overrides: [
        { date: '2026-01-30', kind: 'closed', name: '公司年会' },
        { date: '2026-03-08', kind: 'workday', name: '季度冲刺' },
        { date: '2026-10-02', kind: 'workday' },
        { date: '2027-01-04', kind: 'closed' },
      ],
    });
    expect(dayKind('2026-01-30', tenant)).toEqual({ date: '2026-01-30', kind: 'holiday', name: '公司年会', source: 'tenant' });
    expect(dayKind('2026-03-08', tenant)).toEqual({ date: '2026-03-08', kind: 'makeup_workday', name: '季度冲刺', source: 'tenant' });
    expect(isWorkday('2026-10-02', tenant)).toBe(true);
    expect(dayKind('2027-01-04', tenant)).toMatchObject({ kind: 'holiday', name: '公司休息日', source: 'tenant' }); // no 2027 data needed
    expect(() => dayKind('2027-01-05', tenant)).toThrow(WorkCalendarYearMissingError);
    expect(dayKind('2026-01-29', tenant)).toMatchObject({ kind: 'workday', source: 'national' });
    expect(() => createWorkCalendar({ overrides: [{ date: '2026-13-01', kind: 'closed' }] })).toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { parseNumber, normalizeText } from './normalize';
import { examplesHint, nonWorkdayWarning, parseTime } from './parse-time';
import type { ParseTimeResult, TimeReading } from './types';
import { localParts } from './zone';

const TZ = 'Asia/Shanghai';
/** Wednesday 3 June 2026, 10:00 Beijing time. */
const WED = new Date('2026-06-03T10:00:00+08:00');
const FRI = new Date('2026-06-05T10:00:00+08:00');
const SUN = new Date('2026-06-07T10:00:00+08:00');
const MON = new Date('2026-06-01T10:00:00+08:00');
const DEC = new Date('2026-12-20T10:00:00+08:00');
const EVENING = new Date('2026-06-03T20:00:00+08:00');

function local(d: Date, tz: string, withDate: boolean): string {
  const p = localParts(d.getTime(), tz);
  const hm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  return withDate ? `${p.date} ${hm}` : hm;
}

function reading(r: TimeReading, tz: string): string {
  const start = local(r.start, tz, true);
  if (!r.end) return start;
  const sameDay = localParts(r.start.getTime(), tz).date === localParts(r.end.getTime(), tz).date;
  return `${start}-${local(r.end, tz, !sameDay)}`;
}

/** exact 2026-06-04 15:00 | window 2026-06-04 13:00-18:00 | ambiguous [a | b] | invalid code */
function summary(r: ParseTimeResult, tz = TZ): string {
  switch (r.kind) {
    case 'exact':
    case 'window':
      return `${r.kind} ${reading(r, tz)}`;
    case 'ambiguous':
      return `ambiguous [${r.options.map((o) => reading(o, tz)).join(' | ')}]`;
    case 'invalid':
      return `invalid ${r.code}`;
  }
}

type Row = readonly [text: string, expected: string, now?: Date];

// Every row: text → expected summary (local Beijing times), now = WED unless given.
const table: readonly Row[] = [
  // the brief's examples
  ['改到周四下午', 'window 2026-06-04 13:00-18:00'],
  ['明天上午可以吗', 'window 2026-06-04 09:00-12:00'],
  ['明天下午3点', 'exact 2026-06-04 15:00'],
  ['下周二上午十点半', 'exact 2026-06-09 10:30'],
  ['周五14:00-15:00', 'exact 2026-06-05 14:00-15:00'],
  ['后天', 'window 2026-06-05 09:00-18:00'],
  ['3月5日', 'ambiguous [2027-03-05 09:00-18:00]'],
  ['3月5日上午10点', 'ambiguous [2027-03-05 10:00]'],
  ['周四下午', 'window 2026-06-04 13:00-18:00'],
  ['我明天上午有空', 'window 2026-06-04 09:00-12:00'],
  ['能不能换到下周二', 'window 2026-06-09 09:00-18:00'],
  ['3点', 'ambiguous [2026-06-03 15:00]'],
  ['明天3点', 'ambiguous [2026-06-04 15:00 | 2026-06-04 03:00]'],
  ['周五', 'ambiguous [2026-06-12 09:00-18:00 | 2026-06-05 09:00-18:00]', FRI],
  ['3.5', 'ambiguous [2027-03-05 09:00-18:00 | 2027-05-03 09:00-18:00]'],
  ['2026-12-01', 'window 2026-12-01 09:00-18:00'],
  ['11点到下午2点', 'exact 2026-06-03 11:00-14:00'],
  ['１５：００', 'exact 2026-06-03 15:00'],
  ['14:00～15:00', 'exact 2026-06-03 14:00-15:00'],
  ['tomorrow 3pm', 'exact 2026-06-04 15:00'],
  ['next tuesday 10:30', 'exact 2026-06-09 10:30'],
  ['next tuesday 10:30', 'ambiguous [2026-06-09 10:30 | 2026-06-02 10:30]', MON],
  // relative days
  ['今天下午', 'window 2026-06-03 13:00-18:00'],
  ['今天', 'window 2026-06-03 09:00-18:00'],
  ['大后天晚上7点', 'exact 2026-06-06 19:00'],
  ['明天', 'window 2026-06-04 09:00-18:00'],
  ['明日上午', 'window 2026-06-04 09:00-12:00'],
  ['今晚8点', 'exact 2026-06-03 20:00'],
  ['明早9点', 'exact 2026-06-04 09:00'],
  ['明晚', 'window 2026-06-04 18:00-21:00'],
  ['昨天下午', 'invalid past'],
  ['前天', 'invalid past'],
  // weekdays and weeks
  ['星期四上午', 'window 2026-06-04 09:00-12:00'],
  ['礼拜五下午三点', 'exact 2026-06-05 15:00'],
  ['礼拜天', 'window 2026-06-07 09:00-18:00'],
  ['星期天下午两点', 'exact 2026-06-07 14:00'],
  ['周日', 'window 2026-06-07 09:00-18:00'],
  ['周1下午', 'window 2026-06-08 13:00-18:00'],
  ['本周五下午', 'window 2026-06-05 13:00-18:00'],
  ['这周五', 'window 2026-06-05 09:00-18:00'],
  ['这周一', 'invalid past'],
  ['下周三上午10点', 'exact 2026-06-10 10:00'],
  ['下个星期三', 'window 2026-06-10 09:00-18:00'],
  ['下下周一', 'window 2026-06-15 09:00-18:00'],
  ['下周 周三下午', 'window 2026-06-10 13:00-18:00'],
  ['上周五', 'invalid past'],
  ['下周', 'window 2026-06-08 09:00-2026-06-12 18:00'],
  ['下周下午3点', 'invalid need_day'],
  ['周四晚', 'window 2026-06-04 18:00-21:00'],
  ['周末', 'ambiguous [2026-06-06 09:00-18:00 | 2026-06-07 09:00-18:00]'],
  ['周一到周三', 'ambiguous [2026-06-08 09:00-18:00 | 2026-06-09 09:00-18:00 | 2026-06-10 09:00-18:00]'],
  ['周五下午', 'ambiguous [2026-06-12 13:00-18:00 | 2026-06-05 13:00-18:00]', FRI],
  ['周五上午9点', 'ambiguous [2026-06-12 09:00]', FRI],
  ['下周二', 'ambiguous [2026-06-09 09:00-18:00 | 2026-06-16 09:00-18:00]', SUN],
  ['周一', 'window 2026-06-08 09:00-18:00', SUN],
  ['这周二', 'ambiguous [2026-06-09 09:00-18:00]', SUN],
  // parts of day
  ['下午', 'window 2026-06-03 13:00-18:00'],
  ['中午', 'window 2026-06-03 12:00-13:30'],
  ['中午12点', 'exact 2026-06-03 12:00'],
  ['中午1点', 'exact 2026-06-03 13:00'],
  ['傍晚6点', 'exact 2026-06-03 18:00'],
  ['早上8点', 'ambiguous [2026-06-04 08:00]'],
  ['凌晨3点', 'ambiguous [2026-06-04 03:00]'],
  ['晚上12点', 'exact 2026-06-04 00:00'],
  ['下午', 'ambiguous [2026-06-04 13:00-18:00]', EVENING],
  ['今天', 'invalid past', EVENING],
  ['上午15点', 'invalid conflict'],
  ['晚上2点', 'invalid conflict'],
  ['上午下午都行', 'ambiguous [2026-06-03 09:00-12:00 | 2026-06-03 13:00-18:00]'],
  // clock forms
  ['十二点一刻', 'exact 2026-06-03 12:15'],
  ['明天三点四十五', 'ambiguous [2026-06-04 15:45 | 2026-06-04 03:45]'],
  ['明天下午三点四十五', 'exact 2026-06-04 15:45'],
  ['明天下午三点零五', 'exact 2026-06-04 15:05'],
  ['15点30', 'exact 2026-06-03 15:30'],
  ['3:30pm', 'exact 2026-06-03 15:30'],
  ['明天10:30am', 'exact 2026-06-04 10:30'],
  ['10:00', 'exact 2026-06-03 10:00'],
  ['明天9:30', 'ambiguous [2026-06-04 09:30 | 2026-06-04 21:30]'],
  ['明天10点', 'ambiguous [2026-06-04 10:00 | 2026-06-04 22:00]'],
  ['明天下午3点钟', 'exact 2026-06-04 15:00'],
  ['明天下午3点整', 'exact 2026-06-04 15:00'],
  ['明天下午3点05分', 'exact 2026-06-04 15:05'],
  ['明天下午3点5', 'ambiguous [2026-06-04 15:05 | 2026-06-04 15:50]'],
  ['明天下午两点三刻', 'exact 2026-06-04 14:45'],
  ['明天10.30', 'exact 2026-06-04 10:30'],
  ['25点', 'invalid bad_time'],
  ['15:75', 'invalid bad_time'],
  // ranges
  ['3点到5点', 'ambiguous [2026-06-03 15:00-17:00]'],
  ['明天3点到5点', 'ambiguous [2026-06-04 15:00-17:00 | 2026-06-04 03:00-05:00]'],
  ['从两点到四点', 'ambiguous [2026-06-03 14:00-16:00]'],
  ['明天下午2点到4点', 'exact 2026-06-04 14:00-16:00'],
  ['明天上午10点到2点', 'exact 2026-06-04 10:00-14:00'],
  ['明天9点到5点', 'exact 2026-06-04 09:00-17:00'],
  ['明天 2-3点', 'ambiguous [2026-06-04 14:00-15:00 | 2026-06-04 02:00-03:00]'],
  ['10am-11am', 'exact 2026-06-03 10:00-11:00'],
  ['3-5pm', 'exact 2026-06-03 15:00-17:00'],
  ['明天下午3点到4点半', 'exact 2026-06-04 15:00-16:30'],
  ['晚上10点到12点', 'exact 2026-06-03 22:00-2026-06-04 00:00'],
  ['明天14:00—15:00', 'exact 2026-06-04 14:00-15:00'],
  ['明天１４：００〜１５：００', 'exact 2026-06-04 14:00-15:00'],
  ['下午3点到2点', 'invalid bad_range'],
  ['明天下午3点，1个小时', 'exact 2026-06-04 15:00-16:00'],
  ['明天下午3点，半小时', 'exact 2026-06-04 15:00-15:30'],
  // month/day and ISO
  ['3月5号', 'ambiguous [2027-03-05 09:00-18:00]'],
  ['三月五号下午', 'ambiguous [2027-03-05 13:00-18:00]'],
  ['12月1日', 'window 2026-12-01 09:00-18:00'],
  ['１２月３日下午２点', 'exact 2026-12-03 14:00'],
  ['2027年3月5日上午10点', 'exact 2027-03-05 10:00'],
  ['明年3月5日', 'window 2027-03-05 09:00-18:00'],
  ['2026/06/10 14:00', 'exact 2026-06-10 14:00'],
  ['2026.6.10', 'window 2026-06-10 09:00-18:00'],
  ['2026-01-05', 'invalid past'],
  ['2月30日', 'invalid no_such_date'],
  ['15号', 'window 2026-06-15 09:00-18:00'],
  ['1号下午', 'ambiguous [2026-07-01 13:00-18:00]'],
  ['下个月5号', 'window 2026-07-05 09:00-18:00'],
  ['3月5日', 'ambiguous [2027-03-05 09:00-18:00]', DEC],
  ['1月3日上午10点', 'ambiguous [2027-01-03 10:00]', DEC],
  ['6月9日（周二）下午', 'window 2026-06-09 13:00-18:00'],
  ['6月10日周二', 'ambiguous [2026-06-10 09:00-18:00 | 2026-06-09 09:00-18:00]'],
  ['12.25', 'ambiguous [2026-12-25 09:00-18:00 | 2026-06-03 12:25]'],
  ['明天周四下午', 'window 2026-06-04 13:00-18:00'],
  // filler, declines and several times
  ['您好，改到周四下午吧，谢谢', 'window 2026-06-04 13:00-18:00'],
  ['上午好，明天下午3点可以吗', 'exact 2026-06-04 15:00'],
  ['明天不行，后天下午可以', 'window 2026-06-05 13:00-18:00'],
  ['明天上午没空下午可以', 'window 2026-06-04 13:00-18:00'],
  ['周四或周五下午', 'ambiguous [2026-06-04 13:00-18:00 | 2026-06-05 13:00-18:00]'],
  ['明天或者后天', 'ambiguous [2026-06-04 09:00-18:00 | 2026-06-05 09:00-18:00]'],
  ['明天下午不行', 'invalid declined'],
  ['可不可以明天下午', 'window 2026-06-04 13:00-18:00'],
  ['在5号楼，明天下午3点', 'exact 2026-06-04 15:00'],
  ['3号会议室 明天下午', 'window 2026-06-04 13:00-18:00'],
  ['早一点可以吗', 'invalid unrecognized'],
  ['我有3个问题', 'invalid unrecognized'],
  ['好的', 'invalid unrecognized'],
  ['', 'invalid empty'],
  ['this friday 2pm', 'exact 2026-06-05 14:00'],
  ['next week', 'window 2026-06-08 09:00-2026-06-12 18:00'],
  ['tonight 8pm', 'exact 2026-06-03 20:00'],
  ['the day after tomorrow afternoon', 'window 2026-06-05 13:00-18:00'],
  // traditional characters
  ['下週二下午三點', 'exact 2026-06-09 15:00'],
];

describe('parseTime: phrasings table', () => {
  it('has at least 80 rows', () => {
    expect(table.length).toBeGreaterThanOrEqual(80);
  });

  it.each(table.map(([text, expected, now], i) => [i, text, expected, now ?? WED] as const))('#%i %s → %s', (_i, text, expected, now) => {
    expect(summary(parseTime(text, { now, timeZone: TZ }))).toBe(expected);
  });
});

describe('parseTime: result details', () => {
  const at = (text: string, now = WED) => parseTime(text, { now, timeZone: TZ });

  it('labels readings in Chinese and asks in Chinese', () => {
    const r = at('明天3点');
    expect(r.kind).toBe('ambiguous');
    if (r.kind !== 'ambiguous') return;
    expect(r.question).toBe('「3点」是上午还是下午？');
    expect(r.options.map((o) => o.label)).toEqual(['6月4日（周四） 15:00', '6月4日（周四） 03:00']);
    expect(r.causes).toEqual(['meridiem']);
  });

  it('says that a weekday is today and offers both', () => {
    const r = at('周五', FRI);
    expect(r.kind === 'ambiguous' && r.question).toBe('今天就是周五，您指的是今天还是下周五（6月12日）？');
  });

  it('never silently moves a past date: it asks, naming what has passed', () => {
    const r = at('3月5日上午10点');
    expect(r.kind === 'ambiguous' && r.question).toBe('3月5日（周四） 10:00已经过去了，您是指2027年3月5日（周五） 10:00吗？');
    expect(r.kind === 'ambiguous' && r.causes).toContain('past_rollover');
  });

  it('asks on a Sunday what 下周二 means', () => {
    const r = at('下周二', SUN);
    expect(r.kind === 'ambiguous' && r.causes).toEqual(['week_boundary']);
  });

  it('points out a weekday that does not match the date', () => {
    const r = at('6月10日周二');
    expect(r.kind === 'ambiguous' && r.question).toBe('6月10日是周三，不是周二，请确认是哪一天：');
  });

  it('refuses garbage with the helpful message and examples', () => {
    const r = at('asdf qwer');
    expect(r).toEqual({ kind: 'invalid', code: 'unrecognized', reason: `没听懂时间，${examplesHint}` });
    expect(examplesHint).toContain('明天下午3点');
    const past = at('昨天下午');
    expect(past.kind === 'invalid' && past.reason).toMatch(/已经过去了.*可以这样说/);
  });

  it('marks a window that has begun', () => {
    const r = at('今天下午', new Date('2026-06-03T14:00:00+08:00'));
    expect(r).toMatchObject({ kind: 'window', scope: 'part', part: 'pm', partlyPast: true, date: '2026-06-03' });
  });

  it('adds the default duration to exact times without an end', () => {
    const r = parseTime('明天下午3点', { now: WED, timeZone: TZ, defaultDurationMinutes: 45 });
    expect(summary(r)).toBe('exact 2026-06-04 15:00-15:45');
  });

  it('warns, never refuses, on a non-working day from the calendar', () => {
    const calendar = { isWorkday: (d: string) => d !== '2026-06-19' && !['2026-06-06', '2026-06-07'].includes(d) };
    const holiday = parseTime('6月19日下午3点', { now: WED, timeZone: TZ, calendar }); // 端午节
    expect(holiday).toMatchObject({ kind: 'exact', warning: nonWorkdayWarning });
    const weekend = parseTime('周末', { now: WED, timeZone: TZ, calendar });
    expect(weekend.kind === 'ambiguous' && weekend.options.every((o) => o.warning === nonWorkdayWarning)).toBe(true);
    expect(parseTime('明天下午', { now: WED, timeZone: TZ, calendar })).not.toHaveProperty('warning');
    const broken = { isWorkday: () => { throw new Error('year missing'); } };
    expect(parseTime('明天下午', { now: WED, timeZone: TZ, calendar: broken })).toMatchObject({ warning: '无法确认该日是否为工作日' });
  });

  it('reads wall times in Europe/Berlin across the October 2026 change', () => {
    const now = new Date('2026-10-23T12:00:00+02:00'); // Friday, CEST
    const sat = parseTime('明天上午10点', { now, timeZone: 'Europe/Berlin' });
    const sun = parseTime('后天上午10点', { now, timeZone: 'Europe/Berlin' });
    expect(sat.kind === 'exact' && sat.start.toISOString()).toBe('2026-10-24T08:00:00.000Z'); // CEST, UTC+2
    expect(sun.kind === 'exact' && sun.start.toISOString()).toBe('2026-10-25T09:00:00.000Z'); // CET, UTC+1
    const day = parseTime('10月25日', { now, timeZone: 'Europe/Berlin' });
    expect(summary(day, 'Europe/Berlin')).toBe('window 2026-10-25 09:00-18:00');
  });

  it('throws only for caller bugs: invalid now or zone', () => {
    expect(() => parseTime('明天', { now: new Date(NaN), timeZone: TZ })).toThrow(RangeError);
    expect(() => parseTime('明天', { now: WED, timeZone: 'Mars/Base' })).toThrow(RangeError);
  });
});

describe('normalize', () => {
  it('reads Chinese numerals', () => {
    expect(['十', '十二', '二十', '二十三', '三十一', '四十五', '零五', '两', '五'].map(parseNumber)).toEqual([10, 12, 20, 23, 31, 45, 5, 2, 5]);
    expect(['十十', '两十', '一二三', ''].map(parseNumber)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('folds full-width forms, waves and greetings', () => {
    expect(normalizeText('１５：００～１６：００')).toBe('15:00~16:00');
    expect(normalizeText('早上好').trim()).toBe('');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { examplesHint, parseTime } from './parse-time';
import { renderTime } from './render';
import type { ParseTimeResult, TimeReading } from './types';
import { partWindows } from './windows';
import { addDays, localParts } from './zone';

/**
 * Properties over a generated corpus (fast-check with a fixed seed, so that a failure reproduces):
 * day words × part of day × clock forms × filler words, checked against an independent oracle; parse ∘ render
 * round trips; invariants of every result (never in the past unless asked, start < end, options non-empty); and
 * robustness: random unicode, garbage and very long strings never throw.
 *
 * Micro-measure (this machine, Node 20, `npx vitest run server/src/domain/natural-time`): about 0.15–0.4 ms per
 * typical chat message (mostly Intl zone look-ups) and 0.2–1 ms for a 2,000-character string; no timed assertion.
 */

const TZ = 'Asia/Shanghai';
const SEED = 20260603;
/** Wednesday 3 June 2026, 07:00 Beijing: every part of today from 上午 on is still ahead. */
const NOW = new Date('2026-06-03T07:00:00+08:00');
const TODAY = '2026-06-03';

const cnDigit = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
function cn(n: number, hour = false): string {
  if (hour && n === 2) return '两';
  if (n < 10) return cnDigit[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : cnDigit[tens]}十${ones ? cnDigit[ones] : ''}`;
}

interface DayWord {
  readonly text: string;
  readonly date: string;
}

// Wednesday: 周四…周二 are unambiguous upcoming days; 周三 (today) is tested separately.
const dayWords: readonly DayWord[] = [
  { text: '今天', date: TODAY },
  { text: '明天', date: addDays(TODAY, 1) },
  { text: '后天', date: addDays(TODAY, 2) },
  { text: '大后天', date: addDays(TODAY, 3) },
  ...['四', '五', '六'].map((w, k) => ({ text: `周${w}`, date: addDays(TODAY, k + 1) })),
  { text: '星期日', date: addDays(TODAY, 4) },
  { text: '礼拜一', date: addDays(TODAY, 5) },
  { text: '下周二', date: addDays(TODAY, 6) },
  { text: '下周三', date: addDays(TODAY, 7) },
  { text: '下下周五', date: addDays(TODAY, 16) },
  { text: '6月20日', date: '2026-06-20' },
  { text: '6月20号', date: '2026-06-20' },
  { text: '2026-07-01', date: '2026-07-01' },
];

/** part word, the hours a speaker would use with it, and the 24-hour clock it means */
const parts = [
  { word: '上午', part: 'am', hours: [8, 9, 10, 11], to24: (h: number) => h },
  { word: '下午', part: 'pm', hours: [1, 2, 3, 4, 5], to24: (h: number) => h + 12 },
  { word: '晚上', part: 'evening', hours: [7, 8, 9, 10], to24: (h: number) => h + 12 },
] as const;

/** ways to say h:mm (h in 1..11 or 13..23) */
const clockForms: readonly ((h: number, m: number) => string | undefined)[] = [
  (h, m) => (m === 0 ? `${h}点` : undefined),
  (h, m) => (m === 0 ? `${cn(h, true)}点` : undefined),
  (h, m) => (m === 0 ? `${h}点钟` : undefined),
  (h, m) => (m === 30 ? `${cn(h, true)}点半` : undefined),
  (h, m) => (m === 30 ? `${h}点半` : undefined),
  (h, m) => (m === 15 ? `${cn(h, true)}点一刻` : undefined),
  (h, m) => (m >= 10 ? `${cn(h, true)}点${cn(m)}` : undefined),
  (h, m) => `${h}点${String(m).padStart(2, '0')}`,
  (h, m) => `${h}点${m}分`,
  (h, m) => `${h}:${String(m).padStart(2, '0')}`,
];

const fillersBefore = ['', '改到', '那就', '我', '能不能换到', '您好，', '可不可以', '好的，'];
const fillersAfter = ['', '吧', '可以吗', '有空', '见', '，谢谢', '行不行', '？'];

const arbFiller = fc.tuple(fc.constantFrom(...fillersBefore), fc.constantFrom(...fillersAfter));
const arbDay = fc.constantFrom(...dayWords);
const arbPart = fc.constantFrom(...parts);
const arbMinute = fc.constantFrom(0, 5, 15, 20, 30, 45);

function localOf(d: Date) {
  return localParts(d.getTime(), TZ);
}

function sameReading(a: TimeReading, b: TimeReading): boolean {
  return a.kind === b.kind && a.start.getTime() === b.start.getTime() && a.end?.getTime() === b.end?.getTime();
}

function roundTrips(r: TimeReading): void {
  if (r.kind === 'window' && r.scope === 'week') return; // a week has no date text of its own
  const again = parseTime(renderTime(r, TZ), { now: NOW, timeZone: TZ });
  const back = again.kind === 'exact' || again.kind === 'window' ? again : undefined;
  expect(back, renderTime(r, TZ)).toBeDefined();
  expect(sameReading(back!, r), renderTime(r, TZ)).toBe(true);
}

/** What holds for every result, whatever the input. */
function checkInvariants(r: ParseTimeResult, now: Date): void {
  const check = (x: TimeReading, mustBeAhead: boolean) => {
    expect(Number.isFinite(x.start.getTime())).toBe(true);
    if (x.end) expect(x.end.getTime()).toBeGreaterThan(x.start.getTime());
    expect(x.label.length).toBeGreaterThan(0);
    if (mustBeAhead) {
      if (x.kind === 'exact') expect(x.start.getTime()).toBeGreaterThanOrEqual(now.getTime());
      else expect(x.end.getTime()).toBeGreaterThan(now.getTime());
    }
  };
  switch (r.kind) {
    case 'exact':
    case 'window':
      check(r, true);
      break;
    case 'ambiguous':
      expect(r.options.length).toBeGreaterThan(0);
      expect(r.options.length).toBeLessThanOrEqual(8);
      expect(r.question.length).toBeGreaterThan(0);
      for (const o of r.options) check(o, true);
      break;
    case 'invalid':
      expect(r.reason).toMatch(/[\u4e00-\u9fff]/);
      expect(r.reason).toMatch(/例如|可以这样说/);
      break;
  }
}

describe('parseTime properties', () => {
  it('day word + part of day + clock form + filler → that exact local time (oracle), and it round-trips', () => {
    fc.assert(
      fc.property(arbFiller, arbDay, arbPart, fc.integer({ min: 0, max: 3 }), arbMinute, fc.nat(clockForms.length - 1), ([before, after], day, part, hi, minute, form) => {
        const hour = part.hours[hi % part.hours.length]!;
        const clock = clockForms[form]!(hour, minute);
        fc.pre(clock !== undefined);
        const text = `${before}${day.text}${part.word}${clock}${after}`;
        const r = parseTime(text, { now: NOW, timeZone: TZ });
        expect(r.kind, text).toBe('exact');
        if (r.kind !== 'exact') return;
        const p = localOf(r.start);
        expect(p.date, text).toBe(day.date);
        expect(p.minutes, text).toBe(part.to24(hour) * 60 + minute);
        roundTrips(r);
        checkInvariants(r, NOW);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('day word + part of day (no clock) → that part as a window; day word alone → working hours', () => {
    fc.assert(
      fc.property(arbFiller, arbDay, fc.option(arbPart, { nil: undefined }), ([before, after], day, part) => {
        const text = `${before}${day.text}${part?.word ?? ''}${after}`;
        const r = parseTime(text, { now: NOW, timeZone: TZ });
        expect(r.kind, text).toBe('window');
        if (r.kind !== 'window') return;
        const w = part ? partWindows[part.part] : { start: 9 * 60, end: 18 * 60 };
        expect(localOf(r.start).date).toBe(day.date);
        expect(localOf(r.start).minutes).toBe(w.start);
        expect(localOf(r.end).minutes).toBe(w.end);
        roundTrips(r);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a clock hour 1–11 without 上午/下午 is never guessed: both readings are offered, 12 h apart', () => {
    fc.assert(
      fc.property(arbFiller, arbDay, fc.integer({ min: 1, max: 11 }), ([before, after], day, hour) => {
        fc.pre(day.date !== TODAY);
        const text = `${before}${day.text}${/\d$/.test(day.text) ? ' ' : ''}${hour}点${after}`;
        const r = parseTime(text, { now: NOW, timeZone: TZ });
        expect(r.kind, text).toBe('ambiguous');
        if (r.kind !== 'ambiguous') return;
        expect(r.causes).toContain('meridiem');
        const minutes = r.options.map((o) => localOf(o.start).minutes).sort((a, b) => a - b);
        expect(minutes).toEqual([hour * 60, (hour + 12) * 60]);
        for (const o of r.options) roundTrips(o);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('ranges "X点到Y点" / "X:00-Y:00" with a part of day → exact ranges, round-tripping', () => {
    fc.assert(
      fc.property(arbDay, arbPart, fc.integer({ min: 0, max: 2 }), fc.constantFrom('到', '-', '~', '～', '至'), (day, part, k, sep) => {
        const h = part.hours[k]!;
        const text = `${day.text}${part.word}${h}点${sep}${h + 1}点`;
        const r = parseTime(text, { now: NOW, timeZone: TZ });
        expect(r.kind, text).toBe('exact');
        if (r.kind !== 'exact' || !r.end) throw new Error(`no range for ${text}`);
        expect(localOf(r.start).minutes).toBe(part.to24(h) * 60);
        expect(r.end.getTime() - r.start.getTime()).toBe(3_600_000);
        roundTrips(r);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a bare weekday said on that weekday always asks (this week or next)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), arbFiller, (offset, [before, after]) => {
        const now = new Date(NOW.getTime() + offset * 86_400_000);
        const wd = localOf(now).weekday;
        const name = ['一', '二', '三', '四', '五', '六', '日'][wd - 1];
        const r = parseTime(`${before}周${name}下午${after}`, { now, timeZone: TZ });
        expect(r.kind).toBe('ambiguous');
        if (r.kind === 'ambiguous') expect(r.causes).toContain('weekday_today');
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  it('soup of time words in any order never throws and keeps the invariants', () => {
    const vocab = [
      '今天', '明天', '后天', '大后天', '昨天', '周一', '周五', '星期天', '下周', '下周二', '这周', '上周', '周末', '上午', '中午', '下午', '晚上',
      '凌晨', '傍晚', '3点', '十点半', '15:30', '3:30pm', '到', '-', '~', '3月5日', '2月30日', '12.25', '5号', '2026-12-01', '不行', '或者',
      '，', '一点', '25点', '1小时', 'tomorrow', 'next', 'monday', 'pm', '0点', '24:00', '12点', '吧', ' ',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocab), { maxLength: 12 }), fc.integer({ min: 0, max: 400 * 24 }), (words, hoursAhead) => {
        const now = new Date(NOW.getTime() + hoursAhead * 3_600_000);
        const r = parseTime(words.join(''), { now, timeZone: TZ });
        checkInvariants(r, now);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('never throws on random unicode, and garbage without time words is invalid with the helpful message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        checkInvariants(parseTime(s, { now: NOW, timeZone: TZ }), NOW);
      }),
      { seed: SEED, numRuns: 1500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abcxyz你好谢谢的吗呢啊！？ ，。@#'.split('')), minLength: 1, maxLength: 80 }), (s) => {
        const r = parseTime(s, { now: NOW, timeZone: TZ });
        expect(r.kind).toBe('invalid');
        if (r.kind === 'invalid' && r.code === 'unrecognized') expect(r.reason).toBe(`没听懂时间，${examplesHint}`);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('handles very long inputs without throwing', () => {
    const long = '明天下午3点'.repeat(400); // > 2000 characters
    expect(parseTime(long, { now: NOW, timeZone: TZ })).toMatchObject({ kind: 'invalid', code: 'too_long' });
    const nearLimit = `${'啊'.repeat(1990)}明天下午3点`;
    expect(parseTime(nearLimit, { now: NOW, timeZone: TZ }).kind).toBe('exact');
    const digits = '1'.repeat(1999);
    expect(parseTime(digits, { now: NOW, timeZone: TZ }).kind).toBe('invalid');
    const soup = '周一点到-~:'.repeat(280);
    checkInvariants(parseTime(soup, { now: NOW, timeZone: TZ }), NOW);
  });

  it('micro-measure (printed, not asserted)', () => {
    const inputs = ['改到周四下午吧', '明天上午可以吗', '下周二上午十点半', '周五14:00-15:00', '3月5日上午10点', '好的谢谢'];
    const rounds = 500;
    for (const s of inputs) parseTime(s, { now: NOW, timeZone: TZ }); // warm-up
    const t0 = performance.now();
    for (let k = 0; k < rounds; k++) for (const s of inputs) parseTime(s, { now: NOW, timeZone: TZ });
    const perInput = (performance.now() - t0) / (rounds * inputs.length);
    const longText = `${'您好'.repeat(990)}明天下午3点`;
    const t1 = performance.now();
    for (let k = 0; k < 20; k++) parseTime(longText, { now: NOW, timeZone: TZ });
    const perLong = (performance.now() - t1) / 20;
    console.log(`natural-time: ${perInput.toFixed(4)} ms per typical input, ${perLong.toFixed(3)} ms per ~2000-char input`);
    expect(perInput).toBeGreaterThan(0);
  });
});

import { lex, type Token, type WeekRef } from './lexer';
import { normalizeText } from './normalize';
import type {
  AmbiguityCause,
  ExactTime,
  InvalidCode,
  InvalidTime,
  ParseTimeOptions,
  ParseTimeResult,
  PartOfDay,
  TimeReading,
  TimeWindow,
  WorkdayCalendar,
} from './types';
import { hourWithPart, partWindows, workingHours } from './windows';
import { addDays, daysBetween, instantOf, isRealDate, isValidTimeZone, localParts, makeDate, weekdayOf, type LocalParts } from './zone';

/**
 * Chinese natural time expressions → an exact time, a window, the readings to ask about, or a helpful refusal.
 * The parser never guesses: whenever two readings are reasonable (3点: 03:00 or 15:00; 周五 said on a Friday; a
 * 3月5日 already past this year) it returns `ambiguous` with the readings as options, most plausible first; a time in
 * the past is never silently moved to the future.
 */

export const examplesHint = '可以这样说：明天下午3点、下周二上午十点半、周五14:00-15:00';
export const nonWorkdayWarning = '该日为法定节假日/周末';
const MAX_INPUT = 2000;
const MAX_OPTIONS = 8;
const weekdayNames = ['一', '二', '三', '四', '五', '六', '日'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Specs: what one clause says

type DateTok = Extract<Token, { t: 'day' | 'weekday' | 'week' | 'weekend' | 'md' | 'dom' | 'dotted' }>;

interface ClockSpec {
  readonly hour: number;
  readonly minutes: readonly number[];
  readonly meridiem?: 'am' | 'pm';
  readonly h24?: boolean;
  readonly part?: PartOfDay;
  readonly raw: string;
}

interface Spec {
  readonly dates: readonly DateTok[];
  readonly dateRange?: readonly [DateTok, DateTok];
  readonly parts: readonly PartOfDay[];
  readonly clocks: readonly ClockSpec[];
  readonly isRange: boolean;
  readonly duration?: number;
  /** a duration said on its own (明天下午3点，1个小时) */
  readonly looseDuration?: number;
  /** the dotted token was read as a date although it could be a time, or the other way round */
  readonly dottedChoice?: boolean;
}

const isDateTok = (t: Token): t is DateTok => t.t === 'day' || t.t === 'weekday' || t.t === 'week' || t.t === 'weekend' || t.t === 'md' || t.t === 'dom' || t.t === 'dotted';

function hasTime(s: Spec): boolean {
  return s.clocks.length > 0 || s.parts.length > 0;
}

function hasDate(s: Spec): boolean {
  return s.dates.length > 0 || s.dateRange !== undefined;
}

function buildSpecs(input: readonly Token[]): Spec[] {
  // 下周 周三 → 下周三
  const tokens: Token[] = [];
  for (const tok of input) {
    const prev = tokens[tokens.length - 1];
    if (prev && prev.t === 'week' && (tok.t === 'weekday' || tok.t === 'weekend') && tok.week === 'bare') {
      tokens[tokens.length - 1] = { ...tok, week: prev.week, start: prev.start, raw: prev.raw + tok.raw };
      continue;
    }
    tokens.push(tok);
  }

  let dateRange: [DateTok, DateTok] | undefined;
  for (let k = 1; k + 1 < tokens.length; k++) {
    const a = tokens[k - 1]!;
    const b = tokens[k + 1]!;
    if (tokens[k]!.t === 'sep' && isDateTok(a) && isDateTok(b) && a.t !== 'dotted' && b.t !== 'dotted' && a.t !== 'week' && b.t !== 'week') {
      dateRange = [a, b];
      break;
    }
  }

  const dotted = tokens.filter((t): t is Extract<Token, { t: 'dotted' }> => t.t === 'dotted');
  const otherDates = tokens.filter((t) => isDateTok(t) && t.t !== 'dotted');
  const hasClock = tokens.some((t) => t.t === 'clock');
  const dottedAsClock = (d: Extract<Token, { t: 'dotted' }>): Token | undefined =>
    d.bDigits === 2 && d.a <= 24 && d.b <= 59 ? { t: 'clock', hour: d.a, minutes: [d.b], ...(d.aDigits === 2 ? { h24: true } : {}), start: d.start, end: d.end, raw: d.raw } : undefined;

  const variants: { tokens: Token[]; dottedChoice: boolean }[] = [];
  if (dotted.length === 0) variants.push({ tokens, dottedChoice: false });
  else if (otherDates.length > 0 || dateRange) {
    // 明天10.30: with a date said, the dotted number is a time
    variants.push({ tokens: tokens.flatMap((t) => (t.t === 'dotted' ? (dottedAsClock(t) ?? []) : [t])), dottedChoice: false });
  } else if (hasClock || dotted.length > 1) variants.push({ tokens, dottedChoice: true });
  else {
    variants.push({ tokens, dottedChoice: true });
    const asClock = tokens.flatMap((t) => (t.t === 'dotted' ? (dottedAsClock(t) ?? []) : [t]));
    if (asClock.some((t) => t.t === 'clock')) variants.push({ tokens: asClock, dottedChoice: true });
  }
  return variants.map((v) => specOf(v.tokens, dateRange, v.dottedChoice));
}

type TimeItem = { k: 'clock'; c: ClockSpec } | { k: 'num'; n: number; part?: PartOfDay; raw: string } | { k: 'sep' } | { k: 'duration'; minutes: number };

function specOf(tokens: readonly Token[], dateRange: [DateTok, DateTok] | undefined, dottedChoice: boolean): Spec {
  const dates: DateTok[] = [];
  const parts: PartOfDay[] = [];
  const items: TimeItem[] = [];
  let pending: PartOfDay | undefined;
  for (const tok of tokens) {
    switch (tok.t) {
      case 'part':
        if (pending) parts.push(pending);
        pending = tok.part;
        break;
      case 'clock':
        items.push({ k: 'clock', c: { hour: tok.hour, minutes: tok.minutes, ...(tok.meridiem ? { meridiem: tok.meridiem } : {}), ...(tok.h24 ? { h24: true } : {}), ...(pending ? { part: pending } : {}), raw: tok.raw } });
        pending = undefined;
        break;
      case 'num':
        items.push({ k: 'num', n: tok.n, ...(pending ? { part: pending } : {}), raw: tok.raw });
        break;
      case 'sep':
        items.push({ k: 'sep' });
        break;
      case 'duration':
        items.push({ k: 'duration', minutes: tok.minutes });
        break;
      default:
        if (isDateTok(tok) && (!dateRange || (tok !== dateRange[0] && tok !== dateRange[1]))) dates.push(tok);
    }
  }

  let clocks: ClockSpec[] = [];
  let isRange = false;
  let duration: number | undefined;
  for (let k = 1; k + 1 < items.length; k++) {
    const a = items[k - 1]!;
    const b = items[k + 1]!;
    if (items[k]!.k !== 'sep' || (a.k !== 'clock' && a.k !== 'num') || (b.k !== 'clock' && b.k !== 'num') || (a.k === 'num' && b.k === 'num')) continue;
    const asClock = (x: typeof a): ClockSpec => (x.k === 'clock' ? x.c : { hour: (x as { n: number }).n, minutes: [0], raw: (x as { raw: string }).raw, ...((x as { part?: PartOfDay }).part ? { part: (x as { part?: PartOfDay }).part } : {}) });
    clocks = [asClock(a), asClock(b)];
    isRange = true;
    break;
  }
  if (!isRange) {
    items.forEach((item, k) => {
      if (item.k !== 'clock') return;
      clocks.push(item.c);
      const next = items[k + 1];
      if (next?.k === 'duration') duration = next.minutes;
    });
    if (clocks.length !== 1) duration = undefined;
  }
  const looseDuration = clocks.length === 0 ? items.find((i): i is { k: 'duration'; minutes: number } => i.k === 'duration')?.minutes : undefined;
  if (pending) {
    // 3点下午: a trailing part of day belongs to the clock before it
    const last = clocks[clocks.length - 1];
    if (last && !last.part && !last.meridiem && !last.h24) clocks[clocks.length - 1] = { ...last, part: pending };
    else parts.push(pending);
  }
  return { dates, ...(dateRange ? { dateRange } : {}), parts, clocks, isRange, ...(duration !== undefined ? { duration } : {}), ...(looseDuration !== undefined ? { looseDuration } : {}), ...(dottedChoice ? { dottedChoice } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Clauses: split on punctuation, alternation (或/还是) and declines (明天不行，后天可以)

const clauseSplit = /(或者|或是|还是|要不然|要不|或|、|\bor\b)|[，,。;；!！?？\n]|但是|不过|可是|但|然后/g;
const negation = /(不行|不可以|不太方便|不方便|没有空|没空|没有时间|没时间|不太行|不能|来不了|去不了|有事|没办法|没法|不合适|不ok|不在|不要|can't|cannot|not available|unavailable|busy)/;

interface Clause {
  readonly specs: Spec[];
  readonly negated: boolean;
  readonly alternation: boolean;
}

function splitClauses(text: string): { text: string; alternation: boolean; negated: boolean }[] {
  const raw: { text: string; alternation: boolean }[] = [];
  let last = 0;
  let alternation = false;
  for (const m of text.matchAll(clauseSplit)) {
    raw.push({ text: text.slice(last, m.index), alternation });
    alternation = m[1] !== undefined;
    last = m.index + m[0].length;
  }
  raw.push({ text: text.slice(last), alternation });

  const out: { text: string; alternation: boolean; negated: boolean }[] = [];
  for (const c of raw) {
    let rest = c.text;
    let alt = c.alternation;
    for (let guard = 0; guard < 20; guard++) {
      const m = negation.exec(rest);
      if (!m) {
        out.push({ text: rest, alternation: alt, negated: false });
        break;
      }
      const before = rest.slice(0, m.index);
      if (lex(before).length === 0) {
        // 不能周四: the decline covers the whole clause
        out.push({ text: rest, alternation: alt, negated: true });
        break;
      }
      out.push({ text: before, alternation: alt, negated: true });
      rest = rest.slice(m.index + m[0].length);
      alt = false;
    }
  }
  return out;
}

function withDatesOf(s: Spec, from: Spec): Spec {
  return { ...s, dates: from.dates, ...(from.dateRange ? { dateRange: from.dateRange } : {}) };
}

/** The specs the text offers as alternatives, after clauses have lent each other dates and times. */
function specsOf(text: string): { specs: Spec[]; declined: boolean } {
  const clauses: Clause[] = splitClauses(text).map((c) => ({ specs: buildSpecs(lex(c.text)), negated: c.negated, alternation: c.alternation }));
  const informative = (c: Clause) => c.specs.some((s) => hasDate(s) || hasTime(s));
  const merged: Clause[] = [];
  let dateSource: { spec: Spec; clause: Clause } | undefined;
  for (const c of clauses) {
    const loose = c.specs[0]?.looseDuration;
    if (!informative(c) && loose !== undefined && !c.negated) {
      const prev = merged[merged.length - 1];
      if (prev && !prev.negated && prev.specs.every((s) => s.clocks.length === 1 && !s.isRange && s.duration === undefined)) {
        merged[merged.length - 1] = { ...prev, specs: prev.specs.map((s) => ({ ...s, duration: loose })) };
      }
      continue;
    }
    if (!informative(c)) continue;
    const first = c.specs[0]!;
    if (!hasDate(first) && dateSource && (!dateSource.clause.negated || hasTime(dateSource.spec))) {
      // 明天上午没空，下午可以 → 明天下午; 明天，下午3点 → 明天下午3点
      const source = dateSource;
      const lent: Clause = { ...c, specs: c.specs.map((s) => withDatesOf(s, source.spec)) };
      const prev = merged[merged.length - 1];
      if (prev === source.clause && !prev.negated && !hasTime(source.spec)) merged.pop();
      merged.push(lent);
      continue;
    }
    if (hasDate(first)) dateSource = { spec: first, clause: c };
    merged.push(c);
  }
  // 周四或周五下午 → 周四下午 or 周五下午
  for (let k = 0; k + 1 < merged.length; k++) {
    const a = merged[k]!;
    const b = merged[k + 1]!;
    const sa = a.specs[0]!;
    const sb = b.specs[0]!;
    if (b.alternation && !a.negated && !b.negated && hasDate(sa) && !hasTime(sa) && hasDate(sb) && hasTime(sb) && a.specs.length === 1) {
      merged[k] = { ...a, specs: [{ ...sb, dates: sa.dates, ...(sa.dateRange ? { dateRange: sa.dateRange } : {}) }] };
    }
  }
  const positive = merged.filter((c) => !c.negated);
  return { specs: positive.flatMap((c) => c.specs), declined: positive.length === 0 && merged.some((c) => c.negated) };
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution

interface Ctx {
  readonly nowMs: number;
  readonly now: LocalParts;
  readonly timeZone: string;
  readonly calendar?: WorkdayCalendar;
  readonly defaultDuration?: number;
}

interface DateCand {
  readonly date: string;
  readonly endDate?: string;
  readonly scope: 'day' | 'week';
  readonly plaus: number;
}

interface Cause {
  readonly code: AmbiguityCause;
  /** asked when there are several options */
  readonly question: string;
  /** said before "您是指…吗？" when only one option is left */
  readonly note?: string;
}

interface DateRes {
  readonly literal: DateCand[];
  /** asked about, never taken, when every literal reading is past: 明天 for a bare time, next year for 3月5日 */
  readonly rollover: DateCand[];
  readonly causes: Cause[];
}

function invalid(code: InvalidCode, reason: string): InvalidTime {
  return { kind: 'invalid', code, reason };
}

const isInvalid = (x: unknown): x is InvalidTime => typeof x === 'object' && x !== null && (x as { kind?: string }).kind === 'invalid';

function dateLabel(date: string, ctx: Ctx): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y === ctx.now.year ? '' : `${y}年`}${m}月${d}日（周${weekdayNames[weekdayOf(date) - 1]}）`;
}

function shortDate(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日`;
}

const day = (date: string, plaus = 0): DateCand => ({ date, scope: 'day', plaus });

function mondayOf(date: string): string {
  return addDays(date, 1 - weekdayOf(date));
}

function weekOffset(week: WeekRef): number {
  return week === 'next' || week === 'en_next' ? 1 : week === 'nextnext' ? 2 : week === 'last' ? -1 : 0;
}

function resolveDateTok(tok: DateTok, ctx: Ctx): DateRes | InvalidTime {
  const today = ctx.now.date;
  const todayWd = ctx.now.weekday;
  const none: DateCand[] = [];
  switch (tok.t) {
    case 'day':
      if (tok.offset < 0) return invalid('past', `「${tok.raw}」已经过去了，请说一个之后的时间。${examplesHint}`);
      return { literal: [day(addDays(today, tok.offset))], rollover: none, causes: [] };
    case 'weekday': {
      const name = `周${weekdayNames[tok.weekday - 1]}`;
      if (tok.week === 'last') return invalid('past', `「${tok.raw}」已经过去了，请说一个之后的时间。${examplesHint}`);
      if (tok.week === 'bare') {
        const ahead = (tok.weekday - todayWd + 7) % 7;
        if (ahead === 0) {
          const next = addDays(today, 7);
          return {
            literal: [day(next, 0), day(today, 1)],
            rollover: none,
            causes: [{ code: 'weekday_today', question: `今天就是${name}，您指的是今天还是下${name}（${shortDate(next)}）？` }],
          };
        }
        return { literal: [day(addDays(today, ahead))], rollover: none, causes: [] };
      }
      const target = addDays(mondayOf(today), 7 * weekOffset(tok.week) + tok.weekday - 1);
      if (tok.week === 'en_next') {
        const ahead = ((tok.weekday - todayWd + 6) % 7) + 1;
        const coming = addDays(today, ahead);
        if (coming !== target) {
          return {
            literal: [day(target, 0), day(coming, 1)],
            rollover: none,
            causes: [{ code: 'en_next', question: `「${tok.raw.trim()}」是指${dateLabel(coming, ctx)}还是${dateLabel(target, ctx)}？` }],
          };
        }
        return { literal: [day(target)], rollover: none, causes: [] };
      }
      if (todayWd === 7 && tok.week !== 'this') {
        // on a Sunday, 下周二 is the day after tomorrow for most people and nine days away for some
        return {
          literal: [day(target, 0), day(addDays(target, 7), 1)],
          rollover: none,
          causes: [{ code: 'week_boundary', question: `今天是周日，「${tok.raw.trim()}」是指${dateLabel(target, ctx)}还是${dateLabel(addDays(target, 7), ctx)}？` }],
        };
      }
      if (tok.week === 'this' && target < today && todayWd === 7) {
        return { literal: [day(target)], rollover: [day(addDays(target, 7))], causes: [] };
      }
      return { literal: [day(target)], rollover: none, causes: [] };
    }
    case 'week': {
      if (tok.week === 'last') return invalid('past', `「${tok.raw.trim()}」已经过去了，请说一个之后的时间。${examplesHint}`);
      const monday = addDays(mondayOf(today), 7 * weekOffset(tok.week));
      const week = (m: string, plaus: number): DateCand => ({ date: m, endDate: addDays(m, 4), scope: 'week', plaus });
      if (todayWd === 7 && tok.week !== 'this') {
        return {
          literal: [week(monday, 0), week(addDays(monday, 7), 1)],
          rollover: none,
          causes: [{ code: 'week_boundary', question: `今天是周日，「${tok.raw.trim()}」是指明天开始的这一周，还是再下一周？` }],
        };
      }
      if (tok.week === 'this' && todayWd === 7) return { literal: [week(monday, 0)], rollover: [week(addDays(monday, 7), 0)], causes: [] };
      return { literal: [week(monday, 0)], rollover: none, causes: [] };
    }
    case 'weekend': {
      if (tok.week === 'last') return invalid('past', `「${tok.raw.trim()}」已经过去了，请说一个之后的时间。${examplesHint}`);
      const offset = tok.week === 'bare' || tok.week === 'this' ? 0 : weekOffset(tok.week);
      const sat = addDays(mondayOf(today), 7 * offset + 5);
      return {
        literal: [day(sat, 0), day(addDays(sat, 1), 1)],
        rollover: none,
        causes: [{ code: 'weekend', question: '周末是指周六还是周日？' }],
      };
    }
    case 'md': {
      const explicitYear = tok.year !== undefined || tok.yearOffset !== undefined;
      const year = tok.year ?? ctx.now.year + (tok.yearOffset ?? 0);
      if (!isRealDate(year, tok.month, tok.day)) {
        if (!explicitYear && isRealDate(year + 1, tok.month, tok.day) && tok.month === 2) {
          return { literal: [], rollover: [day(makeDate(year + 1, tok.month, tok.day))], causes: [] };
        }
        return invalid('no_such_date', `没有${explicitYear ? `${year}年` : ''}${tok.month}月${tok.day}日这一天，请检查日期，例如：3月5日下午3点`);
      }
      const date = makeDate(year, tok.month, tok.day);
      if (explicitYear) return { literal: [day(date)], rollover: none, causes: [] };
      return { literal: [day(date)], rollover: isRealDate(year + 1, tok.month, tok.day) ? [day(makeDate(year + 1, tok.month, tok.day))] : none, causes: [] };
    }
    case 'dom': {
      if (tok.day < 1 || tok.day > 31) return invalid('no_such_date', `没有${tok.day}号这一天，请检查日期，例如：15号下午3点`);
      const inMonth = (offset: number): string | undefined => {
        const y = ctx.now.year + Math.floor((ctx.now.month - 1 + offset) / 12);
        const m = ((ctx.now.month - 1 + offset) % 12) + 1;
        return isRealDate(y, m, tok.day) ? makeDate(y, m, tok.day) : undefined;
      };
      if (tok.monthOffset !== undefined) {
        const d = inMonth(tok.monthOffset);
        if (!d) return invalid('no_such_date', `${tok.monthOffset === 1 ? '下个月' : '这个月'}没有${tok.day}号，请检查日期，例如：15号下午3点`);
        return { literal: [day(d)], rollover: none, causes: [] };
      }
      const here = inMonth(0);
      const later = [inMonth(1), inMonth(2)].find((d) => d !== undefined);
      return { literal: here ? [day(here)] : [], rollover: later ? [day(later)] : none, causes: [] };
    }
    case 'dotted': {
      const readings: [number, number][] = [[tok.a, tok.b]];
      if (tok.a !== tok.b) readings.push([tok.b, tok.a]);
      const literal: DateCand[] = [];
      const rollover: DateCand[] = [];
      readings.forEach(([m, d], plaus) => {
        if (isRealDate(ctx.now.year, m, d)) literal.push(day(makeDate(ctx.now.year, m, d), plaus));
        if (isRealDate(ctx.now.year + 1, m, d)) rollover.push(day(makeDate(ctx.now.year + 1, m, d), plaus));
      });
      if (literal.length === 0 && rollover.length === 0) return invalid('no_such_date', `「${tok.raw}」不是有效的日期，可以这样说：3月5日下午3点`);
      return { literal, rollover, causes: [{ code: 'dotted', question: `「${tok.raw}」是指哪一天？` }] };
    }
  }
}

function resolveDates(spec: Spec, ctx: Ctx): DateRes | InvalidTime {
  const today = ctx.now.date;
  if (spec.dateRange) {
    const a = resolveDateTok(spec.dateRange[0], ctx);
    const b = resolveDateTok(spec.dateRange[1], ctx);
    if (isInvalid(a)) return a;
    if (isInvalid(b)) return b;
    const from = (a.literal[0] ?? a.rollover[0])?.date;
    let to = (b.literal[0] ?? b.rollover[0])?.date;
    if (!from || !to) return invalid('bad_range', `没听懂这个日期范围。${examplesHint}`);
    if (to < from && spec.dateRange[1].t === 'weekday' && spec.dateRange[1].week === 'bare') to = addDays(to, 7);
    const n = daysBetween(from, to);
    if (n < 0 || n > 13) return invalid('bad_range', `日期范围不对（结束要晚于开始，最多两周），请说一个具体的日子，例如：周四下午、3月5日上午`);
    const literal = Array.from({ length: n + 1 }, (_, k) => day(addDays(from, k), k));
    return { literal, rollover: [], causes: [{ code: 'date_range', question: '这几天里哪一天合适？' }] };
  }
  if (spec.dates.length === 0) return { literal: [day(today)], rollover: [day(addDays(today, 1))], causes: [] };

  const anchors = spec.dates.filter((t) => !(t.t === 'weekday' && t.week === 'bare'));
  const filters = spec.dates.filter((t): t is Extract<DateTok, { t: 'weekday' }> => t.t === 'weekday' && t.week === 'bare');
  const union = (toks: readonly DateTok[]): DateRes | InvalidTime => {
    const all = toks.map((t) => resolveDateTok(t, ctx));
    const firstInvalid = all.find(isInvalid);
    const valid = all.filter((r): r is DateRes => !isInvalid(r));
    if (valid.length === 0) return firstInvalid!;
    if (valid.length === 1) return valid[0]!;
    const dates = new Set(valid.flatMap((r) => r.literal.map((c) => c.date)));
    if (dates.size === 1 && valid.every((r) => r.literal.length === 1)) return valid[0]!;
    return {
      literal: valid.flatMap((r, k) => r.literal.map((c) => ({ ...c, plaus: c.plaus + k }))),
      rollover: valid.flatMap((r) => r.rollover),
      causes: [{ code: 'multiple', question: '您提到了几个日期，请确认是哪一天：' }, ...valid.flatMap((r) => r.causes)],
    };
  };
  if (anchors.length === 0) return union(filters);
  const base = union(anchors);
  if (isInvalid(base) || filters.length === 0) return base;
  // 3月10日（周二）: the weekday checks the date
  const w = filters[0]!.weekday;
  const matching = [...base.literal, ...base.rollover].filter((c) => c.scope === 'day' && weekdayOf(c.date) === w);
  if (matching.length > 0) return { literal: matching, rollover: [], causes: base.causes.filter((c) => c.code !== 'dotted' || matching.length > 1) };
  const said = base.literal[0] ?? base.rollover[0];
  const byWeekday = resolveDateTok(filters[0]!, ctx);
  if (!said || isInvalid(byWeekday)) return base;
  const mismatch = `${dateLabel(said.date, ctx).replace(/（.*）/, '')}是周${weekdayNames[weekdayOf(said.date) - 1]}，不是周${weekdayNames[w - 1]}`;
  return {
    literal: [said, ...byWeekday.literal.map((c) => ({ ...c, plaus: c.plaus + 1 }))],
    rollover: [],
    causes: [
      {
        code: 'weekday_mismatch',
        question: `${mismatch}，请确认是哪一天：`,
        note: `${mismatch}。`,
      },
    ],
  };
}

interface TimeCand {
  readonly kind: 'exact' | 'window';
  readonly start: number;
  readonly end?: number;
  readonly scope?: 'day' | 'part';
  readonly part?: PartOfDay;
  readonly plaus: number;
}

const distanceFromWorkingHours = (m: number) => (m < workingHours.start ? workingHours.start - m : m > workingHours.end ? m - workingHours.end : 0);

/** Minutes after midnight that a clock may mean, most plausible first. */
function clockReadings(c: ClockSpec): { values: number[]; meridiemOpen: boolean } | InvalidTime {
  const said = `「${c.raw.trim()}」`;
  for (const m of c.minutes) if (m > 59) return invalid('bad_time', `${said}不是有效的时间，可以这样说：下午3点、15:00、十点半`);
  if (c.hour > 24 || (c.hour === 24 && c.minutes.some((m) => m > 0))) return invalid('bad_time', `${said}不是有效的时间，可以这样说：下午3点、15:00、十点半`);
  let hours: number[];
  if (c.meridiem === 'am') {
    if (c.hour > 12) return invalid('conflict', `${said}前后矛盾（am 是上午），可以这样说：10am、3pm、15:00`);
    hours = [c.hour === 12 ? 0 : c.hour];
  } else if (c.meridiem === 'pm') {
    if (c.hour === 0 || c.hour === 24) return invalid('conflict', `${said}前后矛盾（pm 是下午），可以这样说：3pm、15:00`);
    hours = [c.hour < 12 ? c.hour + 12 : c.hour];
  } else if (c.part) {
    const h = hourWithPart(c.hour, c.part);
    if (h === undefined) {
      const w = partWindows[c.part];
      return invalid('conflict', `「${w.label}${c.raw.trim()}」前后矛盾：${w.label}是${hhmm(w.start)}–${hhmm(w.end)}。可以这样说：上午10点、下午3点、15:00`);
    }
    hours = [h];
  } else if (c.h24 || c.hour === 0 || c.hour >= 12) hours = [c.hour];
  else hours = [c.hour, c.hour + 12].sort((a, b) => distanceFromWorkingHours(a * 60) - distanceFromWorkingHours(b * 60));
  const values: number[] = [];
  for (const h of hours) for (const m of c.minutes) values.push(h * 60 + m);
  return { values, meridiemOpen: hours.length > 1 };
}

function resolveTimes(spec: Spec, ctx: Ctx): { cands: TimeCand[]; causes: Cause[] } | InvalidTime {
  const causes: Cause[] = [];
  if (spec.clocks.length === 0) {
    if (spec.parts.length === 0) return { cands: [{ kind: 'window', start: workingHours.start, end: workingHours.end, scope: 'day', plaus: 0 }], causes };
    const uniq = [...new Set(spec.parts)];
    if (uniq.length > 1) causes.push({ code: 'multiple', question: `您说了${uniq.map((p) => partWindows[p].label).join('和')}，请确认是哪个时段：` });
    return { cands: uniq.map((p, k) => ({ kind: 'window', start: partWindows[p].start, end: partWindows[p].end, scope: 'part', part: p, plaus: k })), causes };
  }
  // 晚上10点到12点: the end may share the start's part of day
  const startPart = spec.clocks[0]?.part;
  const readings = spec.clocks.map((c, k) => {
    const own = clockReadings(c);
    if (!spec.isRange || k !== 1 || !startPart || c.part || c.meridiem || c.h24 || isInvalid(own)) return own;
    const shared = clockReadings({ ...c, part: startPart });
    if (isInvalid(shared)) return own;
    return { values: [...new Set([...shared.values, ...own.values])], meridiemOpen: own.meridiemOpen };
  });
  const bad = readings.find(isInvalid);
  if (bad) return bad;
  const ok = readings as { values: number[]; meridiemOpen: boolean }[];
  const clockText = spec.clocks.map((c) => c.raw.trim()).join(spec.isRange ? '到' : '、');
  if (ok.some((r) => r.meridiemOpen)) causes.push({ code: 'meridiem', question: `「${clockText}」是上午还是下午？` });
  if (spec.clocks.some((c) => c.minutes.length > 1)) causes.push({ code: 'minutes', question: `「${clockText}」是几点几分？` });

  if (spec.isRange) {
    const s = ok[0]!;
    const e = ok[1]!;
    const inferred = s.values.length > 1 || e.values.length > 1;
    const cands: TimeCand[] = [];
    s.values.forEach((a, i) =>
      e.values.forEach((b, j) => {
        if (b > a && (!inferred || b - a <= 12 * 60)) cands.push({ kind: 'exact', start: a, end: b, plaus: i + j });
      }),
    );
    if (cands.length === 0) return invalid('bad_range', `「${clockText}」结束时间要晚于开始时间，例如：14:00-15:00、下午2点到4点`);
    if (cands.length === 1) causes.length = 0;
    return { cands: cands.sort((x, y) => x.plaus - y.plaus), causes };
  }
  if (spec.clocks.length > 1) causes.push({ code: 'multiple', question: `您说了${clockText}，请确认是哪个时间：` });
  const length = spec.duration ?? ctx.defaultDuration;
  const cands: TimeCand[] = [];
  ok.forEach((r, k) =>
    r.values.forEach((v, i) => cands.push({ kind: 'exact', start: v, ...(length !== undefined ? { end: v + length } : {}), plaus: i + k })),
  );
  return { cands: cands.sort((x, y) => x.plaus - y.plaus), causes };
}

function hhmm(minutes: number): string {
  const h = Math.floor(minutes / 60);
  return `${String(h).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function clockLabel(date: string, minutes: number): string {
  if (minutes <= 24 * 60) return hhmm(minutes);
  const extra = Math.floor(minutes / (24 * 60));
  return `${extra === 1 ? '次日' : `${addDays(date, extra).slice(5).replace('-', '月')}日`}${hhmm(minutes % (24 * 60))}`;
}

function warningFor(date: string, ctx: Ctx): string | undefined {
  if (!ctx.calendar) return undefined;
  try {
    return ctx.calendar.isWorkday(date) ? undefined : nonWorkdayWarning;
  } catch {
    return '无法确认该日是否为工作日';
  }
}

interface Cand {
  readonly reading: TimeReading;
  readonly plaus: number;
  readonly past: boolean;
}

function makeReading(d: DateCand, t: TimeCand, ctx: Ctx): Cand {
  const tz = ctx.timeZone;
  if (d.scope === 'week') {
    const start = instantOf(d.date, workingHours.start, tz);
    const end = instantOf(d.endDate ?? d.date, workingHours.end, tz);
    const reading: TimeWindow = {
      kind: 'window',
      start: new Date(start),
      end: new Date(end),
      date: d.date,
      label: `${dateLabel(d.date, ctx)}至${dateLabel(d.endDate ?? d.date, ctx)}`,
      scope: 'week',
      ...(start < ctx.nowMs && end > ctx.nowMs ? { partlyPast: true as const } : {}),
    };
    return { reading, plaus: d.plaus, past: end <= ctx.nowMs };
  }
  const start = instantOf(d.date, t.start, tz);
  const warning = warningFor(d.date, ctx);
  const plaus = d.plaus * 2 + t.plaus;
  if (t.kind === 'window') {
    const end = instantOf(d.date, t.end ?? t.start, tz);
    const what = t.part ? partWindows[t.part].label : '';
    const reading: TimeWindow = {
      kind: 'window',
      start: new Date(start),
      end: new Date(end),
      date: d.date,
      label: `${dateLabel(d.date, ctx)}${what} ${hhmm(t.start)}–${hhmm(t.end ?? t.start)}`,
      scope: t.scope ?? 'part',
      ...(t.part ? { part: t.part } : {}),
      ...(start < ctx.nowMs && end > ctx.nowMs ? { partlyPast: true as const } : {}),
      ...(warning ? { warning } : {}),
    };
    return { reading, plaus, past: end <= ctx.nowMs };
  }
  const startLocal = t.start >= 24 * 60 ? addDays(d.date, Math.floor(t.start / (24 * 60))) : d.date;
  const reading: ExactTime = {
    kind: 'exact',
    start: new Date(start),
    ...(t.end !== undefined ? { end: new Date(instantOf(d.date, t.end, tz)) } : {}),
    date: startLocal,
    label: `${dateLabel(d.date, ctx)} ${clockLabel(d.date, t.start)}${t.end !== undefined ? `–${clockLabel(d.date, t.end)}` : ''}`,
    ...(warning ? { warning } : {}),
  };
  return { reading, plaus, past: start < ctx.nowMs };
}

interface SpecOutcome {
  readonly literal: Cand[];
  readonly rollover: Cand[];
  readonly causes: Cause[];
}

function resolveSpec(spec: Spec, ctx: Ctx): SpecOutcome | InvalidTime {
  const dates = resolveDates(spec, ctx);
  if (isInvalid(dates)) return dates;
  const times = resolveTimes(spec, ctx);
  if (isInvalid(times)) return times;
  const isWeek = [...dates.literal, ...dates.rollover].some((d) => d.scope === 'week');
  if (isWeek && hasTime(spec)) return invalid('need_day', `请说具体哪一天，例如：下周二下午3点、下周四上午`);
  const build = (ds: DateCand[]) => (isWeek ? ds.map((d) => makeReading(d, times.cands[0]!, ctx)) : ds.flatMap((d) => times.cands.map((t) => makeReading(d, t, ctx))));
  const causes = [...dates.causes, ...times.causes];
  if (spec.dottedChoice && !causes.some((c) => c.code === 'dotted')) causes.push({ code: 'dotted', question: '这个数字是指日期还是时间？' });
  return { literal: build(dates.literal), rollover: build(dates.rollover), causes };
}

function sameReading(a: TimeReading, b: TimeReading): boolean {
  return a.kind === b.kind && a.start.getTime() === b.start.getTime() && a.end?.getTime() === b.end?.getTime();
}

function dedupe(cands: Cand[]): Cand[] {
  const out: Cand[] = [];
  for (const c of [...cands].sort((x, y) => x.plaus - y.plaus)) if (!out.some((o) => sameReading(o.reading, c.reading))) out.push(c);
  return out;
}

function assemble(outcomes: SpecOutcome[]): ParseTimeResult {
  const literal = dedupe(outcomes.flatMap((o, k) => o.literal.map((c) => ({ ...c, plaus: c.plaus + k * 0.5 }))));
  const rollover = dedupe(outcomes.flatMap((o) => o.rollover));
  const causes = outcomes.flatMap((o) => o.causes);
  if (outcomes.length > 1 && !causes.some((c) => c.code === 'multiple' || c.code === 'dotted')) causes.unshift({ code: 'multiple', question: '您提到了多个时间，请确认是哪一个：' });
  const future = literal.filter((c) => !c.past);
  const codes = (cs: Cause[]) => [...new Set(cs.map((c) => c.code))];

  if (future.length === 0) {
    const ahead = rollover.filter((c) => !c.past);
    const gone = literal[0]?.reading;
    if (ahead.length === 0) {
      return invalid('past', `${gone ? `${gone.label}` : '这个时间'}已经过去了，请说一个之后的时间。${examplesHint}`);
    }
    const options = ahead.slice(0, MAX_OPTIONS).map((c) => c.reading);
    const goneText = gone && gone.kind === 'window' && gone.scope === 'day' ? gone.label.replace(/ \d\d:\d\d–\d\d:\d\d$/, '') : gone?.label;
    const note = goneText ? `${goneText}已经过去了，` : '';
    const question = options.length === 1 ? `${note}您是指${options[0]!.label}吗？` : `${note}${causes[0]?.question ?? '请选择一个时间：'}`;
    return { kind: 'ambiguous', options, question, causes: codes([{ code: 'past_rollover', question }, ...causes]) };
  }
  if (literal.length === 1 && causes.length === 0) return future[0]!.reading;
  const options = future.slice(0, MAX_OPTIONS).map((c) => c.reading);
  const gonePast = literal.find((c) => c.past)?.reading;
  const note = causes.find((c) => c.note)?.note ?? (gonePast ? `${gonePast.label}已经过去了，` : '');
  const question = options.length === 1 ? `${note}您是指${options[0]!.label}吗？` : (causes[0]?.question ?? '请选择一个时间：');
  return { kind: 'ambiguous', options, question, causes: codes(causes.length > 0 ? causes : [{ code: 'multiple', question }]) };
}

/**
 * Parses a natural time expression relative to `options.now` in `options.timeZone` (default Asia/Shanghai).
 * Never throws on any text; throws RangeError for an invalid `now` or an unknown time zone (caller bugs).
 */
export function parseTime(text: string, options: ParseTimeOptions): ParseTimeResult {
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  const nowMs = options.now instanceof Date ? options.now.getTime() : NaN;
  if (!Number.isFinite(nowMs)) throw new RangeError('parseTime: options.now must be a valid Date');
  if (!isValidTimeZone(timeZone)) throw new RangeError(`parseTime: unknown IANA time zone "${timeZone}"`);
  const d = options.defaultDurationMinutes;
  if (d !== undefined && (!Number.isFinite(d) || d <= 0)) throw new RangeError('parseTime: defaultDurationMinutes must be positive');

  if (typeof text !== 'string' || text.trim() === '') return invalid('empty', `请告诉我一个时间，${examplesHint}`);
  if (text.length > MAX_INPUT) return invalid('too_long', `消息太长了，请只说时间，${examplesHint}`);
  const ctx: Ctx = {
    nowMs,
    now: localParts(nowMs, timeZone),
    timeZone,
    ...(options.calendar ? { calendar: options.calendar } : {}),
    ...(d !== undefined ? { defaultDuration: d } : {}),
  };
  const { specs, declined } = specsOf(normalizeText(text));
  const useful = specs.filter((s) => hasDate(s) || hasTime(s));
  if (useful.length === 0) {
    if (declined) return invalid('declined', `好的，这个时间不方便。请告诉我一个方便的时间，${examplesHint}`);
    return invalid('unrecognized', `没听懂时间，${examplesHint}`);
  }
  const outcomes = useful.map((s) => resolveSpec(s, ctx));
  const valid = outcomes.filter((o): o is SpecOutcome => !isInvalid(o));
  if (valid.length === 0) return outcomes[0] as InvalidTime;
  return assemble(valid);
}

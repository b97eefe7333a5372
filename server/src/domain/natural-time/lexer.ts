import { parseNumber } from './normalize';
import type { PartOfDay } from './types';

/**
 * Turns one normalized clause into time tokens. Everything that is not a token is filler ("改到", "吧", "我 … 有空")
 * and skipped. Patterns are tried at each position in a fixed order (longest and most specific first).
 */

export type PartName = PartOfDay;

/** bare: 周五; this: 这周五/本周五; next: 下周五; nextnext: 下下周五; last: 上周五; en_next: "next friday". */
export type WeekRef = 'bare' | 'this' | 'next' | 'nextnext' | 'last' | 'en_next';

export type TokenBody =
  | { readonly t: 'day'; readonly offset: number }
  | { readonly t: 'weekday'; readonly week: WeekRef; readonly weekday: number }
  | { readonly t: 'week'; readonly week: WeekRef }
  | { readonly t: 'weekend'; readonly week: WeekRef }
  | { readonly t: 'md'; readonly year?: number; readonly yearOffset?: number; readonly month: number; readonly day: number }
  | { readonly t: 'dom'; readonly monthOffset?: number; readonly day: number }
  | { readonly t: 'dotted'; readonly a: number; readonly b: number; readonly aDigits: number; readonly bDigits: number }
  | { readonly t: 'part'; readonly part: PartName }
  | {
      readonly t: 'clock';
      readonly hour: number;
      /** more than one when the minutes are unclear (三点五: 03:05 or 03:30) */
      readonly minutes: readonly number[];
      readonly meridiem?: 'am' | 'pm';
      /** HH:MM with a two-digit hour: a 24-hour clock reading, no 上午/下午 question */
      readonly h24?: boolean;
    }
  | { readonly t: 'num'; readonly n: number }
  | { readonly t: 'sep' }
  | { readonly t: 'duration'; readonly minutes: number };

export type Token = TokenBody & { readonly start: number; readonly end: number; readonly raw: string };

const NUM = '(\\d{1,2}|[零〇一二两三四五六七八九十]{1,3})';
const WD = '([一二三四五六日天末]|[1-7](?!\\d))';
const MERIDIEM = '(am|pm|a\\.m\\.|p\\.m\\.)';

const partWords: Readonly<Record<string, PartName>> = {
  凌晨: 'early',
  半夜: 'early',
  早上: 'morning',
  早晨: 'morning',
  清晨: 'morning',
  一早: 'morning',
  上午: 'am',
  中午: 'noon',
  午后: 'pm',
  下午: 'pm',
  傍晚: 'dusk',
  晚上: 'evening',
  晚间: 'evening',
  夜里: 'evening',
  夜间: 'evening',
  morning: 'morning',
  noon: 'noon',
  afternoon: 'pm',
  evening: 'evening',
  night: 'evening',
};

const dayWords: Readonly<Record<string, number>> = {
  大前天: -3,
  前天: -2,
  昨天: -1,
  昨日: -1,
  今天: 0,
  今日: 0,
  今儿: 0,
  明天: 1,
  明日: 1,
  明儿: 1,
  后天: 2,
  大后天: 3,
  today: 0,
  tomorrow: 1,
  tmr: 1,
  tmrw: 1,
  yesterday: -1,
};

const enWeekdays: Readonly<Record<string, number>> = {
  monday: 1,
  mon: 1,
  tuesday: 2,
  tues: 2,
  tue: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thurs: 4,
  thur: 4,
  thu: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
  sunday: 7,
  sun: 7,
};

function weekRefOf(prefix: string | undefined): WeekRef {
  if (!prefix) return 'bare';
  const p = prefix.replace(/个/g, '').trim();
  if (p === '下下') return 'nextnext';
  if (p === '下') return 'next';
  if (p === '上' || p === '上上') return 'last';
  return 'this'; // 这, 本, this, coming
}

function weekdayDigit(w: string): number | undefined {
  if (w === '日' || w === '天') return 7;
  if (/^[1-7]$/.test(w)) return Number(w);
  const n = parseNumber(w);
  return n !== undefined && n >= 1 && n <= 6 ? n : undefined;
}

type Matcher = (s: string, i: number) => { len: number; body: TokenBody } | undefined;

function sticky(source: string): RegExp {
  return new RegExp(source, 'y');
}

function at(re: RegExp, s: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(s);
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';

const reIsoDate = sticky('(\\d{4})\\s*[-/.年]\\s*(\\d{1,2})\\s*[-/.月]\\s*(\\d{1,2})(?!\\d)\\s*[日号]?');
const reMonthDay = sticky(`(今年|明年|后年)?${NUM}\\s*月\\s*${NUM}(?![\\d月:点时])\\s*[日号]?`);
const reMonthDom = sticky(`(这个月|本月|下个?月)\\s*${NUM}\\s*[日号]`);
const reDayWord = sticky('(大前天|前天|昨天|昨日|今天|今日|今儿|明天|明日|明儿|大后天|后天)');
const reDayPart = sticky('(今晚|明晚|昨晚|今早|明早)');
const reWeek = sticky(`(下下个?|下个?|这个?|本|上上个?|上个?)?\\s*(?:周|星期|礼拜)\\s*${WD}?`);
const rePart = sticky('(凌晨|半夜|早上|早晨|清晨|一早|上午|中午|午后|下午|傍晚|晚上|晚间|夜里|夜间)');
const reColon = sticky(`(\\d{1,2})\\s*:\\s*(\\d{2})(?::\\d{2})?(?!\\d)\\s*${MERIDIEM}?(?![a-z])`);
const reEnClock = sticky(`(\\d{1,2})\\s*(?:${MERIDIEM}|o'?clock)(?![a-z])`);
const reCnClock = sticky(
  `${NUM}\\s*(?:点|时)(?:钟)?(?:\\s*(半|一刻|1刻|三刻|3刻|整)|\\s*过?\\s*${NUM}(?![\\d个小时号日月点:])\\s*(分(?!钟))?)?(?:\\s*${MERIDIEM}(?![a-z]))?`,
);
const reDuration = sticky(`(?:${NUM}\\s*个?\\s*(半)?|(半)\\s*个?)\\s*(?:小时|钟头)|(\\d{1,3}|[一二两三四五六七八九十]{1,3})\\s*分钟|(\\d{1,2}(?:\\.\\d)?)\\s*(?:h|hr|hrs|hours?)(?![a-z])|(\\d{1,3})\\s*(?:min|mins|minutes)(?![a-z])`);
const reDotted = sticky('(\\d{1,2})[./](\\d{1,2})(?![\\d./:月])');
const reDom = sticky(`${NUM}\\s*[日号](?![楼线门房室馆厅口位桌机院栋座层会教车站床柜窗包])`);
const reSep = sticky('(~|-|到|至|—)');
const reBareNum = sticky('(\\d{1,2})(?!\\d)');
const reCnBareNum = sticky('([零〇一二两三四五六七八九十]{1,3})(?=\\s*[~\\-到至])');
const reWord = sticky('([a-z]+)');

function meridiemOf(m: string | undefined): 'am' | 'pm' | undefined {
  if (!m) return undefined;
  return m.startsWith('a') ? 'am' : 'pm';
}

const matchers: Matcher[] = [
  // 2026-12-01, 2026/12/1, 2026.12.1, 2026年12月1日
  (s, i) => {
    if (isDigit(s[i - 1])) return undefined;
    const m = at(reIsoDate, s, i);
    if (!m) return undefined;
    return { len: m[0].length, body: { t: 'md', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } };
  },
  // 3月5日, 三月五号, 明年3月5日
  (s, i) => {
    if (isDigit(s[i - 1])) return undefined;
    const m = at(reMonthDay, s, i);
    if (!m) return undefined;
    const month = parseNumber(m[2]!);
    const day = parseNumber(m[3]!);
    if (month === undefined || day === undefined) return undefined;
    const yearOffset = m[1] === '明年' ? 1 : m[1] === '后年' ? 2 : m[1] === '今年' ? 0 : undefined;
    return { len: m[0].length, body: { t: 'md', month, day, ...(yearOffset !== undefined ? { yearOffset } : {}) } };
  },
  // 下个月5号
  (s, i) => {
    const m = at(reMonthDom, s, i);
    if (!m) return undefined;
    const day = parseNumber(m[2]!);
    if (day === undefined) return undefined;
    return { len: m[0].length, body: { t: 'dom', day, monthOffset: m[1]!.startsWith('下') ? 1 : 0 } };
  },
  // 今晚, 明早: a day and a part of it; the part is emitted by the caller
  (s, i) => {
    const m = at(reDayPart, s, i);
    if (!m) return undefined;
    const w = m[1]!;
    const offset = w[0] === '今' ? 0 : w[0] === '明' ? 1 : -1;
    return { len: 1, body: { t: 'day', offset } };
  },
  (s, i) => {
    const m = at(reDayWord, s, i);
    if (!m) return undefined;
    return { len: m[0].length, body: { t: 'day', offset: dayWords[m[1]!] ?? 0 } };
  },
  // 周五, 星期天, 礼拜一, 下周二, 下下个星期三, 这周末, 下周
  (s, i) => {
    const m = at(reWeek, s, i);
    if (!m) return undefined;
    const week = weekRefOf(m[1]);
    const w = m[2];
    if (w === undefined) return m[1] ? { len: m[0].length, body: { t: 'week', week } } : undefined;
    if (w === '末') return { len: m[0].length, body: { t: 'weekend', week } };
    const weekday = weekdayDigit(w);
    if (weekday === undefined) return undefined;
    return { len: m[0].length, body: { t: 'weekday', week, weekday } };
  },
  (s, i) => {
    const m = at(rePart, s, i);
    if (!m) return undefined;
    return { len: m[0].length, body: { t: 'part', part: partWords[m[1]!] ?? 'am' } };
  },
  // durations before clocks: 1小时, 一个半小时, 半小时, 45分钟, 1.5h, 30 min
  (s, i) => {
    if (isDigit(s[i - 1])) return undefined;
    const m = at(reDuration, s, i);
    if (!m) return undefined;
    let minutes: number | undefined;
    if (m[1] !== undefined) {
      const h = parseNumber(m[1]);
      minutes = h === undefined ? undefined : h * 60 + (m[2] ? 30 : 0);
    } else if (m[3] !== undefined) minutes = 30;
    else if (m[4] !== undefined) minutes = parseNumber(m[4]);
    else if (m[5] !== undefined) minutes = Math.round(Number(m[5]) * 60);
    else if (m[6] !== undefined) minutes = Number(m[6]);
    if (minutes === undefined || minutes <= 0 || minutes > 24 * 60) return undefined;
    return { len: m[0].length, body: { t: 'duration', minutes } };
  },
  // 15:30, 3:30pm, 09:00
  (s, i) => {
    if (isDigit(s[i - 1])) return undefined;
    const m = at(reColon, s, i);
    if (!m) return undefined;
    const meridiem = meridiemOf(m[3]);
    return {
      len: m[0].length,
      body: { t: 'clock', hour: Number(m[1]), minutes: [Number(m[2])], ...(meridiem ? { meridiem } : { h24: m[1]!.length === 2 }) },
    };
  },
  // 3pm, 10 am, 3 o'clock
  (s, i) => {
    if (isDigit(s[i - 1])) return undefined;
    const m = at(reEnClock, s, i);
    if (!m) return undefined;
    const meridiem = meridiemOf(m[2]);
    return { len: m[0].length, body: { t: 'clock', hour: Number(m[1]), minutes: [0], ...(meridiem ? { meridiem } : {}) } };
  },
  // 三点, 十点半, 十二点一刻, 三点四十五, 15点30, 3点05分, 3点钟
  (s, i) => {
    if (isDigit(s[i - 1])) return undefined;
    const m = at(reCnClock, s, i);
    if (!m) return undefined;
    const hour = parseNumber(m[1]!);
    if (hour === undefined) return undefined;
    let minutes: number[] = [0];
    const frac = m[2];
    if (frac === '半') minutes = [30];
    else if (frac === '一刻' || frac === '1刻') minutes = [15];
    else if (frac === '三刻' || frac === '3刻') minutes = [45];
    else if (m[3] !== undefined) {
      const mm = parseNumber(m[3]);
      if (mm === undefined) return undefined;
      // 3点5 / 三点五 without 分: 03:05 or 03:50? Ask. (05, 四十五, 零五 and 5分 are clear.)
      const singleDigit = /^[\d一二两三四五六七八九]$/.test(m[3]) && m[4] === undefined && mm !== 0;
      minutes = singleDigit ? [mm, mm * 10] : [mm];
    }
    const meridiem = meridiemOf(m[5]);
    return { len: m[0].length, body: { t: 'clock', hour, minutes, ...(meridiem ? { meridiem } : {}) } };
  },
  // 3.5, 3/5: a date (or a time); decided by the parser
  (s, i) => {
    if (isDigit(s[i - 1]) || s[i - 1] === '.' || s[i - 1] === '/') return undefined;
    const m = at(reDotted, s, i);
    if (!m) return undefined;
    return { len: m[0].length, body: { t: 'dotted', a: Number(m[1]), b: Number(m[2]), aDigits: m[1]!.length, bDigits: m[2]!.length } };
  },
  // 5号, 十五日
  (s, i) => {
    if (isDigit(s[i - 1])) return undefined;
    const m = at(reDom, s, i);
    if (!m) return undefined;
    const day = parseNumber(m[1]!);
    if (day === undefined) return undefined;
    return { len: m[0].length, body: { t: 'dom', day } };
  },
  (s, i) => {
    const m = at(reSep, s, i);
    return m ? { len: m[0].length, body: { t: 'sep' } } : undefined;
  },
  (s, i) => {
    if (isDigit(s[i - 1])) return undefined;
    const m = at(reBareNum, s, i) ?? at(reCnBareNum, s, i);
    if (!m) return undefined;
    const n = parseNumber(m[1]!);
    return n === undefined ? undefined : { len: m[0].length, body: { t: 'num', n } };
  },
];

/** English words; `rest` is the text after the word, for two-word forms ("next tuesday", "day after tomorrow"). */
function englishAt(s: string, i: number): { len: number; bodies: TokenBody[] } | undefined {
  if (isLetter(s[i - 1])) return undefined;
  const m = at(reWord, s, i);
  if (!m) return undefined;
  const word = m[1]!;
  const len = word.length;
  const nextWord = () => {
    const n = /^\s+([a-z]+)/.exec(s.slice(i + len, i + len + 20));
    return n ? { word: n[1]!, len: n[0].length } : undefined;
  };
  if (word === 'day') {
    const tail = /^ after tomorrow(?![a-z])/.exec(s.slice(i + len, i + len + 20));
    if (tail) return { len: len + tail[0].length, bodies: [{ t: 'day', offset: 2 }] };
    return { len, bodies: [] };
  }
  if (word in dayWords) return { len, bodies: [{ t: 'day', offset: dayWords[word]! }] };
  if (word === 'tonight') return { len, bodies: [{ t: 'day', offset: 0 }, { t: 'part', part: 'evening' }] };
  if (word === 'this' || word === 'next' || word === 'coming') {
    const n = nextWord();
    if (n && n.word in enWeekdays) {
      const week: WeekRef = word === 'next' ? 'en_next' : word === 'this' ? 'this' : 'bare';
      return { len: len + n.len, bodies: [{ t: 'weekday', week, weekday: enWeekdays[n.word]! }] };
    }
    if (n && n.word === 'week') return { len: len + n.len, bodies: [{ t: 'week', week: word === 'next' ? 'next' : 'this' }] };
    if (n && n.word === 'weekend') return { len: len + n.len, bodies: [{ t: 'weekend', week: word === 'next' ? 'next' : 'this' }] };
    return { len, bodies: [] };
  }
  if (word === 'last') {
    const n = nextWord();
    if (n && (n.word in enWeekdays || n.word === 'week')) return { len: len + n.len, bodies: [{ t: 'week', week: 'last' }] };
    return { len, bodies: [] };
  }
  if (word in enWeekdays) return { len, bodies: [{ t: 'weekday', week: 'bare', weekday: enWeekdays[word]! }] };
  if (word === 'weekend') return { len, bodies: [{ t: 'weekend', week: 'bare' }] };
  if (word in partWords) return { len, bodies: [{ t: 'part', part: partWords[word]! }] };
  if (word === 'to' || word === 'until' || word === 'till' || word === 'through') return { len, bodies: [{ t: 'sep' }] };
  return { len, bodies: [] };
}

const startChars = /[\d零〇一二两三四五六七八九十今明昨前大后这本下上周星礼早晚凌半清中午傍夜~\-到至—a-z]/;

export function lex(clause: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = clause.length;
  while (i < n) {
    const c = clause[i]!;
    if (!startChars.test(c)) {
      i += 1;
      continue;
    }
    if (isLetter(c)) {
      const en = englishAt(clause, i);
      if (en) {
        for (const body of en.bodies) out.push({ ...body, start: i, end: i + en.len, raw: clause.slice(i, i + en.len) });
        i += en.len;
        continue;
      }
    }
    let matched = false;
    for (const match of matchers) {
      const r = match(clause, i);
      if (!r) continue;
      out.push({ ...r.body, start: i, end: i + r.len, raw: clause.slice(i, i + r.len) });
      // 今晚 / 明早: the day word took one character; the part of day follows
      if (r.body.t === 'day' && r.len === 1) {
        const second = clause[i + 1];
        out.push({ t: 'part', part: second === '早' ? 'morning' : 'evening', start: i + 1, end: i + 2, raw: second ?? '' });
        i += 2;
      } else i += r.len;
      matched = true;
      break;
    }
    if (matched) continue;
    // 周四晚, 明天早: a lone 早/晚 right after a date word
    if ((c === '晚' || c === '早') && out.length > 0) {
      const prev = out[out.length - 1]!;
      const dateLike = prev.t === 'day' || prev.t === 'weekday' || prev.t === 'md' || prev.t === 'dom';
      if (dateLike && prev.end === i) {
        out.push({ t: 'part', part: c === '晚' ? 'evening' : 'morning', start: i, end: i + 1, raw: c });
        i += 1;
        continue;
      }
    }
    // skip a whole digit run so that no pattern matches inside a long number
    if (isDigit(c)) {
      while (i < n && isDigit(clause[i])) i += 1;
    } else i += 1;
  }
  return out;
}

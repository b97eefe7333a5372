/**
 * The little zone arithmetic the natural-time parser needs, with nothing but `Intl.DateTimeFormat`: the local date
 * and weekday of an instant in an IANA zone, and the instant of a local date + minutes after midnight.
 *
 * Local dates are plain 'YYYY-MM-DD' strings and never a `Date` in the machine's zone. A wall time that falls into a
 * DST gap moves forward by the gap, one that happens twice (autumn overlap) takes the first occurrence — like
 * Temporal's `compatible`. (server/src/domain/scheduling/zoned-time.ts has a fuller helper; this one is kept
 * self-contained so that the two modules can evolve separately and be joined later.)
 */

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 1 = Monday … 7 = Sunday */
  readonly weekday: number;
  /** 'YYYY-MM-DD' */
  readonly date: string;
  /** minutes after local midnight */
  readonly minutes: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows `timeZone` as an IANA zone. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function fields(ms: number, timeZone: string) {
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'minute' || p.type === 'second') out[p.type] = Number(p.value);
    else if (p.type === 'hour') out.hour = Number(p.value) % 24; // some ICU versions print midnight as 24
  }
  return out;
}

/** Offset of the zone from UTC at an instant, in minutes (480 for Asia/Shanghai). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const f = fields(whole, timeZone);
  return (utcMs(f.year, f.month, f.day, f.hour, f.minute, f.second) - whole) / MINUTE;
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const f = fields(Math.floor(ms / 1000) * 1000, timeZone);
  const date = `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}`;
  return { year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, weekday: weekdayOf(date), date, minutes: f.hour * 60 + f.minute };
}

function splitDate(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? 0, m ?? 0, d ?? 0];
}

export function makeDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** Whether year-month-day exists (no 2月30日). */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1 || day > 31) return false;
  const d = new Date(utcMs(year, month, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** Calendar arithmetic on 'YYYY-MM-DD'. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = splitDate(date);
  const t = new Date(utcMs(y, m, d + days));
  return makeDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** 1 = Monday … 7 = Sunday */
export function weekdayOf(date: string): number {
  const [y, m, d] = splitDate(date);
  return ((new Date(utcMs(y, m, d)).getUTCDay() + 6) % 7) + 1;
}

/** Days from `a` to `b` (both 'YYYY-MM-DD'). */
export function daysBetween(a: string, b: string): number {
  const [ay, am, ad] = splitDate(a);
  const [by, bm, bd] = splitDate(b);
  return Math.round((utcMs(by, bm, bd) - utcMs(ay, am, ad)) / DAY);
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` + `minutes` (1440 is the next midnight).
 * Gap → moved forward by the gap; overlap → the earlier instant.
 */
export function instantOf(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = splitDate(date);
  const wall = utcMs(y, m, d, 0, minutes);
  const before = offsetMinutes(wall - DAY, timeZone);
  const after = offsetMinutes(wall + DAY, timeZone);
  const valid: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const candidate = wall - off * MINUTE;
    if (offsetMinutes(candidate, timeZone) === off) valid.push(candidate);
  }
  if (valid.length > 0) return Math.min(...valid);
  return wall - before * MINUTE; // in a gap: the offset before the change lands after the gap
}

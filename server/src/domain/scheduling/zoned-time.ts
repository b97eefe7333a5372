/**
 * Wall time in an IANA zone ↔ UTC instants, with nothing but `Intl.DateTimeFormat` (no time-zone library is
 * installed). Instants are epoch milliseconds; local wall times are plain fields, never a `Date` in the machine's zone.
 *
 * DST is resolved like Temporal's `disambiguation`:
 * - a wall time in a gap (Europe/Berlin 2026-03-29 02:30 does not exist): `compatible`/`later` move it forward by
 *   the gap (→ 03:30 CEST), `earlier` backward (→ 01:30 CET), `reject` throws;
 * - a wall time in an overlap (Europe/Berlin 2026-10-25 02:30 happens twice): `compatible`/`earlier` take the first
 *   (CEST), `later` the second (CET), `reject` throws.
 * This assumes at most one offset change within ±1 day of any instant, which holds for every zone in tzdata.
 */

export type Disambiguation = 'compatible' | 'earlier' | 'later' | 'reject';

/** 1 = Monday … 7 = Sunday (ISO 8601). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export interface ZonedParts extends LocalDateTime {
  /** 'YYYY-MM-DD' */
  readonly date: string;
  /** 'HH:MM' */
  readonly time: string;
  readonly weekday: IsoWeekday;
  /** Offset from UTC in minutes, e.g. 480 for Asia/Shanghai. */
  readonly offsetMinutes: number;
}

export class InvalidTimeZoneError extends Error {
  constructor(readonly timeZone: string) {
    super(`未知时区 unknown IANA time zone: "${timeZone}"`);
    this.name = 'InvalidTimeZoneError';
  }
}

export class NonexistentLocalTimeError extends Error {
  constructor(
    readonly timeZone: string,
    readonly local: string,
    readonly reason: 'gap' | 'overlap',
  ) {
    super(`${local} in ${timeZone} ${reason === 'gap' ? 'does not exist (DST gap)' : 'is ambiguous (DST overlap)'}`);
    this.name = 'NonexistentLocalTimeError';
  }
}

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'short',
        era: 'short',
      });
    } catch {
      throw new InvalidTimeZoneError(timeZone);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws InvalidTimeZoneError unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

const weekdays: Readonly<Record<string, IsoWeekday>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

interface RawParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: IsoWeekday;
}

function rawParts(ms: number, timeZone: string): RawParts {
  const out: RawParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 1 };
  let bc = false;
  for (const p of formatterFor(timeZone).formatToParts(ms)) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        // Some ICU versions print midnight as 24 even with h23.
        out.hour = Number(p.value) % 24;
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'weekday':
        out.weekday = weekdays[p.value] ?? 1;
        break;
      case 'era':
        bc = p.value === 'BC' || p.value === 'B';
        break;
    }
  }
  if (bc) out.year = 1 - out.year;
  return out;
}

/** Like Date.UTC, fields may overflow (day 32, day 0), but years 0–99 are not read as 1900–1999. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function utcOfFields(f: { year: number; month: number; day: number; hour: number; minute: number; second: number }): number {
  return utcMs(f.year, f.month, f.day, f.hour, f.minute, f.second);
}

/** The zone's offset from UTC at an instant, in minutes (sub-minute historical offsets are kept as fractions). */
export function offsetMinutesAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return (utcOfFields(rawParts(whole, timeZone)) - whole) / MINUTE;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The zone's offset throughout a local date when it does not change from the day before to the day after (true
 * on all but the DST days), else undefined. Lets a caller convert a whole day's times without Intl per instant.
 */
export function steadyOffsetOn(date: string, timeZone: string): number | undefined {
  const { year, month, day } = parseLocalDate(date);
  const wall = utcMs(year, month, day);
  const before = offsetMinutesAt(wall - DAY, timeZone);
  return offsetMinutesAt(wall + 2 * DAY, timeZone) === before ? before : undefined;
}

/** Wall-clock parts of an instant for a known offset (from `steadyOffsetOn` or `offsetMinutesAt`), without Intl. */
export function withOffset(ms: number, offsetMinutes: number): ZonedParts {
  const d = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * MINUTE);
  const p = {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: (((d.getUTCDay() + 6) % 7) + 1) as IsoWeekday,
  };
  return { ...p, date: `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour)}:${pad(p.minute)}`, offsetMinutes };
}

export function toZoned(ms: number, timeZone: string): ZonedParts {
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${ms}`);
  const whole = Math.floor(ms / 1000) * 1000;
  const p = rawParts(whole, timeZone);
  return {
    ...p,
    date: `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`,
    time: `${pad(p.hour)}:${pad(p.minute)}`,
    offsetMinutes: (utcOfFields(p) - whole) / MINUTE,
  };
}

/** The instant at which the wall clock in `timeZone` shows `local`; see the module comment for DST. */
export function fromZoned(local: LocalDateTime, timeZone: string, disambiguation: Disambiguation = 'compatible'): number {
  const wall = utcOfFields(local);
  const before = offsetMinutesAt(wall - DAY, timeZone);
  const after = offsetMinutesAt(wall + DAY, timeZone);
  // No change nearby (±1 day, at most one change in that span): the only reading.
  if (before === after) return wall - before * MINUTE;
  const valid: number[] = [];
  for (const offset of [before, after]) {
    const candidate = wall - offset * MINUTE;
    if (offsetMinutesAt(candidate, timeZone) === offset) valid.push(candidate);
  }
  const label = () => `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}T${pad(local.hour)}:${pad(local.minute)}`;
  if (valid.length === 1) return valid[0]!;
  if (valid.length === 2) {
    if (disambiguation === 'reject') throw new NonexistentLocalTimeError(timeZone, label(), 'overlap');
    return disambiguation === 'later' ? Math.max(valid[0]!, valid[1]!) : Math.min(valid[0]!, valid[1]!);
  }
  // A gap: the wall time is skipped. Offsetting by the offset in force before the change lands after the gap,
  // by the one after the change lands before it.
  if (disambiguation === 'reject') throw new NonexistentLocalTimeError(timeZone, label(), 'gap');
  return disambiguation === 'earlier' ? wall - after * MINUTE : wall - before * MINUTE;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^(\d{2}):(\d{2})$/;

/** Parses 'YYYY-MM-DD', refusing dates that do not exist (2026-02-30). */
export function parseLocalDate(date: string): { year: number; month: number; day: number } {
  const m = datePattern.exec(date);
  if (!m) throw new RangeError(`not a local date 'YYYY-MM-DD': "${date}"`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const check = new Date(utcMs(year, month, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`no such date: "${date}"`);
  }
  return { year, month, day };
}

/** Parses 'HH:MM' (00:00–24:00) into minutes after midnight. */
export function parseLocalTime(time: string): number {
  const m = timePattern.exec(time);
  const hour = Number(m?.[1]);
  const minute = Number(m?.[2]);
  if (!m || minute > 59 || hour > 24 || (hour === 24 && minute !== 0)) throw new RangeError(`not a local time 'HH:MM': "${time}"`);
  return hour * 60 + minute;
}

/** The instant of a wall time given as a local date plus minutes after midnight (1440 = the next midnight). */
export function localDateMinutesToInstant(date: string, minutes: number, timeZone: string, disambiguation: Disambiguation = 'compatible'): number {
  const { year, month, day } = parseLocalDate(date);
  const dayOffset = Math.floor(minutes / 1440);
  const rest = minutes - dayOffset * 1440;
  const d = new Date(utcMs(year, month, day + dayOffset));
  return fromZoned(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: Math.floor(rest / 60), minute: rest % 60, second: 0 },
    timeZone,
    disambiguation,
  );
}

/** Calendar arithmetic on 'YYYY-MM-DD' (no zone involved). */
export function addDays(date: string, days: number): string {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(utcMs(year, month, day + days));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function weekdayOf(date: string): IsoWeekday {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(utcMs(year, month, day));
  return (((d.getUTCDay() + 6) % 7) + 1) as IsoWeekday;
}

/** ISO 8601 week of a local date, e.g. '2026-W53' (the week-year can differ from the calendar year). */
export function isoWeekOf(date: string): string {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(utcMs(year, month, day));
  const weekday = (d.getUTCDay() + 6) % 7; // 0 = Monday
  d.setUTCDate(d.getUTCDate() - weekday + 3); // the Thursday of this week decides the week-year
  const weekYear = d.getUTCFullYear();
  const jan4 = new Date(utcMs(weekYear, 1, 4));
  const firstThursday = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * DAY + 3 * DAY;
  const week = 1 + Math.round((d.getTime() - firstThursday) / (7 * DAY));
  return `${pad(weekYear, 4)}-W${pad(week)}`;
}

/** Accepts a Date, epoch ms or an ISO string with an explicit offset or Z; refuses anything else. */
export function toEpochMs(at: Date | string | number): number {
  if (typeof at === 'number') {
    if (!Number.isFinite(at)) throw new RangeError(`not a valid instant: ${at}`);
    return at;
  }
  if (at instanceof Date) {
    const t = at.getTime();
    if (Number.isNaN(t)) throw new RangeError('invalid Date');
    return t;
  }
  // A string without an offset would be read in the machine's zone; an instant must not depend on it.
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(at)) throw new RangeError(`an instant needs Z or an offset: "${at}"`);
  const t = Date.parse(at);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO instant: "${at}"`);
  return t;
}

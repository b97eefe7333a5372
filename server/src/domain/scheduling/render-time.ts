import { addDays, assertTimeZone, offsetMinutesAt, toEpochMs, toZoned, type ZonedParts } from './zoned-time';

/**
 * Showing interview times to people, and the same times as an iCalendar (.ics) file for their calendar app.
 * Instants are UTC; every rendering names the zone it was made in, and a viewer outside the tenant's zone also sees
 * the tenant's time (北京时间 for a tenant in China), because the interviewers live by that one.
 */

export type InstantInput = Date | string | number;

export interface TimeRangeInput {
  readonly start: InstantInput;
  readonly end?: InstantInput;
}

const weekdayNames = ['一', '二', '三', '四', '五', '六', '日'] as const;

/** IANA names whose wall clock is Beijing time (UTC+8, no DST since 1991). */
const beijingTimeZones = new Set(['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC']);

export function isBeijingTimeZone(timeZone: string): boolean {
  return beijingTimeZones.has(timeZone);
}

function dayLabel(p: ZonedParts, withYear: boolean): string {
  return `${withYear ? `${p.year}年` : ''}${p.month}月${p.day}日（周${weekdayNames[p.weekday - 1]}）`;
}

function nextDate(a: ZonedParts, b: ZonedParts): boolean {
  return addDays(a.date, 1) === b.date;
}

function endLabel(start: ZonedParts, end: ZonedParts, withYear: boolean): string {
  if (end.date === start.date) return end.time;
  if (nextDate(start, end)) return `次日${end.time}`;
  return `${dayLabel(end, withYear)}${end.time}`;
}

/** `11月24日（周二）10:00–11:00` from wall-clock parts already in the viewer's zone. */
export function formatWallRange(start: ZonedParts, end?: ZonedParts, options: { readonly withYear?: boolean } = {}): string {
  const withYear = options.withYear ?? false;
  return `${dayLabel(start, withYear)}${start.time}${end ? `–${endLabel(start, end, withYear)}` : ''}`;
}

/**
 * `11月24日（周二）10:00–11:00`, in the viewer's zone; when the viewer's wall clock differs from the tenant's,
 * the tenant's time follows: `（北京时间 17:00–18:00）` (with the date when that differs too). A tenant outside
 * Beijing time is labelled with its zone name. `withYear` adds the year (for dates far ahead or in another year).
 */
export function formatForViewer(
  at: InstantInput | TimeRangeInput,
  viewerZone: string,
  tenantZone = 'Asia/Shanghai',
  options: { readonly withYear?: boolean } = {},
): string {
  assertTimeZone(viewerZone);
  assertTimeZone(tenantZone);
  const range: TimeRangeInput = typeof at === 'object' && !(at instanceof Date) ? at : { start: at };
  const startMs = toEpochMs(range.start);
  const endMs = range.end === undefined ? undefined : toEpochMs(range.end);
  if (endMs !== undefined && endMs < startMs) throw new RangeError('end before start');
  const withYear = options.withYear ?? false;

  const vs = toZoned(startMs, viewerZone);
  const ve = endMs === undefined ? undefined : toZoned(endMs, viewerZone);
  let text = formatWallRange(vs, ve, { withYear });

  const ts = toZoned(startMs, tenantZone);
  const te = endMs === undefined ? undefined : toZoned(endMs, tenantZone);
  const sameWallClock = ts.date === vs.date && ts.time === vs.time && (!te || !ve || (te.date === ve.date && te.time === ve.time));
  if (!sameWallClock) {
    const label = isBeijingTimeZone(tenantZone) ? '北京时间' : `${tenantZone} 时间`;
    const day = ts.date === vs.date ? '' : `${withYear ? `${ts.year}年` : ''}${ts.month}月${ts.day}日 周${weekdayNames[ts.weekday - 1]} `;
    text += `（${label} ${day}${ts.time}${te ? `–${endLabel(ts, te, withYear)}` : ''}）`;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------------------
// iCalendar (RFC 5545)

export interface IcsEvent {
  /** Globally unique and stable across updates of the same interview, e.g. `interview-<id>@hirebridge`. */
  readonly uid: string;
  readonly start: InstantInput;
  readonly end: InstantInput;
  readonly summary: string;
  readonly location?: string;
  readonly description?: string;
  readonly url?: string;
  /** The zone DTSTART/DTEND are written in; default Asia/Shanghai. */
  readonly timeZone?: string;
  /** When this version of the event was made (the caller's clock: the builder reads none). */
  readonly dtstamp: InstantInput;
  /** Raise on every change to the same UID so that calendar apps replace the earlier copy. */
  readonly sequence?: number;
  readonly status?: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
}

/** TEXT escaping: backslash, semicolon, comma, and newlines as `\n`. */
export function escapeIcsText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** Folds a content line at 75 octets (UTF-8), never inside a character; continuation lines start with a space. */
export function foldIcsLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const n = utf8Length(ch.codePointAt(0)!);
    if (octets + n > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space counts
    }
    current += ch;
    octets += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function icsLocal(p: ZonedParts): string {
  return `${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}T${pad(p.hour)}${pad(p.minute)}${pad(p.second)}`;
}

function icsUtc(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

function icsOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const totalSeconds = Math.round(Math.abs(minutes) * 60);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `${sign}${pad(h)}${pad(m)}${s ? pad(s) : ''}`;
}

export interface ZoneTransition {
  /** The first instant with the new offset. */
  readonly atMs: number;
  readonly fromMinutes: number;
  readonly toMinutes: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Offset changes of a zone during a calendar year (UTC), found from Intl offsets to the minute. */
export function zoneTransitions(timeZone: string, year: number): ZoneTransition[] {
  const out: ZoneTransition[] = [];
  const begin = Date.UTC(year, 0, 1);
  const finish = Date.UTC(year + 1, 0, 1);
  let prevMs = begin;
  let prevOffset = offsetMinutesAt(begin, timeZone);
  for (let t = begin + DAY; t <= finish; t += DAY) {
    const offset = offsetMinutesAt(t, timeZone);
    if (offset !== prevOffset) {
      let lo = prevMs; // old offset
      let hi = t; // new offset
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (mid === lo) break;
        if (offsetMinutesAt(mid, timeZone) === prevOffset) lo = mid;
        else hi = mid;
      }
      if (hi < finish) out.push({ atMs: hi, fromMinutes: prevOffset, toMinutes: offset });
      prevOffset = offset;
    }
    prevMs = t;
  }
  return out;
}

const fixedZoneNames: Readonly<Record<string, string>> = { 'Asia/Shanghai': 'CST', 'Asia/Chongqing': 'CST', 'Asia/Harbin': 'CST', PRC: 'CST' };

function zoneAbbreviation(ms: number, timeZone: string): string | undefined {
  const fixed = fixedZoneNames[timeZone];
  if (fixed) return fixed;
  // en-US knows the American abbreviations (EST), en-GB the European ones (CET); otherwise none (TZNAME is optional).
  for (const locale of ['en-US', 'en-GB']) {
    const part = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }).formatToParts(ms).find((p) => p.type === 'timeZoneName');
    if (part && /^[A-Z]{3,5}$/.test(part.value)) return part.value;
  }
  return undefined;
}

interface Observance {
  readonly kind: 'STANDARD' | 'DAYLIGHT';
  readonly local: ZonedParts; // wall time of the onset, in the offset before it
  readonly from: number;
  readonly to: number;
  readonly name: string | undefined;
}

const byDay = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** `-1SU` (last Sunday) or `2SU` (second Sunday) when every onset follows it, else undefined. */
function yearlyRule(onsets: readonly Observance[]): string | undefined {
  if (onsets.length < 2) return undefined;
  const first = onsets[0]!.local;
  const daysIn = (p: ZonedParts) => new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  const same = (f: (o: Observance) => string | number) => onsets.every((o) => f(o) === f(onsets[0]!));
  if (!same((o) => o.local.month) || !same((o) => o.local.weekday) || !same((o) => o.local.time) || !same((o) => o.from) || !same((o) => o.to)) {
    return undefined;
  }
  const weekday = byDay[first.weekday - 1];
  if (onsets.every((o) => o.local.day + 7 > daysIn(o.local))) return `FREQ=YEARLY;BYMONTH=${first.month};BYDAY=-1${weekday}`;
  const nth = (o: Observance) => Math.ceil(o.local.day / 7);
  if (same(nth) && nth(onsets[0]!) <= 4) return `FREQ=YEARLY;BYMONTH=${first.month};BYDAY=${nth(onsets[0]!)}${weekday}`;
  return undefined;
}

/**
 * A VTIMEZONE for `timeZone` valid over `years` (give the events' years; one year either side is added). Rules come
 * from the runtime's tzdata through Intl: a zone without changes in that span gets one STANDARD observance; a zone
 * with DST gets STANDARD/DAYLIGHT observances with a yearly RRULE when every onset in the span follows one (EU: last
 * Sunday, US: second/first Sunday), else one observance per onset.
 */
export function buildVTimezone(timeZone: string, years: readonly number[]): string[] {
  assertTimeZone(timeZone);
  const lo = Math.min(...years) - 1;
  const hi = Math.max(...years) + 1;
  const observances: Observance[] = [];
  for (let y = lo; y <= hi; y++) {
    for (const t of zoneTransitions(timeZone, y)) {
      const local = toZoned(t.atMs + t.fromMinutes * MINUTE, 'UTC');
      observances.push({ kind: t.toMinutes > t.fromMinutes ? 'DAYLIGHT' : 'STANDARD', local, from: t.fromMinutes, to: t.toMinutes, name: zoneAbbreviation(t.atMs, timeZone) });
    }
  }
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  const block = (o: Observance, rule?: string) => {
    lines.push(`BEGIN:${o.kind}`, `DTSTART:${icsLocal(o.local)}`);
    if (rule) lines.push(`RRULE:${rule}`);
    lines.push(`TZOFFSETFROM:${icsOffset(o.from)}`, `TZOFFSETTO:${icsOffset(o.to)}`);
    if (o.name) lines.push(`TZNAME:${o.name}`);
    lines.push(`END:${o.kind}`);
  };
  if (observances.length === 0) {
    const at = Date.UTC(lo, 0, 1);
    const offset = offsetMinutesAt(at, timeZone);
    block({ kind: 'STANDARD', local: toZoned(Date.UTC(1970, 0, 1), 'UTC'), from: offset, to: offset, name: zoneAbbreviation(at, timeZone) });
  } else {
    for (const kind of ['STANDARD', 'DAYLIGHT'] as const) {
      const ofKind = observances.filter((o) => o.kind === kind);
      if (ofKind.length === 0) continue;
      const rule = yearlyRule(ofKind);
      if (rule) block(ofKind[0]!, rule);
      else for (const o of ofKind) block(o);
    }
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/**
 * A VCALENDAR with one VEVENT per event and a VTIMEZONE for each zone used; CRLF line ends, TEXT escaped, lines
 * folded at 75 octets. DTSTART/DTEND carry `TZID=<zone>` and the wall time there.
 */
export function buildIcs(events: readonly IcsEvent[], options: { readonly prodId?: string; readonly method?: 'PUBLISH' | 'REQUEST' | 'CANCEL' } = {}): string {
  if (events.length === 0) throw new RangeError('an .ics needs at least one event');
  const yearsByZone = new Map<string, Set<number>>();
  const prepared = events.map((e) => {
    const timeZone = e.timeZone ?? 'Asia/Shanghai';
    assertTimeZone(timeZone);
    const startMs = toEpochMs(e.start);
    const endMs = toEpochMs(e.end);
    if (endMs <= startMs) throw new RangeError(`event ${e.uid}: end must be after start`);
    if (!e.uid.trim()) throw new RangeError('event uid is empty');
    if (e.url !== undefined && !isPlainUri(e.url)) throw new RangeError(`event ${e.uid}: url is not a URI`);
    const start = toZoned(startMs, timeZone);
    const end = toZoned(endMs, timeZone);
    const years = yearsByZone.get(timeZone) ?? new Set<number>();
    years.add(start.year).add(end.year);
    yearsByZone.set(timeZone, years);
    return { e, timeZone, start, end };
  });

  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${options.prodId ?? '-//HireBridge//Interview Scheduling//ZH'}`, 'CALSCALE:GREGORIAN'];
  if (options.method) lines.push(`METHOD:${options.method}`);
  for (const [zone, years] of yearsByZone) lines.push(...buildVTimezone(zone, [...years]));
  for (const { e, timeZone, start, end } of prepared) {
    lines.push('BEGIN:VEVENT', `UID:${escapeIcsText(e.uid)}`, `DTSTAMP:${icsUtc(toEpochMs(e.dtstamp))}`);
    lines.push(`DTSTART;TZID=${timeZone}:${icsLocal(start)}`, `DTEND;TZID=${timeZone}:${icsLocal(end)}`);
    lines.push(`SUMMARY:${escapeIcsText(e.summary)}`);
    if (e.location !== undefined) lines.push(`LOCATION:${escapeIcsText(e.location)}`);
    if (e.description !== undefined) lines.push(`DESCRIPTION:${escapeIcsText(e.description)}`);
    if (e.url !== undefined) lines.push(`URL:${e.url}`);
    if (e.sequence !== undefined) lines.push(`SEQUENCE:${e.sequence}`);
    if (e.status !== undefined) lines.push(`STATUS:${e.status}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldIcsLine).join('\r\n') + '\r\n';
}

/** A scheme, then no spaces or control characters (a URI property is not escaped, so nothing may break the line). */
function isPlainUri(url: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(url)) return false;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** One event as a whole .ics file. */
export function buildIcsEvent(event: IcsEvent, options: { readonly prodId?: string; readonly method?: 'PUBLISH' | 'REQUEST' | 'CANCEL' } = {}): string {
  return buildIcs([event], options);
}

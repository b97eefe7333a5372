/**
 * Results of parsing a Chinese (or basic English) time expression. Every instant is a real `Date` (UTC inside);
 * `date` is the local date ('YYYY-MM-DD') of the start in the tenant's zone.
 */

export type PartOfDay = 'early' | 'morning' | 'am' | 'noon' | 'pm' | 'dusk' | 'evening';

/** Which days are working days, e.g. China's statutory holidays and 调休. Joined later with domain/scheduling. */
export interface WorkdayCalendar {
  isWorkday(localDate: string): boolean;
}

export interface ParseTimeOptions {
  /** The reference instant ("now"). */
  readonly now: Date;
  /** The tenant's IANA zone; default Asia/Shanghai. */
  readonly timeZone?: string;
  /** When given, readings on non-working days carry a `warning` (never refused). */
  readonly calendar?: WorkdayCalendar;
  /** When given, an exact time without an end gets end = start + this. */
  readonly defaultDurationMinutes?: number;
}

/** A specific instant, or a range given by the speaker ("周五14:00-15:00"). */
export interface ExactTime {
  readonly kind: 'exact';
  readonly start: Date;
  readonly end?: Date;
  readonly date: string;
  /** Chinese, for buttons and confirmations: 6月5日（周五）15:00–16:00 */
  readonly label: string;
  readonly warning?: string;
}

/** A part of a day (周四下午), a working day (后天) or a working week (下周). */
export interface TimeWindow {
  readonly kind: 'window';
  readonly start: Date;
  readonly end: Date;
  readonly date: string;
  readonly label: string;
  readonly scope: 'day' | 'part' | 'week';
  readonly part?: PartOfDay;
  /** The window has begun already (今天下午 said at 14:00): only its rest is still ahead. */
  readonly partlyPast?: true;
  readonly warning?: string;
}

export type TimeReading = ExactTime | TimeWindow;

export type AmbiguityCause =
  | 'meridiem'
  | 'minutes'
  | 'weekday_today'
  | 'week_boundary'
  | 'en_next'
  | 'dotted'
  | 'weekend'
  | 'date_range'
  | 'multiple'
  | 'weekday_mismatch'
  | 'past_rollover';

export interface AmbiguousTime {
  readonly kind: 'ambiguous';
  /** Concrete readings to offer as buttons, most plausible first; never empty. */
  readonly options: readonly TimeReading[];
  /** Chinese text to ask back. */
  readonly question: string;
  readonly causes: readonly AmbiguityCause[];
}

export type InvalidCode = 'unrecognized' | 'empty' | 'too_long' | 'past' | 'no_such_date' | 'bad_time' | 'conflict' | 'bad_range' | 'need_day' | 'declined';

export interface InvalidTime {
  readonly kind: 'invalid';
  readonly code: InvalidCode;
  /** Chinese, with an example of what works. */
  readonly reason: string;
}

export type ParseTimeResult = ExactTime | TimeWindow | AmbiguousTime | InvalidTime;

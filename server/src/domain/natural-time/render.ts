import type { TimeReading } from './types';
import { partWindows } from './windows';
import { daysBetween, localParts } from './zone';

/**
 * Canonical Chinese text for a reading, in the tenant's zone, that `parseTime` reads back to the same reading:
 * `2026年6月5日 15:00`, `2026年6月5日 14:00-15:00`, `2026年6月5日下午`, `2026年6月5日` (working hours).
 * A week window has no such text and renders as its label.
 */
export function renderTime(reading: TimeReading, timeZone = 'Asia/Shanghai'): string {
  const s = localParts(reading.start.getTime(), timeZone);
  const day = `${s.year}年${s.month}月${s.day}日`;
  const hhmm = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  if (reading.kind === 'window') {
    if (reading.scope === 'week') return reading.label;
    if (reading.scope === 'part' && reading.part) return `${day}${partWindows[reading.part].label}`;
    return day;
  }
  let text = `${day} ${hhmm(s.hour, s.minute)}`;
  if (reading.end) {
    const e = localParts(reading.end.getTime(), timeZone);
    const days = daysBetween(s.date, e.date);
    if (days === 0) text += `-${hhmm(e.hour, e.minute)}`;
    else if (days === 1 && e.minutes === 0) text += '-24:00';
    else text += `-次日${hhmm(e.hour, e.minute)}`;
  }
  return text;
}

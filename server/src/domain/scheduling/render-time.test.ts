import { describe, expect, it } from 'vitest';
import { buildIcs, buildIcsEvent, buildVTimezone, escapeIcsText, foldIcsLine, formatForViewer, zoneTransitions } from './render-time';

const utf8 = (s: string) => new TextEncoder().encode(s).length;
const unfold = (ics: string) => ics.replace(/\r\n /g, '');

describe('formatForViewer', () => {
  const slot = { start: '2026-11-24T02:00:00Z', end: '2026-11-24T03:00:00Z' }; // 10:00–11:00 Beijing

  it('shows Beijing time plainly to a viewer in Beijing time', () => {
    expect(formatForViewer(slot, 'Asia/Shanghai', 'Asia/Shanghai')).toBe('11月24日（周二）10:00–11:00');
    expect(formatForViewer(slot, 'Asia/Hong_Kong', 'Asia/Shanghai')).toBe('11月24日（周二）10:00–11:00'); // same wall clock
    expect(formatForViewer(new Date('2026-11-24T02:00:00Z'), 'Asia/Shanghai')).toBe('11月24日（周二）10:00');
  });

  it('appends Beijing time for a viewer elsewhere', () => {
    expect(formatForViewer({ start: '2026-11-24T09:00:00Z', end: '2026-11-24T10:00:00Z' }, 'Europe/Berlin', 'Asia/Shanghai')).toBe(
      '11月24日（周二）10:00–11:00（北京时间 17:00–18:00）',
    );
    expect(formatForViewer(slot, 'America/Los_Angeles', 'Asia/Shanghai')).toBe('11月23日（周一）18:00–19:00（北京时间 11月24日 周二 10:00–11:00）');
    expect(formatForViewer({ start: '2026-11-24T15:30:00Z', end: '2026-11-24T16:30:00Z' }, 'Asia/Shanghai', 'Europe/Berlin')).toBe(
      '11月24日（周二）23:30–次日00:30（Europe/Berlin 时间 16:30–17:30）',
    );
    expect(formatForViewer(slot, 'Asia/Shanghai', 'Asia/Shanghai', { withYear: true })).toBe('2026年11月24日（周二）10:00–11:00');
  });

  it('follows Berlin across the end of summer time: the same Beijing hour is an hour earlier in Berlin afterwards', () => {
    // 2026-10-25 03:00 CEST → 02:00 CET. 16:00 Beijing is 10:00 in Berlin before, 09:00 after.
    expect(formatForViewer({ start: '2026-10-24T08:00:00Z', end: '2026-10-24T09:00:00Z' }, 'Europe/Berlin', 'Asia/Shanghai')).toBe(
      '10月24日（周六）10:00–11:00（北京时间 16:00–17:00）',
    );
    expect(formatForViewer({ start: '2026-10-26T08:00:00Z', end: '2026-10-26T09:00:00Z' }, 'Europe/Berlin', 'Asia/Shanghai')).toBe(
      '10月26日（周一）09:00–10:00（北京时间 16:00–17:00）',
    );
    // An interview that spans the change itself is an hour longer on the Berlin wall clock's face.
    expect(formatForViewer({ start: '2026-10-25T00:30:00Z', end: '2026-10-25T01:30:00Z' }, 'Europe/Berlin', 'Asia/Shanghai')).toBe(
      '10月25日（周日）02:30–02:30（北京时间 08:30–09:30）',
    );
  });

  it('refuses unknown zones and reversed ranges', () => {
    expect(() => formatForViewer(slot, 'Europe/Atlantis')).toThrow(/unknown IANA/);
    expect(() => formatForViewer({ start: slot.end, end: slot.start }, 'Asia/Shanghai')).toThrow(/end before start/);
  });
});

describe('.ics', () => {
  const event = {
    uid: 'interview-42@hirebridge',
    start: '2026-11-24T09:00:00Z',
    end: '2026-11-24T10:00:00Z',
    summary: '面试：高级后端工程师, 第二轮; 技术面',
    location: '北京市朝阳区建国路 1 号, 3 层\n会议室 A',
    description: '请携带身份证; 提前 10 分钟到达, 前台登记。\\ 如需改期请在小程序内操作，' + '面试官会在会议室等候。'.repeat(6),
    dtstamp: '2026-11-20T08:00:00Z',
    sequence: 2,
  };

  it('writes DTSTART with TZID=Asia/Shanghai and a VTIMEZONE without DST', () => {
    const ics = buildIcsEvent(event);
    const lines = unfold(ics).split('\r\n');
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(lines).toContain('DTSTART;TZID=Asia/Shanghai:20261124T170000');
    expect(lines).toContain('DTEND;TZID=Asia/Shanghai:20261124T180000');
    expect(lines).toContain('UID:interview-42@hirebridge');
    expect(lines).toContain('DTSTAMP:20261120T080000Z');
    expect(lines).toContain('SEQUENCE:2');
    const tz = lines.slice(lines.indexOf('BEGIN:VTIMEZONE'), lines.indexOf('END:VTIMEZONE') + 1);
    expect(tz).toEqual(['BEGIN:VTIMEZONE', 'TZID:Asia/Shanghai', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0800', 'TZOFFSETTO:+0800', 'TZNAME:CST', 'END:STANDARD', 'END:VTIMEZONE']);
    expect(lines.filter((l) => l === 'BEGIN:VTIMEZONE')).toHaveLength(1);
    expect(lines.indexOf('END:VTIMEZONE')).toBeLessThan(lines.indexOf('BEGIN:VEVENT'));
  });

  it('escapes commas, semicolons, backslashes and newlines', () => {
    expect(escapeIcsText('a,b;c\\d\ne\r\nf')).toBe('a\\,b\\;c\\\\d\\ne\\nf');
    const lines = unfold(buildIcsEvent(event)).split('\r\n');
    expect(lines).toContain('SUMMARY:面试：高级后端工程师\\, 第二轮\\; 技术面');
    expect(lines).toContain('LOCATION:北京市朝阳区建国路 1 号\\, 3 层\\n会议室 A');
    expect(lines.find((l) => l.startsWith('DESCRIPTION:'))).toContain('请携带身份证\\; 提前 10 分钟到达\\, 前台登记。\\\\ 如需改期');
  });

  it('folds long lines at 75 octets without splitting a character', () => {
    const ics = buildIcsEvent(event);
    const physical = ics.split('\r\n').slice(0, -1);
    expect(physical.some((l) => l.startsWith(' '))).toBe(true); // DESCRIPTION was folded
    for (const line of physical) {
      expect(utf8(line)).toBeLessThanOrEqual(75);
      expect(line).not.toContain('\uFFFD');
      expect(line).not.toMatch(/[\r\n]/);
    }
    const description = unfold(ics).split('\r\n').find((l) => l.startsWith('DESCRIPTION:'));
    expect(description).toBe(`DESCRIPTION:${escapeIcsText(event.description)}`);

    expect(foldIcsLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldIcsLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
    const cjk = foldIcsLine('SUMMARY:' + '中'.repeat(40)); // 8 + 120 octets
    expect(cjk.split('\r\n').map(utf8)).toEqual([74, 55]); // 8 + 22×3 = 74 (a 23rd would make 77); then 1 + 18×3
    expect(unfold(cjk)).toBe('SUMMARY:' + '中'.repeat(40));
  });

  it('emits Berlin DST as yearly STANDARD/DAYLIGHT rules matching the 2026 transitions', () => {
    expect(zoneTransitions('Europe/Berlin', 2026).map((t) => [new Date(t.atMs).toISOString(), t.fromMinutes, t.toMinutes])).toEqual([
      ['2026-03-29T01:00:00.000Z', 60, 120],
      ['2026-10-25T01:00:00.000Z', 120, 60],
    ]);
    expect(buildVTimezone('Europe/Berlin', [2026])).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Berlin',
      'BEGIN:STANDARD',
      'DTSTART:20251026T030000',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'TZNAME:CET',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:20250330T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'TZNAME:CEST',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
    ]);
  });

  it('emits American DST (second Sunday of March, first of November)', () => {
    const tz = buildVTimezone('America/New_York', [2026]);
    expect(tz).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
    expect(tz).toContain('RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU');
    expect(tz).toContain('DTSTART:20250309T020000');
    expect(tz).toContain('DTSTART:20251102T020000');
    expect(tz).toContain('TZNAME:EDT');
  });

  it('writes one VTIMEZONE per zone used, events in their own zone', () => {
    const ics = buildIcs([
      { ...event, uid: 'a@hb' },
      { ...event, uid: 'b@hb', timeZone: 'Europe/Berlin' },
      { ...event, uid: 'c@hb', timeZone: 'Europe/Berlin', start: '2026-06-01T08:00:00Z', end: '2026-06-01T09:00:00Z' },
    ]);
    const lines = unfold(ics).split('\r\n');
    expect(lines.filter((l) => l.startsWith('TZID:'))).toEqual(['TZID:Asia/Shanghai', 'TZID:Europe/Berlin']);
    expect(lines).toContain('DTSTART;TZID=Europe/Berlin:20261124T100000'); // CET
    expect(lines).toContain('DTSTART;TZID=Europe/Berlin:20260601T100000'); // CEST
  });

  it('refuses what would make a broken file', () => {
    expect(() => buildIcs([])).toThrow();
    expect(() => buildIcsEvent({ ...event, end: event.start })).toThrow(/after start/);
    expect(() => buildIcsEvent({ ...event, url: 'https://example.com/a\r\nATTENDEE:x' })).toThrow(/URI/);
    expect(() => buildIcsEvent({ ...event, timeZone: 'Nowhere/Special' })).toThrow(/unknown IANA/);
  });
});

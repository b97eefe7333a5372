import { describe, expect, it } from 'vitest';
import { formatForViewer } from './render-time';
import { explainUnavailable, offerSlots, type Panelist, type SlotQuery } from './slots';
import { chinaWorkCalendar, createWorkCalendar, WorkCalendarYearMissingError } from './work-calendar';

/** Beijing wall time → Date. */
const bj = (local: string) => new Date(`${local}+08:00`);

function panelist(id: string, extra: Partial<Panelist> = {}): Panelist {
  return { id, name: id === 'p1' ? '张伟' : id, busy: [], dailyLimit: null, weeklyLimit: null, ...extra };
}

function query(extra: Partial<SlotQuery> = {}): SlotQuery {
  return {
    from: bj('2026-11-23T00:00'),
    to: bj('2026-11-28T00:00'),
    now: bj('2026-11-20T09:00'),
    durationMinutes: 60,
    calendar: chinaWorkCalendar,
    panel: [panelist('p1')],
    maxSlots: 500,
    ...extra,
  };
}

const starts = (q: SlotQuery) => offerSlots(q).slots.map((s) => `${s.localDate} ${s.localStart}`);
const onDay = (q: SlotQuery, date: string) => offerSlots(q).slots.filter((s) => s.localDate === date).map((s) => s.localStart);

describe('offerSlots', () => {
  it('offers the default office hours on a plain week, in 30-minute steps', () => {
    const offer = offerSlots(query());
    expect(onDay(query(), '2026-11-24')).toEqual(['09:30', '10:00', '10:30', '11:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00', '17:30']);
    const first = offer.slots[0]!;
    expect(first).toMatchObject({
      start: '2026-11-23T01:30:00.000Z',
      end: '2026-11-23T02:30:00.000Z',
      localDate: '2026-11-23',
      localStart: '09:30',
      localEnd: '10:30',
      label: '11月23日（周一）09:30–10:30',
      dayKind: 'workday',
    });
    expect(offer.slots.some((s) => s.localDate === '2026-11-28' || s.localDate === '2026-11-29')).toBe(false);
    expect(offer.truncated).toBe(false);
  });

  it('offers a 调休 Saturday and nothing during 国庆节', () => {
    const q = query({ from: bj('2026-09-30T00:00'), to: bj('2026-10-12T00:00'), now: bj('2026-09-01T00:00') });
    const days = [...new Set(offerSlots(q).slots.map((s) => s.localDate))];
    expect(days).toEqual(['2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10']);
    const saturday = offerSlots(q).slots.filter((s) => s.localDate === '2026-10-10');
    expect(saturday[0]).toMatchObject({ localStart: '09:30', dayKind: 'makeup_workday', label: '10月10日（周六）09:30–10:30' });

    const spring = query({ from: bj('2026-02-27T00:00'), to: bj('2026-03-02T00:00'), now: bj('2026-02-01T00:00') });
    expect([...new Set(offerSlots(spring).slots.map((s) => s.localDate))]).toEqual(['2026-02-27', '2026-02-28']);

    expect(explainUnavailable(q, bj('2026-10-01T10:00'))).toEqual([{ code: 'holiday', date: '2026-10-01', name: '国庆节', message: '2026-10-01 是国庆节假期' }]);
    expect(explainUnavailable(q, bj('2026-10-10T10:00'))).toEqual([]);
    expect(explainUnavailable(q, bj('2026-10-11T10:00'))).toMatchObject([{ code: 'weekend', date: '2026-10-11' }]);
  });

  it('uses separate hours on make-up workdays when given', () => {
    const q = query({ from: bj('2026-10-10T00:00'), to: bj('2026-10-11T00:00'), now: bj('2026-09-01T00:00'), makeupWorkdayHours: [{ start: '10:00', end: '12:00' }] });
    expect(starts(q)).toEqual(['2026-10-10 10:00', '2026-10-10 10:30', '2026-10-10 11:00']);
  });

  it('keeps buffers around busy time free', () => {
    const busy = [{ startsAt: bj('2026-11-24T10:00'), endsAt: bj('2026-11-24T11:00') }];
    const q = query({ panel: [panelist('p1', { busy })] });
    expect(onDay(q, '2026-11-24').slice(0, 3)).toEqual(['11:00', '13:30', '14:00']);
    const buffered = { ...q, bufferBeforeMinutes: 15, bufferAfterMinutes: 15 };
    expect(onDay(buffered, '2026-11-24').slice(0, 2)).toEqual(['13:30', '14:00']);
    // 09:30–10:30 overlaps the meeting itself; 11:00–12:00 only its buffer.
    expect(explainUnavailable(buffered, bj('2026-11-24T09:30'))).toMatchObject([{ code: 'panelist_busy', panelistId: 'p1', panelistName: '张伟', inBuffer: false, message: '面试官 张伟 该时段有其他安排' }]);
    expect(explainUnavailable(buffered, bj('2026-11-24T11:00'))).toEqual([
      {
        code: 'panelist_busy',
        panelistId: 'p1',
        panelistName: '张伟',
        busyStart: '2026-11-24T02:00:00.000Z',
        busyEnd: '2026-11-24T03:00:00.000Z',
        inBuffer: true,
        message: '面试官 张伟 在前后缓冲时间内有其他安排',
      },
    ]);
    // A busy interval that ends exactly where the slot (+buffer) starts does not block it: intervals are half-open.
    expect(explainUnavailable(q, bj('2026-11-24T11:00'))).toEqual([]);
  });

  it('needs every required panelist free; optional ones are reported, not blocking', () => {
    const q = query({
      panel: [
        panelist('p1', { busy: [{ startsAt: bj('2026-11-24T09:00'), endsAt: bj('2026-11-24T12:00') }] }),
        panelist('p2', { busy: [{ startsAt: bj('2026-11-24T13:00'), endsAt: bj('2026-11-24T15:00') }] }),
        panelist('p3', { required: false, busy: [{ startsAt: bj('2026-11-24T16:00'), endsAt: bj('2026-11-24T17:00') }] }),
        panelist('p4', { freeBusyCoverage: 'own_events_only' }),
      ],
    });
    const day = offerSlots(q).slots.filter((s) => s.localDate === '2026-11-24');
    expect(day.map((s) => s.localStart)).toEqual(['15:00', '15:30', '16:00', '16:30', '17:00', '17:30']);
    expect(day.filter((s) => s.optionalPanelistsUnavailable.includes('p3')).map((s) => s.localStart)).toEqual(['15:30', '16:00', '16:30']);
    expect(day.every((s) => s.unconfirmedPanelists.join() === 'p4')).toBe(true);
    expect(explainUnavailable(q, bj('2026-11-24T11:00')).map((r) => r.code)).toEqual(['panelist_busy']);
    expect(explainUnavailable(q, bj('2026-11-24T16:00'))).toEqual([]);
  });

  it('respects daily limits in the tenant zone', () => {
    const q = query({ panel: [panelist('p1', { dailyLimit: 2, interviewsByDay: { '2026-11-24': 2, '2026-11-25': 1 } })] });
    const days = [...new Set(offerSlots(q).slots.map((s) => s.localDate))];
    expect(days).toEqual(['2026-11-23', '2026-11-25', '2026-11-26', '2026-11-27']);
    expect(explainUnavailable(q, bj('2026-11-24T10:00'))).toEqual([
      { code: 'daily_limit_reached', panelistId: 'p1', panelistName: '张伟', date: '2026-11-24', limit: 2, count: 2, message: '面试官 张伟 2026-11-24 的面试已达每日上限（2 场）' },
    ]);
    const zero = query({ panel: [panelist('p1', { dailyLimit: 0 })] });
    expect(offerSlots(zero).slots).toEqual([]);
  });

  it('respects weekly limits per ISO week', () => {
    const q = query({
      from: bj('2026-11-26T00:00'),
      to: bj('2026-12-02T00:00'),
      panel: [panelist('p1', { weeklyLimit: 5, interviewsByWeek: { '2026-W48': 5, '2026-W49': 4 } })],
    });
    const days = [...new Set(offerSlots(q).slots.map((s) => s.localDate))];
    expect(days).toEqual(['2026-11-30', '2026-12-01']);
    expect(explainUnavailable(q, bj('2026-11-27T10:00'))).toMatchObject([{ code: 'weekly_limit_reached', week: '2026-W48', limit: 5, count: 5 }]);
  });

  it('gives at least the minimum notice', () => {
    const late = query({ now: bj('2026-11-23T20:00') }); // earliest 11-24 08:00
    expect(offerSlots(late).slots[0]).toMatchObject({ localDate: '2026-11-24', localStart: '09:30' });
    const midnight = query({ now: bj('2026-11-24T00:00') }); // earliest 12:00
    expect(offerSlots(midnight).slots[0]).toMatchObject({ localDate: '2026-11-24', localStart: '13:30' });
    const offGrid = query({ now: bj('2026-11-24T02:10'), minNoticeMinutes: 12 * 60 }); // earliest 14:10 → 14:30
    expect(offerSlots(offGrid).slots[0]).toMatchObject({ localStart: '14:30' });
    expect(explainUnavailable(midnight, bj('2026-11-24T10:00'))).toEqual([{ code: 'too_soon', earliest: '2026-11-24T04:00:00.000Z', message: '距现在太近，最早可约 11月24日（周二）12:00' }]);
  });

  it('explains hours, the step grid, the window and several reasons at once', () => {
    const q = query();
    expect(explainUnavailable(q, bj('2026-11-24T12:30'))).toMatchObject([{ code: 'outside_working_hours', message: '不在工作时间内（2026-11-24 工作时间 09:30–12:00、13:30–18:30）' }]);
    expect(explainUnavailable(q, bj('2026-11-24T11:30'))).toMatchObject([{ code: 'outside_working_hours' }]); // would end 12:30
    expect(explainUnavailable(q, bj('2026-11-24T10:15'))).toMatchObject([{ code: 'not_on_slot_grid', stepMinutes: 30 }]);
    expect(explainUnavailable(q, bj('2026-12-01T10:00'))).toMatchObject([{ code: 'outside_window' }]);
    const crowded = query({
      now: bj('2026-11-24T00:00'),
      panel: [panelist('p1', { dailyLimit: 1, interviewsByDay: { '2026-11-24': 3 }, busy: [{ startsAt: bj('2026-11-24T10:00'), endsAt: bj('2026-11-24T10:30') }] })],
    });
    expect(explainUnavailable(crowded, bj('2026-11-24T10:00')).map((r) => r.code)).toEqual(['too_soon', 'panelist_busy', 'daily_limit_reached']);
  });

  it('refuses a window in a year without holiday data, unless weekends-only is chosen', () => {
    const q = query({ from: bj('2026-12-28T00:00'), to: bj('2027-01-08T00:00'), now: bj('2026-12-01T00:00') });
    expect(() => offerSlots(q)).toThrow(WorkCalendarYearMissingError);
    expect(() => offerSlots(q)).toThrow(/2027/);
    expect(explainUnavailable(q, bj('2027-01-05T10:00'))).toMatchObject([{ code: 'calendar_year_missing', year: 2027 }]);
    const lenient = { ...q, calendar: createWorkCalendar({ missingYear: 'weekends_only' }) };
    expect(offerSlots(lenient).slots.some((s) => s.localDate === '2027-01-05')).toBe(true);
  });

  it('caps the output, sorted and unique, and says it was truncated', () => {
    const q = query({ from: bj('2026-11-23T00:00'), to: bj('2026-12-07T00:00'), maxSlots: 50 });
    const offer = offerSlots(q);
    expect(offer.slots).toHaveLength(50);
    expect(offer.truncated).toBe(true);
    const ms = offer.slots.map((s) => Date.parse(s.start));
    expect(ms).toEqual([...new Set(ms)].sort((a, b) => a - b));
    expect(offerSlots({ ...q, maxSlots: 500 }).slots.slice(0, 50)).toEqual(offer.slots);
  });

  it('merges overlapping working-hour ranges instead of offering twice', () => {
    const hours = { 1: [{ start: '09:00', end: '11:00' }, { start: '10:00', end: '12:00' }], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] };
    const q = query({ from: bj('2026-11-23T00:00'), to: bj('2026-11-24T00:00'), workingHours: hours });
    expect(starts(q)).toEqual(['2026-11-23 09:00', '2026-11-23 09:30', '2026-11-23 10:00', '2026-11-23 10:30', '2026-11-23 11:00']);
  });

  it('refuses nonsense input', () => {
    expect(() => offerSlots(query({ durationMinutes: 0 }))).toThrow(/durationMinutes/);
    expect(() => offerSlots(query({ to: bj('2026-11-22T00:00') }))).toThrow(/after/);
    expect(() => offerSlots(query({ timeZone: 'Asia/Beijing' }))).toThrow(/unknown IANA/);
    expect(() => offerSlots(query({ panel: [panelist('p1'), panelist('p1')] }))).toThrow(/twice/);
    expect(() => offerSlots(query({ panel: [panelist('p1', { dailyLimit: -1 })] }))).toThrow(/dailyLimit/);
  });

  it('shows a Berlin candidate the right local time on both sides of the October and March DST changes', () => {
    const show = (from: string, to: string, pick: string) => {
      const slot = offerSlots(query({ from: bj(from), to: bj(to), now: bj('2026-01-05T00:00') })).slots.find((s) => `${s.localDate} ${s.localStart}` === pick)!;
      return formatForViewer(slot, 'Europe/Berlin', 'Asia/Shanghai');
    };
    // Beijing 17:00 is 11:00 CEST before 2026-10-25 and 10:00 CET after it.
    expect(show('2026-10-23T00:00', '2026-10-27T00:00', '2026-10-23 17:00')).toBe('10月23日（周五）11:00–12:00（北京时间 17:00–18:00）');
    expect(show('2026-10-23T00:00', '2026-10-27T00:00', '2026-10-26 17:00')).toBe('10月26日（周一）10:00–11:00（北京时间 17:00–18:00）');
    // …and 10:00 CET before 2026-03-29, 11:00 CEST after it.
    expect(show('2026-03-27T00:00', '2026-03-31T00:00', '2026-03-27 17:00')).toBe('3月27日（周五）10:00–11:00（北京时间 17:00–18:00）');
    expect(show('2026-03-27T00:00', '2026-03-31T00:00', '2026-03-30 17:00')).toBe('3月30日（周一）11:00–12:00（北京时间 17:00–18:00）');
    // A morning slot in Beijing is the small hours in Berlin.
    expect(show('2026-10-23T00:00', '2026-10-27T00:00', '2026-10-26 09:30')).toBe('10月26日（周一）02:30–03:30（北京时间 09:30–10:30）');
  });

  it('keeps local working hours for a tenant in a DST zone across the change', () => {
    const q = query({
      timeZone: 'Europe/Berlin',
      from: new Date('2026-10-22T00:00:00Z'),
      to: new Date('2026-10-28T00:00:00Z'),
      now: new Date('2026-10-01T00:00:00Z'),
      calendar: createWorkCalendar({ national: [], missingYear: 'weekends_only' }),
    });
    const firsts = new Map<string, string>();
    for (const s of offerSlots(q).slots) if (!firsts.has(s.localDate)) firsts.set(s.localDate, s.start);
    expect(Object.fromEntries(firsts)).toEqual({
      '2026-10-22': '2026-10-22T07:30:00.000Z', // 09:30 CEST
      '2026-10-23': '2026-10-23T07:30:00.000Z',
      '2026-10-26': '2026-10-26T08:30:00.000Z', // 09:30 CET
      '2026-10-27': '2026-10-27T08:30:00.000Z',
    });
  });

  it('stays fast: 2 weeks, 5 panelists × 200 busy intervals', () => {
    // Micro-measure (not asserted; see the comment at the top of slots.ts): ≈ 1 ms per warm call on a 2-vCPU VM.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const from = bj('2026-11-23T00:00');
    const panel = Array.from({ length: 5 }, (_, i) =>
      panelist(`p${i}`, {
        busy: Array.from({ length: 200 }, () => {
          const start = from.getTime() + Math.floor(random() * 14 * 96) * 15 * 60_000;
          return { startsAt: new Date(start), endsAt: new Date(start + (1 + Math.floor(random() * 4)) * 15 * 60_000) };
        }),
      }),
    );
    const q = query({ from, to: bj('2026-12-07T00:00'), panel, maxSlots: 50 });
    const offer = offerSlots(q);
    expect(offer.slots.length).toBeLessThanOrEqual(50);
  });
});

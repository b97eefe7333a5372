import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultWorkingHours, explainUnavailable, offerSlots, type Panelist, type SlotQuery } from './slots';
import { chinaWorkCalendar, dayKind } from './work-calendar';
import { isoWeekOf, localDateMinutesToInstant, parseLocalTime, toZoned, weekdayOf } from './zoned-time';

/**
 * Properties over a few hundred seeded random inputs (fast-check, fixed seed so that a failure reproduces):
 * no offered slot overlaps a required panelist's busy interval widened by the buffers; every slot lies inside
 * working hours on a working day in the tenant zone; notice, window and limits hold; output is sorted and unique;
 * and `explainUnavailable` agrees with `offerSlots` on grid starts.
 */

const MIN = 60_000;
const DAY = 86_400_000;
const yearStart = Date.parse('2026-01-01T00:00:00+08:00');

const arbPanelist = (id: string, windowStart: number) =>
  fc.record({
    required: fc.boolean().map((b) => b || id === 'p0'),
    busy: fc.array(
      fc.record({ startMin: fc.integer({ min: -24 * 60, max: 16 * 24 * 60 }), lengthMin: fc.integer({ min: 1, max: 6 * 60 }) }),
      { maxLength: 60 },
    ),
    dailyLimit: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    weeklyLimit: fc.option(fc.integer({ min: 0, max: 8 }), { nil: null }),
    dayCounts: fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 4 })), { maxLength: 6 }),
    weekCounts: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 10 })), { maxLength: 3 }),
  }).map((r): Panelist => ({
    id,
    name: id,
    required: r.required,
    busy: r.busy.map((b) => ({ startsAt: new Date(windowStart + b.startMin * MIN), endsAt: new Date(windowStart + (b.startMin + b.lengthMin) * MIN) })),
    dailyLimit: r.dailyLimit,
    weeklyLimit: r.weeklyLimit,
    interviewsByDay: Object.fromEntries(r.dayCounts.map(([d, n]) => [toZoned(windowStart + d * DAY, 'UTC').date, n])),
    interviewsByWeek: Object.fromEntries(r.weekCounts.map(([w, n]) => [isoWeekOf(toZoned(windowStart + w * 7 * DAY, 'UTC').date), n])),
  }));

const arbQuery = fc
  .record({
    // Windows inside 2026 (the data years), starting at any minute of the year up to mid-December.
    startMin: fc.integer({ min: 0, max: 340 * 24 * 60 }),
    lengthMin: fc.integer({ min: 30, max: 14 * 24 * 60 }),
    nowOffsetMin: fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }),
    durationMinutes: fc.constantFrom(15, 30, 45, 60, 90, 120),
    stepMinutes: fc.constantFrom(15, 30, 60),
    bufferBeforeMinutes: fc.constantFrom(0, 5, 10, 15, 30),
    bufferAfterMinutes: fc.constantFrom(0, 5, 10, 15, 30),
    minNoticeMinutes: fc.constantFrom(0, 60, 12 * 60, 24 * 60),
    panelSize: fc.integer({ min: 0, max: 5 }),
    maxSlots: fc.constantFrom(10, 50, 1000),
    // Mostly Beijing; DST zones exercise the per-instant conversions on transition days.
    timeZone: fc.constantFrom('Asia/Shanghai', 'Asia/Shanghai', 'Europe/Berlin', 'America/New_York'),
  })
  .chain((q) => {
    const from = yearStart + q.startMin * MIN;
    return fc.tuple(fc.constant(q), fc.tuple(...Array.from({ length: q.panelSize }, (_, i) => arbPanelist(`p${i}`, from))));
  })
  .map(([q, panel]): SlotQuery => {
    const from = yearStart + q.startMin * MIN;
    return {
      from: new Date(from),
      to: new Date(from + q.lengthMin * MIN),
      now: new Date(from + q.nowOffsetMin * MIN),
      durationMinutes: q.durationMinutes,
      stepMinutes: q.stepMinutes,
      bufferBeforeMinutes: q.bufferBeforeMinutes,
      bufferAfterMinutes: q.bufferAfterMinutes,
      minNoticeMinutes: q.minNoticeMinutes,
      calendar: chinaWorkCalendar,
      panel,
      maxSlots: q.maxSlots,
      timeZone: q.timeZone,
    };
  });

const options = { seed: 0x5107, numRuns: 300 };

describe('offerSlots properties', () => {
  it('never overlaps busy time (+buffers), stays in working hours, respects notice, window and limits; sorted and unique', () => {
    fc.assert(
      fc.property(arbQuery, (q) => {
        const { slots, truncated } = offerSlots(q);
        expect(slots.length).toBeLessThanOrEqual(q.maxSlots!);
        if (truncated) expect(slots.length).toBe(q.maxSlots);
        let previous = -Infinity;
        for (const slot of slots) {
          const s = Date.parse(slot.start);
          const e = Date.parse(slot.end);
          expect(s).toBeGreaterThan(previous); // sorted, unique
          previous = s;
          expect(e - s).toBe(q.durationMinutes * MIN);
          expect(s).toBeGreaterThanOrEqual(Math.max(q.from.getTime(), q.now.getTime() + q.minNoticeMinutes! * MIN));
          expect(e).toBeLessThanOrEqual(q.to.getTime());

          for (const p of q.panel.filter((x) => x.required !== false)) {
            for (const b of p.busy) {
              const overlaps = b.startsAt.getTime() < e + q.bufferAfterMinutes! * MIN && b.endsAt.getTime() > s - q.bufferBeforeMinutes! * MIN;
              expect(overlaps, `${p.id} busy ${b.startsAt.toISOString()}–${b.endsAt.toISOString()} vs ${slot.start}`).toBe(false);
            }
            const date = slot.localDate;
            if (p.dailyLimit !== null) expect(p.interviewsByDay?.[date] ?? 0).toBeLessThan(p.dailyLimit);
            if (p.weeklyLimit !== null) expect(p.interviewsByWeek?.[isoWeekOf(date)] ?? 0).toBeLessThan(p.weeklyLimit);
          }

          const ls = toZoned(s, q.timeZone!);
          const le = toZoned(e, q.timeZone!);
          expect([ls.date, ls.time, le.time]).toEqual([slot.localDate, slot.localStart, slot.localEnd]);
          const kind = dayKind(ls.date, chinaWorkCalendar).kind;
          expect(['workday', 'makeup_workday']).toContain(kind);
          expect(slot.dayKind).toBe(kind);
          const ranges = kind === 'makeup_workday' ? defaultWorkingHours[1] : defaultWorkingHours[weekdayOf(ls.date)];
          const startMinute = ls.hour * 60 + ls.minute;
          const endMinute = le.date === ls.date ? le.hour * 60 + le.minute : 1440 + le.hour * 60 + le.minute;
          expect(ranges.some((r) => parseLocalTime(r.start) <= startMinute && endMinute <= parseLocalTime(r.end))).toBe(true);
        }
      }),
      options,
    );
  });

  it('explainUnavailable finds no reason exactly for the starts offerSlots offers', () => {
    fc.assert(
      fc.property(arbQuery, fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 40 })), { minLength: 1, maxLength: 8 }), (q, probes) => {
        const uncapped = { ...q, maxSlots: 10_000 };
        const offered = new Set(offerSlots(uncapped).slots.map((s) => s.start));
        for (const slot of offerSlots(q).slots) expect(explainUnavailable(q, new Date(slot.start))).toEqual([]);
        // Probe starts on the step grid of the morning and afternoon ranges of days around the window.
        for (const [dayIndex, k] of probes) {
          const date = toZoned(q.from.getTime() + (dayIndex - 1) * DAY, q.timeZone!).date;
          if (!date.startsWith('2026')) continue;
          const rangeStart = k < 20 ? 9 * 60 + 30 : 13 * 60 + 30;
          const start = localDateMinutesToInstant(date, rangeStart + (k % 20) * q.stepMinutes!, q.timeZone!);
          const reasons = explainUnavailable(uncapped, new Date(start));
          expect(reasons.length === 0, `${new Date(start).toISOString()}: ${reasons.map((r) => r.code).join()}`).toBe(offered.has(new Date(start).toISOString()));
        }
      }),
      { ...options, numRuns: 200 },
    );
  });
});

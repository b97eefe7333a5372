/** Every time rule of the simulator (token lifetime, rate windows, response-code validity) reads this clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ManualClock extends Clock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void;
  set(instant: Date): void;
}

/** A clock that only moves when told to, so tests can cross a 60 s window or a 7200 s token lifetime instantly. */
export function createManualClock(start: Date = new Date('2026-03-02T09:00:00+08:00')): ManualClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms) {
      if (ms < 0) throw new Error('a clock does not move backwards');
      current += ms;
    },
    set(instant) {
      current = instant.getTime();
    },
  };
}

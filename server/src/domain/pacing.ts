/**
 * Pacing under the platforms' limits, some of which drop messages silently instead of refusing them:
 * WeCom app messages above 30/min or 1000/h per member are dropped with errcode 0, so we stay at 25/min and 900/h;
 * a webhook group robot allows 20/min, so 18/min. https://developer.work.weixin.qq.com/document/path/90454 , 91770
 */
export interface PacingWindow {
  readonly windowMs: number;
  readonly max: number;
}

export const pacingByChannel: Readonly<Record<string, readonly PacingWindow[]>> = {
  wecom_app: [
    { windowMs: 60_000, max: 25 },
    { windowMs: 3_600_000, max: 900 },
  ],
  wecom_robot: [{ windowMs: 60_000, max: 18 }],
  dingtalk_robot: [{ windowMs: 60_000, max: 18 }],
};

/** When the next message may go, given earlier send times (oldest first); undefined when it may go now. */
export function nextAllowedAt(windows: readonly PacingWindow[], sentTimes: readonly Date[], now: Date): Date | undefined {
  let latest: number | undefined;
  for (const window of windows) {
    const inWindow = sentTimes.filter((t) => t.getTime() > now.getTime() - window.windowMs);
    if (inWindow.length >= window.max) {
      // The window frees a slot when its oldest counted send leaves it.
      const freesAt = inWindow[inWindow.length - window.max]!.getTime() + window.windowMs;
      latest = Math.max(latest ?? 0, freesAt);
    }
  }
  return latest === undefined ? undefined : new Date(latest);
}

/** Exponential backoff with jitter, capped: 30 s, 1 min, 2 min, … up to 1 h. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (0.8 + random() * 0.4));
}

/**
 * Counts events in a trailing window of the injected clock. WeCom lifts a minute block a minute after it started
 * and an hour block an hour after (https://developer.work.weixin.qq.com/document/path/90454), which a trailing
 * window of the accepted events reproduces.
 */
export class SlidingWindow {
  private readonly events: number[] = [];

  constructor(private readonly windowMs: number) {}

  count(nowMs: number): number {
    this.prune(nowMs);
    return this.events.length;
  }

  record(nowMs: number): void {
    this.events.push(nowMs);
  }

  private prune(nowMs: number): void {
    while (this.events.length > 0 && (this.events[0] ?? 0) <= nowMs - this.windowMs) this.events.shift();
  }
}

/** One SlidingWindow per key, created on first use. */
export class KeyedWindows {
  private readonly windows = new Map<string, SlidingWindow>();

  constructor(private readonly windowMs: number) {}

  get(key: string): SlidingWindow {
    let window = this.windows.get(key);
    if (!window) {
      window = new SlidingWindow(this.windowMs);
      this.windows.set(key, window);
    }
    return window;
  }
}

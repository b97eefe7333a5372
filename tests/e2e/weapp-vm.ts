import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { WebSocket } from 'ws';

/**
 * Runs the compiled weapp bundle (miniapp/dist/weapp) in a Node `vm` with a stand-in for the WeChat client: `wx`
 * APIs, `App`, `Page`, `Component`, and the page lifecycle. The stand-in is honest about what it is: network calls go
 * to a real HireBridge server, `wx.login` asks the platform simulator for a real code, and everything a page renders
 * arrives through `setData` exactly as the WeChat client would receive it. Timers run on a clock a test can move ahead
 * (`clock`); `wx.getRecorderManager` records what `microphone` plays, by that clock, with WeChat's rules (10-minute cap,
 * frameSize in KB, one manager); `wx.connectSocket` gives SocketTasks over real WebSockets to the server.
 */
export interface WxHost {
  /** wx.request: answered by the caller (a real server). */
  request(options: { url: string; method?: string; data?: unknown; header?: Record<string, string> }): Promise<{ statusCode: number; data: unknown }>;
  login(): string;
  appId: string;
  /** Answers to requestSubscribeMessage, by template id. */
  subscribe?: (tmplIds: string[]) => Record<string, string>;
  /** wx.connectSocket: the real address behind the mini-program's `wss://` one (a real server's WebSocket). */
  socketUrl?: (url: string) => string;
  /** wx.authorize for scope.record (the microphone prompt): false = the user refused. Default true. */
  recordPermission?: () => boolean;
}

export interface PageInstance {
  readonly route: string;
  data: Record<string, unknown>;
  /** Everything setData received, in order. */
  readonly updates: Record<string, unknown>[];
  [hook: string]: unknown;
}

type Registered = Record<string, unknown>;

export class WeappVm {
  readonly calls: { api: string; args: unknown }[] = [];
  readonly toasts: string[] = [];
  readonly storage = new Map<string, unknown>();
  readonly pages: PageInstance[] = [];
  /** The stand-in's clock: every timer the bundle sets runs on it; `advance` jumps ahead (10 minutes in a moment). */
  readonly clock = new VirtualClock();
  /** The room the phone's microphone hears. */
  readonly microphone = new Microphone();
  /** wx.getRecorderManager(): one for the whole client, as in WeChat. */
  readonly recorder: FakeRecorderManager;
  /** Every SocketTask wx.connectSocket made, with what went each way. */
  readonly sockets: FakeSocketTask[] = [];
  /** The `wx` object the bundle sees (a test may add what a particular client adds, e.g. WeCom's `wx.qy`). */
  readonly wx: Record<string, unknown>;
  private readonly pageConfigs = new Map<string, Registered>();
  private appConfig: Registered | undefined;
  private readonly context: vm.Context;
  private readonly modules = new Map<string, { exports: unknown }>();
  private currentFile = '';

  constructor(
    readonly root: string,
    private readonly host: WxHost,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the stand-in's callbacks are plain functions the bundle calls
    const self = this;
    const ok = (api: string, result: Record<string, unknown> = {}) => (options: Record<string, unknown> = {}) => {
      self.calls.push({ api, args: options });
      const answer = { errMsg: `${api}:ok`, ...result };
      queueMicrotask(() => {
        (options.success as ((r: unknown) => void) | undefined)?.(answer);
        (options.complete as ((r: unknown) => void) | undefined)?.(answer);
      });
    };
    const wx: Record<string, unknown> = {
      getSystemInfoSync: () => ({ platform: 'devtools', windowWidth: 375, windowHeight: 740, screenWidth: 375, pixelRatio: 2, language: 'zh_CN', version: '8.0.50', SDKVersion: '3.6.0', environment: undefined }),
      getAccountInfoSync: () => ({ miniProgram: { appId: host.appId, envVersion: 'develop', version: '' } }),
      getStorageSync: (key: string) => (self.storage.has(key) ? self.storage.get(key) : ''),
      setStorageSync: (key: string, value: unknown) => void self.storage.set(key, value),
      removeStorageSync: (key: string) => void self.storage.delete(key),
      login: (options: Record<string, unknown>) => ok('login', { code: host.login() })(options),
      request: (options: { url: string; method?: string; data?: unknown; header?: Record<string, string>; success?: (r: unknown) => void; fail?: (e: unknown) => void; complete?: (r: unknown) => void }) => {
        self.calls.push({ api: 'request', args: { url: options.url, method: options.method } });
        host.request(options).then(
          (r) => {
            const res = { ...r, header: {}, errMsg: 'request:ok' };
            options.success?.(res);
            options.complete?.(res);
          },
          (e: unknown) => {
            const res = { errMsg: `request:fail ${String(e)}` };
            options.fail?.(res);
            options.complete?.(res);
          },
        );
        return { abort() {}, onHeadersReceived() {}, offHeadersReceived() {} };
      },
      requestSubscribeMessage: (options: { tmplIds: string[] } & Record<string, unknown>) => ok('requestSubscribeMessage', host.subscribe?.(options.tmplIds) ?? {})(options),
      showToast: (options: { title: string } & Record<string, unknown>) => {
        self.toasts.push(options.title);
        ok('showToast')(options);
      },
      navigateTo: (options: { url: string } & Record<string, unknown>) => ok('navigateTo')(options),
      redirectTo: (options: { url: string } & Record<string, unknown>) => ok('redirectTo')(options),
      navigateBack: ok('navigateBack'),
      setClipboardData: ok('setClipboardData'),
      scanCode: ok('scanCode', { result: '' }),
      nextTick: (fn: () => void) => setTimeout(fn, 0),
      getMenuButtonBoundingClientRect: () => ({ top: 24, height: 32, right: 365, width: 87, left: 278, bottom: 56 }),
      canIUse: () => true,
      onAppShow() {},
      onAppHide() {},
      createSelectorQuery: () => ({ select: () => ({ boundingClientRect: () => ({ exec: () => undefined }) }), exec: () => undefined }),
      getRecorderManager: () => {
        self.calls.push({ api: 'getRecorderManager', args: {} });
        return self.recorder.api;
      },
      connectSocket: (options: ConnectSocketOptions) => {
        self.calls.push({ api: 'connectSocket', args: { url: options.url, header: options.header, protocols: options.protocols } });
        return connectSocket(self, options, host);
      },
    };
    this.wx = wx;
    const sandbox: Record<string, unknown> = {
      wx,
      console,
      setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => self.clock.setTimeout(() => fn(...args), ms),
      clearTimeout: (id: unknown) => self.clock.clearTimeout(id),
      setInterval,
      clearInterval,
      queueMicrotask,
      Promise,
      App: (config: Registered) => {
        self.appConfig = config;
      },
      Page: (config: Registered) => {
        self.pageConfigs.set(self.currentFile, config);
      },
      Component: (config: Registered) => {
        self.pageConfigs.set(self.currentFile, config);
      },
      Behavior: (config: unknown) => config,
      getApp: () => self.appConfig,
      getCurrentPages: () => self.pages,
      requirePlugin: () => ({}),
    };
    sandbox.global = sandbox;
    sandbox.globalThis = sandbox;
    this.context = vm.createContext(sandbox);
    // What the bundle receives must be its own realm's ArrayBuffer (as the client hands them over).
    this.arrayBuffer = vm.runInContext('ArrayBuffer', this.context) as ArrayBufferConstructor;
    this.recorder = new FakeRecorderManager(this, host);
  }

  /** An ArrayBuffer of the bundle's realm holding `bytes`. */
  bufferOf(bytes: Uint8Array): ArrayBuffer {
    const buffer = new this.arrayBuffer(bytes.byteLength);
    new Uint8Array(buffer).set(bytes);
    return buffer;
  }
  private readonly arrayBuffer: ArrayBufferConstructor;

  /** CommonJS as the WeChat client does it: paths relative to the requiring file, `.js` optional. */
  require(file: string, from = this.root): unknown {
    const full = path.resolve(from, file.endsWith('.js') ? file : `${file}.js`);
    const cached = this.modules.get(full);
    if (cached) return cached.exports;
    const module = { exports: {} as unknown };
    this.modules.set(full, module);
    const code = readFileSync(full, 'utf8');
    const fn = vm.runInContext(`(function (require, module, exports) {${code}\n})`, this.context, { filename: full }) as (r: (f: string) => unknown, m: { exports: unknown }, e: unknown) => void;
    const previous = this.currentFile;
    this.currentFile = path.relative(this.root, full).replace(/\.js$/, '');
    try {
      fn((f) => this.require(f, path.dirname(full)), module, module.exports);
    } finally {
      this.currentFile = previous;
    }
    return module.exports;
  }

  launch(): void {
    this.require('app');
    if (!this.appConfig) throw new Error('app.js did not call App()');
    const app = this.appConfig as { onLaunch?: (o: unknown) => void; onShow?: (o: unknown) => void };
    app.onLaunch?.call(this.appConfig, { path: 'pages/invite/index', query: {}, scene: 1001 });
    app.onShow?.call(this.appConfig, { path: 'pages/invite/index', query: {}, scene: 1001 });
  }

  /** Opens a page as the client does: instance from its config, then onLoad(query), onShow, onReady. */
  open(route: string, query: Record<string, string>): PageInstance {
    this.require(route);
    const config = this.pageConfigs.get(route);
    if (!config) throw new Error(`${route}.js did not call Page()`);
    const updates: Record<string, unknown>[] = [];
    const instance: PageInstance = Object.assign(Object.create(null) as object, config, {
      route,
      data: structuredClone((config.data as Record<string, unknown> | undefined) ?? {}),
      updates,
      options: query,
      setData(this: PageInstance, patch: Record<string, unknown>, callback?: () => void) {
        updates.push(patch);
        for (const [key, value] of Object.entries(patch)) setPath(this.data, key, value);
        if (callback) setTimeout(callback, 0);
      },
      selectComponent: () => null,
      createSelectorQuery: () => ({}),
    }) as PageInstance;
    this.pages.push(instance);
    const call = (hook: string, arg?: unknown) => (instance[hook] as ((a?: unknown) => void) | undefined)?.call(instance, arg);
    call('onLoad', query);
    call('onShow');
    call('onReady');
    return instance;
  }
}

/** setData paths such as `root.cn.[0].cn.[2].v` or `a.b[1]`. */
function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  let node: Record<string, unknown> = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = /^\d+$/.test(parts[i + 1]!) ? [] : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** All text in a rendered Taro tree (what the page shows), in document order. */
export function renderedText(data: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (n.nn === '#text' || n.nn === 8 || (typeof n.v === 'string' && !n.cn)) out.push(String(n.v ?? ''));
    if (n.cn) walk(n.cn);
    for (const [k, v] of Object.entries(n)) if (k !== 'cn' && typeof v === 'object') walk(v);
  };
  walk(data);
  return out.join('');
}

/** Finds the element with our `id` attribute in a rendered tree: its Taro sid is what tap events carry. */
export function findSid(data: unknown, id: string): string | undefined {
  let found: string | undefined;
  const walk = (node: unknown) => {
    if (found || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as Record<string, unknown>;
    if (n.uid === id || n.id === id) found = String(n.sid ?? n.uid);
    for (const v of Object.values(n)) walk(v);
  };
  walk(data);
  return found;
}

export const weappRoot = (repoRoot: string) => path.join(repoRoot, 'miniapp', 'dist', 'weapp');

/**
 * Time for the stand-in client. Every `setTimeout` of the bundle (and the recorder's own timing) is a timer here; it
 * fires by itself after its delay in real time, as usual, or at once when a test `advance`s the clock past it — so a
 * test can let ten minutes of recording pass in a moment. Between timers the clock stands still: code that runs
 * synchronously (a recorder restarted from its stop event) sees no time pass, as on the phone.
 */
export class VirtualClock {
  private current = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { due: number; fn: () => void; handle: NodeJS.Timeout }>();

  /** Milliseconds since the client started. */
  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms?: number): number {
    const id = this.nextId++;
    const delay = Math.max(0, Number(ms) || 0);
    const due = this.current + delay;
    const handle = setTimeout(() => this.runUntil(due), delay);
    this.timers.set(id, { due, fn, handle });
    return id;
  }

  clearTimeout(id: unknown): void {
    const timer = this.timers.get(id as number);
    if (!timer) return;
    clearTimeout(timer.handle);
    this.timers.delete(id as number);
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order (time stands at each one's due moment
   * while it runs). Every `yieldEveryMs` of clock time the event loop gets a turn, so sockets move bytes meanwhile.
   */
  async advance(ms: number, yieldEveryMs = 1000): Promise<void> {
    const target = this.current + ms;
    let lastYield = this.current;
    for (;;) {
      const next = this.earliest(target);
      if (!next) break;
      this.fire(next);
      if (this.current - lastYield >= yieldEveryMs) {
        lastYield = this.current;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    this.current = Math.max(this.current, target);
    await new Promise((resolve) => setImmediate(resolve));
  }

  private runUntil(target: number): void {
    for (let next = this.earliest(target); next; next = this.earliest(target)) this.fire(next);
    this.current = Math.max(this.current, target);
  }

  private earliest(upTo: number): number | undefined {
    let found: number | undefined;
    let due = Infinity;
    for (const [id, timer] of this.timers) {
      if (timer.due <= upTo && timer.due < due) {
        found = id;
        due = timer.due;
      }
    }
    return found;
  }

  private fire(id: number): void {
    const timer = this.timers.get(id)!;
    this.timers.delete(id);
    clearTimeout(timer.handle);
    this.current = Math.max(this.current, timer.due);
    timer.fn();
  }
}

const micRate = 16_000;

/**
 * What the phone's microphone hears, by clock time: silence, with clips (16 kHz mono PCM16LE, e.g. a fixture WAV's
 * data) played at given moments. The recorder captures whatever is playing while it records; what plays while it
 * is stopped is not recorded by anyone.
 */
export class Microphone {
  private readonly clips: { startSample: number; pcm: Buffer }[] = [];

  /** Plays `pcm` starting at clock time `atMs`. */
  play(pcm: Buffer, atMs: number): void {
    this.clips.push({ startSample: Math.round((atMs * micRate) / 1000), pcm });
  }

  /** The room's audio for samples [from, to) (sample n is at clock time n / 16 ms). */
  read(from: number, to: number): Buffer {
    const out = Buffer.alloc(Math.max(0, to - from) * 2);
    for (const clip of this.clips) {
      const start = Math.max(from, clip.startSample);
      const end = Math.min(to, clip.startSample + clip.pcm.length / 2);
      if (end > start) clip.pcm.copy(out, (start - from) * 2, (start - clip.startSample) * 2, (end - clip.startSample) * 2);
    }
    return out;
  }
}

interface StartOptions {
  duration?: number;
  sampleRate?: number;
  numberOfChannels?: number;
  encodeBitRate?: number;
  format?: string;
  frameSize?: number;
  audioSource?: string;
}

/** The encodeBitRate range WeChat accepts for each sample rate (a value outside makes the recording fail). */
const bitRates: Record<number, [number, number]> = {
  8000: [16_000, 48_000], 11025: [16_000, 48_000], 12000: [24_000, 64_000], 16000: [24_000, 96_000], 22050: [32_000, 128_000],
  24000: [32_000, 128_000], 32000: [48_000, 192_000], 44100: [64_000, 320_000], 48000: [64_000, 320_000],
};

/** One start…stop of the recorder, as the test sees it afterwards. */
export interface RecordingRun {
  readonly options: StartOptions;
  readonly startedAtMs: number;
  /** Clock time of the stop (by stop() or by reaching `duration`). */
  stoppedAtMs?: number;
  stoppedBy?: 'stop' | 'duration';
  /** Every frame handed to onFrameRecorded, in order. */
  readonly frames: { bytes: Buffer; isLastFrame: boolean }[];
  /** Room samples captured, as [from, to) ranges (a pause leaves a hole). */
  readonly captured: [number, number][];
}

type Listener = ((result: unknown) => void) | undefined;

/**
 * wx.getRecorderManager(): the client's single recorder manager. `start` checks its options as WeChat does (duration
 * at most 600 000 ms, a valid sample rate with a bit rate in its range, 1 or 2 channels, a known format; a second start
 * while recording fails) and reports failures through onError. Recording runs on the client's clock: PCM frames of
 * `frameSize` KB (1 KB = 1024 bytes) reach onFrameRecorded as that much audio has been captured; stop() — or reaching
 * `duration` — hands over what is left as the frame flagged isLastFrame, then onStop with tempFilePath and duration.
 * The `on…` methods replace the previous listener (WeChat's recorder has one listener per event, no `off…`).
 * Only 16 kHz mono PCM is simulated; another sample rate, channel count or format fails loudly as a test setup error.
 */
export class FakeRecorderManager {
  readonly runs: RecordingRun[] = [];
  readonly errors: string[] = [];
  readonly api: Record<string, (arg?: unknown) => void>;
  private readonly listeners: Record<string, Listener> = {};
  private state: 'idle' | 'recording' | 'paused' | 'stopping' = 'idle';
  private run: RecordingRun | undefined;
  private frameBytes = 0;
  private limitSamples = 0;
  private recordedSamples = 0;
  /** Next room sample to capture while recording. */
  private cursor = 0;
  private pending = Buffer.alloc(0);
  private timer: number | undefined;

  constructor(
    private readonly client: WeappVm,
    private readonly host: WxHost,
  ) {
    const on = (event: string) => (callback?: unknown) => {
      this.listeners[event] = callback as Listener;
    };
    this.api = {
      start: (options) => this.start((options ?? {}) as StartOptions),
      pause: () => this.pause(),
      resume: () => this.resume(),
      stop: () => this.stop(),
      onStart: on('start'),
      onPause: on('pause'),
      onResume: on('resume'),
      onStop: on('stop'),
      onFrameRecorded: on('frame'),
      onError: on('error'),
      onInterruptionBegin: on('interruptionBegin'),
      onInterruptionEnd: on('interruptionEnd'),
    };
  }

  get recording(): boolean {
    return this.state === 'recording' || this.state === 'paused';
  }

  /** A phone call takes the microphone: recording pauses (interruptionBegin, then pause) until `endInterruption`. */
  interrupt(): void {
    if (this.state !== 'recording') return;
    this.emit('interruptionBegin', {});
    this.pause();
  }

  endInterruption(): void {
    this.emit('interruptionEnd', {});
  }

  /** The recording dies (the system takes the microphone for good): WeChat reports it through onError, no onStop. */
  breakDown(errMsg = 'operateRecorder:fail:audio interrupted'): void {
    if (!this.recording) return;
    this.state = 'idle';
    this.fail(errMsg);
  }

  private emit(event: string, result: unknown): void {
    this.listeners[event]?.(result);
  }

  /** Callbacks come asynchronously, as from the client's native side, at the same clock time. */
  private later(fn: () => void): void {
    this.client.clock.setTimeout(fn, 0);
  }

  private fail(errMsg: string): void {
    this.errors.push(errMsg);
    this.later(() => this.emit('error', { errMsg }));
  }

  private start(options: StartOptions): void {
    this.client.calls.push({ api: 'RecorderManager.start', args: options });
    if (this.state !== 'idle') return this.fail("operateRecorder:fail:audio is recording, don't start record again");
    const duration = options.duration ?? 60_000;
    const sampleRate = options.sampleRate ?? 8000;
    const channels = options.numberOfChannels ?? 2;
    const bitRate = options.encodeBitRate ?? 48_000;
    const format = options.format ?? 'aac';
    if (!(duration > 0 && duration <= 600_000)) return this.fail(`operateRecorder:fail invalid duration ${duration}: at most 600000 ms`);
    const range = bitRates[sampleRate];
    if (!range) return this.fail(`operateRecorder:fail invalid sampleRate ${sampleRate}`);
    if (bitRate < range[0] || bitRate > range[1]) return this.fail(`operateRecorder:fail invalid encodeBitRate ${bitRate} for sampleRate ${sampleRate}`);
    if (channels !== 1 && channels !== 2) return this.fail(`operateRecorder:fail invalid numberOfChannels ${channels}`);
    if (!['mp3', 'aac', 'wav', 'PCM'].includes(format)) return this.fail(`operateRecorder:fail invalid format ${format}`);
    if (sampleRate !== micRate || channels !== 1 || format !== 'PCM') {
      throw new Error(`the WeChat stand-in only simulates 16 kHz mono PCM recording, not ${sampleRate} Hz × ${channels} ${format}`);
    }
    if (this.host.recordPermission && !this.host.recordPermission()) return this.fail('operateRecorder:fail auth deny');
    this.frameBytes = options.frameSize ? Math.max(2, Math.floor((options.frameSize * 1024) / 2) * 2) : 0;
    this.limitSamples = Math.floor((duration * micRate) / 1000);
    this.recordedSamples = 0;
    this.pending = Buffer.alloc(0);
    this.cursor = this.sampleNow();
    this.run = { options, startedAtMs: this.client.clock.now(), frames: [], captured: [] };
    this.runs.push(this.run);
    this.state = 'recording';
    this.later(() => this.emit('start', {}));
    this.schedule();
  }

  private pause(): void {
    if (this.state !== 'recording') return this.fail('operateRecorder:fail:audio is not recording');
    this.capture();
    this.state = 'paused';
    this.unschedule();
    this.later(() => this.emit('pause', {}));
  }

  private resume(): void {
    if (this.state !== 'paused') return this.fail('operateRecorder:fail:audio is not paused');
    this.cursor = this.sampleNow(); // what played during the pause was not recorded
    this.state = 'recording';
    this.later(() => this.emit('resume', {}));
    this.schedule();
  }

  private stop(by: 'stop' | 'duration' = 'stop'): void {
    if (by === 'stop') this.client.calls.push({ api: 'RecorderManager.stop', args: {} });
    if (this.state !== 'recording' && this.state !== 'paused') return this.fail("operateRecorder:fail:audio is stop, don't stop record again");
    if (this.state === 'recording') this.capture();
    this.unschedule();
    this.state = 'stopping';
    const run = this.run!;
    run.stoppedAtMs = this.client.clock.now();
    run.stoppedBy = by;
    const full: Buffer[] = [];
    while (this.frameBytes > 0 && this.pending.length >= this.frameBytes) full.push(this.takeFrame(this.frameBytes));
    const rest = this.takeFrame(this.pending.length);
    const durationMs = Math.round((this.recordedSamples * 1000) / micRate);
    this.later(() => {
      for (const bytes of full) this.deliver(run, bytes, false);
      if (this.frameBytes > 0) this.deliver(run, rest, true);
      this.state = 'idle';
      this.emit('stop', { tempFilePath: `wxfile://tmp_${randomUUID().replace(/-/g, '')}.pcm`, duration: durationMs, fileSize: this.recordedSamples * 2 });
    });
  }

  private sampleNow(): number {
    return Math.floor((this.client.clock.now() * micRate) / 1000);
  }

  /** Captures the room's audio from the cursor up to now (never beyond `duration`). */
  private capture(): void {
    const to = Math.min(this.sampleNow(), this.cursor + (this.limitSamples - this.recordedSamples));
    if (to <= this.cursor) return;
    const pcm = this.client.microphone.read(this.cursor, to);
    const last = this.run!.captured.at(-1);
    if (last && last[1] === this.cursor) last[1] = to;
    else this.run!.captured.push([this.cursor, to]);
    this.recordedSamples += to - this.cursor;
    this.cursor = to;
    this.pending = Buffer.concat([this.pending, pcm]);
  }

  private takeFrame(bytes: number): Buffer {
    const frame = Buffer.from(this.pending.subarray(0, bytes));
    this.pending = this.pending.subarray(bytes);
    return frame;
  }

  private deliver(run: RecordingRun, bytes: Buffer, isLastFrame: boolean): void {
    run.frames.push({ bytes, isLastFrame });
    this.emit('frame', { frameBuffer: this.client.bufferOf(bytes), isLastFrame });
  }

  /** The next moment something happens: a frame's worth of audio captured, or the duration reached. */
  private schedule(): void {
    this.unschedule();
    const untilLimit = this.limitSamples - this.recordedSamples;
    const untilFrame = this.frameBytes > 0 ? (this.frameBytes - this.pending.length) / 2 : Infinity;
    const samples = Math.min(untilLimit, untilFrame);
    const dueMs = Math.ceil(((this.cursor + samples) * 1000) / micRate);
    this.timer = this.client.clock.setTimeout(() => this.tick(), dueMs - this.client.clock.now());
  }

  private unschedule(): void {
    if (this.timer !== undefined) this.client.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.state !== 'recording') return;
    this.capture();
    if (this.recordedSamples >= this.limitSamples) return this.stop('duration');
    // A listener may stop the recording from a frame: then stop() has taken what is left.
    while (this.state === 'recording' && this.frameBytes > 0 && this.pending.length >= this.frameBytes) this.deliver(this.run!, this.takeFrame(this.frameBytes), false);
    if (this.state === 'recording') this.schedule();
  }
}

interface ConnectSocketOptions {
  url: string;
  header?: Record<string, string>;
  protocols?: string[];
  success?: (r: unknown) => void;
  fail?: (r: unknown) => void;
  complete?: (r: unknown) => void;
}

/** What went over one SocketTask: text as strings, binary frames as Buffers. */
export interface FakeSocketTask {
  readonly url: string;
  readonly header: Record<string, string>;
  readonly sent: (string | Buffer)[];
  readonly received: (string | Buffer)[];
  opened: boolean;
  closed?: { code: number; reason: string };
  /** The real WebSocket behind the task. */
  readonly ws: WebSocket | undefined;
}

/** WeChat allows five SocketTasks at a time (base library ≥ 1.7.0). */
const maxSockets = 5;

/**
 * wx.connectSocket: a SocketTask over a real WebSocket to the address `host.socketUrl` gives for the mini-program's
 * `wss://` URL. success says the task was created (not that it is open — onOpen says that); the client adds its own
 * Referer; send takes a string or an ArrayBuffer and fails unless the socket is open; close takes 1000 or 3000–4999;
 * onMessage gives text as a string and binary as an ArrayBuffer; a connection lost without a close frame gives
 * onError and then onClose with 1006.
 */
function connectSocket(client: WeappVm, options: ConnectSocketOptions, host: WxHost): Record<string, unknown> {
  const listeners: Record<string, Listener> = {};
  const on = (event: string) => (callback?: unknown) => {
    listeners[event] = callback as Listener;
  };
  const emit = (event: string, result: unknown) => listeners[event]?.(result);
  const answer = (callbacks: { success?: (r: unknown) => void; fail?: (r: unknown) => void; complete?: (r: unknown) => void }, errMsg: string, ok: boolean) => {
    queueMicrotask(() => {
      (ok ? callbacks.success : callbacks.fail)?.({ errMsg });
      callbacks.complete?.({ errMsg });
    });
  };
  const open = client.sockets.filter((s) => !s.closed).length;
  const valid = /^wss?:\/\//.test(options.url);
  const target = valid && host.socketUrl ? host.socketUrl(options.url) : undefined;
  const header = { ...(options.header ?? {}), Referer: `https://servicewechat.com/${host.appId}/devtools/page-frame.html` };
  let ws: WebSocket | undefined;
  if (target && open < maxSockets) ws = new WebSocket(target, options.protocols ?? [], { headers: header });
  const record: FakeSocketTask = { url: options.url, header, sent: [], received: [], opened: false, ws };
  client.sockets.push(record);
  const task = {
    onOpen: on('open'),
    onMessage: on('message'),
    onClose: on('close'),
    onError: on('error'),
    send: (o: { data: unknown; success?: (r: unknown) => void; fail?: (r: unknown) => void; complete?: (r: unknown) => void }) => {
      const isBuffer = Object.prototype.toString.call(o.data) === '[object ArrayBuffer]';
      if (typeof o.data !== 'string' && !isBuffer) return answer(o, 'SocketTask.send:fail data should be a string or an ArrayBuffer', false);
      if (!ws || ws.readyState !== WebSocket.OPEN) return answer(o, 'SocketTask.send:fail SocketTask.readyState is not OPEN', false);
      const data = typeof o.data === 'string' ? o.data : Buffer.from(new Uint8Array(o.data as ArrayBuffer));
      record.sent.push(data);
      ws.send(data, { binary: typeof o.data !== 'string' });
      answer(o, 'SocketTask.send:ok', true);
    },
    close: (o: { code?: number; reason?: string; success?: (r: unknown) => void; fail?: (r: unknown) => void; complete?: (r: unknown) => void } = {}) => {
      const code = o.code ?? 1000;
      if (code !== 1000 && (code < 3000 || code > 4999)) return answer(o, `SocketTask.close:fail invalid code ${code}`, false);
      ws?.close(code, o.reason ?? '');
      answer(o, 'SocketTask.close:ok', true);
    },
  };
  if (!valid) {
    answer(options, `connectSocket:fail invalid url "${options.url}"`, false);
    return task;
  }
  if (!ws) {
    answer(options, open >= maxSockets ? 'connectSocket:fail exceed max task count' : 'connectSocket:fail no server behind this address in the stand-in', false);
    return task;
  }
  answer(options, 'connectSocket:ok', true);
  let errored = false;
  ws.on('open', () => {
    record.opened = true;
    emit('open', { header: {}, profile: {} });
  });
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    record.received.push(isBinary ? bytes : bytes.toString('utf8'));
    emit('message', { data: isBinary ? client.bufferOf(bytes) : bytes.toString('utf8') });
  });
  ws.on('error', (error: Error) => {
    errored = true;
    emit('error', { errMsg: `SocketTask:fail ${error.message}` });
  });
  ws.on('close', (code: number, reason: Buffer) => {
    record.closed = { code, reason: reason.toString('utf8') };
    if (code === 1006 && !errored) emit('error', { errMsg: 'SocketTask:fail connection lost' });
    emit('close', { code, reason: reason.toString('utf8') });
  });
  return task;
}

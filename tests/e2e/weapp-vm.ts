import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Runs the compiled weapp bundle (miniapp/dist/weapp) in a Node `vm` with a stand-in for the WeChat client: `wx`
 * APIs, `App`, `Page`, `Component`, and the page lifecycle. The stand-in is honest about what it is: network calls go
 * to a real HireBridge server, `wx.login` asks the platform simulator for a real code, and everything a page renders
 * arrives through `setData` exactly as the WeChat client would receive it.
 */
export interface WxHost {
  /** wx.request: answered by the caller (a real server). */
  request(options: { url: string; method?: string; data?: unknown; header?: Record<string, string> }): Promise<{ statusCode: number; data: unknown }>;
  login(): string;
  appId: string;
  /** Answers to requestSubscribeMessage, by template id. */
  subscribe?: (tmplIds: string[]) => Record<string, string>;
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
    };
    const sandbox: Record<string, unknown> = {
      wx,
      console,
      setTimeout,
      clearTimeout,
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
  }

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

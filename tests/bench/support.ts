// Helpers shared by the benchmarks: child processes that are always stopped, readiness polling, /proc readings,
// percentiles and plain-text tables. Benchmarks measure and print; nothing here asserts on timings.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../support/free-port';

export { freePort };

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const mainEntry = 'server/src/main.ts';

/** True when the module with this `import.meta.url` is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === metaUrl;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A positive number from the environment, or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

interface Tracked {
  readonly child: ChildProcess;
  readonly stop: () => Promise<void>;
}
const live = new Set<Tracked>();

let handlersInstalled = false;
function installSignalHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nbench: ${signal} received, stopping ${live.size} child process(es)…`);
    void Promise.allSettled([...live].map((t) => t.stop())).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Last resort if the bench crashes synchronously: never leave a server behind.
  process.once('exit', () => {
    for (const t of live) if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill('SIGKILL');
  });
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves with the exit, or undefined after `ms`. */
async function exitWithin(child: ChildProcess, ms: number): Promise<Exit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), ms);
  });
  try {
    return await Promise.race([exitOf(child), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Environment of this process without any HireBridge setting, so that nothing leaks into a child by accident. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('HB_') || key === 'DATABASE_URL' || key.startsWith('npm_')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export interface MainCommand {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  /** HB_DATA_DIR when the embedded PostgreSQL is used. */
  readonly dataDir: string | undefined;
  /** performance.now() and Date.now() just before spawn. */
  readonly spawnedAt: number;
  readonly spawnedWall: number;
  /** JSON log lines written to stdout so far (only with captureLogs). */
  readonly logs: Record<string, unknown>[];
  stderrTail(): string;
  /** SIGTERM, wait for exit (SIGKILL after 30 s); returns how long the graceful stop took. */
  stop(): Promise<{ ms: number; exit: Exit }>;
}

/** Spawns `node --import tsx server/src/main.ts` (the main command) with the given settings. */
export async function spawnMainCommand(options: {
  env: Record<string, string>;
  dataDir?: string;
  captureLogs?: boolean;
}): Promise<MainCommand> {
  installSignalHandlers();
  const port = options.env.HB_PORT ?? String(await freePort());
  const env = cleanEnv({ HB_MODE: 'demo', HB_LOG_LEVEL: 'warn', HB_SIMULATOR_PORT: '0', ...options.env, HB_PORT: port, ...(options.dataDir && { HB_DATA_DIR: options.dataDir }) });
  const spawnedWall = Date.now();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', mainEntry], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', options.captureLogs ? 'pipe' : 'ignore', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  if (options.captureLogs && child.stdout) {
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ msg: line });
        }
      }
    });
  }
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 50) stderr.shift();
  });

  let stopping: Promise<{ ms: number; exit: Exit }> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const started = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let exit = await exitWithin(child, 30_000);
      if (!exit) {
        child.kill('SIGKILL');
        exit = await exitOf(child);
      }
      const ms = performance.now() - started;
      // A killed main command leaves its embedded postmaster running: stop that too.
      if (options.dataDir) await stopPostmaster(options.dataDir);
      live.delete(tracked);
      return { ms, exit };
    })();
    return stopping;
  };
  const tracked: Tracked = { child, stop: async () => void (await stop()) };
  live.add(tracked);
  if (child.pid === undefined) {
    await stop();
    throw new Error(`could not spawn the main command: ${stderr.join('')}`);
  }
  return {
    child,
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    dataDir: options.dataDir,
    spawnedAt,
    spawnedWall,
    logs,
    stderrTail: () => stderr.join('').trim().split('\n').slice(-10).join('\n'),
    stop,
  };
}

/** Stops the postmaster of an embedded cluster if it still runs (only after its owner died). */
async function stopPostmaster(dataDir: string): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid === undefined || !isAlive(pid)) return;
  console.error(`bench: stopping orphaned postmaster ${pid} of ${dataDir}`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && isAlive(pid); i++) await sleep(50);
  if (isAlive(pid)) process.kill(pid, 'SIGQUIT');
}

export function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** One GET; status and body as text. Never throws for HTTP statuses, only for connection problems. */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        timeout: options.timeoutMs ?? 5000,
        headers: { ...options.headers, ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls GET /readyz every `intervalMs` until the first 200; returns performance.now() of that answer. */
export async function waitForReady(main: MainCommand, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<number> {
  const child = main.child;
  const deadline = performance.now() + (options.timeoutMs ?? 120_000);
  const interval = options.intervalMs ?? 20;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the main command exited (${child.exitCode ?? child.signalCode}) before /readyz answered 200:\n${main.stderrTail()}`);
    }
    const polled = performance.now();
    try {
      const res = await httpRequest(`${main.url}/readyz`, { timeoutMs: 2000 });
      if (res.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    const wait = interval - (performance.now() - polled);
    if (wait > 0) await sleep(wait);
  }
  await main.stop();
  throw new Error(`/readyz did not answer 200 within ${options.timeoutMs ?? 120_000} ms:\n${main.stderrTail()}`);
}

/** A child that runs a small script of ours and reports its port over IPC (`{port}` message). */
export async function spawnScriptServer(script: string): Promise<{ pid: number; url: string; stop(): Promise<void> }> {
  installSignalHandlers();
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env: cleanEnv({}), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      if (!(await exitWithin(child, 10_000))) {
        child.kill('SIGKILL');
        await exitOf(child);
      }
      live.delete(tracked);
    })();
    return stopping;
  };
  const tracked: Tracked = { child, stop };
  live.add(tracked);
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not report its port within 30 s`)), 30_000);
      child.once('message', (message: { port?: number }) => {
        clearTimeout(timer);
        if (typeof message.port === 'number') resolvePort(message.port);
        else reject(new Error(`${script} sent ${JSON.stringify(message)}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code}`));
      });
    });
    child.disconnect();
    return { pid: child.pid ?? -1, url: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A fresh directory for HB_DATA_DIR; 0755 so that the postgres user (used when running as root) can reach it. */
export function tempDataDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `hb-bench-${label}-`));
  chmodSync(dir, 0o755);
  return {
    dir,
    remove: () => {
      const pid = postmasterPid(dir);
      if (pid !== undefined && isAlive(pid)) {
        console.error(`bench: not removing ${dir}, its PostgreSQL (pid ${pid}) still runs`);
        return;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Connection URL of the embedded cluster the main command created in `dataDir` (the password is kept there). */
export function embeddedUrl(dataDir: string, port: number, database = 'hirebridge'): string {
  const password = readFileSync(join(dataDir, 'pg', 'hirebridge.password'), 'utf8').trim();
  return `postgres://hirebridge:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

// ---------------------------------------------------------------------------------------------------------------
// /proc readings (Linux)

export const hasProc = existsSync('/proc/self/stat');
/** USER_HZ: 100 on every mainstream Linux architecture. */
const clockTicks = 100;

interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime, clock ticks. */
  readonly cpuTicks: number;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15
    return { pid, comm, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

export function childrenOf(pid: number): number[] {
  return allPids().filter((p) => procStat(p)?.ppid === pid);
}

export function descendantsOf(pid: number): number[] {
  const stats = allPids()
    .map(procStat)
    .filter((s): s is ProcStat => s !== undefined);
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const s of stats) {
      if (s.ppid === parent) {
        result.push(s.pid);
        queue.push(s.pid);
      }
    }
  }
  return result;
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export interface Memory {
  readonly rssKiB: number;
  /** Proportional set size: shared pages divided among the processes that map them. */
  readonly pssKiB: number | undefined;
}

export function memoryOf(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    let pss: number | undefined;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
      if (match) pss = Number(match[1]);
    } catch {
      pss = undefined;
    }
    return { rssKiB: rss ? Number(rss[1]) : 0, pssKiB: pss };
  } catch {
    return undefined;
  }
}

/** Busy clock ticks of the whole machine (all CPUs, everything but idle and iowait). */
function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...values] = line.trim().split(/\s+/);
    const ticks = values.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
    return ticks.reduce((a, b) => a + b, 0) - (ticks[3] ?? 0) - (ticks[4] ?? 0);
  } catch {
    return undefined;
  }
}

/**
 * CPU time consumed between construction and read(), as % of one core over the wall time: per group of processes,
 * `loadgen` (this process) and `other` (the rest of the machine: other people's processes, kernel threads), which
 * shows when a result was disturbed.
 */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private readonly startedAt = performance.now();
  private readonly selfStart = process.cpuUsage();
  private readonly machineStart = machineBusyTicks();

  constructor(private readonly groups: Record<string, () => number[]>) {
    for (const pids of Object.values(groups)) for (const pid of pids()) this.start.set(pid, procStat(pid)?.cpuTicks ?? 0);
  }

  read(): Record<string, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const percent = (ticks: number) => (ticks / clockTicks / seconds) * 100;
    const out: Record<string, number> = {};
    let ours = 0;
    for (const [name, pids] of Object.entries(this.groups)) {
      let ticks = 0;
      for (const pid of pids()) ticks += (procStat(pid)?.cpuTicks ?? 0) - (this.start.get(pid) ?? 0);
      out[name] = percent(ticks);
      ours += ticks;
    }
    const self = process.cpuUsage(this.selfStart);
    out.loadgen = ((self.user + self.system) / 1e6 / seconds) * 100;
    const machineEnd = machineBusyTicks();
    if (this.machineStart !== undefined && machineEnd !== undefined) {
      out.other = Math.max(0, percent(machineEnd - this.machineStart - ours) - out.loadgen);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics and formatting

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles of the values (any unit). */
export function distribution(values: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: n, p50: at(50), p90: at(90), p99: at(99), max: sorted[n - 1]!, mean: sum / n };
}

export function median(values: readonly number[]): number {
  return distribution(values).p50;
}

/** Milliseconds with precision that suits the magnitude. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return value.toFixed(0);
}

export const mib = (kib: number) => (kib / 1024).toFixed(1);

/** Plain-text table; the first column is left-aligned, the others right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - width(s));
    return i === 0 ? s + fill : fill + s;
  };
  const line = (cells: readonly string[]) => cells.map((c, i) => pad(c, i)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** What a benchmark hands to run-all for the final summary. */
export interface BenchSummary {
  readonly title: string;
  readonly text: string;
}

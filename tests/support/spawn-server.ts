import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root: the main command runs from here, like `npm start`. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export interface ChildRun {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout line parsed as JSON (non-JSON lines are kept as `{ msg: text, raw: true }`). */
  readonly lines: LogLine[];
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** Resolves with the first line (already seen or to come) that matches; rejects on timeout or exit. */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  count(match: (line: LogLine) => boolean): number;
  kill(signal?: NodeJS.Signals): void;
  /** Waits for the exit, failing the test if it takes longer than timeoutMs. */
  waitForExit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface MainProcess extends ChildRun {
  /** http://127.0.0.1:PORT from the "HireBridge listening on" line. */
  readonly url: string;
}

const running = new Set<ChildRun>();

/** The environment of a child: ours without any HireBridge setting (so the test names each), plus `env`. */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || (key.startsWith('HB_') && key !== 'HB_LOG_CAPTURE_DIR') || key === 'NODE_OPTIONS') continue;
    base[key] = value;
  }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

/** Runs `node --import tsx <args>` from the repository root and records its output. */
export function spawnNode(args: string[], env: Record<string, string | undefined>): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let partial = '';
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts.filter((p) => p.trim() !== '')) {
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ msg: text, raw: true });
      }
    }
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exitedFlag = true;
      running.delete(run);
      // Let the last stdout/stderr chunks arrive before anyone reads them.
      child.stdout!.once('end', notify);
      setTimeout(() => {
        resolve({ code, signal });
        notify();
      }, 50);
    });
  });
  const describe = () => `\n--- stdout ---\n${out.slice(-4000)}\n--- stderr ---\n${err.slice(-4000)}`;
  const run: ChildRun = {
    child,
    pid: child.pid ?? -1,
    lines,
    stdout: () => out,
    stderr: () => err,
    exited,
    hasExited: () => exitedFlag,
    waitForLine(match, timeoutMs = 20_000) {
      return new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) return done(() => resolve(found));
          if (exitedFlag) return done(() => reject(new Error(`process ${child.pid} exited before the expected log line${describe()}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for a log line${describe()}`))), timeoutMs);
        const done = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
    count: (match) => lines.filter(match).length,
    kill(signal = 'SIGTERM') {
      if (!exitedFlag) child.kill(signal);
    },
    async waitForExit(timeoutMs = 20_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms${describe()}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(run);
  return run;
}

export const listeningLine = (line: LogLine) => typeof line.msg === 'string' && line.msg.startsWith('HireBridge listening on ');

/** Starts the main command (`npm start`) and waits until it listens. */
export async function startMain(env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<MainProcess> {
  const run = spawnNode(['server/src/main.ts'], { HB_PORT: '0', HB_HOST: '127.0.0.1', HB_SIMULATOR_PORT: '0', ...env });
  const line = await run.waitForLine(listeningLine, timeoutMs).catch((error: unknown) => {
    run.kill('SIGKILL');
    throw error;
  });
  const url = /(http:\/\/\S+)/.exec(line.msg!)![1]!;
  return Object.assign(run, { url });
}

/** Kills (SIGKILL) every child still running and waits for each; for afterEach/afterAll. */
export async function killAllChildren(): Promise<void> {
  const left = [...running];
  for (const run of left) run.kill('SIGKILL');
  await Promise.all(left.map((run) => run.exited));
}

/** True when no live (non-zombie) process has this pid. */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name in parentheses, which may itself hold spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Pids of live processes whose command line mentions `text` (e.g. a PostgreSQL data directory). */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(text) && !processGone(Number(entry))) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Polls `check` until it returns a truthy value, or fails after timeoutMs with the last value or error. */
export async function waitUntil<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

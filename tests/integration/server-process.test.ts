import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { databaseUrl } from '../support/database-url';
import { freePort } from '../support/free-port';
import {
  killAllChildren,
  processGone,
  processesMentioning,
  spawnNode,
  startMain,
  waitUntil,
  type LogLine,
} from '../support/spawn-server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const msgStarts = (prefix: string) => (line: LogLine) => typeof line.msg === 'string' && line.msg.startsWith(prefix);
const demoLoaded = msgStarts('loaded the demo company');
const shutdownComplete = msgStarts('shutdown complete');
const unreachable = msgStarts('database unreachable');
const reachableAgain = msgStarts('database reachable again');

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body };
}

const waitForStatus = (url: string, status: number, timeoutMs = 20_000) =>
  waitUntil(async () => (await get(url)).status === status, timeoutMs, 100);

const refusesConnections = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('the main command as a process', () => {
  let db: TestDatabase;
  let root: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    root = mkdtempSync(join(tmpdir(), 'hirebridge-process-'));
    // As root, the embedded PostgreSQL runs as the user postgres, which must be able to reach HB_DATA_DIR.
    chmodSync(root, 0o755);
  });

  afterEach(async () => {
    await killAllChildren();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await db.drop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Settings for a process on the test database; HB_DATA_DIR points at a directory it never needs. */
  const onTestDatabase = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    HB_DATA_DIR: join(root, 'unused'),
    HB_LOG_LEVEL: 'info',
    ...extra,
  });

  const tenantCount = async () => Number((await db.pool.query<{ n: string }>('select count(*) as n from tenants')).rows[0]!.n);

  it('exits 78 on invalid configuration, one line per bad setting, without echoing secrets', async () => {
    const secret = `S3cret-${randomBytes(6).toString('hex')}`;
    const run = spawnNode(['server/src/main.ts'], {
      HB_PORT: 'abc',
      HB_MODE: 'staging',
      DATABASE_URL: `postgres://hirebridge:${secret}@db.internal:notaport/hirebridge`,
      HB_DATA_DIR: join(root, 'unused'),
    });
    const { code } = await run.waitForExit(15_000);
    expect(code).toBe(78);
    const output = run.stdout() + run.stderr();
    const lines = output.split('\n');
    expect(lines.filter((line) => /^\s*HB_PORT: /.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /^\s*HB_MODE: /.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /^\s*DATABASE_URL: /.test(line))).toHaveLength(1);
    expect(output).toContain('"abc"');
    expect(output).not.toContain(secret);
    expect(output).not.toContain('db.internal');
    // Nothing was started, so nothing was logged as if it had been.
    expect(run.lines.filter(msgStarts('HireBridge listening'))).toHaveLength(0);
  });

  it('serves, loads the demo company once, and stops with exit 0 on SIGTERM', async () => {
    expect(await tenantCount()).toBe(0);
    const first = await startMain(onTestDatabase());
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${first.url}/healthz`)).status).toBe(200);
    await waitForStatus(`${first.url}/readyz`, 200);
    expect(first.count(demoLoaded)).toBe(1);
    expect(await tenantCount()).toBe(1);
    first.kill('SIGTERM');
    expect(await first.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    expect(first.count(shutdownComplete)).toBe(1);

    const second = await startMain(onTestDatabase());
    await waitForStatus(`${second.url}/readyz`, 200);
    expect(second.count(demoLoaded)).toBe(0);
    expect(await tenantCount()).toBe(1);
    second.kill('SIGINT');
    expect(await second.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    expect(second.count(shutdownComplete)).toBe(1);
  });

  it('finishes an in-flight request on SIGTERM, refuses new connections, then exits 0', async () => {
    const main = await startMain(onTestDatabase({ HB_SHUTDOWN_TIMEOUT_MS: '15000' }));
    await waitForStatus(`${main.url}/readyz`, 200);
    const hr = await db.pool.query<{ id: string; department_id: string }>(
      `select e.id, e.department_id from employees e join tenants t on t.id = e.tenant_id where t.is_demo and 'hr' = any(e.roles) limit 1`,
    );
    const signIn = await get(`${main.url}/api/dev/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ employeeId: hr.rows[0]!.id }),
    });
    expect(signIn.status).toBe(201);

    const body = Buffer.from(JSON.stringify({ departmentId: hr.rows[0]!.department_id, title: '关停期间提交的职位' }));
    // Keep-alive, like a browser or a proxy: the server must still close the connection once it has answered.
    const agent = new Agent({ keepAlive: true });
    cleanups.push(async () => agent.destroy());
    const { port } = new URL(main.url);
    const req = httpRequest({
      host: '127.0.0.1',
      port: Number(port),
      method: 'POST',
      path: '/api/jobs',
      agent,
      headers: {
        authorization: `Bearer ${signIn.body.token as string}`,
        'content-type': 'application/json',
        'content-length': String(body.length),
      },
    });
    const response = new Promise<{ status: number; headers: IncomingMessage['headers']; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    req.flushHeaders();
    req.write(body.subarray(0, body.length >> 1));
    // Give the server time to take the headers and start reading the body (it then waits for the rest).
    await new Promise((r) => setTimeout(r, 200));

    main.kill('SIGTERM');
    await main.waitForLine(msgStarts('shutting down'), 5_000);
    await waitUntil(() => refusesConnections(main.url), 5_000);
    expect(main.hasExited()).toBe(false);

    req.end(body.subarray(body.length >> 1));
    const answered = await response;
    const answeredAt = Date.now();
    expect(answered.status).toBe(201);
    expect(JSON.parse(answered.text)).toMatchObject({ title: '关停期间提交的职位', status: 'draft' });
    expect(await main.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    // Closing the finished keep-alive connection must not wait for its idle timeout.
    expect(Date.now() - answeredAt).toBeLessThan(3_000);
    expect(main.count(shutdownComplete)).toBe(1);
  });

  it('cuts connections that outlive HB_SHUTDOWN_TIMEOUT_MS and still exits 0', async () => {
    const main = await startMain(onTestDatabase({ HB_SHUTDOWN_TIMEOUT_MS: '300' }));
    const { port } = new URL(main.url);
    const req = httpRequest({
      host: '127.0.0.1',
      port: Number(port),
      method: 'POST',
      path: '/api/dev/sessions',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    const outcome = new Promise<string>((resolve) => {
      req.on('response', (res) => resolve(`response ${res.statusCode}`));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    req.flushHeaders();
    req.write('{"employeeId":');
    await new Promise((r) => setTimeout(r, 200));
    const signalledAt = Date.now();
    main.kill('SIGTERM');
    expect(await main.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(await outcome).toBe('ECONNRESET');
    expect(main.count(msgStarts('in-flight requests did not finish in time'))).toBe(1);
  });

  describe('while the database is unreachable', () => {
    let proxy: TcpProxy;
    let databasePort: number;

    beforeAll(async () => {
      proxy = await startTcpProxy();
      databasePort = Number(new URL(db.url).port || 5432);
    });
    afterAll(async () => {
      await proxy.close();
    });

    it('stays up, answers 503, logs each transition once, and recovers when the database comes back', async () => {
      proxy.cut();
      const viaProxy = new URL(db.url);
      viaProxy.port = String(proxy.port);
      const main = await startMain(onTestDatabase({ DATABASE_URL: viaProxy.toString(), HB_DB_RETRY_INTERVAL_MS: '200' }));
      expect((await get(`${main.url}/healthz`)).status).toBe(200);
      const notReady = await get(`${main.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.body).toMatchObject({ status: 'not_ready', checks: { database: 'down', migrations: 'pending' } });
      await main.waitForLine(unreachable, 5_000);
      // Several retry intervals later: still alive, still exactly one line.
      await new Promise((r) => setTimeout(r, 1_200));
      expect(main.hasExited()).toBe(false);
      expect(main.count(unreachable)).toBe(1);
      expect(main.count(msgStarts('database start-up work failed'))).toBe(0);

      // Requests that need the database fail cleanly.
      const unknownToken = randomBytes(32).toString('base64url');
      const signIn = await get(`${main.url}/api/dev/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ employeeId: '00000000-0000-4000-8000-000000000000' }),
      });
      expect(signIn.status).toBe(503);
      expect(signIn.body.code).toBe('DATABASE_UNAVAILABLE');
      const withToken = await get(`${main.url}/api/jobs`, { headers: { authorization: `Bearer ${unknownToken}` } });
      expect(withToken.status).toBe(503);
      expect(withToken.body.code).toBe('DATABASE_UNAVAILABLE');
      expect((await get(`${main.url}/api/jobs`)).status).toBe(401);

      proxy.forwardTo(databasePort);
      await waitForStatus(`${main.url}/readyz`, 200, 10_000);
      expect(main.count(reachableAgain)).toBe(1);
      expect((await get(`${main.url}/api/jobs`, { headers: { authorization: `Bearer ${unknownToken}` } })).status).toBe(401);

      // Cut while requests hold database connections: each still gets an answer, and the process survives.
      const burst = Array.from({ length: 12 }, (_, i) =>
        get(i % 2 ? `${main.url}/readyz` : `${main.url}/api/jobs`, { headers: { authorization: `Bearer ${unknownToken}` } }).then((r) => r.status),
      );
      await new Promise((r) => setTimeout(r, 5));
      proxy.cut();
      for (const status of await Promise.all(burst)) expect([200, 401, 503]).toContain(status);
      await waitForStatus(`${main.url}/readyz`, 503, 10_000);
      expect(main.hasExited()).toBe(false);
      await main.waitForLine(() => main.count(unreachable) === 2, 5_000);
      await new Promise((r) => setTimeout(r, 600));
      expect(main.count(unreachable)).toBe(2);

      proxy.forwardTo(databasePort);
      await waitForStatus(`${main.url}/readyz`, 200, 10_000);
      await main.waitForLine(() => main.count(reachableAgain) === 2, 5_000);
      expect(main.hasExited()).toBe(false);

      main.kill('SIGTERM');
      expect(await main.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    });

    it('counts a refused connection (nothing listening) as unreachable too, logged once', async () => {
      const closedPort = await freePort();
      const refused = new URL(db.url);
      refused.port = String(closedPort);
      const main = await startMain(onTestDatabase({ DATABASE_URL: refused.toString(), HB_DB_RETRY_INTERVAL_MS: '200' }));
      await main.waitForLine(unreachable, 5_000);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(main.count(unreachable)).toBe(1);
      expect(main.count(msgStarts('database start-up work failed'))).toBe(0);
      expect((await get(`${main.url}/readyz`)).status).toBe(503);
      main.kill('SIGTERM');
      expect(await main.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    });
  });

  describe('with the embedded PostgreSQL (no DATABASE_URL)', () => {
    let dataDir: string;
    let pgDir: string;
    let pgPort: number;
    const env = () => ({ HB_DATA_DIR: dataDir, HB_EMBEDDED_PG_PORT: String(pgPort), DATABASE_URL: undefined });
    const embeddedTenants = async () => {
      const password = readFileSync(join(pgDir, 'hirebridge.password'), 'utf8').trim();
      const client = new pg.Client({ connectionString: `postgres://hirebridge:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/hirebridge` });
      await client.connect();
      try {
        return Number((await client.query<{ n: string }>('select count(*) as n from tenants')).rows[0]!.n);
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      dataDir = join(root, 'data');
      pgDir = join(dataDir, 'pg');
      pgPort = await freePort();
    });

    afterAll(async () => {
      // A postmaster orphaned by a failed test must not outlive the run.
      for (const pid of processesMentioning(pgDir)) {
        process.kill(pid, 'SIGQUIT');
        await waitUntil(() => processGone(pid), 10_000).catch(() => process.kill(pid, 'SIGKILL'));
      }
    });

    it('starts its own cluster with the demo company, refuses a second process, and leaves no postgres behind', async () => {
      const first = await startMain(env(), 60_000);
      await waitForStatus(`${first.url}/readyz`, 200, 60_000);
      expect(first.count(demoLoaded)).toBe(1);
      expect(first.lines.find(msgStarts('embedded PostgreSQL running'))).toMatchObject({ initialised: true, port: pgPort });

      const second = spawnNode(['server/src/main.ts'], { HB_PORT: '0', ...env() });
      const { code } = await second.waitForExit(20_000);
      expect(code).not.toBe(0);
      expect(second.stderr()).toContain(`in use by another HireBridge process (pid ${first.pid})`);
      expect(second.stderr()).toContain('HB_DATA_DIR');
      expect((await get(`${first.url}/healthz`)).status).toBe(200);
      expect((await get(`${first.url}/readyz`)).status).toBe(200);

      first.kill('SIGTERM');
      expect(await first.waitForExit(20_000)).toEqual({ code: 0, signal: null });
      expect(first.count(shutdownComplete)).toBe(1);
      expect(processesMentioning(pgDir)).toEqual([]);
      expect(existsSync(`${pgDir}.owner`)).toBe(false);
      expect(existsSync(join(pgDir, 'postmaster.pid'))).toBe(false);
    });

    it('starts again after kill -9 of the previous process, with the data still there', async () => {
      const killed = await startMain(env(), 60_000);
      await waitForStatus(`${killed.url}/readyz`, 200, 30_000);
      expect(killed.lines.find(msgStarts('embedded PostgreSQL running'))).toMatchObject({ initialised: false });
      killed.kill('SIGKILL');
      await killed.waitForExit(10_000);
      const orphans = processesMentioning(pgDir);
      expect(orphans).toHaveLength(1);

      const next = await startMain(env(), 60_000);
      await waitForStatus(`${next.url}/readyz`, 200, 30_000);
      expect(orphans.every(processGone)).toBe(true);
      expect(next.count(msgStarts('embedded PostgreSQL from a previous run is still running'))).toBe(1);
      expect(next.count(demoLoaded)).toBe(0);
      expect(await embeddedTenants()).toBe(1);

      next.kill('SIGTERM');
      expect(await next.waitForExit(20_000)).toEqual({ code: 0, signal: null });
      expect(processesMentioning(pgDir)).toEqual([]);
    });

    it('stops the cluster it is starting when SIGTERM arrives during start-up, and exits 0', async () => {
      const run = spawnNode(['server/src/main.ts'], { HB_PORT: '0', HB_LOG_LEVEL: 'trace', ...env() });
      // A line from the postmaster being started: the process is inside the embedded start-up.
      await run.waitForLine((line) => line.msg === 'embedded PostgreSQL' && typeof line.postgres === 'string', 30_000);
      run.kill('SIGTERM');
      expect(await run.waitForExit(20_000)).toEqual({ code: 0, signal: null });
      expect(run.count(shutdownComplete)).toBe(1);
      expect(processesMentioning(pgDir)).toEqual([]);
      expect(existsSync(`${pgDir}.owner`)).toBe(false);
    });
  });

  describe('db:migrate', () => {
    const name = `hb_t_${process.ppid}_mig_${randomBytes(4).toString('hex')}`;
    afterAll(async () => {
      await adminQuery(`drop database if exists ${name} with (force)`);
    });

    it('applies the migrations to an empty database once, then reports it up to date', async () => {
      await adminQuery(`create database ${name}`);
      const env = { DATABASE_URL: databaseUrl(inject('pgAdminUrl'), name), HB_DATA_DIR: join(root, 'unused') };
      const first = spawnNode(['server/src/cli/migrate.ts'], env);
      expect(await first.waitForExit(30_000)).toEqual({ code: 0, signal: null });
      expect(first.stdout()).toContain('applied: 0001_foundation');
      const second = spawnNode(['server/src/cli/migrate.ts'], env);
      expect(await second.waitForExit(30_000)).toEqual({ code: 0, signal: null });
      expect(second.stdout()).toContain('database is up to date');
      expect(second.stdout()).not.toContain('applied:');
    });

    it('exits 78 on invalid configuration, like the server', async () => {
      const run = spawnNode(['server/src/cli/migrate.ts'], { DATABASE_URL: 'mysql://root:pw@localhost/x', HB_DATA_DIR: join(root, 'unused') });
      const { code } = await run.waitForExit(15_000);
      expect(code).toBe(78);
      expect(run.stderr()).toContain('DATABASE_URL');
      expect(run.stderr()).not.toContain('pw@');
    });
  });
});

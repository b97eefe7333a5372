// Benchmark 1: the server's read route GET /api/jobs/:jobId (authenticated; the job with its rounds and latest
// competency-model version from PostgreSQL) against a bare Koa 3 route answering a small JSON constant.
// Each runs in its own child process; autocannon runs here. Fixed rate first (latency), then unthrottled (throughput).
//
//   node --import tsx tests/bench/read-route.ts
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  CpuMeter,
  allPids,
  cmdline,
  descendantsOf,
  distribution,
  embeddedUrl,
  envNumber,
  freePort,
  hasProc,
  httpRequest,
  isMain,
  ms,
  postmasterPid,
  spawnMainCommand,
  spawnScriptServer,
  table,
  tempDataDir,
  type BenchSummary,
  type Distribution,
  waitForReady,
  type MainCommand,
} from './support';

const rate = envNumber('HB_BENCH_RATE', 500);
const rateDuration = envNumber('HB_BENCH_RATE_DURATION', 30);
const rateConnections = envNumber('HB_BENCH_RATE_CONNECTIONS', 5);
const maxDuration = envNumber('HB_BENCH_MAX_DURATION', 10);
const maxConnections = envNumber('HB_BENCH_MAX_CONNECTIONS', 10);
const warmupDuration = envNumber('HB_BENCH_WARMUP', 3);
const adminUrl = process.env.HB_BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface LoadRun {
  readonly label: string;
  readonly mode: string;
  readonly connections: number;
  /** Requested and actual duration. */
  readonly requested: number;
  readonly seconds: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly reqPerSec: number;
  /** Milliseconds, from autocannon's per-response timings (2xx only), exact rather than its 1 ms histogram. */
  readonly latency: Distribution;
  /** % of one core. */
  readonly cpu: Record<string, number>;
  /** Fixed-rate runs: median time per second from the first to the last response of that second. */
  readonly busyMsPerSecond: number | undefined;
}

async function runLoad(options: {
  label: string;
  url: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  overallRate?: number;
  cpuGroups: Record<string, () => number[]>;
}): Promise<LoadRun> {
  const latencies: number[] = [];
  const stamps: number[] = [];
  let ok = 0;
  let non2xx = 0;
  const meter = new CpuMeter(hasProc ? options.cpuGroups : {});
  const startedAt = performance.now();
  const instance = autocannon({
    url: options.url,
    headers: options.headers,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate && { overallRate: options.overallRate, ignoreCoordinatedOmission: true }),
    timeout: 10,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) {
      ok++;
      latencies.push(responseTime);
      if (options.overallRate) stamps.push(performance.now() - startedAt);
    } else {
      non2xx++;
    }
  });
  const result = await instance;
  const cpu = meter.read();

  let busyMsPerSecond: number | undefined;
  if (options.overallRate && stamps.length > 0) {
    const spans: number[] = [];
    const buckets = new Map<number, { first: number; last: number }>();
    for (const t of stamps) {
      const k = Math.floor(t / 1000);
      const b = buckets.get(k);
      if (b) b.last = t;
      else buckets.set(k, { first: t, last: t });
    }
    for (const [k, b] of buckets) if (k > 0 && k < options.seconds - 1) spans.push(b.last - b.first);
    busyMsPerSecond = spans.length ? distribution(spans).p50 : undefined;
  }
  return {
    label: options.label,
    mode: options.overallRate ? `${options.overallRate}/s` : 'max',
    connections: options.connections,
    requested: options.seconds,
    seconds: result.duration,
    ok,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    reqPerSec: (ok + non2xx) / result.duration,
    latency: distribution(latencies),
    cpu,
    busyMsPerSecond,
  };
}

interface Database {
  readonly kind: 'server' | 'embedded';
  readonly description: string;
  readonly env: Record<string, string>;
  readonly dataDir: string | undefined;
  /** URL to query the benchmark's database directly, once the main command has created it. */
  url(main: MainCommand): string;
  /** Backend processes serving the benchmark's database, for CPU accounting. */
  backends(main: MainCommand): number[];
  cleanup(): Promise<void>;
}

async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  await admin.connect();
  try {
    return await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** HB_BENCH_PG=server|embedded; by default the PostgreSQL server at HB_BENCH_PG_ADMIN_URL if it answers. */
async function chooseDatabase(): Promise<Database> {
  const wanted = process.env.HB_BENCH_PG ?? 'auto';
  if (!['auto', 'server', 'embedded'].includes(wanted)) throw new Error(`HB_BENCH_PG must be server or embedded, got "${wanted}"`);
  if (wanted !== 'embedded') {
    try {
      const name = `hb_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
      await adminQuery(`create database ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        kind: 'server',
        description: `server at ${url.hostname}:${url.port || 5432}, fresh database ${name}`,
        env: { DATABASE_URL: url.toString() },
        dataDir: undefined,
        url: () => url.toString(),
        backends: () => allPids().filter((pid) => cmdline(pid).startsWith('postgres:') && cmdline(pid).includes(` ${name} `)),
        cleanup: async () => void (await adminQuery(`drop database if exists ${name} with (force)`)),
      };
    } catch (error) {
      if (wanted === 'server') throw error;
      console.log(`(no PostgreSQL server at ${adminUrl}: ${(error as Error).message}; using the embedded one)`);
    }
  }
  const data = tempDataDir('read');
  const pgPort = await freePort();
  return {
    kind: 'embedded',
    description: `embedded, fresh cluster in ${data.dir}/pg on port ${pgPort}`,
    env: { HB_EMBEDDED_PG_PORT: String(pgPort) },
    dataDir: data.dir,
    url: () => embeddedUrl(data.dir, pgPort),
    backends: () => {
      const pid = postmasterPid(data.dir);
      return pid === undefined ? [] : [pid, ...descendantsOf(pid)];
    },
    cleanup: async () => data.remove(),
  };
}

async function findDemoIds(url: string): Promise<{ employeeId: string; jobId: string; rounds: number; version: number | null; serverVersion: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const employee = await client.query<{ id: string }>(`select id from employees where platform_user_id = 'zhoumin' limit 1`);
    const job = await client.query<{ id: string; rounds: number; version: number | null }>(`
      select j.id,
             (select count(*)::int from interview_rounds r where r.job_id = j.id) as rounds,
             (select max(version) from competency_models m where m.job_id = j.id) as version
        from jobs j
       order by (select max(version) from competency_models m where m.job_id = j.id) is not null desc,
                (select count(*) from interview_rounds r where r.job_id = j.id) desc, j.created_at
       limit 1`);
    const version = await client.query<{ v: string }>('select version() as v');
    const e = employee.rows[0];
    const j = job.rows[0];
    if (!e || !j) throw new Error('the demo company is missing (no employee zhoumin or no job)');
    return { employeeId: e.id, jobId: j.id, rounds: j.rounds, version: j.version, serverVersion: version.rows[0]?.v ?? '?' };
  } finally {
    await client.end();
  }
}

function formatRuns(runs: readonly LoadRun[]): string {
  const cpu = (r: LoadRun, key: string) => (r.cpu[key] === undefined ? '' : r.cpu[key]!.toFixed(0));
  return table(
    ['run', 'conns', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'CPU% srv/pg/gen/other'],
    runs.map((r) => [
      `${r.label} @ ${r.mode} ${r.requested}s`,
      String(r.connections),
      r.reqPerSec.toFixed(0),
      ms(r.latency.p50),
      ms(r.latency.p90),
      ms(r.latency.p99),
      ms(r.latency.max),
      String(r.errors + r.timeouts),
      String(r.non2xx),
      [cpu(r, 'server'), cpu(r, 'postgres') || '-', cpu(r, 'loadgen'), cpu(r, 'other') || '?'].join('/'),
    ]),
  );
}

export async function run(): Promise<BenchSummary> {
  console.log('\n== 1. Read route GET /api/jobs/:jobId vs bare Koa ==');
  const database = await chooseDatabase();
  let main: MainCommand | undefined;
  let bare: Awaited<ReturnType<typeof spawnScriptServer>> | undefined;
  try {
    const startServer = async (logLevel: string) => {
      const started = await spawnMainCommand({ env: { HB_LOG_LEVEL: logLevel, ...database.env }, dataDir: database.dataDir });
      main = started;
      await waitForReady(started);
      return started;
    };
    main = await startServer('warn');
    const ids = await findDemoIds(database.url(main));
    const pgLine = `PostgreSQL: ${database.description}, ${ids.serverVersion.replace(/ on .*$/, '')}`;
    console.log(pgLine);

    const signIn = await httpRequest(`${main.url}/api/dev/sessions`, { method: 'POST', body: { employeeId: ids.employeeId } });
    if (signIn.status !== 201) throw new Error(`demo sign-in answered ${signIn.status}: ${signIn.text}`);
    const token = (JSON.parse(signIn.text) as { token: string }).token;
    const headers = { authorization: `Bearer ${token}` };
    const routePath = `/api/jobs/${ids.jobId}`;
    const probe = await httpRequest(`${main.url}${routePath}`, { headers });
    if (probe.status !== 200) throw new Error(`GET /api/jobs/:jobId answered ${probe.status}: ${probe.text}`);
    console.log(
      `server:   GET ${routePath} as HR zhoumin -> 200, ${Buffer.byteLength(probe.text)} bytes ` +
        `(${ids.rounds} rounds, competency model v${ids.version ?? '-'}); HB_LOG_LEVEL=warn, pid ${main.pid}`,
    );

    bare = await spawnScriptServer('tests/bench/bare-koa-server.ts');
    const bareUrl = `${bare.url}/api/constant/1`;
    const bareProbe = await httpRequest(bareUrl);
    if (bareProbe.status !== 200) throw new Error(`bare Koa answered ${bareProbe.status}`);
    console.log(`bare Koa: GET /api/constant/1 -> 200, ${Buffer.byteLength(bareProbe.text)} bytes; pid ${bare.pid}`);

    const serverTarget = (server: MainCommand, label: string) => ({
      label,
      url: `${server.url}${routePath}`,
      headers,
      cpuGroups: { server: () => [server.pid], postgres: () => database.backends(server) },
    });
    const barePid = bare.pid;
    const warnTarget = serverTarget(main, 'server read route');
    const bareTarget = { label: 'bare Koa', url: bareUrl, cpuGroups: { server: () => [barePid] } };

    console.log(`warm-up: ${warmupDuration} s unthrottled each (not reported)`);
    await runLoad({ ...warnTarget, connections: maxConnections, seconds: warmupDuration });
    await runLoad({ ...bareTarget, connections: maxConnections, seconds: warmupDuration });

    const runs: LoadRun[] = [];
    for (const target of [warnTarget, bareTarget]) {
      console.log(`running ${target.label} at ${rate} req/s for ${rateDuration} s…`);
      runs.push(await runLoad({ ...target, connections: rateConnections, seconds: rateDuration, overallRate: rate }));
    }
    for (const target of [warnTarget, bareTarget]) {
      console.log(`running ${target.label} unthrottled for ${maxDuration} s…`);
      runs.push(await runLoad({ ...target, connections: maxConnections, seconds: maxDuration }));
    }
    await bare.stop();

    // The default log level writes an access-log line per request (to /dev/null here): what that costs.
    await main.stop();
    const infoServer = await startServer('info');
    const infoTarget = serverTarget(infoServer, 'server, HB_LOG_LEVEL=info');
    console.log(`running ${infoTarget.label} unthrottled for ${maxDuration} s (after ${warmupDuration} s warm-up)…`);
    await runLoad({ ...infoTarget, connections: maxConnections, seconds: warmupDuration });
    runs.push(await runLoad({ ...infoTarget, connections: maxConnections, seconds: maxDuration }));

    const [serverRate, bareRate, serverMax, bareMax] = runs as [LoadRun, LoadRun, LoadRun, LoadRun];
    const ratio = serverMax.reqPerSec / bareMax.reqPerSec;
    // % of one core / (req/s) * 10 = ms of CPU per request
    const perRequest = (r: LoadRun, key: string) => (r.cpu[key] === undefined ? '?' : ms((r.cpu[key]! * 10) / r.reqPerSec));
    const text = [
      pgLine,
      formatRuns(runs),
      `max-throughput ratio, server read route / bare Koa: ${serverMax.reqPerSec.toFixed(0)} / ${bareMax.reqPerSec.toFixed(0)} = ${ratio.toFixed(3)}` +
        ` (bare Koa is ${(1 / ratio).toFixed(1)}x)`,
      `CPU per request at max: server read route ${perRequest(serverMax, 'server')} ms in node + ${perRequest(serverMax, 'postgres')} ms in PostgreSQL; ` +
        `bare Koa ${perRequest(bareMax, 'server')} ms in node`,
      `load shape at ${rate}/s: autocannon sends each second's budget back to back per connection; median time from the ` +
        `first to the last response of a second: server ${ms(serverRate.busyMsPerSecond ?? NaN)} ms, bare Koa ${ms(bareRate.busyMsPerSecond ?? NaN)} ms`,
    ].join('\n');
    console.log(`\n${text}`);
    return { title: `Read route vs bare Koa (PostgreSQL ${database.kind})`, text };
  } finally {
    await bare?.stop();
    await (main as MainCommand | undefined)?.stop();
    await database.cleanup();
  }
}

if (isMain(import.meta.url)) {
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

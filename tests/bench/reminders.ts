// The reminders queue under load: 100k pending reminders (HB_BENCH_REMINDERS_PENDING) of one tenant in the table
// throughout, and the dispatcher as the server runs it (startReminderDispatcher: node-schedule armed for the next
// due_at, at least every 60 s; dispatchDueReminders claiming with FOR UPDATE SKIP LOCKED and a 60 s lease) in child
// processes of its own, against a fresh database on the PostgreSQL server (HB_BENCH_PG_ADMIN_URL).
//
//  1. idle: RSS of the dispatcher process before it starts and after the idle window, CPU and polls in that window;
//     the cost of one idle poll (claim + next-due lookup) timed in the bench process, with the claim's plan;
//  2. steady-state lateness: reminders falling due every few ms, sent_at − due_at;
//  3. kill -9: a burst falling due while the dispatcher is killed at a random moment and restarted, 100 times; then
//     every reminder of the burst must be final, with exactly one outbox row each (0 lost, 0 duplicated);
//  4. catch-up after an outage: 30 minutes of reminders fell due while no dispatcher ran; time until all are decided,
//     and how many were still sent vs skipped as too late;
//  5. two dispatcher processes on one database during a burst: no reminder sent twice.
//
// Candidate reminders go through the real CandidateMessenger with no channel open (its senders refuse), so they
// become call tasks for the owning HR in the outbox (key `call-task:<tenant>:reminder:<id>`), recorded per
// idempotency key; panel and HR reminders go to the outbox as `chat:reminder:<id>`. Nothing delivers the outbox
// here. In phases 3 and 5 the children also record every committed effect attempt (outbox insert or messenger replay)
// in a bench table, so a retry whose effect the idempotency key absorbed is visible.
//
// Children are started from an esbuild bundle of this file (node_modules/.cache/hb-bench/, removed afterwards) so
// that a restart costs ~0.4 s instead of ~1.4 s of tsx loading; without esbuild they run through tsx.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { connectDatabase, type Db } from '../../server/src/adapters/postgres/database';
import { migrateToLatest } from '../../server/src/adapters/postgres/migrator';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import { startReminderDispatcher } from '../../server/src/adapters/schedule/reminder-schedule';
import { wechatCandidateMessenger } from '../../server/src/adapters/wechat/candidate-messenger';
import type { FeatureContext, Stores, Transact } from '../../server/src/features/context';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import type { OutboxStore } from '../../server/src/features/outbox/outbox-store';
import { dispatchDueReminders, type ReminderStore } from '../../server/src/features/reminders';
import { createLogger } from '../../server/src/observability/logger';
import type { CandidateMessenger } from '../../server/src/ports/candidate-messenger';
import { systemClock } from '../../server/src/ports/clock';
import { SendFailedError, type OutboundSender } from '../../server/src/ports/outbound-sender';
import { competencyModelInput, createTenant } from '../support/fixtures';
import { distribution, envNumber, isMain, mib, ms, repoRoot, sleep, type BenchSummary, type Distribution } from './support';

const adminUrl = process.env.HB_BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const childFlag = '--reminder-child';
/** The dispatcher's defaults (startReminderDispatcher / dispatchDueReminders), which the server uses. */
const leaseMs = 60_000;
const maxSleepMs = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// The child: the dispatcher as the server starts it, with counters, answering `stats` and `stop` over IPC.

interface ChildStats {
  readonly type: 'stats';
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** process.cpuUsage(), µs. */
  readonly cpuMicros: number;
  readonly claims: number;
  readonly emptyClaims: number;
  readonly claimMs: number;
  readonly nextDueLookups: number;
  readonly nextDueMs: number;
}

interface ChildReady {
  readonly type: 'ready';
  readonly rssBeforeBytes: number;
  readonly stats: ChildStats;
}

/** Effect attempts that committed, for phases 3 and 5: the outbox insert (in its transaction) or a messenger replay. */
function recordEffect(db: Db, key: string, inserted: boolean) {
  const reminderId = /reminder:([0-9a-f-]{36})$/.exec(key)?.[1];
  if (!reminderId) return Promise.resolve();
  return sql`INSERT INTO bench_effects (reminder_id, key, pid, inserted) VALUES (${reminderId}, ${key}, ${process.pid}, ${inserted})`.execute(db);
}

async function childMain(url: string, record: boolean): Promise<void> {
  const rssBeforeBytes = process.memoryUsage().rss;
  const log = createLogger({ level: 'silent' });
  const database = connectDatabase({ url, poolMax: 10, log, applicationName: 'hirebridge-bench-reminders' });
  const db = database.db;
  const counters = { claims: 0, emptyClaims: 0, claimMs: 0, nextDueLookups: 0, nextDueMs: 0 };
  const timedReminders = (inner: ReminderStore): ReminderStore => ({
    async claimDue(limit, now, leaseUntil) {
      const started = performance.now();
      const rows = await inner.claimDue(limit, now, leaseUntil);
      counters.claims++;
      counters.claimMs += performance.now() - started;
      if (rows.length === 0) counters.emptyClaims++;
      return rows;
    },
    finish: (id, outcome, now) => inner.finish(id, outcome, now),
    release: (id, error, now) => inner.release(id, error, now),
    async nextDueAt() {
      const started = performance.now();
      const at = await inner.nextDueAt();
      counters.nextDueLookups++;
      counters.nextDueMs += performance.now() - started;
      return at;
    },
  });
  const recordingOutbox = (outbox: OutboxStore, trx: Db): OutboxStore => ({
    enqueue: async (message) => {
      const result = await outbox.enqueue(message);
      await recordEffect(trx, message.idempotencyKey, result.inserted);
      return result;
    },
    claimDue: (limit, now, leaseUntil) => outbox.claimDue(limit, now, leaseUntil),
    markSent: (id, receipt, now) => outbox.markSent(id, receipt, now),
    reschedule: (id, at, error, options) => outbox.reschedule(id, at, error, options),
    markDead: (id, error, now) => outbox.markDead(id, error, now),
    sentTimes: (channel, recipient, since) => outbox.sentTimes(channel, recipient, since),
  });
  const stores = postgresStores(db);
  // With recording on, the transaction also writes the effect row, so it exists exactly when the outbox row does.
  const transact: Transact = record
    ? (work) => db.transaction().execute((trx) => {
        const inner = postgresStores(trx);
        return work({ ...inner, outbox: recordingOutbox(inner.outbox, trx) } satisfies Stores);
      })
    : postgresTransact(db);
  const features: FeatureContext = { stores: { ...stores, reminders: timedReminders(stores.reminders) }, transact, clock: systemClock };
  // No channel is open for any candidate: the messenger falls back to a call task for the owning HR.
  const refuse: OutboundSender = { send: () => Promise.reject(new SendFailedError('no channel open (benchmark)', false, 'no_kf_contact')) };
  const real = wechatCandidateMessenger({ features, senders: { subscription: refuse, kf: refuse } });
  const messenger: CandidateMessenger = record
    ? {
        async send(request) {
          const result = await real.send(request);
          if (result.replayed) await recordEffect(db, `call-task:${request.tenantId}:${request.idempotencyKey}`, false);
          return result;
        },
      }
    : real;

  const stats = (): ChildStats => {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    return { type: 'stats', rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, cpuMicros: cpu.user + cpu.system, ...counters };
  };
  const dispatcher = startReminderDispatcher({ features, messenger, log });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await dispatcher.stop();
    await database.close();
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stats') process.send?.(stats());
    if (message === 'stop') void stop();
  });
  // The bench went away: do not linger.
  process.on('disconnect', () => void stop());
  process.send?.({ type: 'ready', rssBeforeBytes, stats: stats() } satisfies ChildReady);
}

// ---------------------------------------------------------------------------------------------------------------
// The bench side: children, data sets, checks.

interface Child {
  readonly pid: number;
  readonly spawnedWall: number;
  readonly readyWall: number;
  readonly ready: ChildReady;
  stats(): Promise<ChildStats>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function spawnChild(command: readonly string[], url: string, record: boolean): Promise<Child> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }
  const spawnedWall = Date.now();
  const child = spawn(process.execPath, [...command, childFlag, url, record ? 'record' : 'plain'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const waiters: ((stats: ChildStats) => void)[] = [];
  const ready = await new Promise<ChildReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('reminder dispatcher child did not start within 30 s')), 30_000);
    child.on('message', (message: ChildReady | ChildStats) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else waiters.shift()?.(message);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`reminder dispatcher child exited (${code ?? signal}) before it was ready`));
    });
  });
  const readyWall = Date.now();
  return {
    pid: child.pid ?? -1,
    spawnedWall,
    readyWall,
    ready,
    stats: () =>
      new Promise<ChildStats>((resolve) => {
        waiters.push(resolve);
        child.send('stats');
      }),
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** esbuild (tsx's own dependency) bundles this file for the children; undefined when it cannot be found. */
async function bundleChild(): Promise<string | undefined> {
  try {
    const require = createRequire(import.meta.url);
    const esbuildPath = require.resolve('esbuild', { paths: [dirname(require.resolve('tsx/package.json'))] });
    const esbuild = require(esbuildPath) as { build(options: Record<string, unknown>): Promise<unknown> };
    const outDir = join(repoRoot, 'node_modules', '.cache', 'hb-bench');
    mkdirSync(outDir, { recursive: true });
    const outfile = join(outDir, `reminders-child-${process.pid}.mjs`);
    // Packages stay external (loaded from node_modules as usual), except the workspace's own, which are TypeScript.
    const externals = {
      name: 'externals',
      setup(build: { onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => { path: string; external: boolean } | undefined): void }) {
        build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@hirebridge/') ? undefined : { path: args.path, external: true }));
      },
    };
    await esbuild.build({ entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent', plugins: [externals] });
    return outfile;
  } catch (error) {
    console.log(`(could not bundle the child with esbuild, children run through tsx: ${(error as Error).message})`);
    return undefined;
  }
}

const kinds = ['candidate_t24h', 'candidate_t2h', 'panel_t30m', 'unconfirmed_t24h'];
const audiences = ['candidate', 'candidate', 'panelist', 'hr'];
/** Minutes before the start each kind falls due by default. */
const leadSql = `(array[1440, 120, 30, 1440])[k + 1] * interval '1 minute'`;

interface SetSpec {
  readonly label: string;
  readonly interviews: number;
  /**
   * `spread`: 4 reminders per interview (the kinds above), interviews starting `base + i·step`, each reminder due at
   * its default lead before the start. `due`: one reminder per interview (kind i mod 4) due at `base + i·step`, the
   * interview starting 3 h later (`start: '3h'`) or at the kind's lead after it (`start: 'lead'`).
   */
  readonly shape: 'spread' | 'due';
  readonly start?: '3h' | 'lead';
  readonly base: Date;
  readonly stepMs: number;
}

interface Setup {
  readonly q: Query;
  readonly tenantId: string;
  readonly jobId: string;
  readonly roundId: string;
  readonly modelId: string;
  readonly hrId: string;
  readonly panelistId: string;
}

/** Candidates, live applications, scheduled interviews and their pending reminders, set-based; location = label. */
async function insertSet(s: Setup, spec: SetSpec): Promise<void> {
  const exec = (text: string, values: unknown[]) => s.q(text, values);
  const id = (p: string) => `md5($2 || '${p}' || i)::uuid`;
  await exec(`INSERT INTO candidates (id, tenant_id, name, source) SELECT ${id('c')}, $1, '候选人' || i, 'job_board' FROM generate_series(1, $3) AS i`, [s.tenantId, spec.label, spec.interviews]);
  await exec(
    `INSERT INTO applications (id, tenant_id, candidate_id, job_id, stage) SELECT ${id('a')}, $1, ${id('c')}, $4, 'interviewing' FROM generate_series(1, $3) AS i`,
    [s.tenantId, spec.label, spec.interviews, s.jobId],
  );
  const at = `$4::timestamptz + i * $5::float8 * interval '1 millisecond'`;
  const starts = spec.shape === 'spread' ? at : `${at} + ${spec.start === 'lead' ? leadSql.replaceAll('k', '(i % 4)') : `interval '3 hours'`}`;
  await exec(
    `INSERT INTO interviews (id, tenant_id, application_id, round_id, competency_model_id, status, mode, starts_at, ends_at, location)
     SELECT ${id('i')}, $1, ${id('a')}, $6, $7, 'scheduled', 'onsite', ${starts}, ${starts} + interval '1 hour', $2
       FROM generate_series(1, $3) AS i`,
    [s.tenantId, spec.label, spec.interviews, spec.base, spec.stepMs, s.roundId, s.modelId],
  );
  const kindsOf = spec.shape === 'spread' ? 'generate_series(0, 3) AS k' : 'LATERAL (SELECT i % 4 AS k) AS kk';
  const due = spec.shape === 'spread' ? `iv.starts_at - ${leadSql}` : at;
  await exec(
    `INSERT INTO reminders (tenant_id, interview_id, kind, audience, recipient_employee_id, due_at)
     SELECT $1, iv.id, ($6::text[])[k + 1], ($7::text[])[k + 1], CASE k WHEN 2 THEN $8::uuid WHEN 3 THEN $9::uuid END, ${due}
       FROM generate_series(1, $3) AS i CROSS JOIN ${kindsOf} JOIN interviews iv ON iv.id = ${id('i')}
      WHERE $4::timestamptz IS NOT NULL AND $5::float8 IS NOT NULL`,
    [s.tenantId, spec.label, spec.interviews, spec.base, spec.stepMs, kinds, audiences, s.panelistId, s.hrId],
  );
}

/** A parameterised statement on the bench's pool; rows as pg returns them. */
type Query = <R extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]) => Promise<R[]>;

function queryOn(pool: pg.Pool): Query {
  return async <R extends object>(text: string, values: readonly unknown[] = []) => (await pool.query<R & pg.QueryResultRow>(text, [...values])).rows;
}

interface SetState {
  readonly total: number;
  readonly pending: number;
  readonly sending: number;
  readonly sent: number;
  readonly skipped: number;
  readonly tooLate: number;
  readonly failed: number;
  readonly retried: number;
  readonly firstDue: Date;
  readonly lastDone: Date | null;
}

async function setState(q: Query, label: string): Promise<SetState> {
  const [row] = await q<Record<string, string | number | Date | null>>(`SELECT count(*)::int AS total,
            count(*) FILTER (WHERE r.status = 'pending')::int AS pending, count(*) FILTER (WHERE r.status = 'sending')::int AS sending,
            count(*) FILTER (WHERE r.status = 'sent')::int AS sent, count(*) FILTER (WHERE r.status = 'skipped')::int AS skipped,
            count(*) FILTER (WHERE r.skip_reason = 'too_late')::int AS too_late, count(*) FILTER (WHERE r.status = 'failed')::int AS failed,
            count(*) FILTER (WHERE r.attempts > 1)::int AS retried, min(r.due_at) AS first_due,
            max(r.updated_at) FILTER (WHERE r.status IN ('sent', 'skipped', 'failed')) AS last_done
       FROM reminders r JOIN interviews iv ON iv.id = r.interview_id WHERE iv.location = $1`,
    [label],
  );
  return {
    total: Number(row!.total), pending: Number(row!.pending), sending: Number(row!.sending), sent: Number(row!.sent), skipped: Number(row!.skipped),
    tooLate: Number(row!.too_late), failed: Number(row!.failed), retried: Number(row!.retried), firstDue: row!.first_due as Date, lastDone: row!.last_done as Date | null,
  };
}

/** Polls until nothing of the set is pending or sending; false on timeout. */
async function waitForSet(q: Query, label: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const s = await setState(q, label);
    if (s.pending === 0 && s.sending === 0) return true;
    await sleep(200);
  }
  return false;
}

/** sent_at (or the decision time of a skipped one) − due_at, ms. */
async function lateness(q: Query, label: string): Promise<Distribution> {
  const rows = await q<{ late: number }>(`SELECT extract(epoch FROM coalesce(r.sent_at, r.updated_at) - r.due_at) * 1000 AS late
       FROM reminders r JOIN interviews iv ON iv.id = r.interview_id WHERE iv.location = $1 AND r.status IN ('sent', 'skipped', 'failed')`,
    [label],
  );
  return distribution(rows.map((r) => Number(r.late)));
}

interface EffectCheck {
  /** Reminders with no status sent/skipped/failed. */
  readonly lost: number;
  /** Sent reminders without their outbox row. */
  readonly sentWithoutEffect: number;
  /** Reminders with more than one outbox row (the key is UNIQUE, so this is the constraint holding). */
  readonly duplicated: number;
  /** Reminders whose effect was attempted (and committed) more than once: retries the idempotency key absorbed. */
  readonly absorbed: number;
  /** Effect attempts per process id. */
  readonly byPid: Map<number, number>;
}

async function checkEffects(q: Query, label: string): Promise<EffectCheck> {
  const [row] = await q<Record<string, number>>(`WITH r AS (
       SELECT r.id, r.status, (SELECT count(*) FROM outbox o
                                WHERE o.idempotency_key IN ('chat:reminder:' || r.id, 'call-task:' || r.tenant_id || ':reminder:' || r.id))::int AS effects
         FROM reminders r JOIN interviews iv ON iv.id = r.interview_id WHERE iv.location = $1)
     SELECT count(*) FILTER (WHERE status NOT IN ('sent', 'skipped', 'failed'))::int AS lost,
            count(*) FILTER (WHERE status = 'sent' AND effects = 0)::int AS sent_without_effect,
            count(*) FILTER (WHERE effects > 1)::int AS duplicated,
            (SELECT count(*) FROM (SELECT e.reminder_id FROM bench_effects e JOIN r ON r.id = e.reminder_id GROUP BY 1 HAVING count(*) > 1) x)::int AS absorbed
       FROM r`,
    [label],
  );
  const pids = await q<{ pid: number; n: number }>(`SELECT e.pid, count(*)::int AS n FROM bench_effects e JOIN reminders r ON r.id = e.reminder_id JOIN interviews iv ON iv.id = r.interview_id
      WHERE iv.location = $1 GROUP BY 1 ORDER BY 2 DESC`,
    [label],
  );
  return {
    lost: Number(row!.lost), sentWithoutEffect: Number(row!.sent_without_effect), duplicated: Number(row!.duplicated), absorbed: Number(row!.absorbed),
    byPid: new Map(pids.map((p) => [Number(p.pid), Number(p.n)])),
  };
}

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

const s1 = (value: number) => (value / 1000).toFixed(1);
const late = (d: Distribution) => `p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, max ${ms(d.max)} ms (n=${d.count})`;
const summaryLine = (c: EffectCheck) => `${c.lost} lost, ${c.duplicated} duplicated, ${c.sentWithoutEffect} sent without outbox row`;

export async function run(): Promise<BenchSummary> {
  const pendingTarget = envNumber('HB_BENCH_REMINDERS_PENDING', 100_000);
  const idleSeconds = envNumber('HB_BENCH_REMINDERS_IDLE_SECONDS', 20);
  const lateCount = envNumber('HB_BENCH_REMINDERS_LATENESS_COUNT', 2000);
  const lateSpacingMs = envNumber('HB_BENCH_REMINDERS_LATENESS_SPACING_MS', 15);
  const cycles = envNumber('HB_BENCH_REMINDERS_KILL_CYCLES', 100);
  const killBurst = envNumber('HB_BENCH_REMINDERS_KILL_BURST', 5000);
  const maxLifeMs = envNumber('HB_BENCH_REMINDERS_KILL_MAX_LIFE_MS', 500);
  const outageCount = envNumber('HB_BENCH_REMINDERS_OUTAGE_COUNT', 10_000);
  const outageMinutes = envNumber('HB_BENCH_REMINDERS_OUTAGE_MINUTES', 30);
  const pairCount = envNumber('HB_BENCH_REMINDERS_PAIR_COUNT', 5000);

  const dbName = `hb_bench_reminders_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const database = connectDatabase({ url: url.toString(), poolMax: 4, log: createLogger({ level: 'silent' }), applicationName: 'hirebridge-bench-reminders-main' });
  const db = database.db;
  const q = queryOn(database.pool);
  let bundle: string | undefined;
  const live = new Set<Child>();
  const start = async (record: boolean) => {
    const child = await spawnChild(bundle ? [bundle] : ['--import', 'tsx', fileURLToPath(import.meta.url)], url.toString(), record);
    live.add(child);
    return child;
  };
  const finish = async (child: Child, how: 'kill' | 'stop') => {
    await (how === 'kill' ? child.kill() : child.stop());
    live.delete(child);
  };
  try {
    await migrateToLatest(db as never);
    await q(`CREATE TABLE bench_effects (reminder_id uuid NOT NULL, key text NOT NULL, pid integer NOT NULL, inserted boolean NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`, []);
    const version = (await database.pool.query<{ v: string }>(`select split_part(version(), ' on ', 1) as v`)).rows[0]!.v;
    const features: FeatureContext = { stores: postgresStores(db), transact: postgresTransact(db), clock: systemClock };
    bundle = await bundleChild();

    // The same dispatcher process over an empty queue, for comparison: read after the same idle time as the one below.
    const idleMs = idleSeconds * 1000;
    const emptyChild = await start(false);
    const emptyStatsLater = sleep(idleMs).then(() => emptyChild.stats());

    // --- data set -------------------------------------------------------------------------------------------------
    const generateStart = performance.now();
    const tenant = await createTenant(db, { name: '提醒压测公司' });
    const hr = tenant.employees.hr;
    const job = await createJob(features, hr.principal, {
      departmentId: tenant.departmentId, title: '压测职位', description: '', location: '上海', headcount: 1, hiringManagerId: null, ownerHrId: hr.id,
      rounds: [{ name: '一面', durationMinutes: 60 }],
    });
    const model = await publishCompetencyModel(features, hr.principal, job.id, competencyModelInput([60, 40]));
    await changeJobStatus(features, hr.principal, job.id, 'open');
    const setup: Setup = { q, tenantId: tenant.tenantId, jobId: job.id, roundId: job.rounds[0]!.id, modelId: model.id, hrId: hr.id, panelistId: tenant.employees.interviewer.id };
    const baseInterviews = Math.ceil(pendingTarget / 4);
    // Interviews starting from 2 days out over 5 days: their reminders fall due from 1 day out, never during the run.
    await insertSet(setup, { label: 'pending', interviews: baseInterviews, shape: 'spread', base: new Date(Date.now() + 2 * 86_400_000), stepMs: (5 * 86_400_000) / baseInterviews });
    await q('VACUUM ANALYZE', []);
    const generateSeconds = (performance.now() - generateStart) / 1000;
    const size = (await q<{ n: number; size: string }>(`SELECT count(*)::int AS n, pg_size_pretty(pg_total_relation_size('reminders')) AS size FROM reminders WHERE status = 'pending'`, []))[0]!;
    console.log(`${size.n} pending reminders (${baseInterviews} interviews, reminders table ${size.size} with indexes), generated in ${generateSeconds.toFixed(1)} s`);

    // --- 1. idle cost -----------------------------------------------------------------------------------------------
    // One idle poll as the dispatcher does it: a claim that finds nothing, then the next-due lookup.
    const messengerHere = wechatCandidateMessenger({ features, senders: { subscription: { send: () => Promise.reject(new Error('unused')) }, kf: { send: () => Promise.reject(new Error('unused')) } } });
    const pollSamples: number[] = [];
    const claimSamples: number[] = [];
    const cpuBefore = process.cpuUsage();
    const polls = 300;
    for (let i = 0; i < polls + 50; i++) {
      const t0 = performance.now();
      const result = await dispatchDueReminders(features, messengerHere);
      const t1 = performance.now();
      await features.stores.reminders.nextDueAt();
      const t2 = performance.now();
      if (result.claimed !== 0) throw new Error('something was due during the idle measurement');
      if (i >= 50) {
        claimSamples.push(t1 - t0);
        pollSamples.push(t2 - t0);
      }
    }
    const cpuPerPoll = (() => {
      const used = process.cpuUsage(cpuBefore);
      return (used.user + used.system) / 1000 / (polls + 50);
    })();
    const poll = distribution(pollSamples);
    const claim = distribution(claimSamples);
    const now = new Date();
    const plan = (
      await q<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM reminders
          WHERE (status = 'pending' AND due_at <= $1) OR (status = 'sending' AND claimed_until < $1) ORDER BY due_at LIMIT 50 FOR UPDATE SKIP LOCKED`,
        [now],
      )
    ).map((r) => r['QUERY PLAN']);
    const planSummary = [...new Set(plan.filter((line) => /Scan|Execution Time|Buffers: shared/.test(line)).map((line) => line.replace(/^[\s>-]+/, '')))].join('; ');
    const nextPlan = (await q<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) SELECT min(due_at) AS at FROM reminders WHERE status = 'pending'`, [])).map((r) => r['QUERY PLAN']);
    const nextPlanSummary = nextPlan.filter((line) => /Scan|Execution Time/.test(line)).map((line) => line.replace(/^[\s>-]+/, '')).join('; ');

    const emptyStats = await emptyStatsLater;
    await finish(emptyChild, 'stop');

    // The lateness set falls due after the idle window; inserted now, before the dispatcher starts, like real
    // reminders that are queued long before they are due.
    const lateBase = new Date(Date.now() + idleMs + 4000);
    await insertSet(setup, { label: 'lateness', interviews: lateCount, shape: 'due', start: '3h', base: lateBase, stepMs: lateSpacingMs });
    console.log(`idle: dispatcher process with ${size.n} pending, nothing due for ${idleSeconds} s…`);
    const idleChild = await start(false);
    const startupMs = idleChild.readyWall - idleChild.spawnedWall;
    const idleStart = idleChild.ready.stats;
    const idleWindowMs = Math.max(1000, Math.min(idleMs, lateBase.getTime() - 500 - Date.now()));
    await sleep(idleWindowMs);
    const idleEnd = await idleChild.stats();
    const idlePolls = idleEnd.claims;
    const idleCpuMs = (idleEnd.cpuMicros - idleStart.cpuMicros) / 1000;

    // --- 2. steady-state lateness ----------------------------------------------------------------------------------
    console.log(`lateness: ${lateCount} reminders due every ${lateSpacingMs} ms…`);
    const lateDone = await waitForSet(q, 'lateness', Math.max(0, lateBase.getTime() - Date.now()) + lateCount * lateSpacingMs + maxSleepMs + 30_000);
    const lateStats = await idleChild.stats();
    await finish(idleChild, 'stop');
    const lateState = await setState(q, 'lateness');
    const lateDist = await lateness(q, 'lateness');
    const lateCpuMs = (lateStats.cpuMicros - idleEnd.cpuMicros) / 1000;

    // --- 3. kill -9 during a burst ------------------------------------------------------------------------------------
    // The burst falls due over about the time the cycles take, so every incarnation finds work: a backlog from its own
    // downtime first, then reminders falling due while it runs.
    const spanMs = cycles * (startupMs + maxLifeMs / 2);
    const killBase = new Date(Date.now() + 1000);
    await insertSet(setup, { label: 'kill', interviews: killBurst, shape: 'due', start: '3h', base: killBase, stepMs: spanMs / killBurst });
    console.log(`kill -9: ${killBurst} reminders due over ${s1(spanMs)} s, dispatcher killed at a random moment within ${maxLifeMs} ms of start, ${cycles} times…`);
    const orphanCounts: number[] = [];
    const lives: number[] = [];
    const startups: number[] = [];
    const killStart = performance.now();
    let lastKillWall = Date.now();
    for (let cycle = 0; cycle < cycles; cycle++) {
      const child = await start(true);
      startups.push(child.readyWall - child.spawnedWall);
      const life = Math.random() * maxLifeMs;
      lives.push(life);
      await sleep(life);
      await finish(child, 'kill');
      lastKillWall = Date.now();
      // Claims this incarnation held when it died: their lease runs from its own claims, after it was spawned.
      const [row] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM reminders WHERE status = 'sending' AND claimed_until >= $1`, [new Date(child.spawnedWall + leaseMs)]);
      orphanCounts.push(Number(row!.n));
    }
    const cyclesSeconds = (performance.now() - killStart) / 1000;
    const beforeFinal = await setState(q, 'kill');
    const survivor = await start(true);
    const killDone = await waitForSet(q, 'kill', leaseMs + maxSleepMs + 60_000);
    const drainedWall = Date.now();
    await finish(survivor, 'stop');
    const killState = await setState(q, 'kill');
    const killCheck = await checkEffects(q, 'kill');
    const killLate = await lateness(q, 'kill');
    const killsWithOrphans = orphanCounts.filter((n) => n > 0).length;
    const orphaned = orphanCounts.reduce((a, b) => a + b, 0);

    // --- 4. catch-up after an outage ----------------------------------------------------------------------------------
    const outageMs = outageMinutes * 60_000;
    await insertSet(setup, { label: 'outage', interviews: outageCount, shape: 'due', start: 'lead', base: new Date(Date.now() - outageMs), stepMs: outageMs / outageCount });
    console.log(`catch-up: ${outageCount} reminders fell due over the last ${outageMinutes} minutes with no dispatcher running…`);
    const catchChild = await start(false);
    const catchDone = await waitForSet(q, 'outage', 10 * 60_000);
    await finish(catchChild, 'stop');
    const catchState = await setState(q, 'outage');
    const catchFromSpawn = (catchState.lastDone?.getTime() ?? NaN) - catchChild.spawnedWall;
    const catchFromReady = (catchState.lastDone?.getTime() ?? NaN) - catchChild.readyWall;

    // --- 5. two processes on one database --------------------------------------------------------------------------
    const pairBase = new Date(Date.now() + 3000);
    await insertSet(setup, { label: 'pair', interviews: pairCount, shape: 'due', start: '3h', base: pairBase, stepMs: 1000 / pairCount });
    console.log(`two dispatcher processes, ${pairCount} reminders falling due within 1 s…`);
    const [a, b] = await Promise.all([start(true), start(true)]);
    const pairDone = await waitForSet(q, 'pair', 10 * 60_000);
    await Promise.all([finish(a!, 'stop'), finish(b!, 'stop')]);
    const pairState = await setState(q, 'pair');
    const pairCheck = await checkEffects(q, 'pair');
    const pairSeconds = ((pairState.lastDone?.getTime() ?? NaN) - pairState.firstDue.getTime()) / 1000;
    const pairShares = [a!, b!].map((c) => pairCheck.byPid.get(c.pid) ?? 0);
    const pendingLeft = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM reminders r JOIN interviews iv ON iv.id = r.interview_id WHERE iv.location = 'pending' AND r.status = 'pending'`, []))[0]!.n;

    // --- report ------------------------------------------------------------------------------------------------------
    const notDone = (done: boolean) => (done ? '' : ' (TIMED OUT waiting)');
    const rows: string[][] = [
      [
        `idle: dispatcher process RSS`,
        `${mib(idleEnd.rssBytes / 1024)} MiB (heap ${mib(idleEnd.heapUsedBytes / 1024)}) ${s1(idleWindowMs)} s after start with ${size.n} pending vs ${mib(emptyStats.rssBytes / 1024)} MiB (heap ${mib(emptyStats.heapUsedBytes / 1024)}) with an empty queue: ` +
          `${idleEnd.rssBytes >= emptyStats.rssBytes ? '+' : '−'}${mib(Math.abs(idleEnd.rssBytes - emptyStats.rssBytes) / 1024)} MiB; before the dispatcher started ${mib(idleChild.ready.rssBeforeBytes / 1024)} MiB`,
      ],
      ['idle: polls and CPU in the window', `${idlePolls} poll(s) in ${s1(idleWindowMs)} s (armed at the next due time, at least every ${maxSleepMs / 1000} s = ${(60_000 / maxSleepMs).toFixed(0)}/min when nothing is near), ${ms(idleCpuMs)} ms CPU`],
      ['idle poll (empty claim + next-due), ' + `${polls} in a row`, `p50 ${ms(poll.p50)} ms, p99 ${ms(poll.p99)} ms (claim alone p50 ${ms(claim.p50)} ms); ${ms(cpuPerPoll)} ms CPU in node per poll`],
      ['steady state: lateness sent_at − due_at', `${late(lateDist)}; ${lateState.sent} sent${notDone(lateDone)}; dispatcher CPU ${ms(lateCpuMs / lateCount)} ms per reminder`],
      [`kill -9 × ${cycles} during a burst of ${killBurst}`, `${summaryLine(killCheck)}; ${killState.sent} sent, ${killState.failed} failed; ${killState.retried} retried after the lease, ${killCheck.absorbed} of them with the effect already committed (absorbed by the idempotency key)${notDone(killDone)}`],
      ['kill -9: where the kills landed', `${killsWithOrphans} of ${cycles} kills left claimed rows behind (${orphaned} rows, waiting out the ${leaseMs / 1000} s lease); ${killBurst - beforeFinal.pending - beforeFinal.sending} of ${killBurst} decided during the cycles (${s1(cyclesSeconds * 1000)} s), the rest by the last process; all final ${s1(drainedWall - lastKillWall)} s after the last kill`],
      ['kill -9: lateness of the burst', late(killLate)],
      [`catch-up after ${outageMinutes} min down, ${outageCount} due`, `all decided ${s1(catchFromSpawn)} s after spawn (${s1(catchFromReady)} s after ready) = ${(outageCount / (catchFromReady / 1000)).toFixed(0)}/s; ${catchState.sent} sent, ${catchState.skipped} skipped (${catchState.tooLate} too late), ${catchState.failed} failed${notDone(catchDone)}`],
      [`two processes, ${pairCount} due within 1 s`, `${summaryLine(pairCheck)}; ${pairState.sent} sent, ${pairState.failed} failed; ${pairCheck.absorbed} effects attempted twice, ${pairState.retried} claimed twice; split ${pairShares.join(' / ')}; all sent ${pairSeconds.toFixed(1)} s after the first fell due${notDone(pairDone)}`],
    ];
    const width = Math.max(...rows.map(([label]) => label!.length));
    const text = [
      `PostgreSQL: server ${url.host}, fresh database ${dbName}, ${version}`,
      `data: ${size.n} pending reminders of one tenant (${baseInterviews} interviews × 4 kinds, due from 1 day out), reminders table ${size.size}; ` +
        `stays pending through every phase (${pendingLeft} still pending at the end)`,
      `dispatcher children: ${bundle ? 'esbuild bundle of this file' : 'node --import tsx'}, spawn → ready median ${ms(distribution(startups.length ? startups : [startupMs]).p50)} ms; batch 50, lease ${leaseMs / 1000} s, max sleep ${maxSleepMs / 1000} s (the defaults)`,
      ...rows.map(([label, value]) => `${label!.padEnd(width)}  ${value}`),
      `claim plan with ${size.n} pending: ${planSummary}` +
        (planSummary.includes('Seq Scan on reminders') ? ' (the OR with lapsed leases keeps the partial index reminders_due_idx, status = pending, from serving the claim: every claim reads the whole table)' : ''),
      `next-due plan: ${nextPlanSummary}`,
      'effects: candidate reminders (no channel open) → HR call task in the outbox, panel/HR reminders → employee chat in the outbox; lost = not final at the end; ' +
        'duplicated = more than one outbox row per reminder; absorbed = effect attempts committed more than once for a reminder (retry after a kill between the outbox insert and the reminder update)',
    ].join('\n');
    console.log(`\n${text}`);
    return { title: 'Reminders: idle cost, lateness, kill -9, catch-up, two processes (PostgreSQL server)', text };
  } finally {
    await Promise.allSettled([...live].map((c) => c.kill()));
    if (bundle) rmSync(bundle, { force: true });
    await database.close();
    await adminQuery(`drop database if exists ${dbName} with (force)`);
  }
}

if (process.argv[2] === childFlag) {
  childMain(process.argv[3]!, process.argv[4] === 'record').catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else if (isMain(import.meta.url)) {
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
